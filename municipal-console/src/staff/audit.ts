/**
 * Append-only, hash-chained audit log: who did what to which alert, resident or device. Each
 * entry's hash covers the previous one, so a deleted or edited row breaks the chain
 * (verifyAuditChain). The table also refuses UPDATE and DELETE (trigger in the migration).
 * Details must not carry personal data: ids only.
 */
import { createHash } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';

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

function hashOf(seq: number, at: string, e: AuditEntry, prev: string): string {
  return createHash('sha256')
    .update(canonicalJson([seq, at, e.actor, e.action, e.subject ?? null, e.details ?? {}, prev]))
    .digest('hex');
}

/** Append inside the caller's transaction (the lock keeps the chain linear across servers). */
export async function appendAudit(q: Queryable, entry: AuditEntry, now: Date): Promise<void> {
  await q.exec('LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await q.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  const seq = rows[0] ? Number(rows[0].seq) + 1 : 1;
  const prev = rows[0]?.hash ?? GENESIS;
  const at = now.toISOString();
  await q.query(
    'INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)',
    [
      seq,
      at,
      entry.actor,
      entry.action,
      entry.subject ?? null,
      JSON.stringify(entry.details ?? {}),
      prev,
      hashOf(seq, at, entry, prev),
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
  }));
}

/** Walk the whole chain; throws KZ_CONSOLE_AUDIT_BROKEN naming the first bad entry. */
export async function verifyAuditChain(db: Queryable): Promise<{ entries: number; head: string }> {
  let prev = GENESIS;
  let count = 0;
  let after = 0;
  for (;;) {
    const page = await readAudit(db, { afterSeq: after, limit: 5000 });
    if (page.length === 0) break;
    for (const r of page) {
      if (r.seq !== count + 1) throw consoleErrors.KZ_CONSOLE_AUDIT_BROKEN(`entry ${count + 1} is missing`);
      if (r.prevHash !== prev || hashOf(r.seq, r.at, { ...r, subject: r.subject ?? undefined }, prev) !== r.hash)
        throw consoleErrors.KZ_CONSOLE_AUDIT_BROKEN(`entry ${r.seq} does not match its hash`);
      prev = r.hash;
      count += 1;
      after = r.seq;
    }
  }
  return { entries: count, head: prev };
}
