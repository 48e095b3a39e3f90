/**
 * The insurer's outbox. Every event is stored first (in the same transaction as what caused
 * it), then read over the API and pushed as a webhook until acknowledged. Its id is the
 * idempotency key a receiver deduplicates on. `seq` is the insurer's own counter, given after
 * the event committed (`sequenceEvents`), so it says nothing about other insurers' volume and
 * a reader's `after` cursor never passes an event that commits late.
 */
import type { Db, Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { newId } from './ids.ts';

export const EVENT_TYPES = [
  'policyholder.enrolled',
  'policyholder.ended',
  'notice.read',
  'report.received',
  'certificate.revoked',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface InsurerEvent {
  id: string;
  seq: number;
  type: EventType;
  createdAt: string;
  acked: boolean;
  data: Record<string, unknown>;
}

interface EventRow {
  id: string;
  seq: string | number;
  type: EventType;
  payload: unknown;
  created_at: Date;
  acked_at: Date | null;
}
const toEvent = (r: EventRow): InsurerEvent => ({
  id: r.id,
  seq: Number(r.seq),
  type: r.type,
  createdAt: new Date(r.created_at).toISOString(),
  acked: r.acked_at !== null,
  data: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
});

export async function emitEvent(
  q: Queryable,
  insurerId: string,
  type: EventType,
  data: Record<string, unknown>,
  now: Date,
): Promise<string> {
  const id = newId('evt');
  await q.query(
    'INSERT INTO gw_events (id, insurer_id, type, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)',
    [id, insurerId, type, JSON.stringify(data), now],
  );
  return id;
}

/**
 * Numbers this insurer's committed, unnumbered events in commit-visible order, under a lock on
 * its counter (one row: no lock-order deadlock with transactions that emit for several insurers).
 */
export async function sequenceEvents(db: Db, insurerId: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM gw_events WHERE insurer_id = $1 AND insurer_seq IS NULL LIMIT 1', [
    insurerId,
  ]);
  if (!rows.length) return;
  await db.tx(async (q) => {
    const { rows: c } = await q.query<{ event_seq: string }>(
      'SELECT event_seq FROM gw_insurers WHERE id = $1 FOR UPDATE',
      [insurerId],
    );
    const { rowCount } = await q.query(
      `UPDATE gw_events e SET insurer_seq = $2::bigint + n.rn
       FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn FROM gw_events WHERE insurer_id = $1 AND insurer_seq IS NULL) n
       WHERE e.seq = n.seq`,
      [insurerId, c[0]?.event_seq ?? 0],
    );
    await q.query('UPDATE gw_insurers SET event_seq = event_seq + $2 WHERE id = $1', [insurerId, rowCount ?? 0]);
  });
}

export async function listEvents(
  db: Db,
  insurerId: string,
  opts: { after?: number; limit?: number; unackedOnly?: boolean },
): Promise<InsurerEvent[]> {
  await sequenceEvents(db, insurerId);
  const { rows } = await db.query<EventRow>(
    `SELECT id, insurer_seq AS seq, type, payload, created_at, acked_at FROM gw_events
     WHERE insurer_id = $1 AND insurer_seq > $2 AND ($3::boolean IS FALSE OR acked_at IS NULL) ORDER BY insurer_seq LIMIT $4`,
    [insurerId, opts.after ?? 0, opts.unackedOnly ?? false, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map(toEvent);
}

export async function getEvent(db: Db, insurerId: string, id: string): Promise<InsurerEvent> {
  await sequenceEvents(db, insurerId);
  const { rows } = await db.query<EventRow>(
    'SELECT id, insurer_seq AS seq, type, payload, created_at, acked_at FROM gw_events WHERE insurer_id = $1 AND id = $2',
    [insurerId, id],
  );
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_EVENT(id);
  return toEvent(rows[0]);
}

/** Acknowledging is idempotent; another insurer's event id is "unknown". */
export async function ackEvent(db: Queryable, insurerId: string, id: string, now: Date): Promise<void> {
  const { rows } = await db.query<{ acked_at: Date | null }>(
    'UPDATE gw_events SET acked_at = COALESCE(acked_at, $3) WHERE insurer_id = $1 AND id = $2 RETURNING acked_at',
    [insurerId, id, now],
  );
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_EVENT(id);
}
