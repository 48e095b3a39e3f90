/** The live stream's figures of each alert, kept between reads (see LiveFigures). */
import type { Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import {
  ARRIVALS,
  DEVICES,
  alertStatus,
  sending,
  view,
  zoneCounts,
  type AlertHeadRow,
  type AlertStatusView,
  type Counts,
  type Sending,
} from './alert-status.ts';

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
  /** Active recipients whose answer is 「助けが必要」 (read in full: an answer marks the alert stale): resident → zone. */
  needHelp: Map<string, string>;
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
        needHelp: new Map(),
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
      const help = await db.query<{ resident_id: string; zone_id: string }>(
        `SELECT ar.resident_id, ar.zone_id FROM alert_recipients ar
         JOIN answers an ON an.alert_id = ar.alert_id AND an.resident_id = ar.resident_id
         WHERE ar.alert_id = $1 AND ar.active AND an.answer = 'need-help'`,
        [alertId],
      );
      k.needHelp = new Map(help.rows.map((r) => [r.resident_id, r.zone_id]));
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
    const helpOpen = new Map<string, number>();
    for (const [r, z] of k.needHelp) if (!k.arrived.has(r)) helpOpen.set(z, (helpOpen.get(z) ?? 0) + 1);
    const out = view(
      alertId,
      k.head,
      k.rows.map((r) => ({
        ...r,
        arrived: perZone.get(String(r.zone_id)) ?? 0,
        need_help_open: helpOpen.get(String(r.zone_id)) ?? 0,
      })),
      k.dev,
      now,
    );
    // a fan-out running now (always a full read, see above): how far it got
    const s = head.fanning ? await sending(db, alertId) : undefined;
    if (s) out.sending = s;
    return out;
  }
}
