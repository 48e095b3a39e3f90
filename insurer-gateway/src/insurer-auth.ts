/**
 * Who is calling the insurer API: a client certificate registered for an insurer (mutual TLS),
 * else a signed API key (request-signing.ts). Then the emergency stop: a suspended insurer gets
 * KZ_GW_INSURER_SUSPENDED, checked on every request against the database (no cache to expire).
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { checkSignature, parseAuthorization } from './request-signing.ts';

export interface InsurerPrincipal {
  insurerId: string;
  via: 'api-key' | 'client-certificate';
  keyId?: string;
}

function clientCertFingerprint(req: FastifyRequest): string | null {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  return cert?.fingerprint256 ? cert.fingerprint256.replace(/:/g, '').toLowerCase() : null;
}

export async function authenticateInsurer(
  db: Queryable,
  req: FastifyRequest,
  rawBody: Uint8Array | string,
  now: Date,
  windowS: number,
): Promise<InsurerPrincipal> {
  let principal: InsurerPrincipal | null = null;
  const fp = req.headers.authorization ? null : clientCertFingerprint(req);
  if (fp) {
    const { rows } = await db.query<{ insurer_id: string }>(
      'SELECT insurer_id FROM gw_insurer_client_certs WHERE fingerprint = $1 AND revoked_at IS NULL',
      [fp],
    );
    if (rows[0]) principal = { insurerId: rows[0].insurer_id, via: 'client-certificate' };
  }
  if (!principal) {
    const auth = parseAuthorization(req.headers.authorization);
    const { rows } = await db.query<{ insurer_id: string; secret: string }>(
      'SELECT insurer_id, secret FROM gw_insurer_keys WHERE key_id = $1 AND revoked_at IS NULL',
      [auth.keyId],
    );
    const key = rows[0];
    if (!key) throw E.KZ_GW_AUTH_UNKNOWN_KEY();
    checkSignature(auth, key.secret, req.method, req.url, rawBody, now, windowS);
    const { rowCount } = await db.query(
      'INSERT INTO gw_request_nonces (signature, expires_at) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING',
      [auth.sig, new Date((auth.ts + windowS) * 1000)],
    );
    if (rowCount === 0) throw E.KZ_GW_AUTH_REPLAYED();
    principal = { insurerId: key.insurer_id, via: 'api-key', keyId: auth.keyId };
  }
  const { rows } = await db.query<{ status: string }>('SELECT status FROM gw_insurers WHERE id = $1', [
    principal.insurerId,
  ]);
  if (rows[0]?.status !== 'active') throw E.KZ_GW_INSURER_SUSPENDED();
  return principal;
}
