/**
 * Issue 24, item 4 and "no one-person path": every change that would reach TVs after approval
 * (update of any field, level lowered, cancel) waits for a second person under the municipality's
 * approval rule, and the rule itself changes only when one admin proposes and another confirms.
 * Bare HTTP (fastify inject), real broker.
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
  endAlert,
} from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`the approval rule on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    const tvs: Record<string, SimTv> = {};
    let issuer: string;
    let approver: string;
    let admin1: string;
    let admin2: string;
    const clock = new ManualClock();
    const EXPIRES = '2026-11-23T12:00:00Z';
    const CITY = ['z-kawabe', 'z-yamate'];

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      approver = await staffToken(c.app, 'approver1', ['approver']);
      admin1 = await staffToken(c.app, 'admin1', ['admin']);
      admin2 = await staffToken(c.app, 'admin2', ['admin']);
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
    const get = async (url: string, token = approver) => (await c.app.inject({ url, headers: bearer(token) })).json();
    /** Approve exactly what is waiting, as the approval page does. */
    const approve = async (id: string) => {
      const p = (await get(`/api/alerts/${id}`)).pending;
      const r = await post(`/api/alerts/${id}/approve`, approver, { revision: p.revision, digest: p.digest });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };
    const settle = () => new Promise((res) => setTimeout(res, 300));

    let id: string;
    it('an approved city-wide level-5 alert: the issuer’s {level: 3} waits for a second person', async () => {
      const r = await issueAlert(c.app, issuer, {
        level: 5,
        hazard: 'flood',
        status: 'Actual',
        expires: EXPIRES,
        target: { zones: CITY },
      });
      id = r.json().id;
      await approve(id);
      await until(() => tvs['tv-s2']!.latest(id)?.level === 5, 'level 5 on the TV');

      const u = await updateAlert(c.app, issuer, id, { level: 3 });
      expect(u.statusCode, u.body).toBe(200);
      expect(u.json()).toMatchObject({ state: 'active', revision: 1, level: 5, pending: { revision: 2, level: 3 } });
      await settle();
      for (const tv of Object.values(tvs)) expect(tv.latest(id)).toMatchObject({ revision: 1, level: 5 });

      expect(await approve(id)).toMatchObject({ revision: 2, level: 3 });
      await until(() => tvs['tv-s2']!.latest(id)?.level === 3, 'level 3 once approved');
    });

    it('a change of area or of the text waits too', async () => {
      const u = await updateAlert(c.app, issuer, id, { target: { zones: ['z-kawabe'] } });
      expect(u.json()).toMatchObject({ revision: 2, pending: { revision: 3 } });
      await settle();
      expect(tvs['tv-s2']!.latest(id)?.msgType).toBe('Update');
      const t = await updateAlert(c.app, issuer, id, { extra: { ja: '念のため' } });
      expect(t.json()).toMatchObject({ revision: 2, pending: { revision: 4 } });
    });

    it('a cancel (lifting the alert) of an approved real alert waits; rejected, the TVs keep the alert', async () => {
      const r = await endAlert(c.app, issuer, id);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'active', revision: 2, pending: { msgType: 'Cancel', revision: 5 } });
      await settle();
      expect(tvs['tv-h1']!.latest(id)?.msgType).toBe('Update');
      const p = (await get(`/api/alerts/${id}`)).pending;
      const rej = await post(`/api/alerts/${id}/reject`, approver, { revision: p.revision, digest: p.digest });
      expect(rej.json()).toMatchObject({ state: 'active', pending: null });
      await endAlert(c.app, issuer, id);
      expect(await approve(id)).toMatchObject({ state: 'cancelled', msgType: 'Cancel' });
      await until(() => tvs['tv-h1']!.latest(id)?.msgType === 'Cancel', 'cancel once approved');
    });

    it('a real level-3 alert waits by default; an exercise at level 5 goes out on one person', async () => {
      const real = await issueAlert(c.app, issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Actual',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      expect(real.json()).toMatchObject({ state: 'pending-approval' });
      const drill = await issueAlert(c.app, issuer, {
        level: 5,
        hazard: 'flood',
        status: 'Exercise',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      expect(drill.json()).toMatchObject({ state: 'active', revision: 1 });
    });

    it('the rule changes only when a second admin confirms what the first proposed', async () => {
      expect(await get('/api/settings/approval-rule', admin1)).toMatchObject({ rule: 'actual', proposal: null });
      const notAdmin = await post('/api/settings/approval-rule/propose', approver, { rule: 'actual-4-5' });
      expect(notAdmin.json().code).toBe('KZ_CONSOLE_ROLE_REQUIRED');
      const p = await post('/api/settings/approval-rule/propose', admin1, { rule: 'actual-4-5' });
      expect(p.statusCode, p.body).toBe(200);
      expect(p.json()).toMatchObject({ rule: 'actual', proposal: { rule: 'actual-4-5', proposedBy: 'admin1' } });
      const self = await post('/api/settings/approval-rule/confirm', admin1, { rule: 'actual-4-5' });
      expect(self.statusCode).toBe(403);
      expect(self.json().code).toBe('KZ_CONSOLE_RULE_SELF_CONFIRM');
      const other = await post('/api/settings/approval-rule/confirm', admin2, { rule: 'all' });
      expect(other.statusCode).toBe(409);
      expect(other.json().code).toBe('KZ_CONSOLE_RULE_NOT_PROPOSED');
      expect((await get('/api/settings/approval-rule', admin1)).rule).toBe('actual');
      const ok = await post('/api/settings/approval-rule/confirm', admin2, { rule: 'actual-4-5' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ rule: 'actual-4-5', proposal: null, setBy: 'admin1', confirmedBy: 'admin2' });
      const log = await get('/api/audit?q=approval-rule', admin1);
      expect(log.map((e: { action: string }) => e.action)).toEqual(['approval-rule.confirm', 'approval-rule.propose']);
    });

    it('under actual-4-5 a real level 3 goes out on one person, but a change to an approved alert still waits', async () => {
      const l3 = await issueAlert(c.app, issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Actual',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      expect(l3.json()).toMatchObject({ state: 'active', revision: 1 });
      const l4 = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Actual',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      const id4 = l4.json().id;
      expect(l4.json().state).toBe('pending-approval');
      await approve(id4);
      expect((await updateAlert(c.app, issuer, id4, { level: 3 })).json()).toMatchObject({
        revision: 1,
        pending: { revision: 2, level: 3 },
      });
      expect((await endAlert(c.app, issuer, id4)).json()).toMatchObject({
        state: 'active',
        pending: { msgType: 'Cancel' },
      });
    });

    it('drills are the municipality’s choice: under all, an exercise send waits for a second person too', async () => {
      expect((await post('/api/settings/approval-rule/propose', admin1, { rule: 'all' })).statusCode).toBe(200);
      expect((await post('/api/settings/approval-rule/confirm', admin2, { rule: 'all' })).statusCode).toBe(200);
      const drill = await issueAlert(c.app, issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      expect(drill.json()).toMatchObject({ state: 'pending-approval', revision: 0 });
      // the confirmation said so before the send
      const d2 = await post('/api/alerts', issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
        draft: true,
      });
      expect((await get(`/api/alerts/${d2.json().id}/confirmation`, issuer)).needsApproval).toBe(true);
    });
  });
}
