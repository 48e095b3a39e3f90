/**
 * The SQL of what an alert's publications wrote: `deliveries` (one row per TV, with the exact
 * payload published, which the re-sender sends again), `alert_recipients` (one row per resident
 * addressed) and `area_messages` (the retained message per zone).
 */
import type { Queryable } from '@kizuna/core';
import type { AreaAlert } from '@kizuna/contract';
import type { CancelRecipient } from '../cancel-message.ts';
import type { RecipientRow } from '../personalise.ts';
import { joinField, joinJson } from '../packed-fields.ts';

/**
 * A TV's delivery: the JSON text published to it, or that text's UTF-8 bytes. A fan-out keeps the
 * bytes it published (their strings die young; megabytes of two-byte JSON kept alive until the rows
 * are written were copied by every young-generation GC meanwhile).
 */
export interface DeliveryRow {
  device_id: string;
  zone_id: string;
  payload: string | Buffer;
}

/**
 * A chunk's column values go to the database as one text each, joined by U+001E (joinField) and
 * split again in SQL: passing a chunk's ≈ 650 B payloads as one text[] parameter cost 2–4× as
 * much on PGlite (each element is quoted and escaped into an array literal, then parsed).
 */
const split = (n: number) => `string_to_array($${n}::text, chr(30))`;

/** Recipient rows, one multi-row upsert (joined text columns); a resident keeps their ref, and a row never goes back to an older revision. */
export async function writeRecipients(q: Queryable, id: string, revision: number, rs: RecipientRow[]): Promise<void> {
  if (rs.length === 0) return;
  await q.query(
    `INSERT INTO alert_recipients (alert_id, resident_id, ref, device_id, zone_id, needs_help, leave_now, language, shelter_id, revision, active)
    SELECT $1, x.resident_id, x.ref, x.device_id, x.zone_id, x.needs_help = 't', x.leave_now = 't', x.language, NULLIF(x.shelter_id, ''), $2, true
    FROM unnest(${split(3)}, ${split(4)}, ${split(5)}, ${split(6)}, ${split(7)}, ${split(8)}, ${split(9)}, ${split(10)})
      AS x(resident_id, ref, device_id, zone_id, needs_help, leave_now, language, shelter_id)
    ON CONFLICT (alert_id, resident_id) DO UPDATE SET device_id = EXCLUDED.device_id, zone_id = EXCLUDED.zone_id, needs_help = EXCLUDED.needs_help,
      leave_now = EXCLUDED.leave_now, language = EXCLUDED.language, shelter_id = EXCLUDED.shelter_id, revision = EXCLUDED.revision, active = true
    WHERE alert_recipients.revision <= EXCLUDED.revision`,
    [
      id,
      revision,
      joinField(rs.map((r) => r.residentId)),
      joinField(rs.map((r) => r.ref)),
      joinField(rs.map((r) => r.deviceId)),
      joinField(rs.map((r) => r.zoneId)),
      joinField(rs.map((r) => (r.needsHelp ? 't' : 'f'))),
      joinField(rs.map((r) => (r.leaveNow ? 't' : 'f'))),
      joinField(rs.map((r) => r.language)),
      joinField(rs.map((r) => r.shelterId ?? '')),
    ],
  );
}

/** Delivery rows with the exact payload published (as text); a row never goes back to an older revision. */
export async function writeDeliveries(
  q: Queryable,
  id: string,
  revision: number,
  at: Date,
  ds: DeliveryRow[],
): Promise<void> {
  if (ds.length === 0) return;
  await q.query(
    `INSERT INTO deliveries (alert_id, device_id, zone_id, revision_sent, payload, first_sent_at, last_sent_at)
    SELECT $1, x.device_id, x.zone_id, $2, x.payload, $3, $3 FROM unnest(${split(4)}, ${split(5)}, ${split(6)}) AS x(device_id, zone_id, payload)
    ON CONFLICT (alert_id, device_id) DO UPDATE SET revision_sent = EXCLUDED.revision_sent, payload = EXCLUDED.payload, zone_id = EXCLUDED.zone_id,
      last_sent_at = EXCLUDED.last_sent_at, send_count = deliveries.send_count + 1, resends = 0
    WHERE deliveries.revision_sent <= EXCLUDED.revision_sent`,
    [
      id,
      revision,
      at,
      joinField(ds.map((d) => d.device_id)),
      joinField(ds.map((d) => d.zone_id)),
      joinJson(ds.map((d) => d.payload)),
    ],
  );
}

/** TVs already written for this revision (by a fan-out attempt that died). */
export async function devicesSent(q: Queryable, id: string, revision: number): Promise<Set<string>> {
  const { rows } = await q.query<{ device_id: string }>(
    'SELECT device_id FROM deliveries WHERE alert_id = $1 AND revision_sent = $2',
    [id, revision],
  );
  return new Set(rows.map((r) => r.device_id));
}

/** TVs that had an older revision of the alert than this one (all that had it, for a new revision), by device id. */
export async function devicesBefore(
  q: Queryable,
  id: string,
  revision: number,
): Promise<{ device_id: string; zone_id: string }[]> {
  const { rows } = await q.query<{ device_id: string; zone_id: string }>(
    'SELECT device_id, zone_id FROM deliveries WHERE alert_id = $1 AND revision_sent < $2 ORDER BY device_id',
    [id, revision],
  );
  return rows;
}

/**
 * The residents each TV showed the alert to before this revision (still active recipients of an
 * older one), by device, in ref order: whom its Cancel names.
 */
export async function cancelRecipients(
  q: Queryable,
  id: string,
  revision: number,
): Promise<Map<string, CancelRecipient[]>> {
  const { rows } = await q.query<CancelRecipient & { device_id: string }>(
    `
    SELECT ar.device_id, ar.ref, r.family_name AS "familyName", r.given_name AS "givenName", r.family_kana AS "familyKana",
           r.given_kana AS "givenKana", r.sex, ar.language, ar.needs_help AS "needsHelp",
           r.family_name_latin AS "familyNameLatin", r.given_name_latin AS "givenNameLatin"
    FROM alert_recipients ar JOIN residents r ON r.id = ar.resident_id
    WHERE ar.alert_id = $1 AND ar.active AND ar.revision < $2 ORDER BY ar.ref`,
    [id, revision],
  );
  const byDevice = new Map<string, CancelRecipient[]>();
  for (const { device_id, ...p } of rows) {
    const l = byDevice.get(device_id) ?? [];
    l.push({ ...p, sex: Number(p.sex) });
    byDevice.set(device_id, l);
  }
  return byDevice;
}

/** Recipients of older revisions are no longer addressed by this one. */
export async function deactivateRecipientsBefore(q: Queryable, id: string, revision: number): Promise<void> {
  await q.query('UPDATE alert_recipients SET active = false WHERE alert_id = $1 AND revision < $2', [id, revision]);
}

/** Every resident the alert addressed so far: their ref and shelter are kept by later revisions. */
export async function previousRecipients(
  q: Queryable,
  id: string,
): Promise<Map<string, { ref: string; shelterId: string | null }>> {
  const { rows } = await q.query<{ resident_id: string; ref: string; shelter_id: string | null }>(
    'SELECT resident_id, ref, shelter_id FROM alert_recipients WHERE alert_id = $1',
    [id],
  );
  return new Map(rows.map((r) => [r.resident_id, { ref: r.ref, shelterId: r.shelter_id }]));
}

/** Active TVs in these zones with nobody bound (they get only the area message). */
export async function unboundDevices(q: Queryable, zoneIds: readonly string[]): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM devices d WHERE d.status = 'active' AND d.zone_id = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.device_id = d.id AND b.status = 'active')`,
    [zoneIds],
  );
  return Number(rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------- the re-sender

/**
 * How much longer than the first each later re-send to one TV waits: the first after the resend
 * interval, then twice it, then four times it and so on at four. A TV that has the alert but whose
 * receipt is slow to be stored (a loaded broker, its auth service or the database) is not sent it
 * again every interval: in the fault suite at 10,000 TVs the re-sender sent nearly every TV its
 * copy again every 35 s (9,915, 9,806 and 7,428 in three passes), which took the broker's time
 * from the TVs still without it.
 */
export const RESEND_BACKOFF_MAX_EXPONENT = 2;

/**
 * Up to 20,000 deliveries of live alerts not confirmed and due for a re-send, oldest first: last
 * sent at least `resendAfterMs` × 2^min(re-sends so far, RESEND_BACKOFF_MAX_EXPONENT) ago.
 */
export async function unconfirmedDeliveries(
  q: Queryable,
  now: Date,
  resendAfterMs: number,
): Promise<{ alert_id: string; device_id: string; payload: string }[]> {
  const { rows } = await q.query<{ alert_id: string; device_id: string; payload: string }>(
    `
        SELECT d.alert_id, d.device_id, d.payload FROM deliveries d JOIN alerts a ON a.id = d.alert_id
        WHERE a.state IN ('active', 'lifted', 'cancelled') AND a.expires > $1 AND d.delivered_revision < d.revision_sent
          AND d.last_sent_at <= $1::timestamptz - make_interval(secs => $2::float8 * power(2, least(d.resends, $3::int)))
        ORDER BY d.last_sent_at LIMIT 20000`,
    [now, resendAfterMs / 1000, RESEND_BACKOFF_MAX_EXPONENT],
  );
  return rows;
}

export async function markResent(
  q: Queryable,
  now: Date,
  rows: readonly { alert_id: string; device_id: string }[],
): Promise<void> {
  await q.query(
    `UPDATE deliveries d SET last_sent_at = $1, send_count = d.send_count + 1, resends = d.resends + 1
        FROM jsonb_to_recordset($2::jsonb) AS x(alert_id text, device_id text) WHERE d.alert_id = x.alert_id AND d.device_id = x.device_id`,
    [now, JSON.stringify(rows.map((r) => ({ alert_id: r.alert_id, device_id: r.device_id })))],
  );
}

// ---------------------------------------------------------------- area messages

/** Zones whose area message for the alert is still shown. */
export async function liveAreaZones(q: Queryable, id: string): Promise<string[]> {
  const { rows } = await q.query<{ zone_id: string }>(
    'SELECT zone_id FROM area_messages WHERE alert_id = $1 AND NOT cleared',
    [id],
  );
  return rows.map((r) => r.zone_id);
}

/** Area messages (null clears the zone's message). */
export async function writeAreas(
  q: Queryable,
  id: string,
  revision: number,
  areaRows: readonly { zone_id: string; payload: AreaAlert | null }[],
): Promise<void> {
  for (const ar of areaRows) {
    await q.query(
      `INSERT INTO area_messages (alert_id, zone_id, revision, payload, cleared) VALUES ($1, $2, $3, $4::jsonb, $5)
        ON CONFLICT (alert_id, zone_id) DO UPDATE SET revision = EXCLUDED.revision, payload = EXCLUDED.payload, cleared = EXCLUDED.cleared`,
      [id, ar.zone_id, revision, JSON.stringify(ar.payload ?? {}), ar.payload === null],
    );
  }
}

/** These alerts' area messages cleared: the zones that had one. */
export async function clearAreas(q: Queryable, ids: readonly string[]): Promise<string[]> {
  const { rows } = await q.query<{ zone_id: string }>(
    `UPDATE area_messages SET cleared = true WHERE alert_id = ANY($1::text[]) AND NOT cleared RETURNING zone_id`,
    [ids],
  );
  return rows.map((r) => r.zone_id);
}
