/**
 * Issue 24, item 1: an approval binds to the revision and the content the approver was shown.
 * Approve and reject carry {revision, digest}; when the issuer changed the alert meanwhile the
 * answer is 409 KZ_CONSOLE_APPROVAL_STALE and nothing reaches a TV. Bare HTTP (fastify inject), real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
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
  updateAlert,
} from './helpers.ts';

interface Pending {
  revision: number;
  digest: string;
  level: number;
  counts: { devices: number; residents: number; zones: number; unboundTvs: number };
}

for (const engine of dbEngines()) {
  describe(`approval bound to content on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    const tvs: Record<string, SimTv> = {};
    let issuer: string;
    let approver: string;
    let admin: string;
    const clock = new ManualClock();
    const EXPIRES = '2026-11-23T12:00:00Z';

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      approver = await staffToken(c.app, 'approver1', ['approver']);
      admin = await staffToken(c.app, 'admin1', ['admin']);
      for (const id of ['tv-h1', 'tv-s2']) tvs[id] = await SimTv.start(broker, id);
    });
    afterAll(async () => {
      for (const tv of Object.values(tvs)) await tv.close().catch(() => undefined);
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    const post = (url: string, token: string, payload?: object) =>
      c.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
    const pendingOf = async (id: string): Promise<Pending> =>
      (await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(approver) })).json().pending;

    let id: string;
    it('exposes the revision waiting for approval with the digest of what it shows', async () => {
      const r = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Actual',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
        extra: { ja: '川沿いの方は直ちに避難してください。' },
      });
      expect(r.statusCode, r.body).toBe(200);
      id = r.json().id;
      const p = await pendingOf(id);
      expect(p).toMatchObject({ revision: 1, level: 4 });
      expect(p.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(p.counts).toEqual({ devices: 2, residents: 3, zones: 1, unboundTvs: 1 });
      // the approval names what it approves: a bare approve is refused
      const bare = await post(`/api/alerts/${id}/approve`, approver);
      expect(bare.statusCode).toBe(400);
      expect(tvs['tv-h1']!.personal).toHaveLength(0);
    });

    it('approves revision 1 with its digest; the audit entry records the digest', async () => {
      const p = await pendingOf(id);
      const r = await post(`/api/alerts/${id}/approve`, approver, { revision: 1, digest: p.digest });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'active', revision: 1 });
      await until(() => tvs['tv-h1']!.latest(id)?.revision === 1, 'revision 1 on the TV');
      const log = (await c.app.inject({ url: `/api/audit?action=alert.approve`, headers: bearer(admin) })).json() as {
        subject: string;
        details: { revision: number; digest: string };
      }[];
      expect(log.find((e) => e.subject === id)?.details).toMatchObject({ revision: 1, digest: p.digest });
    });

    it('the issuer updates twice; approving what was shown before is 409 and nothing reaches a TV', async () => {
      expect((await updateAlert(c.app, issuer, id, { level: 4, extra: { ja: '第二報' } })).statusCode).toBe(200);
      const seen = await pendingOf(id);
      expect(seen.revision).toBe(2);
      const u = await updateAlert(c.app, issuer, id, {
        level: 5,
        target: { zones: ['z-kawabe', 'z-yamate'] },
      });
      expect(u.statusCode, u.body).toBe(200);
      const now = await pendingOf(id);
      expect(now.revision).toBe(3);
      expect(now.digest).not.toBe(seen.digest);

      for (const body of [
        { revision: 1, digest: seen.digest },
        { revision: 2, digest: seen.digest },
        { revision: 3, digest: seen.digest }, // the right number, other content
      ]) {
        const r = await post(`/api/alerts/${id}/approve`, approver, body);
        expect(r.statusCode, r.body).toBe(409);
        expect(r.json().code).toBe('KZ_CONSOLE_APPROVAL_STALE');
        expect(r.json().details).toMatchObject({ revision: 3, digest: now.digest });
      }
      const rej = await post(`/api/alerts/${id}/reject`, approver, { revision: 2, digest: seen.digest });
      expect(rej.json().code).toBe('KZ_CONSOLE_APPROVAL_STALE');

      // nothing was published: the TVs still show revision 1, the hillside TV nothing
      await new Promise((res) => setTimeout(res, 300));
      expect(tvs['tv-h1']!.latest(id)?.revision).toBe(1);
      expect(tvs['tv-s2']!.latest(id)).toBeUndefined();
      const a = (await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(approver) })).json();
      expect(a).toMatchObject({ revision: 1, level: 4, pending: { revision: 3, level: 5 } });
    });

    it('approving the content now shown publishes it', async () => {
      const p = await pendingOf(id);
      const r = await post(`/api/alerts/${id}/approve`, approver, { revision: p.revision, digest: p.digest });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ revision: 3, level: 5 });
      await until(() => tvs['tv-s2']!.latest(id)?.level === 5, 'level 5 on the hillside TV');
    });
  });
}
