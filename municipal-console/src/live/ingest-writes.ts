/**
 * The writes of what comes back over MQTT, in the caller's transaction: receipts (delivery,
 * display, answers) and shelter events. Each is idempotent (see ingest.ts).
 */
import type { Queryable } from '@kizuna/core';
import type { Receipt, ShelterEvent } from '@kizuna/contract';
import { alertsWithJournal } from '../alerts/repository/journal-rows.ts';

/** Sends one message's PUBACK once its write has committed (a no-op after a reconnect). */
export type Ack = () => void;
export interface QueuedReceipt {
  device: string;
  r: Receipt;
  receivedAt: Date;
  ack: Ack;
}
/** `fail` set: written for the broker's hook, which is told of a failure rather than retried. */
export interface QueuedEvent {
  shelter: string;
  terminal: string;
  e: ShelterEvent;
  receivedAt: Date;
  ack: Ack;
  fail?: (e: Error) => void;
}

/** The alerts among these receipts' whose fan-out journal is not yet written out as rows (migration 008). */
export async function alertsFanningOut(q: Queryable, receipts: readonly QueuedReceipt[]): Promise<Set<string>> {
  return alertsWithJournal(q, [...new Set(receipts.map((x) => x.r.alertId))]);
}

/**
 * Receipts written: deliveries marked delivered / displayed, answers stored. Returns the alerts
 * whose figures changed, how many receipts were written and how many were refused (naming a ref
 * the TV was not given).
 */
export async function storeReceipts(
  q: Queryable,
  receipts: QueuedReceipt[],
): Promise<{ touched: Set<string>; written: number; rejected: number }> {
  const touched = new Set<string>();
  let rejected = 0;
  // an answer naming a ref this TV was not given is refused whole (it implies nothing about display either)
  const withRef = receipts.filter(({ r }) => r.ref);
  if (withRef.length) {
    const { rows: ok } = await q.query<{ k: string }>(
      `
      SELECT ar.alert_id || ' ' || ar.device_id || ' ' || ar.ref AS k FROM alert_recipients ar
      JOIN jsonb_to_recordset($1::jsonb) AS x(alert_id text, device_id text, ref text)
        ON ar.alert_id = x.alert_id AND ar.device_id = x.device_id AND ar.ref = x.ref`,
      [JSON.stringify(withRef.map(({ device, r }) => ({ alert_id: r.alertId, device_id: device, ref: r.ref })))],
    );
    const valid = new Set(ok.map((x) => x.k));
    const before = receipts.length;
    receipts = receipts.filter(({ device, r }) => !r.ref || valid.has(`${r.alertId} ${device} ${r.ref}`));
    rejected = before - receipts.length;
  }
  if (receipts.length) {
    // "displayed" and "acknowledged" imply "delivered"; a receipt for a revision never sent is ignored.
    // A batch can hold a device's "delivered" and "displayed" together: each keeps its own time.
    const rows = receipts.map(({ device, r, receivedAt }) => ({
      alert_id: r.alertId,
      device_id: device,
      revision: r.revision,
      delivered: true,
      displayed: r.state !== 'delivered',
      at: clampAt(r.at, receivedAt),
    }));
    const { rows: upd } = await q.query<{ alert_id: string }>(
      `
      WITH x AS (
        SELECT alert_id, device_id, max(revision) AS revision, bool_or(displayed) AS displayed, min(at) AS at,
          min(at) FILTER (WHERE displayed) AS displayed_at
        FROM jsonb_to_recordset($1::jsonb) AS r(alert_id text, device_id text, revision int, delivered boolean, displayed boolean, at timestamptz)
        GROUP BY alert_id, device_id)
      UPDATE deliveries d SET
        delivered_revision = GREATEST(d.delivered_revision, LEAST(x.revision, d.revision_sent)),
        delivered_at = COALESCE(d.delivered_at, x.at),
        displayed_revision = CASE WHEN x.displayed THEN GREATEST(d.displayed_revision, LEAST(x.revision, d.revision_sent)) ELSE d.displayed_revision END,
        displayed_at = CASE WHEN x.displayed THEN COALESCE(d.displayed_at, x.displayed_at) ELSE d.displayed_at END
      FROM x WHERE d.alert_id = x.alert_id AND d.device_id = x.device_id
      RETURNING d.alert_id`,
      [JSON.stringify(rows)],
    );
    for (const r of upd) touched.add(r.alert_id);
    // answers: the ref must be one this device was given for this alert, so a TV answers only for its own people
    const answers = receipts
      .filter(({ r }) => r.state === 'acknowledged' && r.ref && r.answer)
      .map(({ device, r, receivedAt }) => ({
        alert_id: r.alertId,
        device_id: device,
        ref: r.ref,
        answer: r.answer,
        at: clampAt(r.at, receivedAt),
      }));
    if (answers.length) {
      const { rows: ans } = await q.query<{ alert_id: string }>(
        `
        WITH x AS (
          SELECT DISTINCT ON (ar.alert_id, ar.resident_id) ar.alert_id, ar.resident_id, a.answer, a.at
          FROM jsonb_to_recordset($1::jsonb) AS a(alert_id text, device_id text, ref text, answer text, at timestamptz)
          JOIN alert_recipients ar ON ar.alert_id = a.alert_id AND ar.ref = a.ref AND ar.device_id = a.device_id
          ORDER BY ar.alert_id, ar.resident_id, a.at DESC)
        INSERT INTO answers (alert_id, resident_id, answer, answered_at, first_answered_at)
        SELECT alert_id, resident_id, answer, at, at FROM x
        ON CONFLICT (alert_id, resident_id) DO UPDATE SET answer = EXCLUDED.answer, answered_at = EXCLUDED.answered_at
          WHERE answers.answered_at < EXCLUDED.answered_at AND answers.answer <> EXCLUDED.answer
        RETURNING alert_id`,
        [JSON.stringify(answers)],
      );
      for (const r of ans) touched.add(r.alert_id);
      if (ans.length === 0) for (const a of answers) touched.add(a.alert_id);
      // every answer given, once, for the rescue list's history (a corrected answer shows what it replaced)
      await q.query(
        `
        INSERT INTO answer_history (alert_id, resident_id, answer, answered_at)
        SELECT DISTINCT ar.alert_id, ar.resident_id, a.answer, a.at
        FROM jsonb_to_recordset($1::jsonb) AS a(alert_id text, device_id text, ref text, answer text, at timestamptz)
        JOIN alert_recipients ar ON ar.alert_id = a.alert_id AND ar.ref = a.ref AND ar.device_id = a.device_id
        ON CONFLICT DO NOTHING`,
        [JSON.stringify(answers)],
      );
    }
  }
  return { touched, written: receipts.length, rejected };
}

/** Shelter events stored (a re-sent one changes nothing): the residents they name, whose arrival may have changed. */
export async function storeShelterEvents(q: Queryable, events: QueuedEvent[]): Promise<Set<string>> {
  const residents = new Set<string>();
  const rows = events.map(({ shelter, terminal, e, receivedAt }) => ({
    event_id: e.eventId,
    shelter_id: shelter,
    terminal_id: terminal,
    seq: e.seq,
    type: e.type,
    at: clampAt(e.at, receivedAt),
    roster_key: e.rosterKey ?? null,
    cert_serial: e.certSerial ?? null,
    manual: e.manual ?? null,
    undoes: e.undoes ?? null,
    to_shelter: e.toShelter ?? null,
    check_in: e.checkIn ?? null,
    needs_care: e.needsCare ?? null,
    event: e,
  }));
  // The person is resolved here, where the links live, for the whole batch at once: roster
  // key → resident, else card serial → the latest binding (two index lookups per distinct
  // serial, not a scan per row), else the check-in a hand check-out names.
  const { rows: stored } = await q.query<{ resident_id: string | null; undoes: string | null }>(
    `
    WITH x AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, shelter_id text, terminal_id text, seq int, type text, at timestamptz,
        roster_key text, cert_serial text, manual jsonb, undoes text, to_shelter text, check_in text, needs_care boolean, event jsonb)),
    serials AS (
      SELECT DISTINCT ON (s.serial) s.serial, s.resident_id FROM (
        SELECT b.resident_id, b.bound_at, lower(b.auth_serial) AS serial FROM bindings b WHERE lower(b.auth_serial) IN (SELECT cert_serial FROM x WHERE cert_serial IS NOT NULL)
        UNION ALL
        SELECT b.resident_id, b.bound_at, lower(b.sign_serial) FROM bindings b WHERE lower(b.sign_serial) IN (SELECT cert_serial FROM x WHERE cert_serial IS NOT NULL)) s
      ORDER BY s.serial, s.bound_at DESC)
    INSERT INTO checkins (event_id, shelter_id, terminal_id, seq, type, at, resident_id, roster_key, cert_serial, manual, undoes, to_shelter, check_in, needs_care, event)
    SELECT x.event_id, x.shelter_id, x.terminal_id, x.seq, x.type, x.at, COALESCE(k.resident_id, s.resident_id, c.resident_id),
      x.roster_key, x.cert_serial, x.manual, x.undoes, x.to_shelter, x.check_in, x.needs_care, x.event
    FROM x
    LEFT JOIN roster_keys k ON k.shelter_id = x.shelter_id AND k.key = x.roster_key
    LEFT JOIN serials s ON s.serial = x.cert_serial
    LEFT JOIN checkins c ON c.event_id = x.check_in
    ON CONFLICT (event_id) DO NOTHING
    RETURNING resident_id, undoes`,
    [JSON.stringify(rows)],
  );
  for (const r of stored) if (r.resident_id) residents.add(r.resident_id);
  // an undo by event id alone (a hand check-in, a card off the roster) names no one itself
  const undone = stored.filter((r) => r.undoes && !r.resident_id).map((r) => r.undoes!);
  if (undone.length) {
    const { rows: people } = await q.query<{ resident_id: string }>(
      'SELECT resident_id FROM checkins WHERE event_id = ANY($1::text[]) AND resident_id IS NOT NULL',
      [undone],
    );
    for (const r of people) residents.add(r.resident_id);
  }
  return residents;
}

/** A device's clock may be wrong: never accept a time in the future of our own. */
export function clampAt(at: string, receivedAt: Date): string {
  const t = Date.parse(at);
  return (Number.isNaN(t) || t > receivedAt.getTime() ? receivedAt : new Date(t)).toISOString();
}
