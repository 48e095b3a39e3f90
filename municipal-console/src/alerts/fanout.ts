/**
 * The fan-out of an Alert or Update, and the alert timer's part in it (journals and fan-outs left
 * behind by a process that died). The lease is in fanout-lease.ts, the journal's format in
 * fanout-journal.ts, their SQL in repository/.
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
import type { Db, Logger } from '@kizuna/core';
import type { AreaAlert } from '@kizuna/contract';
import type { Clock } from '../clock.ts';
import { appendAudit } from '../staff/audit.ts';
import type { RecipientRow } from './personalise.ts';
import type { RegisterCache } from './targeting.ts';
import type { AlertPublisher } from './alert-publisher.ts';
import { buildMessages, cancelsBefore, publishAreas, tvMessages } from './revision-messages.ts';
import { wakeMessages } from './wake-messages.ts';
import { materialiseJournal, packChunk, type JournalChunk, type OwnChunks } from './fanout-journal.ts';
import { holdLease, newOwner, type FanoutJob } from './fanout-lease.ts';
import {
  alertRow,
  finishFanout,
  lockAlertRow,
  revisionRow,
  setFanoutTvs,
  staleFanouts,
  takeOverLease,
} from './repository/alert-rows.ts';
import { deactivateRecipientsBefore, devicesSent, liveAreaZones, writeDeliveries } from './repository/delivery-rows.ts';
import { insertChunk, staleJournals } from './repository/journal-rows.ts';

export interface FanoutOptions {
  db: Db;
  muni: string;
  clock: Clock;
  log: Logger;
  publisher: AlertPublisher;
  register: RegisterCache;
  onChange: (alertId: string) => void;
  chunk: { first: number; max: number };
  staleMs: number;
  /** Send each TV's box a wake just before its personal alert (for launcher hooks; default off). */
  wakeBoxes?: boolean | undefined;
  afterChunk?:
    ((c: { alertId: string; revision: number; chunk: number; devices: string[] }) => void | Promise<void>) | undefined;
}

export class FanoutEngine {
  /** Fan-outs running in this process, by alert and revision. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly o: FanoutOptions) {}

  private isRunning(alertId: string, revision: number): boolean {
    return this.running.has(`${alertId}#${Number(revision)}`);
  }

  /** Run a fan-out; a failure leaves the revision 'fanning-out' for the timer to resume (nothing committed is lost). */
  run(job: FanoutJob, started?: () => void): Promise<void> {
    const key = `${job.alertId}#${job.revision}`;
    const running = this.running.get(key);
    if (running) return running;
    const p = this.fanOut(job, started)
      .then(
        (r) => {
          if (r === 'stopped')
            this.o.log.info(
              { alertId: job.alertId, revision: job.revision },
              'alert fan-out stopped: the revision was replaced, cancelled, expired or taken over',
            );
        },
        (e: unknown) => {
          this.o.log.error(
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

  /** Turn the alert's fan-out journal into rows (see materialiseJournal) in a transaction of its own, under the alert's row lock. */
  private async materialise(id: string, own?: OwnChunks): Promise<number> {
    return this.o.db.tx(async (q) => {
      await lockAlertRow(q, id);
      return materialiseJournal(q, id, own);
    });
  }

  /**
   * Journal rows older than the fan-out heartbeat's staleness and not this process's own: their
   * fan-out died and nothing else touched the alert since (it may have expired meanwhile).
   */
  async materialiseLeftovers(now: Date): Promise<void> {
    const stale = new Date(now.getTime() - this.o.staleMs);
    const rows = await staleJournals(this.o.db, stale);
    for (const id of new Set(rows.filter((r) => !this.isRunning(r.alert_id, r.revision)).map((r) => r.alert_id))) {
      const n = await this.materialise(id);
      if (n)
        this.o.log.warn(
          { alertId: id, tvs: n },
          "a dead fan-out's journal turned into delivery rows; the re-sender covers what it had not published",
        );
      this.o.onChange(id);
    }
  }

  /** Take over and finish fan-outs left 'fanning-out' with a stale heartbeat (their process died or lost the database). */
  async resume(now: Date): Promise<number> {
    const stale = new Date(now.getTime() - this.o.staleMs);
    const rows = await staleFanouts(this.o.db, now, stale);
    let resumed = 0;
    for (const r of rows) {
      const revision = Number(r.revision);
      if (this.isRunning(r.alert_id, revision)) continue;
      const owner = newOwner();
      const taken = await this.o.db.tx(async (q) => {
        // under the alert's row lock, like every chunk: a chunk of the old owner is either committed before this or refused after
        await lockAlertRow(q, r.alert_id);
        const t = await takeOverLease(q, r.alert_id, revision, owner, now, stale);
        if (t)
          await appendAudit(
            q,
            { actor: 'system', action: 'alert.fanout-resume', subject: r.alert_id, details: { revision } },
            now,
          );
        return t;
      });
      if (!taken) continue;
      this.o.log.warn(
        { alertId: r.alert_id, revision },
        'resuming an alert fan-out that stopped before every TV was written',
      );
      resumed += 1;
      await this.run({ alertId: r.alert_id, revision, owner });
      this.o.onChange(r.alert_id);
    }
    return resumed;
  }

  /** Steps 2 and 3 of the fan-out (see the top of this file). */
  private async fanOut(job: FanoutJob, started?: () => void): Promise<'done' | 'stopped'> {
    const { db, muni, clock, publisher } = this.o;
    const now = () => clock.now();
    const { alertId: id, revision } = job;
    // chunks journaled by an earlier revision or a dead owner become rows first: refs, shelters and TVs already done are read from them
    await this.materialise(id);
    const a = await alertRow(db, id);
    const rev = await revisionRow(db, id, revision);
    if (!a || !rev || rev.state !== 'fanning-out' || rev.fanout_owner !== job.owner) return 'stopped';
    // the time of the first attempt: a resumed fan-out sends the same `sent`
    const sentAt = rev.published_at ? new Date(rev.published_at) : clock.now();
    const m = await buildMessages(db, a, rev, sentAt, this.o.register, false);
    // TVs already written for this revision (by an attempt that died): their rows stand, the re-sender covers them
    const done = await devicesSent(db, id, revision);
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
    let size = this.o.chunk.first;
    try {
      for (let i = 0, chunk = 0; i < devices.length || chunk === 0; chunk++) {
        const slice = devices.slice(i, i + size);
        i += slice.length;
        size = Math.min(size * 2, this.o.chunk.max);
        // rendered here, chunk by chunk: the first TVs need not wait for the whole city's texts;
        // encoded to UTF-8 once, into one buffer per chunk, for the journal, the publish and the rows (see DeliveryRow)
        const { zoneIds, payloads } = m.plan.encode(slice);
        const c: JournalChunk = {
          deliveries: slice.map((d, k) => ({ device_id: d, zone_id: zoneIds[k]!, payload: payloads[k]! })),
          recipients: slice.flatMap((d) => byDevice.get(d) ?? []),
        };
        const body = packChunk(c);
        const out = await db.tx(async (q) => {
          if (!(await holdLease(q, job, now))) return null;
          // written_at becomes the rows' last_sent_at (the re-sender counts from it); the payload keeps `sent`
          const at = clock.now();
          await insertChunk(q, { id, revision, owner: job.owner, chunk, at, tvs: c.deliveries.length, body });
          written.set(chunk, { at, c });
          const msgs = this.o.wakeBoxes ? wakeMessages(muni, m.head, slice) : [];
          msgs.push(...tvMessages(muni, c.deliveries));
          if (chunk === 0) {
            await setFanoutTvs(q, id, revision, m.plan.devices.length);
            // the retained area messages go with the first chunk; zones no longer targeted are cleared
            const areaRows: { zone_id: string; payload: AreaAlert | null }[] = m.areas.map((x) => ({
              zone_id: x.zone.id,
              payload: x,
            }));
            for (const z of await liveAreaZones(q, id))
              if (!m.areas.some((x) => x.zone.id === z)) areaRows.push({ zone_id: z, payload: null });
            msgs.push(...(await publishAreas(q, muni, id, revision, areaRows)));
          }
          return msgs;
        });
        if (!out) return 'stopped';
        if (this.o.afterChunk) await this.o.afterChunk({ alertId: id, revision, chunk, devices: slice });
        acks.push(publisher.publishAll(out));
        if (chunk === 0) started?.();
        // the live figures show how far the fan-out got (the live hub spaces its reads out)
        this.o.onChange(id);
      }
    } finally {
      // the broker has every message before the rows are written: on PGlite the writes would hold
      // this thread (and the embedded broker's) while it should be publishing
      await Promise.all(acks);
      await this.materialise(id, { owner: job.owner, written }).catch((e: unknown) =>
        this.o.log.error(
          { err: e, alertId: id, revision },
          'fan-out journal not turned into rows; the next fan-out, update, cancel or the alert timer does it',
        ),
      );
      this.o.onChange(id);
    }

    const fin = await db.tx(async (q) => {
      if (!(await holdLease(q, job, now))) return null;
      // TVs that had this alert and are no longer targeted: tell them it is over for them
      const cancels = await cancelsBefore(q, m.head);
      if (cancels.length) await writeDeliveries(q, id, revision, clock.now(), cancels);
      await deactivateRecipientsBefore(q, id, revision);
      await finishFanout(q, id, revision);
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
        clock.now(),
      );
      return tvMessages(muni, cancels);
    });
    if (!fin) return 'stopped';
    acks.push(publisher.publishAll(fin));
    await Promise.all(acks);
    return 'done';
  }
}
