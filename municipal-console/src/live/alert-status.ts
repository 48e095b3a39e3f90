/**
 * Live figures of an alert, per alert and per zone (the rescue list: rescue-list.ts; the figures
 * kept between reads for the live stream: live-figures.ts). "Delivered" and
 * "displayed" count residents whose TV confirmed any revision; "upToDate" those whose TV has
 * the latest one. "Arrived" comes from shelter check-ins since the alert was first sent.
 */
import type { Queryable } from '@kizuna/core';
import type { Answer } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';

export interface Counts {
  targeted: number;
  delivered: number;
  upToDate: number;
  displayed: number;
  acknowledged: { evacuating: number; 'safe-indoors': number; 'need-help': number; total: number };
  noAnswer: number;
  arrived: number;
  needsHelp: number;
  /**
   * Answered 「助けが必要」 and not arrived at any shelter since: the need-help people of the rescue
   * list, so the 「助けが必要」 tile, the map and the list give one figure (issue 19, item 4).
   */
  needHelpOpen: number;
}
export interface ZoneCounts extends Counts {
  zoneId: string;
  zoneName: string;
}
export interface ResidentRow {
  residentId: string;
  name: string;
  zoneId: string;
  deviceId: string;
  needsHelp: boolean;
  leaveNow: boolean;
  language: string;
  shelterId: string | null;
  deliveredAt: string | null;
  displayedAt: string | null;
  upToDate: boolean;
  answer: Answer | null;
  answeredAt: string | null;
  arrivedAt: string | null;
  arrivedShelterId: string | null;
  bindingStatus: string;
}
export interface AlertStatusView {
  alertId: string;
  revision: number;
  state: string;
  at: string;
  totals: Counts;
  devices: { targeted: number; delivered: number; displayed: number; upToDate: number };
  zones: ZoneCounts[];
  residents?: ResidentRow[];
  /**
   * Only while a revision is being sent: the TVs it addresses (0 until its first chunk is written)
   * and those sent so far. The other figures count a fan-out's TVs once it has sent them all.
   */
  sending?: Sending;
}
export interface Sending {
  revision: number;
  tvs: number;
  sent: number;
}

/** The running fan-out's progress: its journaled chunks are sent (published as each commits), then they become rows. */
const SENDING = `SELECT r.revision, r.fanout_tvs AS tvs,
    ((SELECT coalesce(sum(c.tvs), 0) FROM fanout_chunks c WHERE c.alert_id = r.alert_id AND c.revision = r.revision)
     + (SELECT count(*) FROM deliveries d WHERE d.alert_id = r.alert_id AND d.revision_sent = r.revision))::int AS sent
  FROM alert_revisions r WHERE r.alert_id = $1 AND r.state = 'fanning-out' ORDER BY r.revision DESC LIMIT 1`;

export async function sending(q: Queryable, alertId: string): Promise<Sending | undefined> {
  const r = (await q.query<{ revision: number; tvs: number | null; sent: number }>(SENDING, [alertId])).rows[0];
  if (!r) return undefined;
  const sent = Number(r.sent);
  return { revision: Number(r.revision), tvs: Math.max(Number(r.tvs ?? 0), sent), sent };
}

export const ARRIVALS = `
  SELECT DISTINCT ON (c.resident_id) c.resident_id, c.at, c.shelter_id FROM checkins c
  WHERE c.type = 'check-in' AND c.resident_id IS NOT NULL AND c.at >= $2
    AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = c.event_id)
  ORDER BY c.resident_id, c.at`;

/** Figures per zone over the alert's active recipients; `arrived` only with the arrivals ($2 = since). */
export const zoneCounts = (arrivals: boolean) => `
    ${arrivals ? `WITH arr AS (${ARRIVALS})` : ''}
    SELECT ar.zone_id, z.name AS zone_name,
      count(*)::int AS targeted,
      count(*) FILTER (WHERE d.delivered_revision > 0)::int AS delivered,
      count(*) FILTER (WHERE d.delivered_revision >= d.revision_sent)::int AS up_to_date,
      count(*) FILTER (WHERE d.displayed_revision > 0)::int AS displayed,
      count(*) FILTER (WHERE an.answer = 'evacuating')::int AS evacuating,
      count(*) FILTER (WHERE an.answer = 'safe-indoors')::int AS safe_indoors,
      count(*) FILTER (WHERE an.answer = 'need-help')::int AS need_help,
      count(*) FILTER (WHERE an.answer = 'need-help'${arrivals ? ' AND arr.resident_id IS NULL' : ''})::int AS need_help_open,
      count(*) FILTER (WHERE an.answer IS NULL)::int AS no_answer,
      ${arrivals ? 'count(arr.resident_id)::int' : '0'} AS arrived,
      count(*) FILTER (WHERE ar.needs_help)::int AS needs_help
    FROM alert_recipients ar
    JOIN deliveries d ON d.alert_id = ar.alert_id AND d.device_id = ar.device_id
    LEFT JOIN answers an ON an.alert_id = ar.alert_id AND an.resident_id = ar.resident_id
    ${arrivals ? 'LEFT JOIN arr ON arr.resident_id = ar.resident_id' : ''}
    LEFT JOIN zones z ON z.id = ar.zone_id
    WHERE ar.alert_id = $1 AND ar.active
    GROUP BY ar.zone_id, z.name ORDER BY ar.zone_id`;

export const DEVICES = `SELECT count(*)::int AS targeted,
      count(*) FILTER (WHERE delivered_revision > 0)::int AS delivered,
      count(*) FILTER (WHERE displayed_revision > 0)::int AS displayed,
      count(*) FILTER (WHERE delivered_revision >= revision_sent)::int AS up_to_date
    FROM deliveries WHERE alert_id = $1`;

export interface AlertHeadRow {
  revision: number;
  state: string;
  first_sent: Date | null;
}

async function alertHead(q: Queryable, alertId: string): Promise<AlertHeadRow> {
  const a = (await q.query<AlertHeadRow>('SELECT revision, state, first_sent FROM alerts WHERE id = $1', [alertId]))
    .rows[0];
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(alertId);
  return a;
}

export function view(
  alertId: string,
  a: AlertHeadRow,
  rows: Record<string, number | string>[],
  dev: Record<string, number>,
  now: Date,
): AlertStatusView {
  const zones: ZoneCounts[] = rows.map((r) => ({
    zoneId: String(r.zone_id),
    zoneName: String(r.zone_name ?? r.zone_id),
    ...counts(r),
  }));
  const totals = zones.reduce<Counts>((t, z) => add(t, z), counts({}));
  return {
    alertId,
    revision: Number(a.revision),
    state: a.state,
    at: now.toISOString(),
    totals,
    devices: {
      targeted: Number(dev.targeted),
      delivered: Number(dev.delivered),
      displayed: Number(dev.displayed),
      upToDate: Number(dev.up_to_date),
    },
    zones,
  };
}

export async function alertStatus(
  q: Queryable,
  alertId: string,
  now: Date,
  opts: { residents?: boolean } = {},
): Promise<AlertStatusView> {
  const a = await alertHead(q, alertId);
  const since = a.first_sent ?? now;
  const { rows } = await q.query<Record<string, number | string>>(zoneCounts(true), [alertId, since]);
  const dev = (await q.query<Record<string, number>>(DEVICES, [alertId])).rows[0]!;
  const out = view(alertId, a, rows, dev, now);
  const s = await sending(q, alertId);
  if (s) out.sending = s;
  if (opts.residents) out.residents = await residentRows(q, alertId, since);
  return out;
}

function counts(r: Record<string, number | string>): Counts {
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    targeted: n('targeted'),
    delivered: n('delivered'),
    upToDate: n('up_to_date'),
    displayed: n('displayed'),
    acknowledged: {
      evacuating: n('evacuating'),
      'safe-indoors': n('safe_indoors'),
      'need-help': n('need_help'),
      total: n('evacuating') + n('safe_indoors') + n('need_help'),
    },
    noAnswer: n('no_answer'),
    arrived: n('arrived'),
    needsHelp: n('needs_help'),
    needHelpOpen: n('need_help_open'),
  };
}

function add(t: Counts, z: Counts): Counts {
  return {
    targeted: t.targeted + z.targeted,
    delivered: t.delivered + z.delivered,
    upToDate: t.upToDate + z.upToDate,
    displayed: t.displayed + z.displayed,
    acknowledged: {
      evacuating: t.acknowledged.evacuating + z.acknowledged.evacuating,
      'safe-indoors': t.acknowledged['safe-indoors'] + z.acknowledged['safe-indoors'],
      'need-help': t.acknowledged['need-help'] + z.acknowledged['need-help'],
      total: t.acknowledged.total + z.acknowledged.total,
    },
    noAnswer: t.noAnswer + z.noAnswer,
    arrived: t.arrived + z.arrived,
    needsHelp: t.needsHelp + z.needsHelp,
    needHelpOpen: t.needHelpOpen + z.needHelpOpen,
  };
}

export const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

async function residentRows(q: Queryable, alertId: string, since: Date): Promise<ResidentRow[]> {
  const { rows } = await q.query<{
    resident_id: string;
    family_name: string;
    given_name: string;
    zone_id: string;
    device_id: string;
    needs_help: boolean;
    leave_now: boolean;
    language: string;
    shelter_id: string | null;
    delivered_at: Date | null;
    displayed_at: Date | null;
    up_to_date: boolean;
    answer: Answer | null;
    answered_at: Date | null;
    arrived_at: Date | null;
    arrived_shelter: string | null;
    binding_status: string | null;
  }>(
    `
    WITH arr AS (${ARRIVALS})
    SELECT ar.resident_id, r.family_name, r.given_name, ar.zone_id, ar.device_id, ar.needs_help, ar.leave_now, ar.language, ar.shelter_id,
      d.delivered_at, d.displayed_at, d.delivered_revision >= d.revision_sent AS up_to_date, an.answer, an.answered_at,
      arr.at AS arrived_at, arr.shelter_id AS arrived_shelter,
      (SELECT b.status FROM bindings b WHERE b.resident_id = ar.resident_id AND b.device_id = ar.device_id ORDER BY b.bound_at DESC LIMIT 1) AS binding_status
    FROM alert_recipients ar JOIN residents r ON r.id = ar.resident_id
    JOIN deliveries d ON d.alert_id = ar.alert_id AND d.device_id = ar.device_id
    LEFT JOIN answers an ON an.alert_id = ar.alert_id AND an.resident_id = ar.resident_id
    LEFT JOIN arr ON arr.resident_id = ar.resident_id
    WHERE ar.alert_id = $1 AND ar.active ORDER BY ar.zone_id, ar.resident_id`,
    [alertId, since],
  );
  return rows.map((r) => ({
    residentId: r.resident_id,
    name: `${r.family_name} ${r.given_name}`,
    zoneId: r.zone_id,
    deviceId: r.device_id,
    needsHelp: r.needs_help,
    leaveNow: r.leave_now,
    language: r.language,
    shelterId: r.shelter_id,
    deliveredAt: iso(r.delivered_at),
    displayedAt: iso(r.displayed_at),
    upToDate: !!r.up_to_date,
    answer: r.answer,
    answeredAt: iso(r.answered_at),
    arrivedAt: iso(r.arrived_at),
    arrivedShelterId: r.arrived_shelter,
    bindingStatus: r.binding_status ?? 'unknown',
  }));
}
