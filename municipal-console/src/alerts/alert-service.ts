/**
 * The alert service: issue, approve, publish, update, cancel, re-send and expire alerts.
 * Every message is written to the database first (one row per TV with the exact payload), then
 * published; the re-sender works from those rows until each TV confirms delivery or the alert
 * expires, so the broker's sessions are not the only safety net.
 *
 * This file is the workflow (who may do what to an alert in which state); publishing an Alert or
 * Update is a fan-out in steps (fanout.ts), a Cancel (lifted or sent in error) is written whole (publication.ts), the alert
 * timer is alert-timer.ts, the reads alert-reads.ts, and every statement is in repository/.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Db, Logger, Queryable } from '@kizuna/core';
import type { AreaAlert, EndReason, PersonalAlert } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { appendAudit } from '../staff/audit.ts';
import { listZones } from '../register/zones.ts';
import { hasRole, type Role, type StaffMember } from '../staff/staff.ts';
import { checkSpec, type AlertSpec } from './alert-spec.ts';
import { needsSecondPerson, readRule } from './approval-rule.ts';
import { approvalDigest } from './approval-digest.ts';
import { RegisterCache } from './targeting.ts';
import { draftAsShown, requireConfirmed, sendConfirmation, type SendConfirmation } from './send-confirmation.ts';
import { endConfirmation, requireEndConfirmed, type EndConfirmation } from './end-confirmation.ts';
import type { AlertHead, RecipientRow } from './personalise.ts';
import type { AlertState, AlertView, RevisionView } from './alert-views.ts';
import { listAlerts, readAlert, readRevisions } from './alert-reads.ts';
import { AlertPublisher, type OutMessage } from './alert-publisher.ts';
import { AlertTimer } from './alert-timer.ts';
import { FanoutEngine } from './fanout.ts';
import { buildMessages, revisionCounts } from './revision-messages.ts';
import { NOTHING, publishRevision, type Publication } from './publication.ts';
import * as rows from './repository/alert-rows.ts';

export interface AlertServiceOptions {
  db: Db;
  mqtt: MqttClient;
  /** Connections that only publish, beside `mqtt` (AlertPublisher). */
  publishers?: readonly MqttClient[] | undefined;
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
  /** Publish a wake to each TV's box just before its personal alert (launcher hooks; default off). */
  wakeBoxes?: boolean;
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
 * if this process dies (step 2 at the top of fanout.ts).
 */
export type PublishWait = 'sent' | 'started';
export interface PublishOptions {
  wait?: PublishWait | undefined;
}

/** What the approver was shown: the revision and its digest (approval-digest.ts), carried by approve and reject. */
export interface Seen {
  revision: number;
  digest: string;
}

const PREVIEWED = ['draft', 'pending-approval', 'fanning-out', 'published'] as const;

export function newAlertId(now: Date): string {
  return `al-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(6).toString('base64url')}`;
}

function need(staff: StaffMember, role: Role) {
  if (!hasRole(staff, role)) throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED(`needs the ${role} role`);
}

/** A draft whose level staff have not answered (a CAP import without one) is never sent. */
function levelKnown(spec: AlertSpec): void {
  if (spec.cap?.warnings?.includes('level-unknown'))
    throw consoleErrors.KZ_CONSOLE_LEVEL_UNKNOWN('answer the level first (POST /api/alerts/:id/level)');
}

function withoutDocument(cap: NonNullable<AlertSpec['cap']>): NonNullable<AlertSpec['cap']> {
  const { document: _d, ...rest } = cap;
  return rest;
}

export class AlertService {
  readonly db: Db;
  readonly muni: string;
  readonly clock: Clock;
  private readonly onChange: (id: string) => void;
  private readonly sender: string;
  private readonly publisher: AlertPublisher;
  private readonly fanouts: FanoutEngine;
  private readonly timer: AlertTimer;
  /** The targetable register between alerts (re-read when it changed). */
  readonly register = new RegisterCache();

  /** The municipality's CAP <sender>: what Kizuna's own messages are issued under (cap-export.ts). */
  get capSender(): string {
    return this.sender;
  }

  constructor(o: AlertServiceOptions) {
    this.db = o.db;
    this.muni = o.muni;
    this.clock = o.clock ?? systemClock;
    this.onChange = o.onChange ?? (() => undefined);
    this.sender = o.sender ?? `kizuna.muni-${o.muni}.jp`;
    const first = Math.max(1, o.fanoutChunk?.first ?? 250);
    const shared = { db: o.db, muni: o.muni, clock: this.clock, log: o.logger, register: this.register };
    this.publisher = new AlertPublisher(o.mqtt, o.logger, undefined, undefined, o.publishers);
    this.fanouts = new FanoutEngine({
      ...shared,
      publisher: this.publisher,
      onChange: this.onChange,
      chunk: { first, max: Math.max(first, o.fanoutChunk?.max ?? 4000) },
      staleMs: o.fanoutStaleMs ?? 30_000,
      afterChunk: o.afterFanoutChunk,
      wakeBoxes: o.wakeBoxes,
    });
    this.timer = new AlertTimer({
      ...shared,
      publisher: this.publisher,
      fanouts: this.fanouts,
      onChange: this.onChange,
      resendAfterMs: o.resendAfterMs ?? 30_000,
    });
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
    if (!draft) levelKnown(spec);
    if (!draft) await this.publisher.requireBroker();
    const out = await this.db.tx(async (q) => {
      if (await rows.identifierTaken(q, identifier))
        throw consoleErrors.KZ_CONSOLE_DUPLICATE(`alert with CAP identifier ${identifier}`);
      const sender = spec.cap?.sender ?? this.sender;
      await rows.insertAlert(q, { id, identifier, sender, spec, by: staff.username, now });
      await rows.insertRevision(q, {
        id,
        revision: 1,
        msgType: 'Alert',
        spec,
        by: staff.username,
        now,
        state: 'draft',
      });
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

  /** What sending draft `id` would publish and to whom, with its digest (send-confirmation.ts). */
  async confirmation(id: string): Promise<SendConfirmation> {
    return sendConfirmation(this.db, id, this.clock.now(), this.register);
  }

  /** Send a draft, as its confirmation showed it (`seen`): publish now, or wait for approval when the rules ask for it. */
  async send(
    id: string,
    staff: StaffMember,
    seen: Seen & { acknowledged?: string[] | undefined },
    o: PublishOptions = {},
  ): Promise<AlertView> {
    need(staff, 'issuer');
    await this.publisher.requireBroker();
    const now = this.clock.now();
    const out = await this.db.tx(async (q) => {
      await this.lockAlert(q, id);
      // a new alert's draft, or the draft Update or Cancel of an active one (draftAsShown)
      const { a, rev } = await draftAsShown(q, id, now, this.register);
      if (new Date(rev.expires).getTime() <= now.getTime())
        throw consoleErrors.KZ_CONSOLE_EXPIRES_IN_PAST('the draft has expired');
      levelKnown(rev.spec);
      await requireConfirmed(q, id, seen, now, this.register);
      // a revision still waiting or fanning out is replaced: its fan-out stops at its next chunk
      if (a.state === 'active') await rows.supersedeOtherUnpublished(q, id, Number(rev.revision));
      return this.submitIn(q, id, Number(rev.revision), staff, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  /** Publish the revision waiting for approval, if it is still the one (and the content) the approver was shown. */
  async approve(id: string, staff: StaffMember, seen: Seen, o: PublishOptions = {}): Promise<AlertView> {
    need(staff, 'approver');
    await this.publisher.requireBroker();
    const now = this.clock.now();
    const out = await this.db.tx(async (q) => {
      const { rev, digest } = await this.pendingAsSeen(q, id, seen);
      if (rev.created_by === staff.username)
        throw consoleErrors.KZ_CONSOLE_SELF_APPROVAL(`${staff.username} issued revision ${rev.revision}`);
      if (new Date(rev.expires).getTime() <= now.getTime())
        throw consoleErrors.KZ_CONSOLE_EXPIRES_IN_PAST('the revision waiting for approval has expired');
      await rows.approveRevision(q, id, rev.revision, staff.username, now);
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.approve',
          subject: id,
          details: { revision: rev.revision, msgType: rev.msg_type, issuedBy: rev.created_by, digest },
        },
        now,
      );
      return publishRevision(q, this.muni, id, rev.revision, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  /** Reject the revision waiting for approval (what TVs show stays), if it is still the one the approver was shown. */
  async reject(id: string, staff: StaffMember, seen: Seen): Promise<AlertView> {
    need(staff, 'approver');
    const now = this.clock.now();
    await this.db.tx(async (q) => {
      const { a, rev, digest } = await this.pendingAsSeen(q, id, seen);
      await rows.rejectRevision(q, id, rev.revision);
      if (a.state === 'pending-approval') await rows.setAlertState(q, id, 'draft');
      await appendAudit(
        q,
        { actor: staff.username, action: 'alert.reject', subject: id, details: { revision: rev.revision, digest } },
        now,
      );
    });
    this.onChange(id);
    return this.get(id);
  }

  /**
   * An Update, stored as a draft revision of an active alert: nothing reaches TVs until it is sent
   * as its confirmation showed it (GET …/confirmation, POST …/send), under the approval rule like
   * any send (issue 19). Sent, it replaces what TVs show (re-targeted; TVs no longer targeted get a
   * Cancel). A newer draft replaces an older one that was never sent.
   */
  async update(id: string, staff: StaffMember, patch: Partial<Omit<AlertSpec, 'status'>>): Promise<AlertView> {
    need(staff, 'issuer');
    const now = this.clock.now();
    const zones = await listZones(this.db);
    await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      if (a.state !== 'active')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is ${a.state}; only an active alert can be updated`);
      const spec = checkSpec(
        {
          ...a.spec,
          ...patch,
          status: a.status,
          target: patch.target ?? a.spec.target,
          // a CAP Update brings its own document; a console update is Kizuna's content (no document)
          cap: patch.cap?.document ? patch.cap : withoutDocument({ ...a.spec.cap, ...patch.cap }),
        },
        new Set(zones.map((z) => z.id)),
        now,
      );
      await rows.supersedeDrafts(q, id);
      const revision = (await rows.maxRevision(q, id)) + 1;
      await rows.insertRevision(q, { id, revision, msgType: 'Update', spec, by: staff.username, now, state: 'draft' });
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.update',
          subject: id,
          details: { revision, level: spec.level, draft: true },
        },
        now,
      );
    });
    this.onChange(id);
    return this.get(id);
  }

  /**
   * A CAP Cancel of an active alert (cap.ts): stored as a draft Cancel revision (取消, sent in
   * error) that is sent like any draft, as its confirmation showed it and under the approval rule.
   * An alert that never reached TVs is withdrawn at once (nothing goes out).
   */
  async draftCancel(id: string, staff: StaffMember): Promise<AlertView> {
    need(staff, 'issuer');
    const a0 = await this.get(id);
    if (a0.state !== 'active') return this.end(id, staff, 'sent-in-error', undefined, {});
    const now = this.clock.now();
    await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      if (a.state !== 'active')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is ${a.state}; only an active alert can be cancelled`);
      await rows.supersedeDrafts(q, id);
      const revision = (await rows.maxRevision(q, id)) + 1;
      await rows.insertRevision(q, {
        id,
        revision,
        msgType: 'Cancel',
        spec: a.spec,
        by: staff.username,
        now,
        state: 'draft',
        end: 'sent-in-error',
      });
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.cancel',
          subject: id,
          details: { revision, end: 'sent-in-error', draft: true },
        },
        now,
      );
    });
    this.onChange(id);
    return this.get(id);
  }

  /** What lifting or cancelling active alert `id` would publish and to whom, with its digest (end-confirmation.ts). */
  async endConfirmation(id: string, end: EndReason): Promise<EndConfirmation> {
    return endConfirmation(this.db, id, end, this.clock.now(), this.register);
  }

  /**
   * Staff answer the level a CAP import did not say (its draft's warning 'level-unknown'): a new
   * draft revision at that level. Kizuna changed the content, so the document as given stays with
   * the first revision and this one is exported as Kizuna's own (cap-export.ts).
   */
  async setLevel(id: string, staff: StaffMember, level: AlertSpec['level']): Promise<AlertView> {
    need(staff, 'issuer');
    const now = this.clock.now();
    await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      const rev = await rows.latestRevision(q, id, ['draft']);
      if (!rev || a.state !== 'draft' || !rev.spec.cap?.warnings?.includes('level-unknown'))
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is not a draft waiting for its level`);
      const warnings = rev.spec.cap.warnings.filter((w) => w !== 'level-unknown');
      const { warnings: _w, ...cap } = withoutDocument(rev.spec.cap);
      const spec: AlertSpec = { ...rev.spec, level, cap: warnings.length ? { ...cap, warnings } : cap };
      await rows.supersedeUnpublished(q, id);
      const revision = (await rows.maxRevision(q, id)) + 1;
      await rows.insertRevision(q, { id, revision, msgType: 'Alert', spec, by: staff.username, now, state: 'draft' });
      await rows.setDraftSpec(q, id, spec);
      await appendAudit(
        q,
        { actor: staff.username, action: 'alert.level', subject: id, details: { revision, level } },
        now,
      );
    });
    this.onChange(id);
    return this.get(id);
  }

  /**
   * Lift (解除) an active alert: the danger is over. A Cancel revision with reason 'lifted', sent as
   * its confirmation showed it (`seen`, required: 400 without it), under the approval rule like any change that
   * reaches TVs; the alert ends 'lifted'.
   */
  async lift(id: string, staff: StaffMember, seen: Seen | undefined, o: PublishOptions = {}): Promise<AlertView> {
    return this.end(id, staff, 'lifted', seen, o);
  }

  /**
   * Cancel (取消) an alert sent in error: a never-published alert is just withdrawn; the Cancel of an
   * active one (reason 'sent-in-error') reaches TVs, so it follows the approval rule like any other
   * change. For an active alert `seen`, from its confirmation (GET …/ending?end=sent-in-error), is
   * required: without it 400 KZ_CONSOLE_CONFIRMATION_REQUIRED and nothing is published.
   */
  async cancel(id: string, staff: StaffMember, o: PublishOptions = {}, seen?: Seen): Promise<AlertView> {
    return this.end(id, staff, 'sent-in-error', seen, o);
  }

  private async end(
    id: string,
    staff: StaffMember,
    end: EndReason,
    seen: Seen | undefined,
    o: PublishOptions,
  ): Promise<AlertView> {
    need(staff, 'issuer');
    const now = this.clock.now();
    const a0 = await this.get(id);
    if (a0.state === 'active') await this.publisher.requireBroker();
    const out = await this.db.tx(async (q) => {
      const a = await this.lockAlert(q, id);
      if (a.state === 'cancelled' || a.state === 'lifted' || a.state === 'expired')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} is already ${a.state}`);
      if (end === 'lifted' && a.state !== 'active')
        throw consoleErrors.KZ_CONSOLE_ALERT_STATE(
          `alert ${id} is ${a.state}; only an active alert can be lifted (a draft is withdrawn with cancel)`,
        );
      if (a.state === 'active') {
        // nothing goes out unseen (issue 19): an ending that reaches TVs carries its confirmation's digest
        if (!seen)
          throw consoleErrors.KZ_CONSOLE_CONFIRMATION_REQUIRED(
            `read GET /api/alerts/${id}/ending?end=${end} and send its revision and digest`,
          );
        await requireEndConfirmed(q, id, end, seen, now, this.register);
      }
      const last = await rows.latestRevision(q, id);
      await rows.supersedeUnpublished(q, id);
      if (a.state !== 'active') {
        await rows.setAlertState(q, id, 'cancelled');
        const details = { alert: id, revision: last?.revision ?? a.revision, from: a.state, to: 'cancelled' };
        await appendAudit(
          q,
          {
            actor: staff.username,
            action: 'alert.withdraw',
            subject: id,
            details: { ...details, level: last?.level ?? a.level },
          },
          now,
        );
        return NOTHING;
      }
      const revision = (await rows.maxRevision(q, id)) + 1;
      await rows.insertRevision(q, {
        id,
        revision,
        msgType: 'Cancel',
        spec: a.spec,
        by: staff.username,
        now,
        state: 'draft',
        end,
      });
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: end === 'lifted' ? 'alert.lift' : 'alert.cancel',
          subject: id,
          details: { revision, end, ...(seen ? { digest: seen.digest } : {}) },
        },
        now,
      );
      return this.submitIn(q, id, revision, staff, now);
    });
    await this.afterCommit(out, o.wait);
    this.onChange(id);
    return this.get(id);
  }

  // ---------------------------------------------------------------- read

  async get(id: string, q: Queryable = this.db): Promise<AlertView> {
    return readAlert(q, id);
  }

  async list(opts: { state?: AlertState; limit?: number } = {}): Promise<AlertView[]> {
    return listAlerts(this.db, opts);
  }

  async revisions(id: string): Promise<RevisionView[]> {
    return readRevisions(this.db, id);
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
    const a = await rows.alertRow(this.db, id);
    if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    // an active alert's unsent draft (an update or cancel not yet confirmed) is not what TVs get
    const states = a.state === 'active' ? PREVIEWED.filter((s) => s !== 'draft') : PREVIEWED;
    const rev = await rows.latestRevision(this.db, id, states);
    if (!rev) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    const { plan, ...m } = await buildMessages(this.db, a, rev, this.clock.now(), this.register);
    return { ...m, personal: new Map(plan.devices.map((d) => [d, plan.message(d)!])) };
  }

  // ---------------------------------------------------------------- timer

  /**
   * One pass of the alert timer: expiry, fan-outs whose process died (resumed), the re-sender, and
   * the targetable register read again if it changed.
   * The app runs it on an interval; tests call it with their clock.
   */
  async tick(): Promise<{ resent: number; expired: string[]; resumed: number }> {
    return this.timer.tick();
  }

  /** Take over and finish fan-outs left 'fanning-out' with a stale heartbeat (their process died or lost the database). */
  async resumeFanouts(now: Date = this.clock.now()): Promise<number> {
    return this.fanouts.resume(now);
  }

  /** QoS 1 publishes; resolves when the broker has acknowledged every one. Failures are left to the re-sender. */
  async publishAll(out: OutMessage[]): Promise<{ failed: number }> {
    return this.publisher.publishAll(out);
  }

  // ---------------------------------------------------------------- internals

  private async lockAlert(q: Queryable, id: string): Promise<rows.AlertRow> {
    const a = await rows.lockAlertRow(q, id);
    if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(id);
    return a;
  }

  /** The revision waiting for approval, locked, if it is the one the approver was shown; else 409 naming what waits. */
  private async pendingAsSeen(q: Queryable, id: string, seen: Seen) {
    const a = await this.lockAlert(q, id);
    const rev = await rows.latestRevision(q, id, ['pending-approval']);
    if (!rev) throw consoleErrors.KZ_CONSOLE_ALERT_STATE(`alert ${id} has nothing waiting for approval`);
    const digest = approvalDigest(id, a.status, rev);
    if (rev.revision !== seen.revision || digest !== seen.digest)
      throw consoleErrors.KZ_CONSOLE_APPROVAL_STALE(
        rev.revision !== seen.revision
          ? `revision ${rev.revision} is waiting, not ${seen.revision}`
          : `revision ${rev.revision} is not the content of digest ${seen.digest}`,
        { revision: rev.revision, digest },
      );
    return { a, rev, digest };
  }

  /** Publish now, or park the revision for a second person's approval (the municipality's rule, approval-rule.ts). */
  private async submitIn(
    q: Queryable,
    id: string,
    revision: number,
    staff: StaffMember,
    now: Date,
  ): Promise<Publication> {
    const rev = (await rows.revisionRow(q, id, revision))!;
    const a = (await rows.alertRow(q, id))!;
    // what TVs show now: if a second person approved it, no one person changes it
    const onTvs = a.state === 'active' ? await rows.revisionRow(q, id, Number(a.revision)) : undefined;
    const change = {
      status: a.status,
      level: Number(rev.level),
      msgType: rev.msg_type,
      approvedOnTvs: !!onTvs?.approved_by,
    };
    if (needsSecondPerson(await readRule(q), change)) {
      const counts = await revisionCounts(q, a, rev, now, this.register);
      await rows.submitRevision(q, id, revision, counts);
      if (a.state === 'draft') await rows.setAlertState(q, id, 'pending-approval');
      await appendAudit(
        q,
        {
          actor: staff.username,
          action: 'alert.submit-for-approval',
          subject: id,
          details: { revision, msgType: rev.msg_type, digest: approvalDigest(id, a.status, { ...rev, counts }) },
        },
        now,
      );
      return NOTHING;
    }
    return publishRevision(q, this.muni, id, revision, now);
  }

  /** After the commit: publish what it wrote and run its fan-out, waiting for all of it or for its first chunk (PublishWait). */
  private async afterCommit(p: Publication, wait: PublishWait = 'sent'): Promise<void> {
    const published = this.publisher.publishAll(p.messages);
    if (!p.fanout) {
      await published;
      return;
    }
    let started!: () => void;
    const first = new Promise<void>((resolve) => {
      started = resolve;
    });
    // a fan-out run settles (a failure is logged and left to the timer), so neither wait can hang on an error
    const all = this.fanouts.run(p.fanout, started);
    await Promise.all([published, wait === 'started' ? Promise.race([first, all]) : all]);
  }
}
