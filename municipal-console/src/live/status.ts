/**
 * Live figures of an alert, per alert and per zone, and the rescue list. "Delivered" and
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

async function sending(q: Queryable, alertId: string): Promise<Sending | undefined> {
  const r = (await q.query<{ revision: number; tvs: number | null; sent: number }>(SENDING, [alertId])).rows[0];
  if (!r) return undefined;
  const sent = Number(r.sent);
  return { revision: Number(r.revision), tvs: Math.max(Number(r.tvs ?? 0), sent), sent };
}

const ARRIVALS = `
  SELECT DISTINCT ON (c.resident_id) c.resident_id, c.at, c.shelter_id FROM checkins c
  WHERE c.type = 'check-in' AND c.resident_id IS NOT NULL AND c.at >= $2
    AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = c.event_id)
  ORDER BY c.resident_id, c.at`;

/** Figures per zone over the alert's active recipients; `arrived` only with the arrivals ($2 = since). */
const zoneCounts = (arrivals: boolean) => `
    ${arrivals ? `WITH arr AS (${ARRIVALS})` : ''}
    SELECT ar.zone_id, z.name AS zone_name,
      count(*)::int AS targeted,
      count(*) FILTER (WHERE d.delivered_revision > 0)::int AS delivered,
      count(*) FILTER (WHERE d.delivered_revision >= d.revision_sent)::int AS up_to_date,
      count(*) FILTER (WHERE d.displayed_revision > 0)::int AS displayed,
      count(*) FILTER (WHERE an.answer = 'evacuating')::int AS evacuating,
      count(*) FILTER (WHERE an.answer = 'safe-indoors')::int AS safe_indoors,
      count(*) FILTER (WHERE an.answer = 'need-help')::int AS need_help,
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

const DEVICES = `SELECT count(*)::int AS targeted,
      count(*) FILTER (WHERE delivered_revision > 0)::int AS delivered,
      count(*) FILTER (WHERE displayed_revision > 0)::int AS displayed,
      count(*) FILTER (WHERE delivered_revision >= revision_sent)::int AS up_to_date
    FROM deliveries WHERE alert_id = $1`;

interface AlertHeadRow {
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

function view(
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

/** One alert's figures as last read, with the arrivals kept per person between full reads. */
interface Kept {
  /** Set by a change other than an arrival (or never read): the next read is a full one. */
  stale: boolean;
  readAt: number;
  usedAt: number;
  head: AlertHeadRow | null;
  /** The alert's row and revision states when last read in full. */
  mark: string;
  rows: Record<string, number | string>[];
  dev: Record<string, number>;
  /** Active recipients with a check-in since the alert was first sent, not undone: resident → zone. */
  arrived: Map<string, string>;
  /** Residents with new shelter events since the last read: their arrival is read again. */
  pending: Set<string>;
  /** The alert as the global stream shows it (loaded by the caller), kept with the figures. */
  alert?: unknown;
  /** Reads of this alert run one at a time. */
  busy: Promise<unknown> | null;
}

/**
 * The live stream's figures (issue 7): during an evacuation every check-in changes "arrived",
 * and reading the whole alert again (every recipient joined with every check-in) for each
 * update cost more than the check-ins themselves. So the figures are read in full once and
 * then only the people a batch of shelter events names are read again (`arrivals`): one
 * indexed query over those residents, after one primary-key read of the alert. A full read
 * comes instead when the alert was marked `stale` (a receipt, an answer, a binding, an alert
 * change this process made), when the alert's row or any revision's state differs from the
 * last full read (what another process or a fan-out chunk changed), while a fan-out runs, and
 * at least every `resyncMs` (default 30 s; writes of another console to the same database).
 * The arrivals use the rule of `alertStatus` (a check-in since the alert was first sent, not
 * undone, of an active recipient), so the figures are the same numbers, not an estimate.
 */
export class LiveFigures {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly o: { db: Queryable; clock: { now(): Date }; resyncMs?: number }) {}

  /** Something other than an arrival changed for these alerts. */
  invalidate(alertIds: Iterable<string>): void {
    for (const id of alertIds) {
      const k = this.kept.get(id);
      if (k) k.stale = true;
    }
  }

  invalidateAll(): void {
    for (const k of this.kept.values()) k.stale = true;
  }

  /** Shelter events were written for these residents (called after their commit). */
  arrivals(residentIds: Iterable<string>): void {
    const ids = [...residentIds];
    if (ids.length === 0) return;
    for (const k of this.kept.values()) if (!k.stale) for (const id of ids) k.pending.add(id);
  }

  /** The figures `alertStatus` gives (without residents), from what was kept where possible. */
  async status(alertId: string): Promise<AlertStatusView> {
    return this.serial(alertId, (k) => this.read(alertId, k));
  }

  /** The global stream's line: the alert (from `load`, kept until the alert changes) and its totals. */
  async summary<A>(
    alertId: string,
    load: (id: string) => Promise<A>,
  ): Promise<{ alert: A; totals: Counts; sending?: Sending }> {
    return this.serial(alertId, async (k) => {
      const s = await this.read(alertId, k);
      if (k.alert === undefined || k.stale) k.alert = await load(alertId);
      return { alert: k.alert as A, totals: s.totals, ...(s.sending ? { sending: s.sending } : {}) };
    });
  }

  private async serial<T>(alertId: string, fn: (k: Kept) => Promise<T>): Promise<T> {
    const now = Date.now();
    // forget alerts nobody asked about for ten minutes
    for (const [id, x] of this.kept) if (now - x.usedAt > 600_000 && !x.busy) this.kept.delete(id);
    let k = this.kept.get(alertId);
    if (!k) {
      k = {
        stale: true,
        readAt: 0,
        usedAt: now,
        head: null,
        mark: '',
        rows: [],
        dev: {},
        arrived: new Map(),
        pending: new Set(),
        busy: null,
      };
      this.kept.set(alertId, k);
    }
    k.usedAt = now;
    while (k.busy) await k.busy.catch(() => undefined);
    const run = fn(k);
    k.busy = run;
    try {
      return await run;
    } finally {
      k.busy = null;
    }
  }

  private async read(alertId: string, k: Kept): Promise<AlertStatusView> {
    try {
      return await this.readKept(alertId, k);
    } catch (e) {
      k.stale = true; // a read that failed half-way leaves nothing to build on
      throw e;
    }
  }

  private async readKept(alertId: string, k: Kept): Promise<AlertStatusView> {
    const { db } = this.o;
    const now = this.o.clock.now();
    // The alert's row and its revisions' states, as one mark: a revision, an approval, a fan-out
    // chunk's end, an expiry or a re-send changes it, whether or not this process was told.
    const head = (
      await db.query<AlertHeadRow & { mark: string; fanning: boolean }>(
        `
      SELECT a.revision, a.state, a.first_sent,
        md5(a::text || COALESCE((SELECT string_agg(r.revision || ':' || r.state, ',' ORDER BY r.revision) FROM alert_revisions r WHERE r.alert_id = a.id), '')) AS mark,
        EXISTS (SELECT 1 FROM alert_revisions r WHERE r.alert_id = a.id AND r.state = 'fanning-out') AS fanning
      FROM alerts a WHERE a.id = $1`,
        [alertId],
      )
    ).rows[0];
    if (!head) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(alertId);
    if (!head.first_sent) {
      k.stale = true;
      return alertStatus(db, alertId, now);
    } // not sent: arrivals counted from now
    if (
      k.stale ||
      !k.head ||
      head.fanning ||
      head.mark !== k.mark ||
      Date.now() - k.readAt >= (this.o.resyncMs ?? 30_000)
    ) {
      // Everything noted so far was committed before the statements below start, so they see it;
      // what is noted from now on is read again next time.
      k.pending = new Set();
      k.alert = undefined;
      k.stale = false;
      k.rows = (await db.query<Record<string, number | string>>(zoneCounts(false), [alertId])).rows;
      const arr = await db.query<{ resident_id: string; zone_id: string }>(
        `
        WITH arr AS (${ARRIVALS})
        SELECT ar.resident_id, ar.zone_id FROM alert_recipients ar JOIN arr ON arr.resident_id = ar.resident_id
        WHERE ar.alert_id = $1 AND ar.active`,
        [alertId, head.first_sent],
      );
      k.arrived = new Map(arr.rows.map((r) => [r.resident_id, r.zone_id]));
      k.dev = (await db.query<Record<string, number>>(DEVICES, [alertId])).rows[0]!;
      k.head = head;
      k.mark = head.mark;
      k.readAt = Date.now();
    } else if (k.pending.size) {
      const residents = [...k.pending];
      k.pending = new Set();
      // Per person, by primary key and the check-ins' resident index, written so that no plan can
      // scan the alert or the check-ins: PGlite never analyses, and with the statistics of an
      // empty table the planner joined all 10,000 recipients with every check-in (0.5 s at 9,000).
      const { rows } = await db.query<{ resident_id: string; zone_id: string }>(
        `
        SELECT ar.resident_id, ar.zone_id FROM unnest($2::text[]) AS p(resident_id)
        CROSS JOIN LATERAL (SELECT resident_id, zone_id FROM alert_recipients
          WHERE alert_id = $1 AND resident_id = p.resident_id AND active LIMIT 1) ar
        CROSS JOIN LATERAL (SELECT 1 FROM checkins c WHERE c.resident_id = p.resident_id AND c.type = 'check-in' AND c.at >= $3
          AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.undoes = c.event_id AND u.type = 'undo') LIMIT 1) x`,
        [alertId, residents, k.head.first_sent],
      );
      for (const r of residents) k.arrived.delete(r);
      for (const r of rows) k.arrived.set(r.resident_id, r.zone_id);
    }
    const perZone = new Map<string, number>();
    for (const z of k.arrived.values()) perZone.set(z, (perZone.get(z) ?? 0) + 1);
    const out = view(
      alertId,
      k.head,
      k.rows.map((r) => ({ ...r, arrived: perZone.get(String(r.zone_id)) ?? 0 })),
      k.dev,
      now,
    );
    // a fan-out running now (always a full read, see above): how far it got
    const s = head.fanning ? await sending(db, alertId) : undefined;
    if (s) out.sending = s;
    return out;
  }
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
  };
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

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

export interface RescueRow {
  residentId: string;
  name: string;
  reading: string;
  address: string;
  phone: string | null;
  supporter: string | null;
  zoneId: string;
  lat: number | null;
  lon: number | null;
  answer: Answer | null;
  answeredAt: string | null;
  deliveredAt: string | null;
  displayedAt: string | null;
  shelterId: string | null;
}

/**
 * For rescue teams: people who need help to evacuate and have not arrived at a shelter — those
 * who answered "need help" first, then, once `afterMs` has passed since the alert went out,
 * those who have not answered at all.
 */
export async function rescueList(
  q: Queryable,
  alertId: string,
  now: Date,
  afterMs: number,
): Promise<{ alertId: string; at: string; afterSeconds: number; people: RescueRow[] }> {
  const a = (await q.query<{ first_sent: Date | null }>('SELECT first_sent FROM alerts WHERE id = $1', [alertId]))
    .rows[0];
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(alertId);
  const since = a.first_sent ?? now;
  const silentTooLong = now.getTime() - new Date(since).getTime() >= afterMs;
  const { rows } = await q.query<{
    resident_id: string;
    family_name: string;
    given_name: string;
    family_kana: string;
    given_kana: string;
    address: string;
    phone: string | null;
    supporter: string | null;
    zone_id: string;
    lat: number | null;
    lon: number | null;
    answer: Answer | null;
    answered_at: Date | null;
    delivered_at: Date | null;
    displayed_at: Date | null;
    shelter_id: string | null;
  }>(
    `
    WITH arr AS (${ARRIVALS})
    SELECT ar.resident_id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.address, r.phone, r.supporter, ar.zone_id, r.lat, r.lon,
      an.answer, an.answered_at, d.delivered_at, d.displayed_at, ar.shelter_id
    FROM alert_recipients ar JOIN residents r ON r.id = ar.resident_id
    JOIN deliveries d ON d.alert_id = ar.alert_id AND d.device_id = ar.device_id
    LEFT JOIN answers an ON an.alert_id = ar.alert_id AND an.resident_id = ar.resident_id
    WHERE ar.alert_id = $1 AND ar.active AND ar.needs_help
      AND NOT EXISTS (SELECT 1 FROM arr WHERE arr.resident_id = ar.resident_id)
      AND (an.answer = 'need-help' OR (an.answer IS NULL AND $3))
    ORDER BY (an.answer = 'need-help') DESC NULLS LAST, an.answered_at, ar.zone_id, r.family_kana, r.given_kana`,
    [alertId, since, silentTooLong],
  );
  return {
    alertId,
    at: now.toISOString(),
    afterSeconds: Math.round(afterMs / 1000),
    people: rows.map((r) => ({
      residentId: r.resident_id,
      name: `${r.family_name} ${r.given_name}`,
      reading: `${r.family_kana} ${r.given_kana}`,
      address: r.address,
      phone: r.phone,
      supporter: r.supporter,
      zoneId: r.zone_id,
      lat: r.lat === null ? null : Number(r.lat),
      lon: r.lon === null ? null : Number(r.lon),
      answer: r.answer,
      answeredAt: iso(r.answered_at),
      deliveredAt: iso(r.delivered_at),
      displayedAt: iso(r.displayed_at),
      shelterId: r.shelter_id,
    })),
  };
}
