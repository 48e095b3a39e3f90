/**
 * Retention and deletion (docs/OPERATIONS.md "Insurer gateway" lists the same rules):
 * - a notice closed (answered, withdrawn) or past its due date by noticeDays is deleted with its
 *   attachments; the resident can delete a closed notice at any time;
 * - signed reports with their evidence are kept reportDays (default 10 years) for audit, then deleted;
 * - acknowledged events are deleted eventDays after creation; unacknowledged ones are never dropped;
 * - refused-report records follow the notice period; expired sessions, consent nonces, request
 *   signatures and idempotency keys (notices' externalRef) are deleted once past their expiry.
 */
import type { Db } from '@kizuna/core';
import { addDays, tokyoDate } from './time.ts';

export interface RetentionPolicy {
  noticeDays: number;
  reportDays: number;
  eventDays: number;
}
export type RetentionResult = Record<
  'notices' | 'reports' | 'events' | 'attempts' | 'sessions' | 'nonces' | 'requestNonces' | 'idempotencyKeys',
  number
>;

export async function runRetention(db: Db, policy: RetentionPolicy, now: Date): Promise<RetentionResult> {
  const noticeCut = addDays(now, -policy.noticeDays);
  return db.tx(async (q) => {
    const notices = await q.query(
      `DELETE FROM gw_notices WHERE (closed_at IS NOT NULL AND closed_at < $1)
      OR (status IN ('unread', 'read') AND due_date IS NOT NULL AND due_date < $2::date)`,
      [noticeCut, tokyoDate(noticeCut)],
    );
    const reports = await q.query('DELETE FROM gw_reports WHERE received_at < $1', [addDays(now, -policy.reportDays)]);
    const events = await q.query('DELETE FROM gw_events WHERE acked_at IS NOT NULL AND created_at < $1', [
      addDays(now, -policy.eventDays),
    ]);
    const attempts = await q.query('DELETE FROM gw_report_attempts WHERE at < $1', [noticeCut]);
    const sessions = await q.query('DELETE FROM gw_sessions WHERE expires_at < $1', [now]);
    const nonces = await q.query('DELETE FROM gw_consent_nonces WHERE expires_at < $1', [now]);
    const requestNonces = await q.query('DELETE FROM gw_request_nonces WHERE expires_at < $1', [now]);
    const keys = await q.query('DELETE FROM gw_idempotency_keys WHERE expires_at <= $1', [now]);
    return {
      idempotencyKeys: keys.rowCount,
      notices: notices.rowCount,
      reports: reports.rowCount,
      events: events.rowCount,
      attempts: attempts.rowCount,
      sessions: sessions.rowCount,
      nonces: nonces.rowCount,
      requestNonces: requestNonces.rowCount,
    };
  });
}
