/**
 * Issue 19, item 4 and "one truth for the figures" (bare HTTP, real broker): the 「助けが必要」 tile
 * (the status's needHelpOpen), the rescue list and its CSV give one answer — after a need-help
 * answer, and again after that person checks in at a shelter (any shelter, not the one they were
 * sent to). Each row of the list names the person's 地区, how far the alert got to them (sent,
 * received, on screen, answered, with times), the latest answer with the one it corrected, the
 * supporter and the phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { encodeMessage, topics } from '@kizuna/contract';
import {
  bearer,
  consoleWith,
  issueAlert,
  ManualClock,
  MUNI,
  seedTown,
  SimTv,
  staffToken,
  startBroker,
  until,
} from './helpers.ts';

interface Person {
  residentId: string;
  zoneName: string;
  answer: string | null;
  answers: { answer: string; at: string }[];
  delivery: string;
  sentAt: string;
  deliveredAt: string | null;
  displayedAt: string | null;
  answeredAt: string | null;
  supporter: string | null;
  phone: string | null;
}

for (const engine of dbEngines()) {
  describe(`one truth for 「助けが必要」: tile, rescue list and CSV on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let token: string;
    let tv: SimTv;
    let alertId: string;
    const clock = new ManualClock();
    const at = (s: number) => new Date(clock.now().getTime() + s * 1000).toISOString();
    let t0: number;

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock, { rescueAfterS: 3600 });
      await seedTown(db);
      token = await staffToken(c.app, 'issuer1', ['issuer']);
      tv = await SimTv.start(broker, 'tv-h1');
      const r = await issueAlert(c.app, token, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T16:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      expect(r.statusCode, r.body).toBe(200);
      alertId = r.json().id;
      await until(() => tv.latest(alertId), 'alert on the TV');
      t0 = clock.now().getTime();
      clock.advance(120_000);
    });
    afterAll(async () => {
      await tv?.close();
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    const get = (url: string) => c.app.inject({ url, headers: bearer(token) });
    /** The three places staff read 「助けが必要」 from, as each shows it. */
    const figures = async () => {
      await c.app.kz.ingest.flush();
      const status = (await get(`/api/alerts/${alertId}/status`)).json();
      const rescue = (await get(`/api/alerts/${alertId}/rescue`)).json() as {
        counts: { needHelp: number };
        people: Person[];
      };
      const csv = (await get(`/api/alerts/${alertId}/rescue.csv`)).body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      const head = csv[0]!.split(',');
      const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
      return {
        tile: status.totals.needHelpOpen as number,
        list: rescue.counts.needHelp,
        listed: rescue.people.filter((p) => p.answer === 'need-help').map((p) => p.residentId),
        csv: rows.filter((r) => r.answer === 'need-help').map((r) => r.residentId),
        people: rescue.people,
        rows,
      };
    };

    it('a need-help answer (correcting an earlier one) is one figure everywhere, with 地区, delivery and history', async () => {
      const taro = tv.latest(alertId)!.recipients.find((r) => r.needsHelp)!;
      // sent together, so the console's ingest takes both in one batch: each keeps its own time
      await Promise.all([
        tv.receipt({ alertId, revision: 1, state: 'delivered', at: at(-110) }),
        tv.receipt({ alertId, revision: 1, state: 'displayed', at: at(-100) }),
      ]);
      await tv.receipt({
        alertId,
        revision: 1,
        state: 'acknowledged',
        ref: taro.ref,
        answer: 'evacuating',
        at: at(-90),
      });
      await tv.receipt({
        alertId,
        revision: 1,
        state: 'acknowledged',
        ref: taro.ref,
        answer: 'need-help',
        at: at(-60),
      });
      const f = await until(async () => {
        const x = await figures();
        return x.tile === 1 && x;
      }, 'the need-help answer counted');
      expect(f).toMatchObject({ tile: 1, list: 1, listed: ['R1'], csv: ['R1'] });
      const p = f.people[0]!;
      expect(p).toMatchObject({
        residentId: 'R1',
        zoneName: '川辺地区',
        delivery: 'answered',
        answer: 'need-help',
        supporter: '民生委員 佐々木',
        phone: '0299-00-0001',
        deliveredAt: at(-110),
        displayedAt: at(-100),
        answeredAt: at(-60),
      });
      expect(new Date(p.sentAt).getTime()).toBe(t0);
      expect(p.answers).toEqual([
        { answer: 'evacuating', at: at(-90) },
        { answer: 'need-help', at: at(-60) },
      ]);
      expect(f.rows[0]).toMatchObject({ zoneName: '川辺地区', delivery: 'answered', answer: 'need-help' });
      expect(f.rows[0]!.answerHistory).toContain('evacuating; ');
    });

    it('checked in at any shelter, the person leaves the tile, the list and the CSV at once', async () => {
      // 山田 太郎 was sent to sh-school; he reaches sh-welfare, the shelter he could get to
      const terminal = await broker.connectAs({
        kind: 'terminal',
        muni: MUNI,
        shelter: 'sh-welfare',
        terminal: 'term-1',
      });
      await terminal.publishAsync(
        topics.shelterEvent(MUNI, 'sh-welfare', 'term-1'),
        encodeMessage({
          v: 1,
          kind: 'shelter-event',
          eventId: 'evt-rescue-1',
          seq: 1,
          type: 'check-in',
          at: at(-30),
          certSerial: 'a1',
        }),
        { qos: 1 },
      );
      await terminal.endAsync();
      const f = await until(async () => {
        const x = await figures();
        return x.tile === 0 && x;
      }, 'the arrival counted');
      expect(f).toMatchObject({ tile: 0, list: 0, listed: [], csv: [] });
      expect(f.people.map((p) => p.residentId)).not.toContain('R1');
      expect(f.rows).toEqual([]);
    });
  });
}
