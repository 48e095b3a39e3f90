/**
 * The insurer's outbox. Every event is stored first (in the same transaction as what caused
 * it), then read over the API and pushed as a webhook until acknowledged. Its id is the
 * idempotency key a receiver deduplicates on.
 */
import type { Queryable } from '@kizuna/core';
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

export async function listEvents(
  db: Queryable,
  insurerId: string,
  opts: { after?: number; limit?: number; unackedOnly?: boolean },
): Promise<InsurerEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT id, seq, type, payload, created_at, acked_at FROM gw_events
     WHERE insurer_id = $1 AND seq > $2 AND ($3::boolean IS FALSE OR acked_at IS NULL) ORDER BY seq LIMIT $4`,
    [insurerId, opts.after ?? 0, opts.unackedOnly ?? false, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map(toEvent);
}

export async function getEvent(db: Queryable, insurerId: string, id: string): Promise<InsurerEvent> {
  const { rows } = await db.query<EventRow>(
    'SELECT id, seq, type, payload, created_at, acked_at FROM gw_events WHERE insurer_id = $1 AND id = $2',
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
