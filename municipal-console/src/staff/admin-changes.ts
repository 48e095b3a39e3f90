/**
 * Changes that one administrator may not make alone (issue 24: no one-person path to a second
 * approver): one admin proposes, a different admin confirms, both steps audited. Generic by kind:
 * each kind registers how to apply its payload (staff-changes.ts registers the account kinds).
 * Confirming applies the change in the same transaction that marks it confirmed, so a change is
 * applied once or not at all.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import { appendAudit } from './audit.ts';
import { staffErrors } from './staff-errors.ts';

export interface AdminChange {
  id: string;
  kind: string;
  subject: string;
  /** What the change does, as shown to the confirming admin (never a password or its hash). */
  summary: Record<string, unknown>;
  proposedBy: string;
  proposedAt: string;
  state: 'pending' | 'confirmed' | 'withdrawn';
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface ChangeKind {
  /** Apply a confirmed change inside the confirming transaction; throw a coded error if it no longer applies. */
  apply(
    q: Queryable,
    c: { subject: string; payload: Record<string, unknown>; actor: string; proposedBy: string; now: Date },
  ): Promise<void>;
  /** The part of the payload that may be shown and audited. */
  summary(payload: Record<string, unknown>): Record<string, unknown>;
}

const kinds = new Map<string, ChangeKind>();
export function registerChangeKind(kind: string, k: ChangeKind): void {
  kinds.set(kind, k);
}
const kindOf = (kind: string) => {
  const k = kinds.get(kind);
  if (!k) throw new Error(`admin change kind ${kind} is not registered`);
  return k;
};

interface Row {
  id: string;
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
  proposed_by: string;
  proposed_at: Date;
  state: AdminChange['state'];
  decided_by: string | null;
  decided_at: Date | null;
}
const view = (r: Row): AdminChange => ({
  id: r.id,
  kind: r.kind,
  subject: r.subject,
  summary: kindOf(r.kind).summary(r.payload),
  proposedBy: r.proposed_by,
  proposedAt: new Date(r.proposed_at).toISOString(),
  state: r.state,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
});

/** Record a proposal (audited). A newer proposal of the same kind for the same subject replaces a pending one. */
export async function proposeChange(
  db: Db,
  c: { kind: string; subject: string; payload: Record<string, unknown>; actor: string; now: Date },
): Promise<AdminChange> {
  const k = kindOf(c.kind);
  const id = randomBytes(9).toString('base64url');
  return db.tx(async (q) => {
    const { rows: old } = await q.query<{ id: string }>(
      `UPDATE admin_changes SET state = 'withdrawn', decided_by = $3, decided_at = $4
        WHERE kind = $1 AND subject = $2 AND state = 'pending' RETURNING id`,
      [c.kind, c.subject, c.actor, c.now],
    );
    const { rows } = await q.query<Row>(
      `INSERT INTO admin_changes (id, kind, subject, payload, proposed_by, proposed_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING *`,
      [id, c.kind, c.subject, JSON.stringify(c.payload), c.actor, c.now],
    );
    await appendAudit(
      q,
      {
        actor: c.actor,
        action: 'admin-change.propose',
        subject: c.subject,
        details: { change: id, kind: c.kind, ...k.summary(c.payload), ...(old[0] ? { replaces: old[0].id } : {}) },
      },
      c.now,
    );
    return view(rows[0]!);
  });
}

export async function listChanges(db: Queryable, state?: AdminChange['state']): Promise<AdminChange[]> {
  const { rows } = await db.query<Row>(
    'SELECT * FROM admin_changes WHERE $1::text IS NULL OR state = $1 ORDER BY proposed_at DESC, id LIMIT 500',
    [state ?? null],
  );
  return rows.map(view);
}

async function pending(q: Queryable, id: string): Promise<Row> {
  const { rows } = await q.query<Row>('SELECT * FROM admin_changes WHERE id = $1 FOR UPDATE', [id]);
  if (!rows[0] || rows[0].state !== 'pending') throw staffErrors.KZ_CONSOLE_CHANGE_UNKNOWN(id);
  return rows[0];
}

/** Confirm and apply: only an admin other than the proposer may (403 KZ_CONSOLE_SAME_ADMIN, audited). */
export async function confirmChange(db: Db, id: string, actor: string, now: Date): Promise<AdminChange> {
  const r = await db.tx((q) => pending(q, id));
  if (r.proposed_by === actor) {
    await db.tx((q) =>
      appendAudit(q, { actor, action: 'admin-change.refused', subject: r.subject, details: { change: id } }, now),
    );
    throw staffErrors.KZ_CONSOLE_SAME_ADMIN(`change ${id} was proposed by ${actor}`);
  }
  return db.tx(async (q) => {
    const row = await pending(q, id);
    const k = kindOf(row.kind);
    await k.apply(q, { subject: row.subject, payload: row.payload, actor, proposedBy: row.proposed_by, now });
    const { rows } = await q.query<Row>(
      `UPDATE admin_changes SET state = 'confirmed', decided_by = $2, decided_at = $3 WHERE id = $1 RETURNING *`,
      [id, actor, now],
    );
    await appendAudit(
      q,
      {
        actor,
        action: 'admin-change.confirm',
        subject: row.subject,
        details: { change: id, kind: row.kind, proposedBy: row.proposed_by, ...k.summary(row.payload) },
      },
      now,
    );
    return view(rows[0]!);
  });
}

/** Withdraw (the proposer) or turn down (another admin) a pending change. */
export async function withdrawChange(db: Db, id: string, actor: string, now: Date): Promise<AdminChange> {
  return db.tx(async (q) => {
    const row = await pending(q, id);
    const { rows } = await q.query<Row>(
      `UPDATE admin_changes SET state = 'withdrawn', decided_by = $2, decided_at = $3 WHERE id = $1 RETURNING *`,
      [id, actor, now],
    );
    await appendAudit(
      q,
      { actor, action: 'admin-change.withdraw', subject: row.subject, details: { change: id, kind: row.kind } },
      now,
    );
    return view(rows[0]!);
  });
}
