/**
 * Receipts the gateway signs for the resident: which report was received, when, and how it
 * verified. Ed25519 (RFC 8032) over the receipt's JSON text, with the key's id (`keyId`, the JWK
 * `kid`) beside it. Keys live in the gateway's own database. Every key ever used is published
 * (GET /postbox/v1/receipt-keys) with its validity: `nbf` when it started signing, `exp` when it
 * was retired (NumericDate seconds), so a receipt still verifies after the key is rotated. A
 * retired key's private half is erased; its public half is kept for good.
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
import type { Db, Queryable } from '@kizuna/core';
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

/** A published receipt key: the public JWK with its id and validity. */
export type ReceiptJwk = JsonWebKey & { kid: string; use: 'sig'; alg: 'EdDSA'; nbf: number; exp?: number };

export interface ReceiptSigner {
  /** The current key's id. */
  readonly keyId: string;
  sign(body: ReceiptBody): SignedReceipt;
  /** Every receipt key, current and retired, oldest first. */
  publicKeys(): Promise<ReceiptJwk[]>;
  /** Retires the current key (its private half erased) and signs with a new one from now on. */
  rotate(now: Date): Promise<{ kid: string; retired: string }>;
}

interface KeyRow {
  id: string;
  private_pkcs8: Uint8Array;
}

const CURRENT =
  'SELECT id, private_pkcs8 FROM gw_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1';

async function insertKey(q: Queryable, now: Date): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await q.query(
    'INSERT INTO gw_signing_keys (id, private_pkcs8, public_spki, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [
      newId('rk', 8),
      privateKey.export({ type: 'pkcs8', format: 'der' }),
      publicKey.export({ type: 'spki', format: 'der' }),
      now,
    ],
  );
}

const privateKeyOf = (row: KeyRow) =>
  createPrivateKey({ key: Buffer.from(row.private_pkcs8), format: 'der', type: 'pkcs8' });

/** The current receipt key, created on first use. */
export async function loadReceiptSigner(db: Db, now = new Date()): Promise<ReceiptSigner> {
  let { rows } = await db.query<KeyRow>(CURRENT);
  if (!rows[0]) {
    await insertKey(db, now);
    ({ rows } = await db.query<KeyRow>(CURRENT));
  }
  let current = { id: rows[0]!.id, key: privateKeyOf(rows[0]!) };
  return {
    get keyId() {
      return current.id;
    },
    sign(body) {
      const { id, key } = current;
      return {
        receipt: body,
        keyId: id,
        signature: sign(null, Buffer.from(JSON.stringify(body)), key).toString('base64url'),
      };
    },
    async publicKeys() {
      const { rows: keys } = await db.query<{
        id: string;
        public_spki: Uint8Array;
        created_at: Date;
        retired_at: Date | null;
      }>('SELECT id, public_spki, created_at, retired_at FROM gw_signing_keys ORDER BY created_at, id');
      return keys.map((k) => ({
        ...createPublicKey({ key: Buffer.from(k.public_spki), format: 'der', type: 'spki' }).export({ format: 'jwk' }),
        kid: k.id,
        use: 'sig' as const,
        alg: 'EdDSA' as const,
        nbf: Math.floor(new Date(k.created_at).getTime() / 1000),
        ...(k.retired_at ? { exp: Math.ceil(new Date(k.retired_at).getTime() / 1000) } : {}),
      }));
    },
    async rotate(at) {
      const retired = current.id;
      const row = await db.tx(async (q) => {
        // the private half is erased: a retired key can never sign again, only be checked
        await q.query("UPDATE gw_signing_keys SET retired_at = $2, private_pkcs8 = '\\x'::bytea WHERE id = $1", [
          retired,
          at,
        ]);
        await insertKey(q, at);
        return (await q.query<KeyRow>(CURRENT)).rows[0]!;
      });
      current = { id: row.id, key: privateKeyOf(row) };
      return { kid: row.id, retired };
    },
  };
}

/** Checks a receipt against one published key (what a resident's device or an auditor does). */
export function verifyReceipt(r: SignedReceipt, jwk: JsonWebKey): boolean {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return false;
  }
  return verify(null, Buffer.from(JSON.stringify(r.receipt)), key, Buffer.from(r.signature, 'base64url'));
}

/**
 * Checks a receipt against the published set: the key its `keyId` names, which must have been
 * valid when the receipt says it was received (between the key's `nbf` and `exp`).
 */
export function verifyReceiptWithKeys(
  r: SignedReceipt,
  keys: readonly (JsonWebKey & { kid?: string; nbf?: number; exp?: number })[],
): boolean {
  const jwk = keys.find((k) => k.kid === r.keyId);
  if (!jwk) return false;
  const at = Date.parse(r.receipt.receivedAt);
  if (Number.isNaN(at)) return false;
  if (jwk.nbf !== undefined && at < jwk.nbf * 1000) return false;
  if (jwk.exp !== undefined && at >= jwk.exp * 1000) return false;
  return verifyReceipt(r, jwk);
}
