/**
 * Issue 7: the live stream's figures kept between full reads. Shelter events written by the
 * real Ingest tell LiveFigures which residents to read again; after every step its figures
 * must be exactly `alertStatus`'s (the full query), and a check-in must cost no full read.
 * Covers card serial, roster key, hand check-ins, re-sends, a second check-in, undo by event id
 * alone, check-out, a check-in from before the alert, people not addressed, an alert whose
 * recipients change, and a check-in written while a full read runs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Queryable } from '@kizuna/core';
import { dbEngines } from '@kizuna/test-utils';
import { topics, type ShelterEvent } from '@kizuna/contract';
import { Ingest, type AckHoldingBroker } from '../src/live/ingest.ts';
import { alertStatus } from '../src/live/alert-status.ts';
import { LiveFigures } from '../src/live/live-figures.ts';
import { rescueList } from '../src/live/rescue-list.ts';
import {
  consoleWith,
  ManualClock,
  MUNI,
  seedTown,
  silentLogger,
  staffToken,
  startBroker,
  issueAlert,
  updateAlert,
} from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`live figures kept by arrival deltas equal the full status (${engine.name})`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let token: string;
    let alertId: string;
    const clock = new ManualClock();
    let figures: LiveFigures;
    let ingest: Ingest;
    const fullReads = { n: 0 };
    const hook: AckHoldingBroker = { authorizePublish: (_c, _p, cb) => cb(null) };
    let seq = 0;

    /** Write events as the embedded broker's hook does (the terminal's PUBACK waits for the commit). */
    async function write(...events: Partial<ShelterEvent>[]): Promise<ShelterEvent[]> {
      const full = events.map(
        (e) =>
          ({
            v: 1,
            kind: 'shelter-event',
            eventId: randomUUID(),
            seq: ++seq,
            type: 'check-in',
            at: clock.now().toISOString(),
            ...e,
          }) as ShelterEvent,
      );
      await Promise.all(
        full.map(
          (e) =>
            new Promise<void>((resolve, reject) =>
              hook.authorizePublish(
                undefined as never,
                { topic: topics.shelterEvent(MUNI, 'sh-school', 'door-1'), payload: JSON.stringify(e), qos: 1 },
                (err) => (err ? reject(err) : resolve()),
              ),
            ),
        ),
      );
      return full;
    }
    async function same() {
      const kept = await figures.status(alertId);
      const full = await alertStatus(db, alertId, clock.now());
      expect(kept).toEqual(full);
      return kept.totals.arrived;
    }

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      await db.query(
        "INSERT INTO roster_keys (shelter_id, key, resident_id) VALUES ('sh-school', 'k-r2', 'R2'), ('sh-school', 'k-r3', 'R3'), ('sh-school', 'k-r5', 'R5')",
      );
      token = await staffToken(c.app, 'issuer1', ['issuer']);
      const r = await issueAlert(c.app, token, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T16:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      alertId = r.json().id;
      // counts the full reads (the arrivals of every recipient) the figures make
      const counting: Queryable = {
        query: (text, params) => {
          if (text.includes('WITH arr AS')) fullReads.n += 1;
          return db.query(text, params);
        },
        exec: (sql) => db.exec(sql),
      };
      figures = new LiveFigures({ db: counting, clock, resyncMs: 3_600_000 });
      ingest = new Ingest({
        db: db as Db,
        mqtt: c.mqtt,
        muni: MUNI,
        logger: silentLogger(),
        clock,
        onChange: (ids, residents) => {
          figures.invalidate(ids);
          figures.arrivals(residents);
        },
      });
      ingest.holdShelterAcks(hook as never);
      clock.advance(1_000);
    });
    afterAll(async () => {
      await ingest?.stop();
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    it('follows check-ins, re-sends, undos and check-outs with one read of the people named, never a full one', async () => {
      expect(await same()).toBe(0);
      expect(fullReads.n).toBe(1);
      // R1 by card serial, R2 by roster key, R4 (another zone: not addressed) by card, a hand check-in
      const [r1, r2] = await write(
        { certSerial: 'a1' },
        { rosterKey: 'k-r2' },
        { certSerial: 'a4' },
        { manual: { name: '臨時 一郎' } },
      );
      expect(await same()).toBe(2);
      // the terminal re-sends R1's check-in; R1 checks in a second time
      await write({ ...r1! });
      const [again] = await write({ certSerial: 'a1' });
      expect(await same()).toBe(2);
      // undo of R2's check-in by its event id alone (the event names no one itself)
      await write({ type: 'undo', undoes: r2!.eventId });
      expect(await same()).toBe(1);
      // R1's first check-in undone: the second still counts; then R1's second undone too
      await write({ type: 'undo', undoes: r1!.eventId });
      expect(await same()).toBe(1);
      await write({ type: 'undo', undoes: again!.eventId });
      expect(await same()).toBe(0);
      // R2 again, then checked out: an arrival stays an arrival
      await write({ rosterKey: 'k-r2' });
      await write({ type: 'check-out', rosterKey: 'k-r2' });
      expect(await same()).toBe(1);
      // R3's check-in recorded an hour before the alert went out does not count; R5's does
      await write(
        { rosterKey: 'k-r3', at: new Date(clock.now().getTime() - 3_600_000).toISOString() },
        { rosterKey: 'k-r5' },
      );
      const n = await same();
      expect(n).toBe((await alertStatus(db, alertId, clock.now())).totals.arrived);
      expect(fullReads.n).toBe(1);
    });

    it('one truth for 「助けが必要」: whoever asked for help leaves the tile and the rescue list together on arrival (issue 19, item 4)', async () => {
      // R3 (not registered as needing help to evacuate) answers 「助けが必要」, as the receipt ingest writes it
      await db.query(
        "INSERT INTO answers (alert_id, resident_id, answer, answered_at, first_answered_at) VALUES ($1, 'R3', 'need-help', $2, $2)",
        [alertId, clock.now()],
      );
      figures.invalidate([alertId]); // what the ingest does for an answer
      const asked = await figures.status(alertId);
      expect(await figures.status(alertId)).toEqual(await alertStatus(db, alertId, clock.now()));
      expect(asked.totals.needHelpOpen).toBe(1);
      let list = await rescueList(db, alertId, clock.now(), 3_600_000);
      expect(list.counts.needHelp).toBe(asked.totals.needHelpOpen);
      expect(list.people.map((p) => p.residentId)).toContain('R3');
      const reads = fullReads.n;
      // R3 reaches a shelter: the tile and the list drop together, the answer itself is kept
      await write({ rosterKey: 'k-r3' });
      const arrived = await figures.status(alertId);
      expect(arrived).toEqual(await alertStatus(db, alertId, clock.now()));
      expect(arrived.totals.needHelpOpen).toBe(0);
      expect(arrived.totals.acknowledged['need-help']).toBe(1);
      list = await rescueList(db, alertId, clock.now(), 3_600_000);
      expect(list.counts.needHelp).toBe(0);
      expect(list.people.map((p) => p.residentId)).not.toContain('R3');
      expect(fullReads.n).toBe(reads); // the arrival cost no full read
    });

    it('reads in full again after the alert changed, and keeps a check-in written during that read', async () => {
      const u = await updateAlert(c.app, token, alertId, { target: { zones: ['z-yamate'] } });
      expect(u.statusCode).toBe(200);
      figures.invalidate([alertId]); // what the app's alert service tells the live hub
      const before = fullReads.n;
      const reading = figures.status(alertId);
      await write({ certSerial: 'a4' }); // R4, addressed now
      await reading;
      expect(fullReads.n).toBe(before + 1);
      expect(await same()).toBe(1);
      expect(fullReads.n).toBe(before + 1);
    });
  });
}
