/**
 * Idempotency keys as Stripe defines them (an insurer's `externalRef` on POST /notices): the key
 * names one request. Repeating the same request returns the first notice; the same key with a
 * different request is refused with the fields that differ. A key is kept for its stated time
 * (KZ_GATEWAY_IDEMPOTENCY_DAYS) whatever happens to the notice, then retention deletes it. Only
 * salted digests of the fields are stored, so a deleted notice's text does not live on here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { addDays } from './time.ts';

/** The request's fields compared under one key, in the order a refusal names them. */
const FIELDS = ['code', 'policy', 'kind', 'subject', 'body', 'dueDate', 'attachments'] as const;
type Digests = Partial<Record<(typeof FIELDS)[number], string>>;
/** A notice request as notices.ts receives it (kept structural: notices.ts imports this module). */
type NoticeInput = { [F in (typeof FIELDS)[number]]?: unknown };

function digests(input: NoticeInput, salt: string): Digests {
  const out: Digests = {};
  for (const f of FIELDS)
    out[f] = createHash('sha256')
      .update(`${salt}\n${JSON.stringify(input[f] ?? null)}`)
      .digest('base64url');
  return out;
}

export type KeyClaim = { kind: 'new' } | { kind: 'repeat'; noticeId: string };

/**
 * Claims `externalRef` for `noticeId` inside the caller's transaction (the notice is inserted in
 * the same one, so a refused notice leaves no key). An expired key not yet swept is replaced.
 */
export async function claimKey(
  q: Queryable,
  insurerId: string,
  input: NoticeInput & { externalRef: string },
  noticeId: string,
  now: Date,
  keepDays: number,
): Promise<KeyClaim> {
  const salt = randomBytes(12).toString('base64url');
  const { rowCount } = await q.query(
    `INSERT INTO gw_idempotency_keys (insurer_id, key, notice_id, salt, fields, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (insurer_id, key) DO UPDATE SET notice_id = EXCLUDED.notice_id, salt = EXCLUDED.salt,
       fields = EXCLUDED.fields, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
     WHERE gw_idempotency_keys.expires_at <= EXCLUDED.created_at`,
    [insurerId, input.externalRef, noticeId, salt, JSON.stringify(digests(input, salt)), now, addDays(now, keepDays)],
  );
  if (rowCount === 1) return { kind: 'new' };
  const { rows } = await q.query<{ notice_id: string; salt: string; fields: Digests | string }>(
    'SELECT notice_id, salt, fields FROM gw_idempotency_keys WHERE insurer_id = $1 AND key = $2',
    [insurerId, input.externalRef],
  );
  const key = rows[0]!;
  const stored: Digests = typeof key.fields === 'string' ? JSON.parse(key.fields) : key.fields;
  const given = digests(input, key.salt);
  // keys carried over from before migration 005 have no digests: only the reference was known
  const differs = FIELDS.filter((f) => stored[f] !== undefined && stored[f] !== given[f]);
  if (differs.length)
    throw E.KZ_GW_IDEMPOTENCY_MISMATCH(
      `externalRef ${JSON.stringify(input.externalRef)} was used for another request (${differs.join(', ')} differ)`,
      { differs, noticeId: key.notice_id },
    );
  return { kind: 'repeat', noticeId: key.notice_id };
}
