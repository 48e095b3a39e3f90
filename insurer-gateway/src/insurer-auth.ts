/**
 * Who is calling the insurer API: a client certificate registered for an insurer (mutual TLS),
 * else a signed API key (request-signing.ts). Then the emergency stop: a suspended insurer gets
 * KZ_GW_INSURER_SUSPENDED, checked on every request against the database (no cache to expire).
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { checkSignature, checkWindow, parseAuthorization, type ParsedAuth } from './request-signing.ts';

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

/** Who the headers say is calling, found before the body is read; the body's signature is checked next. */
export type InsurerClaim =
  { principal: InsurerPrincipal } | { principal: null; auth: ParsedAuth; key: { insurer_id: string; secret: string } };

/**
 * Phase 1 (onRequest, no body read yet): a registered client certificate, or a well-formed
 * Authorization header with a known key and a timestamp inside the window. A stranger is refused
 * here, whatever body follows.
 */
export async function identifyInsurer(
  db: Queryable,
  req: FastifyRequest,
  now: Date,
  windowS: number,
): Promise<InsurerClaim> {
  const fp = req.headers.authorization ? null : clientCertFingerprint(req);
  if (fp) {
    const { rows } = await db.query<{ insurer_id: string }>(
      'SELECT insurer_id FROM gw_insurer_client_certs WHERE fingerprint = $1 AND revoked_at IS NULL',
      [fp],
    );
    if (rows[0]) return { principal: await active(db, { insurerId: rows[0].insurer_id, via: 'client-certificate' }) };
  }
  const auth = parseAuthorization(req.headers.authorization);
  const { rows } = await db.query<{ insurer_id: string; secret: string }>(
    'SELECT insurer_id, secret FROM gw_insurer_keys WHERE key_id = $1 AND revoked_at IS NULL',
    [auth.keyId],
  );
  const key = rows[0];
  if (!key) throw E.KZ_GW_AUTH_UNKNOWN_KEY();
  checkWindow(auth, now, windowS);
  return { principal: null, auth, key };
}

/** Phase 2 (preParsing, the body's exact bytes in hand): the signature, the replay check, the emergency stop. */
export async function completeInsurerAuth(
  db: Queryable,
  req: FastifyRequest,
  claim: InsurerClaim,
  rawBody: Uint8Array | string,
  now: Date,
  windowS: number,
): Promise<InsurerPrincipal> {
  if (claim.principal) return claim.principal;
  const { auth, key } = claim;
  checkSignature(auth, key.secret, req.method, req.url, rawBody, now, windowS);
  const { rowCount } = await db.query(
    'INSERT INTO gw_request_nonces (signature, expires_at) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING',
    [auth.sig, new Date((auth.ts + windowS) * 1000)],
  );
  if (rowCount === 0) throw E.KZ_GW_AUTH_REPLAYED();
  return active(db, { insurerId: key.insurer_id, via: 'api-key', keyId: auth.keyId });
}

/** Both phases at once (a caller that already holds the body). */
export async function authenticateInsurer(
  db: Queryable,
  req: FastifyRequest,
  rawBody: Uint8Array | string,
  now: Date,
  windowS: number,
): Promise<InsurerPrincipal> {
  return completeInsurerAuth(db, req, await identifyInsurer(db, req, now, windowS), rawBody, now, windowS);
}

async function active(db: Queryable, principal: InsurerPrincipal): Promise<InsurerPrincipal> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM gw_insurers WHERE id = $1', [
    principal.insurerId,
  ]);
  if (rows[0]?.status !== 'active') throw E.KZ_GW_INSURER_SUSPENDED();
  return principal;
}
