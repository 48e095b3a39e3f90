/**
 * Arrivals from shelter check-ins (idempotent by eventId), the rescue list ("need help" first,
 * then the silent after a set time), live status over SSE, and the hash-chained audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { dbEngines } from '@kizuna/test-utils';
import { encodeMessage, topics } from '@kizuna/contract';
import { verifyAuditChain } from '../src/index.ts';
import {
  bearer,
  consoleWith,
  ManualClock,
  seedTown,
  SimTv,
  staffToken,
  startBroker,
  until,
  issueAlert,
} from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`status, rescue list and live stream on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let token: string;
    let tv: SimTv;
    let alertId: string;
    let url: string;
    const clock = new ManualClock();
    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock, { rescueAfterS: 600 });
      await seedTown(db);
      token = await staffToken(c.app, 'issuer1', ['issuer']);
      tv = await SimTv.start(broker, 'tv-h1');
      url = await c.app.listen({ host: '127.0.0.1', port: 0 });
      const r = await issueAlert(c.app, token, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T16:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      alertId = r.json().id;
      await until(() => tv.latest(alertId), 'alert on TV');
    });
    afterAll(async () => {
      await tv?.close();
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    const rescue = async () =>
      (await c.app.inject({ url: `/api/alerts/${alertId}/rescue`, headers: bearer(token) })).json();

    it('lists nobody before the set time unless they asked for help; "need help" goes first', async () => {
      expect((await rescue()).people).toEqual([]);
      clock.advance(601_000);
      const silent = await rescue();
      expect(silent.people.map((p: { residentId: string }) => p.residentId)).toEqual(['R1']);
      expect(silent.people[0]).toMatchObject({
        name: '山田 太郎',
        address: '絆市R1',
        supporter: '民生委員 佐々木',
        phone: '0299-00-0001',
        answer: null,
      });
    });

    it('streams live figures over SSE as receipts arrive', async () => {
      const events: {
        event: string;
        data: { totals: { displayed: number; acknowledged: { 'need-help': number } } };
      }[] = [];
      const req = http.get(`${url}/api/alerts/${alertId}/events`, { headers: bearer(token) });
      const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
      expect(res.headers['content-type']).toContain('text/event-stream');
      let buf = '';
      res.on('data', (chunk) => {
        buf += String(chunk);
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
      });
      await until(() => events.length >= 1, 'first snapshot');
      expect(events[0]!.data.totals.displayed).toBe(0);
      const taro = tv.latest(alertId)!.recipients.find((r) => r.needsHelp)!;
      await tv.receipt({ alertId, revision: 1, state: 'displayed' });
      await tv.receipt({ alertId, revision: 1, state: 'acknowledged', ref: taro.ref, answer: 'need-help' });
      const last = await until(
        () => events.find((e) => e.data.totals.acknowledged['need-help'] === 1),
        'live update with the answer',
      );
      expect(last.event).toBe('status');
      expect(last.data.totals.displayed).toBe(2);
      req.destroy();
      const list = await rescue();
      expect(list.people[0]).toMatchObject({ residentId: 'R1', answer: 'need-help' });
    });

    it('counts an arrival from a shelter check-in once, however often the terminal re-sends it, and drops them from the rescue list', async () => {
      const terminal = await broker.connectAs({
        kind: 'terminal',
        muni: '999997',
        shelter: 'sh-welfare',
        terminal: 'term-1',
      });
      const ev = {
        v: 1,
        kind: 'shelter-event',
        eventId: 'evt-00000001',
        seq: 1,
        type: 'check-in',
        at: clock.now().toISOString(),
        certSerial: 'a1',
      };
      for (let i = 0; i < 3; i++)
        await terminal.publishAsync(topics.shelterEvent('999997', 'sh-welfare', 'term-1'), encodeMessage(ev), {
          qos: 1,
        });
      await terminal.publishAsync(
        topics.shelterEvent('999997', 'sh-welfare', 'term-1'),
        '{"v":1,"kind":"shelter-event"}',
        { qos: 1 },
      );
      await terminal.endAsync();
      const s = await until(async () => {
        await c.app.kz.ingest.flush();
        const x = (
          await c.app.inject({ url: `/api/alerts/${alertId}/status?residents=true`, headers: bearer(token) })
        ).json();
        return x.totals.arrived === 1 && c.app.kz.ingest.stats.rejected >= 1 && x;
      }, 'arrival counted');
      expect(s.residents.find((r: { residentId: string }) => r.residentId === 'R1')).toMatchObject({
        arrivedShelterId: 'sh-welfare',
      });
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM checkins');
      expect(Number(rows[0]!.n)).toBe(1);
      expect((await rescue()).people).toEqual([]);
      const shelters = (await c.app.inject({ url: '/api/shelters', headers: bearer(token) })).json();
      expect(shelters.find((x: { id: string }) => x.id === 'sh-welfare').occupancy).toBe(1);
    });

    it('the dashboard stream follows arrivals: an undo by event id alone takes one back, a new check-in counts again', async () => {
      const seen: number[] = [];
      const req = http.get(`${url}/api/live`, { headers: bearer(token) });
      const res = await new Promise<http.IncomingMessage>((r) => req.on('response', r));
      let buf = '';
      res.on('data', (chunk) => {
        buf += String(chunk);
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^event: alert\ndata: (.+)$/m.exec(block)?.[1];
          if (data) {
            const d = JSON.parse(data);
            if (d.alert.id === alertId) seen.push(d.totals.arrived);
          }
        }
      });
      await until(() => seen.length >= 1, 'first snapshot');
      expect(seen[0]).toBe(1);
      const terminal = await broker.connectAs({
        kind: 'terminal',
        muni: '999997',
        shelter: 'sh-welfare',
        terminal: 'term-1',
      });
      const topic = topics.shelterEvent('999997', 'sh-welfare', 'term-1');
      await terminal.publishAsync(
        topic,
        encodeMessage({
          v: 1,
          kind: 'shelter-event',
          eventId: 'evt-00000002',
          seq: 2,
          type: 'undo',
          at: clock.now().toISOString(),
          undoes: 'evt-00000001',
        }),
        { qos: 1 },
      );
      await until(() => seen.at(-1) === 0, 'the undo on the dashboard');
      await terminal.publishAsync(
        topic,
        encodeMessage({
          v: 1,
          kind: 'shelter-event',
          eventId: 'evt-00000003',
          seq: 3,
          type: 'check-in',
          at: clock.now().toISOString(),
          certSerial: 'a1',
        }),
        { qos: 1 },
      );
      await until(() => seen.at(-1) === 1, 'the new check-in on the dashboard');
      await terminal.endAsync();
      req.destroy();
      const s = (await c.app.inject({ url: `/api/alerts/${alertId}/status`, headers: bearer(token) })).json();
      expect(s.totals.arrived).toBe(1);
    });

    it('keeps an append-only, hash-chained audit log', async () => {
      const { entries } = await verifyAuditChain(db);
      expect(entries).toBeGreaterThan(5);
      await expect(db.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
      const { rows } = await db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY seq');
      expect(rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['alert.create', 'alert.publish', 'session.login']),
      );
      // no personal data in the audit details
      const all = JSON.stringify((await db.query('SELECT details FROM audit_log')).rows);
      expect(all).not.toMatch(/山田|絆市|0299/);
    });
  });
}
