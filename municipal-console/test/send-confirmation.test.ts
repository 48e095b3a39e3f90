/**
 * Issue 19, item 1: nothing goes out unseen. Sending a draft carries the revision and digest of
 * the confirmation the sender was shown (GET …/confirmation: mode, level, hazard, areas by name,
 * text, people and TVs); a send without it is 400, one with other content or reach is 409
 * KZ_CONSOLE_CONFIRMATION_STALE, and in both cases nothing reaches a TV. Bare HTTP, real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { bearer, consoleWith, ManualClock, seedTown, SimTv, staffToken, startBroker, until } from './helpers.ts';

interface Confirmation {
  revision: number;
  digest: string;
  status: string;
  level: number;
  hazard: string;
  areas: { zones: { id: string; name: string }[]; shape: boolean; group: string };
  text: Record<string, string>;
  counts: { devices: number; residents: number; zones: number; unboundTvs: number };
  needsApproval: boolean;
}

for (const engine of dbEngines()) {
  describe(`send only what the confirmation showed on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    const tvs: Record<string, SimTv> = {};
    let issuer: string;
    let approver: string;
    const clock = new ManualClock();
    const EXPIRES = '2026-11-23T12:00:00Z';

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      approver = await staffToken(c.app, 'approver1', ['approver']);
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
    const confirmation = async (id: string) => {
      const r = await c.app.inject({ url: `/api/alerts/${id}/confirmation`, headers: bearer(issuer) });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Confirmation;
    };
    const draft = async (status: 'Actual' | 'Exercise', zones: string[]) => {
      const r = await post('/api/alerts', issuer, {
        level: 4,
        hazard: 'flood',
        status,
        draft: true,
        expires: EXPIRES,
        target: { zones },
        extra: { ja: '川沿いの方は避難してください。' },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };

    it('refuses to publish a new alert in one call: POST /api/alerts without draft: true is a named 400, nothing stored or sent', async () => {
      const count = async () => (await c.app.inject({ url: '/api/alerts', headers: bearer(issuer) })).json().length;
      const before = await count();
      for (const draft of [undefined, false]) {
        const r = await post('/api/alerts', issuer, {
          level: 4,
          hazard: 'flood',
          status: 'Exercise',
          ...(draft === undefined ? {} : { draft }),
          expires: EXPIRES,
          target: { zones: ['z-kawabe'] },
        });
        expect(r.statusCode, r.body).toBe(400);
        expect(r.json().code).toBe('KZ_CONSOLE_CONFIRMATION_REQUIRED');
      }
      expect(await count()).toBe(before);
      await new Promise((res) => setTimeout(res, 200));
      expect(tvs['tv-h1']!.personal).toHaveLength(0);
    });

    let drill: string;
    it('shows what a send would publish: mode, level, hazard, areas by name, text, people and TVs', async () => {
      drill = await draft('Exercise', ['z-kawabe']);
      const k = await confirmation(drill);
      expect(k).toMatchObject({
        revision: 1,
        status: 'Exercise',
        level: 4,
        hazard: 'flood',
        areas: { zones: [{ id: 'z-kawabe', name: '川辺地区' }], shape: false, group: 'all' },
        text: { ja: '川沿いの方は避難してください。' },
        counts: { devices: 2, residents: 3, zones: 1, unboundTvs: 1 },
        needsApproval: false,
      });
      expect(k.digest).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses a send without the confirmation (400) or with another digest (409); nothing is published', async () => {
      const bare = await post(`/api/alerts/${drill}/send`, issuer);
      expect(bare.statusCode, bare.body).toBe(400);
      expect(bare.json().code).toMatch(/^KZ_/);
      const k = await confirmation(drill);
      const other = await post(`/api/alerts/${drill}/send`, issuer, { revision: 1, digest: 'a'.repeat(64) });
      expect(other.statusCode, other.body).toBe(409);
      expect(other.json()).toMatchObject({
        code: 'KZ_CONSOLE_CONFIRMATION_STALE',
        details: { revision: 1, digest: k.digest },
      });
      const wrongRev = await post(`/api/alerts/${drill}/send`, issuer, { revision: 2, digest: k.digest });
      expect(wrongRev.json().code).toBe('KZ_CONSOLE_CONFIRMATION_STALE');
      const a = (await c.app.inject({ url: `/api/alerts/${drill}`, headers: bearer(issuer) })).json();
      expect(a).toMatchObject({ state: 'draft', revision: 0 });
      await new Promise((res) => setTimeout(res, 200));
      expect(tvs['tv-h1']!.personal).toHaveLength(0);
    });

    it('sends with the confirmation it showed; the TVs get it', async () => {
      const k = await confirmation(drill);
      const r = await post(`/api/alerts/${drill}/send`, issuer, { revision: k.revision, digest: k.digest });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'active', revision: 1 });
      await until(() => tvs['tv-h1']!.latest(drill)?.revision === 1, 'the drill on the TV');
      const again = await c.app.inject({ url: `/api/alerts/${drill}/confirmation`, headers: bearer(issuer) });
      expect(again.json().code).toBe('KZ_CONSOLE_ALERT_STATE');
    });

    it('a real alert: the confirmation says it waits for a second person, and the approver sees the same digest', async () => {
      const id = await draft('Actual', ['z-kawabe']);
      const k = await confirmation(id);
      expect(k).toMatchObject({ status: 'Actual', needsApproval: true });
      const r = await post(`/api/alerts/${id}/send`, issuer, { revision: k.revision, digest: k.digest });
      expect(r.json()).toMatchObject({ state: 'pending-approval' });
      const a = (await c.app.inject({ url: `/api/alerts/${id}`, headers: bearer(approver) })).json();
      expect(a.pending).toMatchObject({ revision: 1, digest: k.digest, counts: k.counts });
    });

    it('a confirmation shown before the register changed is stale: whom it reaches is part of it', async () => {
      const id = await draft('Exercise', ['z-kawabe']);
      const before = await confirmation(id);
      // one TV of the zone is taken out of service (as the register import or an admin would)
      await db.query("UPDATE devices SET status = 'revoked' WHERE id = 'tv-s1'");
      const after = await confirmation(id);
      expect(after.counts.devices).toBe(before.counts.devices - 1);
      const r = await post(`/api/alerts/${id}/send`, issuer, { revision: 1, digest: before.digest });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json()).toMatchObject({ code: 'KZ_CONSOLE_CONFIRMATION_STALE', details: { digest: after.digest } });
      const ok = await post(`/api/alerts/${id}/send`, issuer, { revision: 1, digest: after.digest });
      expect(ok.json()).toMatchObject({ state: 'active' });
    });
  });
}
