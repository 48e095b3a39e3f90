/**
 * Receipts the gateway signs for the resident: which report was received, when, and how it
 * verified. Ed25519 (RFC 8032) over the receipt's JSON text; the key lives in the gateway's own
 * database and its public half is published (GET /postbox/v1/receipt-keys) so anyone can check.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { Queryable } from '@kizuna/core';
import { newId } from './ids.ts';

export interface ReceiptBody {
  v: 1;
  kind: 'kz-report-receipt';
  report: string;
  notice: string;
  insurer: string;
  policy: string;
  documentSha256: string;
  receivedAt: string;
  verification: { result: 'valid'; reason: 'ok' };
}
export interface SignedReceipt {
  receipt: ReceiptBody;
  keyId: string;
  signature: string;
}

export interface ReceiptSigner {
  keyId: string;
  sign(body: ReceiptBody): SignedReceipt;
  publicJwk(): Record<string, unknown>;
}

/** The current receipt key, created on first use. */
export async function loadReceiptSigner(db: Queryable, now = new Date()): Promise<ReceiptSigner> {
  let { rows } = await db.query<{ id: string; private_pkcs8: Uint8Array }>(
    'SELECT id, private_pkcs8 FROM gw_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
  );
  if (!rows[0]) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const id = newId('rk', 8);
    await db.query(
      'INSERT INTO gw_signing_keys (id, private_pkcs8, public_spki, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [id, privateKey.export({ type: 'pkcs8', format: 'der' }), publicKey.export({ type: 'spki', format: 'der' }), now],
    );
    ({ rows } = await db.query(
      'SELECT id, private_pkcs8 FROM gw_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    ));
  }
  const row = rows[0]!;
  const key = createPrivateKey({ key: Buffer.from(row.private_pkcs8), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(key);
  return {
    keyId: row.id,
    sign: (body) => ({
      receipt: body,
      keyId: row.id,
      signature: sign(null, Buffer.from(JSON.stringify(body)), key).toString('base64url'),
    }),
    publicJwk: () => ({ ...pub.export({ format: 'jwk' }), kid: row.id, use: 'sig', alg: 'EdDSA' }),
  };
}

/** Checks a receipt against a published key (what a resident's device or an auditor does). */
export function verifyReceipt(r: SignedReceipt, jwk: JsonWebKey): boolean {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return false;
  }
  return verify(null, Buffer.from(JSON.stringify(r.receipt)), key, Buffer.from(r.signature, 'base64url'));
}
