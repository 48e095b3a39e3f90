/**
 * Append-only, keyed hash chain: who did what to which alert, resident or device. Each entry's
 * hash is an HMAC-SHA-256, under a key kept outside the database, of the entry (all of `details`
 * included) and the previous entry's hash: an edited or deleted row breaks the chain, and nobody
 * holding only the database can recompute it (verifyAuditChain names the first bad entry). A cut
 * tail is caught against the head exported outside the database (audit-head.ts). The table refuses
 * UPDATE, DELETE and TRUNCATE (triggers, migrations 001 and 013). Details carry no personal data: ids only.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';

/**
 * The keys this process holds, by fingerprint: each console binds its key to its database at start
 * (useAuditKey), and the database names the key its chain continues with (audit_key).
 */
const KEYS = new Map<string, Uint8Array>();

/** A key's public name: an HMAC of a fixed label, from which the key cannot be found. */
export const auditKeyId = (key: Uint8Array) =>
  createHmac('sha256', key).update('kizuna audit key id').digest('hex').slice(0, 16);

/**
 * Continue this database's chain under `key` from now on. A different key than the one the chain
 * was under is recorded as an `audit.key-changed` entry (entries under the old key then verify only
 * where that key is held too).
 */
export async function useAuditKey(db: Db, key: Uint8Array, now: Date): Promise<string> {
  if (key.length < 32) throw consoleErrors.KZ_CONSOLE_AUDIT_KEY('the audit key must be at least 32 bytes');
  const id = auditKeyId(key);
  KEYS.set(id, key);
  await db.tx(async (q) => {
    await q.exec('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await q.query<{ key_id: string }>('SELECT key_id FROM audit_key');
    if (rows[0]?.key_id === id) return;
    await q.query(
      'INSERT INTO audit_key (one, key_id) VALUES (true, $1) ON CONFLICT (one) DO UPDATE SET key_id = EXCLUDED.key_id',
      [id],
    );
    if (rows[0])
      await appendAudit(
        q,
        { actor: 'system', action: 'audit.key-changed', details: { from: rows[0].key_id, to: id } },
        now,
      );
  });
  return id;
}

export interface AuditEntry {
  actor: string;
  action: string;
  subject?: string | undefined;
  details?: Record<string, unknown>;
}
export interface AuditRow extends Required<Omit<AuditEntry, 'subject'>> {
  seq: number;
  at: string;
  subject: string | null;
  prevHash: string;
  hash: string;
  /** The fingerprint of the key the hash is under; null for entries from before keys (plain SHA-256). */
  keyId: string | null;
}

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth: jsonb does not keep key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function hashOf(key: Uint8Array | undefined, seq: number, at: string, e: AuditEntry, prev: string): string {
  const text = canonicalJson([seq, at, e.actor, e.action, e.subject ?? null, e.details ?? {}, prev]);
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(text).digest('hex');
}

/** Append inside the caller's transaction (the lock keeps the chain linear across servers). */
export async function appendAudit(q: Queryable, entry: AuditEntry, now: Date): Promise<void> {
  await q.exec('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await q.query<{ key_id: string | null; seq: string | number | null; hash: string | null }>(
    `SELECT k.key_id, l.seq, l.hash FROM (SELECT 1) AS one LEFT JOIN audit_key k ON true
      LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) l ON true`,
  );
  const last = rows[0]!;
  const seq = last.seq !== null ? Number(last.seq) + 1 : 1;
  const prev = last.hash ?? GENESIS;
  const keyId = last.key_id;
  const key = keyId ? KEYS.get(keyId) : undefined;
  // a chain bound to a key never continues without it (a database without one: library use, plain SHA-256)
  if (keyId && !key) throw consoleErrors.KZ_CONSOLE_AUDIT_KEY(`this server does not hold audit key ${keyId}`);
  const at = now.toISOString();
  await q.query(
    'INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash, key_id) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)',
    [
      seq,
      at,
      entry.actor,
      entry.action,
      entry.subject ?? null,
      JSON.stringify(entry.details ?? {}),
      prev,
      hashOf(key, seq, at, entry, prev),
      keyId,
    ],
  );
}

export function audit(db: Db, entry: AuditEntry, now: Date): Promise<void> {
  return db.tx((q) => appendAudit(q, entry, now));
}

export async function readAudit(db: Queryable, opts: { afterSeq?: number; limit?: number } = {}): Promise<AuditRow[]> {
  const { rows } = await db.query<{
    seq: string | number;
    at: Date;
    actor: string;
    action: string;
    subject: string | null;
    details: Record<string, unknown>;
    prev_hash: string;
    hash: string;
    key_id: string | null;
  }>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [opts.afterSeq ?? 0, opts.limit ?? 1000]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
    keyId: r.key_id,
  }));
}

/** A head exported outside the database: the chain must reach it, with this hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

function check(r: AuditRow, expected: { seq: number; prev: string; keyed: boolean }): string | null {
  if (r.seq !== expected.seq) return `is missing (the next entry is ${r.seq})`;
  if (r.prevHash !== expected.prev) return 'does not follow the entry before it (its previous hash differs)';
  if (r.keyId === null && expected.keyed) return 'is not keyed, yet entries before it are';
  const key = r.keyId ? KEYS.get(r.keyId) : undefined;
  if (r.keyId && !key) return `is under audit key ${r.keyId}, which this server does not hold`;
  if (hashOf(key, r.seq, r.at, { ...r, subject: r.subject ?? undefined }, r.prevHash) !== r.hash)
    return 'does not match its hash: edited, or recomputed without the key';
  return null;
}

/**
 * Walk the whole chain, and check it reaches each of `heads` (heads exported outside the database)
 * with the same hash; throws KZ_CONSOLE_AUDIT_BROKEN naming the first bad entry and why (details: seq, reason).
 */
export async function verifyAuditChain(
  db: Queryable,
  opts: { heads?: (AuditHead | null | undefined)[] } = {},
): Promise<{ entries: number; head: string }> {
  const broken = (seq: number, reason: string) =>
    consoleErrors.KZ_CONSOLE_AUDIT_BROKEN(`entry ${seq} ${reason}`, { seq, reason });
  const heads = (opts.heads ?? []).filter((h): h is AuditHead => !!h).sort((a, b) => a.seq - b.seq);
  const seen = new Map<number, string>();
  let prev = GENESIS;
  let count = 0;
  let keyed = false;
  for (;;) {
    const page = await readAudit(db, { afterSeq: count, limit: 5000 });
    if (page.length === 0) break;
    for (const r of page) {
      const bad = check(r, { seq: count + 1, prev, keyed });
      if (bad) throw broken(count + 1, bad);
      keyed ||= r.keyId !== null;
      prev = r.hash;
      count += 1;
      if (heads.some((h) => h.seq === r.seq)) seen.set(r.seq, r.hash);
    }
  }
  for (const h of heads) {
    if (count < h.seq)
      throw broken(count + 1, `is missing: the log ends at entry ${count}, an exported head is entry ${h.seq}`);
    if (seen.get(h.seq) !== h.hash)
      throw broken(h.seq, 'differs from the exported head: the chain was rewritten up to it');
  }
  return { entries: count, head: prev };
}
