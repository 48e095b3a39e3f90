/**
 * The alert service: issue, approve, publish, update, cancel, re-send and expire alerts.
 * Every message is written to the database first (one row per TV with the exact payload), then
 * published; the re-sender works from those rows until each TV confirms delivery or the alert
 * expires, so the broker's sessions are not the only safety net.
 *
 * Publishing an Alert or Update is a fan-out in steps, so the broker starts delivering before
 * a city's worth of rows is written:
 *  1. in the caller's transaction the revision is committed as 'fanning-out' (the alert is
 *     active, with this revision) and the caller's service takes the fan-out's lease;
 *  2. recipients are resolved and personalised, and written in chunks, TVs of people who need
 *     help first (then the elderly, then everyone else), a small first chunk, then larger ones;
 *     a chunk is written as ONE journal row (`fanout_chunks`: its TVs, their exact payloads and
 *     their residents, as joined text) in a transaction that holds the alert's row lock, checks
 *     the lease and renews its heartbeat; each chunk is published as soon as it is committed
 *     (the journal precedes the messages), while the next one is written;
 *  3. once every chunk is published and acknowledged by the broker, the journal is materialised
 *     into one `alert_recipients` row per resident and one `deliveries` row per TV (what the
 *     re-sender, receipts and live figures work from), and a last transaction writes the
 *     cancels for TVs no longer targeted, deactivates residents no longer addressed and marks
 *     the revision 'published'.
 * Why a journal: the per-TV rows cost about a second per 10,000 TVs on PGlite, which shares the
 * console's thread (and, embedded, the broker's); one row of joined text per chunk costs a fifth
 * of that, and the rows are made after the broker has the messages. Until then a receipt for the
 * alert waits in the ingest queue (its PUBACK held), so none is lost.
 * Crash safety: a journal row is materialised by whoever touches the alert next (the fan-out
 * itself when it stops or fails, a takeover, an Update or Cancel, or the alert timer for a
 * journal row left behind); a chunk committed but not published is then re-sent by the
 * re-sender (its rows say delivered_revision < revision_sent); TVs never journaled are reached
 * when the alert timer finds the revision still 'fanning-out' with a stale heartbeat, takes the
 * lease over and resumes: it personalises again (the refs and shelters already written are kept)
 * and writes only the TVs without a row for this revision. An Update, Cancel or expiry during a
 * fan-out ends it at its next chunk (the lease check fails), and the new revision covers every TV.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Db, Logger, Queryable } from '@kizuna/core';
import {
  encodeMessage,
  topics,
  type AreaAlert,
  type MsgType,
  type PersonalAlert,
  type EvacuationLevel,
  type Hazard,
  type AlertStatus,
} from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { checkSpec, needsApproval, type AlertSpec } from './alert-spec.ts';
import { listShelters, listZones } from '../register/register.ts';
import { ShelterPool, shelterOccupancy } from '../shelters/shelter-pool.ts';
import { RegisterCache, resolveRecipients, targetZones } from './targeting.ts';
import {
  areaAlert,
  cancelFor,
  planAlert,
  type AlertHead,
  type CancelRecipient,
  type RecipientRow,
} from './personalise.ts';
import { hasRole, type Role, type StaffMember } from '../staff/staff.ts';
import { joinField, joinJson, packChunk, unpackChunk, type DeliveryRow, type JournalChunk } from './fanout-journal.ts';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export type AlertState = 'draft' | 'pending-approval' | 'active' | 'cancelled' | 'expired';
export type RevisionState = 'draft' | 'pending-approval' | 'fanning-out' | 'published' | 'rejected' | 'superseded';

export interface RevisionView {
  revision: number;
  msgType: MsgType;
  state: RevisionState;
  level: EvacuationLevel;
  hazard: Hazard;
  expires: string;
  spec: AlertSpec;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
}

export interface AlertView {
  id: string;
  identifier: string;
  sender: string;
  status: AlertStatus;
  state: AlertState;
  revision: number;
  msgType: MsgType;
  level: EvacuationLevel;
  hazard: Hazard;
  expires: string;
  createdBy: string;
  createdAt: string;
  firstSent: string | null;
  lastSent: string | null;
  spec: AlertSpec;
  /** A revision waiting for a second staff member's approval, if any. */
  pending: RevisionView | null;
  /** What the latest publication reached. */
  reach: { devices: number; residents: number; zones: number };
}

/** A message to publish; a fan-out passes its payloads as the UTF-8 bytes it journaled, encoded once. */
export interface OutMessage {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

export interface AlertServiceOptions {
  db: Db;
  mqtt: MqttClient;
  muni: string;
  logger: Logger;
  clock?: Clock | undefined;
  /** How long a TV has to confirm delivery before the message is sent again (ms). */
  resendAfterMs?: number;
  /** Called when an alert's figures may have changed (live status). */
  onChange?: (alertId: string) => void;
  /** Sender in CAP terms, e.g. the municipality's domain. */
  sender?: string;
  /** TVs in the first fan-out chunk and the most in one chunk (chunks double up to it). Default 250 and 4,000. */
  fanoutChunk?: { first: number; max: number };
  /** A fan-out whose heartbeat is older than this is taken to have died and is resumed by the timer (ms). Default 30,000. */
  fanoutStaleMs?: number;
  /**
   * For fault tests: called after each fan-out chunk is committed and before it is published.
   * A throw stops that fan-out there, as a crash would (nothing more is written or published by it).
   */
  afterFanoutChunk?: (c: {
    alertId: string;
    revision: number;
    chunk: number;
    devices: string[];
  }) => void | Promise<void>;
}

/**
 * How long a call that publishes an alert waits: until every TV has been sent its message ('sent',
 * the default), or only until the first chunk (those who need help) is on its way ('started'): the
 * rest goes on in this process, the live figures show its progress, and the alert timer resumes it
 * if this process dies (step 2 at the top of this file).
 */
export type PublishWait = 'sent' | 'started';
export interface PublishOptions {
  wait?: PublishWait | undefined;
}

/** A fan-out to run once the transaction that committed its revision as 'fanning-out' is committed. */
export interface FanoutJob {
  alertId: string;
  revision: number;
  owner: string;
}
/** What a committed transaction leaves to do: messages to publish, and maybe a fan-out. */
interface Publication {
  messages: OutMessage[];
  fanout: FanoutJob | null;
}
const NOTHING: Publication = { messages: [], fanout: null };

interface AlertRow {
  id: string;
  identifier: string;
  sender: string;
  status: AlertStatus;
  created_by: string;
  created_at: Date;
  revision: number;
  msg_type: MsgType;
  level: number;
  hazard: Hazard;
  expires: Date;
  first_sent: Date | null;
  last_sent: Date | null;
  state: AlertState;
  spec: AlertSpec;
}
interface RevRow {
  alert_id: string;
  revision: number;
  msg_type: MsgType;
  level: number;
  hazard: Hazard;
  expires: Date;
  spec: AlertSpec;
  created_by: string;
  created_at: Date;
  state: RevisionState;
  approved_by: string | null;
  approved_at: Date | null;
  published_at: Date | null;
  fanout_owner?: string | null;
  fanout_at?: Date | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function newAlertId(now: Date): string {
  return `al-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(6).toString('base64url')}`;
}

function need(staff: StaffMember, role: Role) {
  if (!hasRole(staff, role)) throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED(`needs the ${role} role`);
}

export class AlertService {
  readonly db: Db;
  readonly muni: string;
  readonly clock: Clock;
  private readonly mqtt: MqttClient;
  private readonly log: Logger;
  private readonly resendAfterMs: number;
  private readonly onChange: (id: string) => void;
  private readonly sender: string;
  private readonly chunkFirst: number;
  private readonly chunkMax: number;
  private readonly fanoutStaleMs: number;
  private readonly afterFanoutChunk: AlertServiceOptions['afterFanoutChunk'];
  /** The targetable register between alerts (re-read when it changed). */
  readonly register = new RegisterCache();
  /** Fan-outs running in this process, by alert and revision. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(o: AlertServiceOptions) {
    this.db = o.db;
    this.mqtt = o.mqtt;
    this.muni = o.muni;
    this.log = o.logger;
    this.clock = o.clock ?? systemClock;
    this.resendAfterMs = o.resendAfterMs ?? 30_000;
    this.onChange = o.onChange ?? (() => undefined);
    this.sender = o.sender ?? `kizuna.muni-${o.muni}.jp`;
    this.chunkFirst = Math.max(1, o.fanoutChunk?.first ?? 250);
    this.chunkMax = Math.max(this.chunkFirst, o.fanoutChunk?.max ?? 4000);
    this.fanoutStaleMs = o.fanoutStaleMs ?? 30_000;
    this.afterFanoutChunk = o.afterFanoutChunk;
  }

  // ---------------------------------------------------------------- issue

  async create(staff: StaffMember, input: AlertSpec & { draft?: boolean }, o: PublishOptions = {}): Promise<AlertView> {
    need(staff, 'issuer');
    const now = this.clock.now();
    const { draft, ...rest } = input;
    const zones = await listZones(this.db);
    const spec = checkSpec(rest, new Set(zones.map((z) => z.id)), now);
    const id = newAlertId(now);
    const identifier = spec.cap?.identifier ?? `JP-${this.muni}-${id}`;
    if (!draft) this.requireBroker();
    const out = await this.db.tx(async (q) => {
      const dup = await q.query('SELECT 1 FROM alerts WHERE identifier = $1', [identifier]);
      if (dup.rows[0]) throw consoleErrors.KZ_CONSOLE_DUPLICATE(`alert with CAP identifier ${identifier}`);
      await q.query(
        `INSERT INTO alerts (id, identifier, sender, status, created_by, created_at, level, hazard, expires, state, spec)
        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'draft',$10::jsonb)`,
        [
          id,
          identifier,
          spec.cap?.sender ?? this.sender,
          spec.status,
          staff.username,
          now,
          spec.level,
          spec.hazard,
          spec.expires,
          JSON.stringify(spec),
        ],
      );
      await this.insertRevision(q, id, 1, 'Alert', spec, staff.username, now, 'draft');
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.create',
          subject: id,
          details: { level: spec.level, hazard: spec.hazard, status: spec.status },
        },
        now,
      );
      return draft ? NOTHING : this.submitIn(q, id, 1, staff, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  /** Send a draft: publish now, or wait for approval when the rules ask for it. */
  async send(id: string, staff: StaffMember, o: PublishOptions = {}): Promise<AlertView> {
    need(staff, 'issuer');
    this.requireBroker();
    const now = this.clock.now();
    const out = await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      const rev = (
        await q.query<RevRow>(
          "SELECT * FROM alert_revisions WHERE alert_id = $1 AND state = 'draft' ORDER BY revision DESC LIMIT 1",
          [id],
        )
      ).rows[0];
      if (!rev || a.state !== 'draft')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is ${a.state}, not a draft`);
      if (new Date(rev.expires).getTime() <= now.getTime())
        throw consoleErrors.KZ_CONSOLE_EXPIRES_IN_PAST('the draft has expired');
      return this.submitIn(q, id, rev.revision, staff, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  async approve(id: string, staff: StaffMember, o: PublishOptions = {}): Promise<AlertView> {
    need(staff, 'approver');
    this.requireBroker();
    const now = this.clock.now();
    const out = await this.db.tx(async (q) => {
      await this.lockAlert(q, id);
      const rev = (
        await q.query<RevRow>(
          "SELECT * FROM alert_revisions WHERE alert_id = $1 AND state = 'pending-approval' ORDER BY revision DESC LIMIT 1",
          [id],
        )
      ).rows[0];
      if (!rev) throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} has nothing waiting for approval`);
      if (rev.created_by === staff.username)
        throw consoleErrors.KZ_CONSOLE_SELF_APPROVAL(`${staff.username} issued revision ${rev.revision}`);
      if (new Date(rev.expires).getTime() <= now.getTime())
        throw consoleErrors.KZ_CONSOLE_EXPIRES_IN_PAST('the revision waiting for approval has expired');
      await q.query(
        'UPDATE alert_revisions SET approved_by = $3, approved_at = $4 WHERE alert_id = $1 AND revision = $2',
        [id, rev.revision, staff.username, now],
      );
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.approve',
          subject: id,
          details: { revision: rev.revision, issuedBy: rev.created_by },
        },
        now,
      );
      return this.publishRevision(q, id, rev.revision, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  async reject(id: string, staff: StaffMember): Promise<AlertView> {
    need(staff, 'approver');
    const now = this.clock.now();
    await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      const { rows } = await q.query<RevRow>(
        "UPDATE alert_revisions SET state = 'rejected' WHERE alert_id = $1 AND state = 'pending-approval' RETURNING *",
        [id],
      );
      if (!rows[0]) throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} has nothing waiting for approval`);
      if (a.state === 'pending-approval') await q.query("UPDATE alerts SET state = 'draft' WHERE id = $1", [id]);
      await appendAudit(
        q,
        { actor: staff.username, action: 'alert.reject', subject: id, details: { revision: rows[0].revision } },
        now,
      );
    });
    this.onChange(id);
    return this.get(id);
  }

  /** An Update: a new revision replacing what the TVs show (re-targeted; TVs no longer targeted get a Cancel). */
  async update(
    id: string,
    staff: StaffMember,
    patch: Partial<Omit<AlertSpec, 'status'>>,
    o: PublishOptions = {},
  ): Promise<AlertView> {
    need(staff, 'issuer');
    this.requireBroker();
    const now = this.clock.now();
    const zones = await listZones(this.db);
    const out = await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      if (a.state !== 'active')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is ${a.state}; only an active alert can be updated`);
      const base = (
        await q.query<RevRow>('SELECT * FROM alert_revisions WHERE alert_id = $1 ORDER BY revision DESC LIMIT 1', [id])
      ).rows[0]!;
      const spec = checkSpec(
        {
          ...a.spec,
          ...patch,
          status: a.status,
          target: patch.target ?? a.spec.target,
          cap: { ...a.spec.cap, ...patch.cap },
        },
        new Set(zones.map((z) => z.id)),
        now,
      );
      // a revision still fanning out is replaced too: its fan-out stops at its next chunk
      await q.query(
        "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state IN ('pending-approval', 'draft', 'fanning-out')",
        [id],
      );
      const revision = base.revision + 1;
      await this.insertRevision(q, id, revision, 'Update', spec, staff.username, now, 'draft');
      await appendAudit(
        q,
        { actor: staff.username, action: 'alert.update', subject: id, details: { revision, level: spec.level } },
        now,
      );
      return this.submitIn(q, id, revision, staff, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  /** Cancel in one action: no approval needed to stop an alert; a never-published alert is just withdrawn. */
  async cancel(id: string, staff: StaffMember): Promise<AlertView> {
    need(staff, 'issuer');
    const now = this.clock.now();
    const a0 = await this.get(id);
    if (a0.state === 'active') this.requireBroker();
    const out = await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      if (a.state === 'cancelled' || a.state === 'expired')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is already ${a.state}`);
      await q.query(
        "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state IN ('pending-approval', 'draft', 'fanning-out')",
        [id],
      );
      if (a.state !== 'active') {
        await q.query("UPDATE alerts SET state = 'cancelled' WHERE id = $1", [id]);
        await appendAudit(q, { actor: staff.username, action: 'alert.withdraw', subject: id }, now);
        return NOTHING;
      }
      const base = (
        await q.query<{ m: number }>('SELECT max(revision)::int AS m FROM alert_revisions WHERE alert_id = $1', [id])
      ).rows[0]!;
      const revision = Number(base.m) + 1;
      await this.insertRevision(q, id, revision, 'Cancel', a.spec, staff.username, now, 'draft');
      await appendAudit(q, { actor: staff.username, action: 'alert.cancel', subject: id, details: { revision } }, now);
      return this.publishRevision(q, id, revision, now);
    });
    await this.afterCommit(out);
    this.onChange(id);
    return this.get(id);
  }

  // ---------------------------------------------------------------- read

  async get(id: string, q: Queryable = this.db): Promise<AlertView> {
    const a = (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
    if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    const pend = (
      await q.query<RevRow>(
        "SELECT * FROM alert_revisions WHERE alert_id = $1 AND state IN ('pending-approval') ORDER BY revision DESC LIMIT 1",
        [id],
      )
    ).rows[0];
    const reach = (
      await q.query<{ devices: number; residents: number; zones: number }>(
        `SELECT
        (SELECT count(*)::int FROM deliveries WHERE alert_id = $1) AS devices,
        (SELECT count(*)::int FROM alert_recipients WHERE alert_id = $1 AND active) AS residents,
        (SELECT count(*)::int FROM area_messages WHERE alert_id = $1 AND NOT cleared) AS zones`,
        [id],
      )
    ).rows[0]!;
    return this.view(a, pend ? revView(pend) : null, reach);
  }

  async list(opts: { state?: AlertState; limit?: number } = {}): Promise<AlertView[]> {
    const { rows } = await this.db.query<AlertRow>(
      `SELECT * FROM alerts WHERE ($1::text IS NULL OR state = $1) ORDER BY created_at DESC LIMIT $2`,
      [opts.state ?? null, opts.limit ?? 100],
    );
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  async revisions(id: string): Promise<RevisionView[]> {
    await this.get(id);
    const { rows } = await this.db.query<RevRow>(
      'SELECT * FROM alert_revisions WHERE alert_id = $1 ORDER BY revision',
      [id],
    );
    return rows.map(revView);
  }

  private view(a: AlertRow, pending: RevisionView | null, reach: AlertView['reach']): AlertView {
    return {
      id: a.id,
      identifier: a.identifier,
      sender: a.sender,
      status: a.status,
      state: a.state,
      revision: Number(a.revision),
      msgType: a.msg_type,
      level: Number(a.level) as EvacuationLevel,
      hazard: a.hazard,
      expires: iso(a.expires)!,
      createdBy: a.created_by,
      createdAt: iso(a.created_at)!,
      firstSent: iso(a.first_sent),
      lastSent: iso(a.last_sent),
      spec: a.spec,
      pending,
      reach,
    };
  }

  /** What each kind of recipient would get for the alert's current (or pending) revision, without sending anything. */
  async previewMessages(id: string): Promise<{
    head: AlertHead;
    spec: AlertSpec;
    personal: Map<string, PersonalAlert>;
    recipients: RecipientRow[];
    areas: AreaAlert[];
    unboundTvs: number;
  }> {
    const rev = (
      await this.db.query<RevRow>(
        "SELECT * FROM alert_revisions WHERE alert_id = $1 AND state IN ('draft','pending-approval','published') ORDER BY revision DESC LIMIT 1",
        [id],
      )
    ).rows[0];
    if (!rev) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    const a = (await this.db.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0]!;
    const { plan, ...m } = await this.buildMessages(this.db, a, rev, this.clock.now());
    return { ...m, personal: new Map(plan.devices.map((d) => [d, plan.message(d)!])) };
  }

  // ---------------------------------------------------------------- timer

  /**
   * One pass of the alert timer: expiry, fan-outs whose process died (resumed), the re-sender, and
   * the targetable register read again if it changed.
   * The app runs it on an interval; tests call it with their clock.
   */
  async tick(): Promise<{ resent: number; expired: string[]; resumed: number }> {
    const now = this.clock.now();
    const expired = await this.expire(now);
    await this.materialiseLeftovers(now);
    const resumed = this.mqtt.connected ? await this.resumeFanouts(now) : 0;
    const resent = this.mqtt.connected ? await this.resend(this.clock.now()) : 0;
    for (const id of expired) this.onChange(id);
    // a register import or binding since the last pass is read now, not by the next alert ahead of its first message
    await this.register.rows(this.db);
    return { resent, expired, resumed };
  }

  /**
   * Journal rows older than the fan-out heartbeat's staleness and not this process's own: their
   * fan-out died and nothing else touched the alert since (it may have expired meanwhile).
   */
  private async materialiseLeftovers(now: Date): Promise<void> {
    const stale = new Date(now.getTime() - this.fanoutStaleMs);
    const { rows } = await this.db.query<{ alert_id: string; revision: number }>(
      'SELECT DISTINCT alert_id, revision FROM fanout_chunks WHERE written_at <= $1',
      [stale],
    );
    for (const id of new Set(
      rows.filter((r) => !this.running.has(`${r.alert_id}#${Number(r.revision)}`)).map((r) => r.alert_id),
    )) {
      const n = await this.materialise(id);
      if (n)
        this.log.warn(
          { alertId: id, tvs: n },
          "a dead fan-out's journal turned into delivery rows; the re-sender covers what it had not published",
        );
      this.onChange(id);
    }
  }

  /** Take over and finish fan-outs left 'fanning-out' with a stale heartbeat (their process died or lost the database). */
  async resumeFanouts(now: Date = this.clock.now()): Promise<number> {
    const stale = new Date(now.getTime() - this.fanoutStaleMs);
    const { rows } = await this.db.query<{ alert_id: string; revision: number }>(
      `
      SELECT r.alert_id, r.revision FROM alert_revisions r JOIN alerts a ON a.id = r.alert_id AND a.revision = r.revision
      WHERE r.state = 'fanning-out' AND a.state = 'active' AND a.expires > $1 AND (r.fanout_at IS NULL OR r.fanout_at <= $2)`,
      [now, stale],
    );
    let resumed = 0;
    for (const r of rows) {
      const revision = Number(r.revision);
      if (this.running.has(`${r.alert_id}#${revision}`)) continue;
      const owner = newOwner();
      const taken = await this.db.tx(async (q) => {
        // under the alert's row lock, like every chunk: a chunk of the old owner is either committed before this or refused after
        await q.query('SELECT 1 FROM alerts WHERE id = $1 FOR UPDATE', [r.alert_id]);
        const t = await q.query(
          `UPDATE alert_revisions SET fanout_owner = $3, fanout_at = $4
          WHERE alert_id = $1 AND revision = $2 AND state = 'fanning-out' AND (fanout_at IS NULL OR fanout_at <= $5) RETURNING 1`,
          [r.alert_id, revision, owner, now, stale],
        );
        if (t.rows.length)
          await appendAudit(
            q,
            { actor: 'system', action: 'alert.fanout-resume', subject: r.alert_id, details: { revision } },
            now,
          );
        return t.rows.length > 0;
      });
      if (!taken) continue;
      this.log.warn(
        { alertId: r.alert_id, revision },
        'resuming an alert fan-out that stopped before every TV was written',
      );
      resumed += 1;
      await this.runFanout({ alertId: r.alert_id, revision, owner });
      this.onChange(r.alert_id);
    }
    return resumed;
  }

  private async resend(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.resendAfterMs);
    const out = await this.db.tx(async (q) => {
      const { rows } = await q.query<{ alert_id: string; device_id: string; payload: string }>(
        `
        SELECT d.alert_id, d.device_id, d.payload FROM deliveries d JOIN alerts a ON a.id = d.alert_id
        WHERE a.state IN ('active', 'cancelled') AND a.expires > $1 AND d.delivered_revision < d.revision_sent AND d.last_sent_at <= $2
        ORDER BY d.last_sent_at LIMIT 20000`,
        [now, cutoff],
      );
      if (rows.length === 0) return [];
      await q.query(
        `UPDATE deliveries d SET last_sent_at = $1, send_count = d.send_count + 1
        FROM jsonb_to_recordset($2::jsonb) AS x(alert_id text, device_id text) WHERE d.alert_id = x.alert_id AND d.device_id = x.device_id`,
        [now, JSON.stringify(rows.map((r) => ({ alert_id: r.alert_id, device_id: r.device_id })))],
      );
      // the exact text published the first time
      return rows.map((r) => ({ topic: topics.tvAlert(this.muni, r.device_id), payload: r.payload, retain: false }));
    });
    if (out.length) this.log.info({ count: out.length }, 'alert re-sent to TVs that have not confirmed delivery');
    await this.publishAll(out);
    return out.length;
  }

  private async expire(now: Date): Promise<string[]> {
    const { ids, out } = await this.db.tx(async (q) => {
      const { rows } = await q.query<{ id: string }>(
        `UPDATE alerts SET state = 'expired' WHERE state <> 'expired' AND expires <= $1 RETURNING id`,
        [now],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return { ids, out: [] as OutMessage[] };
      // a fan-out still running stops at its next chunk (its lease needs an active alert); its
      // revision went out as far as it got, and is not resumed
      await q.query(
        `UPDATE alert_revisions SET state = 'published', fanout_owner = NULL, fanout_at = NULL
        WHERE alert_id = ANY($1::text[]) AND state = 'fanning-out'`,
        [ids],
      );
      const areas = await q.query<{ zone_id: string }>(
        `UPDATE area_messages SET cleared = true WHERE alert_id = ANY($1::text[]) AND NOT cleared RETURNING zone_id`,
        [ids],
      );
      for (const id of ids) await appendAudit(q, { actor: 'system', action: 'alert.expire', subject: id }, now);
      // an empty retained payload removes the area message from the broker [MQTT-3.3.1-10]
      return {
        ids,
        out: [...new Set(areas.rows.map((r) => r.zone_id))].map((z) => ({
          topic: topics.areaAlert(this.muni, z),
          payload: '',
          retain: true,
        })),
      };
    });
    await this.publishAll(out);
    return ids;
  }

  // ---------------------------------------------------------------- internals

  private requireBroker() {
    if (!this.mqtt.connected) throw consoleErrors.KZ_CONSOLE_BROKER_UNAVAILABLE();
  }

  private async lockAlert(q: Queryable, id: string): Promise<AlertRow> {
    const a = (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    return a;
  }

  private async insertRevision(
    q: Queryable,
    id: string,
    revision: number,
    msgType: MsgType,
    spec: AlertSpec,
    by: string,
    now: Date,
    state: RevisionState,
  ) {
    await q.query(
      `INSERT INTO alert_revisions (alert_id, revision, msg_type, level, hazard, expires, spec, created_by, created_at, state)
      VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8,$9,$10)`,
      [id, revision, msgType, spec.level, spec.hazard, spec.expires, JSON.stringify(spec), by, now, state],
    );
  }

  /** Publish now, or park the revision for a second person's approval. */
  private async submitIn(
    q: Queryable,
    id: string,
    revision: number,
    staff: StaffMember,
    now: Date,
  ): Promise<Publication> {
    const rev = (
      await q.query<RevRow>('SELECT * FROM alert_revisions WHERE alert_id = $1 AND revision = $2', [id, revision])
    ).rows[0]!;
    const a = (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0]!;
    if (needsApproval(a.status, Number(rev.level), rev.msg_type)) {
      await q.query("UPDATE alert_revisions SET state = 'pending-approval' WHERE alert_id = $1 AND revision = $2", [
        id,
        revision,
      ]);
      if (a.state === 'draft') await q.query("UPDATE alerts SET state = 'pending-approval' WHERE id = $1", [id]);
      await appendAudit(
        q,
        { actor: staff.username, action: 'alert.submit-for-approval', subject: id, details: { revision } },
        now,
      );
      return NOTHING;
    }
    return this.publishRevision(q, id, revision, now);
  }

  /** The messages of a revision; `countUnbound` (the preview's figure) costs a query the fan-out does not need. */
  private async buildMessages(q: Queryable, a: AlertRow, rev: RevRow, now: Date, countUnbound = true) {
    const spec = rev.spec;
    const head: AlertHead = {
      alertId: a.id,
      revision: rev.revision,
      msgType: rev.msg_type,
      status: a.status,
      level: Number(rev.level) as EvacuationLevel,
      hazard: rev.hazard,
      sent: now.toISOString(),
      expires: iso(rev.expires)!,
    };
    const zones = await listZones(q);
    const zonesById = new Map(zones.map((z) => [z.id, z]));
    const pool = new ShelterPool(await listShelters(q), await shelterOccupancy(q), head.hazard);
    const prev = await q.query<{ resident_id: string; ref: string; shelter_id: string | null }>(
      'SELECT resident_id, ref, shelter_id FROM alert_recipients WHERE alert_id = $1',
      [a.id],
    );
    const previous = new Map(prev.rows.map((r) => [r.resident_id, { ref: r.ref, shelterId: r.shelter_id }]));
    const candidates = await resolveRecipients(q, spec.target, zones, now, this.register);
    const plan = planAlert(head, spec, candidates, pool, zonesById, previous);
    const areaZones = targetZones(spec.target, zones)
      .map((z) => zonesById.get(z)!)
      .filter(Boolean);
    const areas = areaZones.map((z) => areaAlert(head, spec, z, pool));
    const unbound = !countUnbound
      ? { rows: [{ n: 0 }] }
      : await q.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM devices d WHERE d.status = 'active' AND d.zone_id = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.device_id = d.id AND b.status = 'active')`,
          [areaZones.map((z) => z.id)],
        );
    return { head, spec, plan, recipients: plan.recipients, areas, unboundTvs: Number(unbound.rows[0]?.n ?? 0) };
  }

  /**
   * Inside the caller's transaction. A Cancel is written whole (one row per TV that had the
   * alert) and its messages returned; an Alert or Update is committed as 'fanning-out' with this
   * service holding its lease, and the fan-out runs once the transaction has committed.
   */
  private async publishRevision(q: Queryable, id: string, revision: number, now: Date): Promise<Publication> {
    const a = (await q.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0]!;
    const rev = (
      await q.query<RevRow>('SELECT * FROM alert_revisions WHERE alert_id = $1 AND revision = $2', [id, revision])
    ).rows[0]!;
    const state: AlertState = rev.msg_type === 'Cancel' ? 'cancelled' : 'active';
    // an older revision still fanning out stops at its next chunk; this one reaches every TV
    await q.query(
      "UPDATE alert_revisions SET state = 'superseded', fanout_owner = NULL WHERE alert_id = $1 AND state = 'fanning-out' AND revision <> $2",
      [id, revision],
    );
    await q.query(
      `UPDATE alerts SET revision = $2, msg_type = $3, level = $4, hazard = $5, expires = $6, spec = $7::jsonb, state = $8,
        first_sent = COALESCE(first_sent, $9), last_sent = $9 WHERE id = $1`,
      [id, revision, rev.msg_type, rev.level, rev.hazard, rev.expires, JSON.stringify(rev.spec), state, now],
    );
    if (rev.msg_type !== 'Cancel') {
      const owner = newOwner();
      await q.query(
        `UPDATE alert_revisions SET state = 'fanning-out', published_at = $3, fanout_owner = $4, fanout_at = $3
        WHERE alert_id = $1 AND revision = $2`,
        [id, revision, now, owner],
      );
      return { messages: [], fanout: { alertId: id, revision, owner } };
    }

    // every TV a fan-out has journaled gets the Cancel too (the caller holds the alert's row lock)
    await materialiseJournal(q, id);
    const deliveries: { device_id: string; zone_id: string; payload: string }[] = [];
    const areaRows: { zone_id: string; payload: AreaAlert | null }[] = [];
    const head: AlertHead = {
      alertId: id,
      revision,
      msgType: 'Cancel',
      status: a.status,
      level: Number(a.level) as EvacuationLevel,
      hazard: a.hazard,
      sent: now.toISOString(),
      expires: iso(a.expires)!,
    };
    const zones = new Map((await listZones(q)).map((z) => [z.id, z]));
    const { rows } = await q.query<CancelRecipient & { device_id: string; zone_id: string }>(
      `
      SELECT d.device_id, d.zone_id, ar.ref, r.family_name AS "familyName", r.given_name AS "givenName", r.family_kana AS "familyKana",
             r.given_kana AS "givenKana", r.sex, ar.language, ar.needs_help AS "needsHelp"
      FROM deliveries d LEFT JOIN alert_recipients ar ON ar.alert_id = d.alert_id AND ar.device_id = d.device_id AND ar.active
      LEFT JOIN residents r ON r.id = ar.resident_id
      WHERE d.alert_id = $1 ORDER BY d.device_id, ar.ref`,
      [id],
    );
    const byDevice = new Map<string, { zone: string; people: CancelRecipient[] }>();
    for (const r of rows) {
      const e = byDevice.get(r.device_id) ?? { zone: r.zone_id, people: [] };
      if (r.ref) e.people.push({ ...r, sex: Number(r.sex) });
      byDevice.set(r.device_id, e);
    }
    for (const [device, e] of byDevice) {
      const z = zones.get(e.zone);
      deliveries.push({
        device_id: device,
        zone_id: e.zone,
        payload: encodeMessage(cancelFor(head, { id: e.zone, name: z?.name ?? e.zone }, e.people)),
      });
    }
    const live = await q.query<{ zone_id: string }>(
      'SELECT zone_id FROM area_messages WHERE alert_id = $1 AND NOT cleared',
      [id],
    );
    for (const r of live.rows) {
      const z = zones.get(r.zone_id);
      if (z) areaRows.push({ zone_id: r.zone_id, payload: areaAlert(head, a.spec, z, undefined) });
    }
    await writeDeliveries(q, id, revision, now, deliveries);
    const out: OutMessage[] = deliveries.map((d) => ({
      topic: topics.tvAlert(this.muni, d.device_id),
      payload: d.payload,
      retain: false,
    }));
    out.push(...(await this.writeAreas(q, id, revision, areaRows)));
    await q.query(
      "UPDATE alert_revisions SET state = 'published', published_at = $3 WHERE alert_id = $1 AND revision = $2",
      [id, revision, now],
    );
    await appendAudit(
      q,
      {
        actor: 'system',
        action: 'alert.publish',
        subject: id,
        details: { revision, msgType: rev.msg_type, devices: deliveries.length, residents: 0, zones: areaRows.length },
      },
      now,
    );
    return { messages: out, fanout: null };
  }

  /** Area messages (retained; null clears the zone's message): rows written, messages returned. */
  private async writeAreas(
    q: Queryable,
    id: string,
    revision: number,
    areaRows: { zone_id: string; payload: AreaAlert | null }[],
  ): Promise<OutMessage[]> {
    for (const ar of areaRows) {
      await q.query(
        `INSERT INTO area_messages (alert_id, zone_id, revision, payload, cleared) VALUES ($1, $2, $3, $4::jsonb, $5)
        ON CONFLICT (alert_id, zone_id) DO UPDATE SET revision = EXCLUDED.revision, payload = EXCLUDED.payload, cleared = EXCLUDED.cleared`,
        [id, ar.zone_id, revision, JSON.stringify(ar.payload ?? {}), ar.payload === null],
      );
    }
    return areaRows.map((ar) => ({
      topic: topics.areaAlert(this.muni, ar.zone_id),
      payload: ar.payload ? encodeMessage(ar.payload) : '',
      retain: true,
    }));
  }

  /** After the commit: publish what it wrote and run its fan-out, waiting for all of it or for its first chunk (PublishWait). */
  private async afterCommit(p: Publication, wait: PublishWait = 'sent'): Promise<void> {
    const published = this.publishAll(p.messages);
    if (!p.fanout) {
      await published;
      return;
    }
    let started!: () => void;
    const first = new Promise<void>((resolve) => {
      started = resolve;
    });
    // runFanout settles (a failure is logged and left to the timer), so neither wait can hang on an error
    const all = this.runFanout(p.fanout, started);
    await Promise.all([published, wait === 'started' ? Promise.race([first, all]) : all]);
  }

  /** Run a fan-out; a failure leaves the revision 'fanning-out' for the timer to resume (nothing committed is lost). */
  private runFanout(job: FanoutJob, started?: () => void): Promise<void> {
    const key = `${job.alertId}#${job.revision}`;
    const running = this.running.get(key);
    if (running) return running;
    const p = this.fanOut(job, started)
      .then(
        (r) => {
          if (r === 'stopped')
            this.log.info(
              { alertId: job.alertId, revision: job.revision },
              'alert fan-out stopped: the revision was replaced, cancelled, expired or taken over',
            );
        },
        (e: unknown) => {
          this.log.error(
            { err: e, alertId: job.alertId, revision: job.revision },
            'alert fan-out failed; the alert timer resumes it once its heartbeat is stale',
          );
        },
      )
      .finally(() => {
        this.running.delete(key);
      });
    this.running.set(key, p);
    return p;
  }

  /**
   * Under the alert's row lock (taken first, so the revision's row is read after any takeover or
   * replacement committed): is this still the alert's revision, fanning out, under this lease?
   * Renews the heartbeat when it is.
   */
  private async holdLease(q: Queryable, job: FanoutJob): Promise<boolean> {
    const a = (
      await q.query<{ state: AlertState; revision: number }>(
        'SELECT state, revision FROM alerts WHERE id = $1 FOR UPDATE',
        [job.alertId],
      )
    ).rows[0];
    if (!a || a.state !== 'active' || Number(a.revision) !== job.revision) return false;
    const { rows } = await q.query(
      `UPDATE alert_revisions SET fanout_at = $4 WHERE alert_id = $1 AND revision = $2 AND state = 'fanning-out' AND fanout_owner = $3 RETURNING 1`,
      [job.alertId, job.revision, job.owner, this.clock.now()],
    );
    return rows.length > 0;
  }

  /** Turn the alert's fan-out journal into rows (see materialiseJournal) in a transaction of its own, under the alert's row lock. */
  private async materialise(id: string, own?: OwnChunks): Promise<number> {
    return this.db.tx(async (q) => {
      await q.query('SELECT 1 FROM alerts WHERE id = $1 FOR UPDATE', [id]);
      return materialiseJournal(q, id, own);
    });
  }

  /** Steps 2 and 3 of the fan-out (see the top of this file). */
  private async fanOut(job: FanoutJob, started?: () => void): Promise<'done' | 'stopped'> {
    const { alertId: id, revision } = job;
    // chunks journaled by an earlier revision or a dead owner become rows first: refs, shelters and TVs already done are read from them
    await this.materialise(id);
    const a = (await this.db.query<AlertRow>('SELECT * FROM alerts WHERE id = $1', [id])).rows[0];
    const rev = (
      await this.db.query<RevRow>('SELECT * FROM alert_revisions WHERE alert_id = $1 AND revision = $2', [id, revision])
    ).rows[0];
    if (!a || !rev || rev.state !== 'fanning-out' || rev.fanout_owner !== job.owner) return 'stopped';
    // the time of the first attempt: a resumed fan-out sends the same `sent`
    const sentAt = rev.published_at ? new Date(rev.published_at) : this.clock.now();
    const m = await this.buildMessages(this.db, a, rev, sentAt, false);
    // TVs already written for this revision (by an attempt that died): their rows stand, the re-sender covers them
    const done = new Set(
      (
        await this.db.query<{ device_id: string }>(
          'SELECT device_id FROM deliveries WHERE alert_id = $1 AND revision_sent = $2',
          [id, revision],
        )
      ).rows.map((r) => r.device_id),
    );
    const byDevice = new Map<string, RecipientRow[]>();
    for (const r of m.recipients) {
      const l = byDevice.get(r.deviceId);
      if (l) l.push(r);
      else byDevice.set(r.deviceId, [r]);
    }
    // the plan orders people who need help first, then the elderly; a TV comes where its first such resident does
    const devices = m.plan.devices.filter((d) => !done.has(d));
    const acks: Promise<unknown>[] = [];
    /** This fan-out's journaled chunks, kept to write their rows from memory once published. */
    const written = new Map<number, { at: Date; c: JournalChunk }>();
    let size = this.chunkFirst;
    try {
      for (let i = 0, chunk = 0; i < devices.length || chunk === 0; chunk++) {
        const slice = devices.slice(i, i + size);
        i += slice.length;
        size = Math.min(size * 2, this.chunkMax);
        // rendered here, chunk by chunk: the first TVs need not wait for the whole city's texts;
        // encoded to UTF-8 once, into one buffer per chunk, for the journal, the publish and the rows (see DeliveryRow)
        const { zoneIds, payloads } = m.plan.encode(slice);
        const c: JournalChunk = {
          deliveries: slice.map((d, k) => ({ device_id: d, zone_id: zoneIds[k]!, payload: payloads[k]! })),
          recipients: slice.flatMap((d) => byDevice.get(d) ?? []),
        };
        const body = packChunk(c);
        const out = await this.db.tx(async (q) => {
          if (!(await this.holdLease(q, job))) return null;
          // written_at becomes the rows' last_sent_at (the re-sender counts from it); the payload keeps `sent`
          const at = this.clock.now();
          // the body goes as a binary parameter, its bytes as they are, on either engine (see core's PGlite bytea serializer)
          await q.query(
            'INSERT INTO fanout_chunks (alert_id, revision, owner, chunk, written_at, tvs, body) VALUES ($1, $2, $3, $4, $5, $6, $7::bytea)',
            [id, revision, job.owner, chunk, at, c.deliveries.length, body],
          );
          written.set(chunk, { at, c });
          const msgs: OutMessage[] = c.deliveries.map((d) => ({
            topic: topics.tvAlert(this.muni, d.device_id),
            payload: d.payload,
            retain: false,
          }));
          if (chunk === 0) {
            // how many TVs this revision addresses: the live figures show the fan-out's progress
            await q.query('UPDATE alert_revisions SET fanout_tvs = $3 WHERE alert_id = $1 AND revision = $2', [
              id,
              revision,
              m.plan.devices.length,
            ]);
            // the retained area messages go with the first chunk; zones no longer targeted are cleared
            const areaRows: { zone_id: string; payload: AreaAlert | null }[] = m.areas.map((x) => ({
              zone_id: x.zone.id,
              payload: x,
            }));
            const old = await q.query<{ zone_id: string }>(
              'SELECT zone_id FROM area_messages WHERE alert_id = $1 AND NOT cleared',
              [id],
            );
            for (const r of old.rows)
              if (!m.areas.some((x) => x.zone.id === r.zone_id)) areaRows.push({ zone_id: r.zone_id, payload: null });
            msgs.push(...(await this.writeAreas(q, id, revision, areaRows)));
          }
          return msgs;
        });
        if (!out) return 'stopped';
        if (this.afterFanoutChunk) await this.afterFanoutChunk({ alertId: id, revision, chunk, devices: slice });
        acks.push(this.publishAll(out));
        if (chunk === 0) started?.();
        // the live figures show how far the fan-out got (the live hub spaces its reads out)
        this.onChange(id);
      }
    } finally {
      // the broker has every message before the rows are written: on PGlite the writes would hold
      // this thread (and the embedded broker's) while it should be publishing
      await Promise.all(acks);
      await this.materialise(id, { owner: job.owner, written }).catch((e: unknown) =>
        this.log.error(
          { err: e, alertId: id, revision },
          'fan-out journal not turned into rows; the next fan-out, update, cancel or the alert timer does it',
        ),
      );
      this.onChange(id);
    }

    const fin = await this.db.tx(async (q) => {
      if (!(await this.holdLease(q, job))) return null;
      // TVs that had this alert and are no longer targeted: tell them it is over for them
      const dropped = await q.query<{ device_id: string; zone_id: string }>(
        'SELECT device_id, zone_id FROM deliveries WHERE alert_id = $1 AND revision_sent < $2',
        [id, revision],
      );
      const cancels: { device_id: string; zone_id: string; payload: string }[] = [];
      if (dropped.rows.length) {
        const zones = new Map((await listZones(q)).map((z) => [z.id, z]));
        const people = await q.query<CancelRecipient & { device_id: string }>(
          `
          SELECT ar.device_id, ar.ref, r.family_name AS "familyName", r.given_name AS "givenName", r.family_kana AS "familyKana",
                 r.given_kana AS "givenKana", r.sex, ar.language, ar.needs_help AS "needsHelp"
          FROM alert_recipients ar JOIN residents r ON r.id = ar.resident_id
          WHERE ar.alert_id = $1 AND ar.active AND ar.revision < $2 ORDER BY ar.ref`,
          [id, revision],
        );
        const byDev = new Map<string, CancelRecipient[]>();
        for (const p of people.rows) {
          const l = byDev.get(p.device_id) ?? [];
          l.push({ ...p, sex: Number(p.sex) });
          byDev.set(p.device_id, l);
        }
        for (const d of dropped.rows) {
          const z = zones.get(d.zone_id);
          cancels.push({
            device_id: d.device_id,
            zone_id: d.zone_id,
            payload: encodeMessage(
              cancelFor(
                { ...m.head, msgType: 'Cancel' },
                { id: d.zone_id, name: z?.name ?? d.zone_id },
                byDev.get(d.device_id) ?? [],
              ),
            ),
          });
        }
        await writeDeliveries(q, id, revision, this.clock.now(), cancels);
      }
      await q.query('UPDATE alert_recipients SET active = false WHERE alert_id = $1 AND revision < $2', [id, revision]);
      await q.query(
        "UPDATE alert_revisions SET state = 'published', fanout_owner = NULL, fanout_at = NULL WHERE alert_id = $1 AND revision = $2",
        [id, revision],
      );
      await appendAudit(
        q,
        {
          actor: 'system',
          action: 'alert.publish',
          subject: id,
          details: {
            revision,
            msgType: rev.msg_type,
            devices: m.plan.devices.length + cancels.length,
            residents: m.recipients.length,
            zones: m.areas.length,
          },
        },
        this.clock.now(),
      );
      return cancels.map((d) => ({ topic: topics.tvAlert(this.muni, d.device_id), payload: d.payload, retain: false }));
    });
    if (!fin) return 'stopped';
    acks.push(this.publishAll(fin));
    await Promise.all(acks);
    return 'done';
  }

  /** QoS 1 publishes; resolves when the broker has acknowledged every one. Failures are left to the re-sender. */
  async publishAll(out: OutMessage[]): Promise<{ failed: number }> {
    if (out.length === 0) return { failed: 0 };
    let failed = 0;
    // one promise for the lot, not one per message (10,000 of them per fan-out otherwise)
    await new Promise<void>((resolve) => {
      let left = out.length;
      const done = (err?: Error) => {
        if (err) failed += 1;
        if (--left === 0) resolve();
      };
      for (const m of out) this.mqtt.publish(m.topic, m.payload, m.retain ? RETAINED : PERSONAL, done);
    });
    if (failed)
      this.log.warn(
        { failed, total: out.length },
        'some alert messages were not acknowledged by the broker; the re-sender will retry',
      );
    return { failed };
  }
}

const newOwner = () => randomBytes(9).toString('base64url');
const PERSONAL = { qos: 1, retain: false } as const;
const RETAINED = { qos: 1, retain: true } as const;

/**
 * A chunk's column values go to the database as one text each, joined by U+001E (joinField) and
 * split again in SQL: passing a chunk's ≈ 650 B payloads as one text[] parameter cost 2–4× as
 * much on PGlite (each element is quoted and escaped into an array literal, then parsed).
 */
const split = (n: number) => `string_to_array($${n}::text, chr(30))`;

/** Rows per statement when a journal is written out: about 15 ms of PGlite each. */
const MATERIALISE_SLICE = 500;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fan-out's own journaled chunks, still in memory: their rows are written without unpacking them. */
interface OwnChunks {
  owner: string;
  written: Map<number, { at: Date; c: JournalChunk }>;
}

/**
 * Write the alert's journaled chunks as one `alert_recipients` row per resident and one
 * `deliveries` row per TV, oldest revision first, and delete them; in the caller's transaction,
 * which must hold the alert's row lock. A fan-out's own chunks come from its memory, others
 * (a dead owner's, an older revision's) are unpacked. Rows never go back to an older revision.
 * Returns the TVs written.
 */
export async function materialiseJournal(q: Queryable, id: string, own?: OwnChunks): Promise<number> {
  const { rows } = await q.query<{
    revision: number;
    owner: string;
    chunk: number;
    written_at: Date;
    tvs: number;
    body: Uint8Array | null;
  }>(
    `
    SELECT revision, owner, chunk, written_at, tvs, CASE WHEN owner = $2 THEN NULL ELSE body END AS body
    FROM fanout_chunks WHERE alert_id = $1 ORDER BY revision, written_at, chunk`,
    [id, own?.owner ?? ''],
  );
  if (rows.length === 0) return 0;
  let tvs = 0;
  for (const r of rows) {
    const mine = r.owner === own?.owner ? own.written.get(Number(r.chunk)) : undefined;
    const c =
      mine?.c ??
      unpackChunk(
        r.body ??
          (
            await q.query<{ body: Uint8Array }>(
              'SELECT body FROM fanout_chunks WHERE alert_id = $1 AND revision = $2 AND owner = $3 AND chunk = $4',
              [id, r.revision, r.owner, r.chunk],
            )
          ).rows[0]!.body,
        Number(r.tvs),
      );
    // in slices, letting I/O run in between: with the embedded broker in this process, a TV socket
    // waiting for 'drain' would otherwise wait for the whole write, hundreds of ms at 10,000 TVs
    for (let i = 0; i < c.recipients.length; i += MATERIALISE_SLICE) {
      await writeRecipients(q, id, Number(r.revision), c.recipients.slice(i, i + MATERIALISE_SLICE));
      await yieldToIo();
    }
    for (let i = 0; i < c.deliveries.length; i += MATERIALISE_SLICE) {
      await writeDeliveries(
        q,
        id,
        Number(r.revision),
        new Date(r.written_at),
        c.deliveries.slice(i, i + MATERIALISE_SLICE),
      );
      await yieldToIo();
    }
    tvs += c.deliveries.length;
  }
  await q.query('DELETE FROM fanout_chunks WHERE alert_id = $1', [id]);
  return tvs;
}

/** Recipient rows, one multi-row upsert (joined text columns); a resident keeps their ref, and a row never goes back to an older revision. */
async function writeRecipients(q: Queryable, id: string, revision: number, rs: RecipientRow[]) {
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
async function writeDeliveries(q: Queryable, id: string, revision: number, at: Date, ds: DeliveryRow[]) {
  if (ds.length === 0) return;
  await q.query(
    `INSERT INTO deliveries (alert_id, device_id, zone_id, revision_sent, payload, first_sent_at, last_sent_at)
    SELECT $1, x.device_id, x.zone_id, $2, x.payload, $3, $3 FROM unnest(${split(4)}, ${split(5)}, ${split(6)}) AS x(device_id, zone_id, payload)
    ON CONFLICT (alert_id, device_id) DO UPDATE SET revision_sent = EXCLUDED.revision_sent, payload = EXCLUDED.payload, zone_id = EXCLUDED.zone_id,
      last_sent_at = EXCLUDED.last_sent_at, send_count = deliveries.send_count + 1
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

function revView(r: RevRow): RevisionView {
  return {
    revision: Number(r.revision),
    msgType: r.msg_type,
    state: r.state,
    level: Number(r.level) as EvacuationLevel,
    hazard: r.hazard,
    expires: iso(r.expires)!,
    spec: r.spec,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
    publishedAt: iso(r.published_at),
  };
}
