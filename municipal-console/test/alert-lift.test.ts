/**
 * Issues 18/19: lifting (解除: the danger is over) beside cancelling (取消: sent in error). Each has
 * its own confirmation (GET …/ending?end=…: what goes out and to whom, with a digest), its own audit
 * entry, its own end state and words on the TVs, and its own CAP mapping: a lifting is an Update
 * with responseType AllClear, a cancel a Cancel whose note says it was sent in error.
 * Bare HTTP, real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
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
} from './helpers.ts';

interface Ending {
  alertId: string;
  end: string;
  revision: number;
  onTvs: number;
  counts: { devices: number; residents: number; zones: number };
  areas: { zones: { id: string; name: string }[] };
  needsApproval: boolean;
  digest: string;
}

for (const engine of dbEngines()) {
  describe(`lifting and cancelling on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let tv: SimTv;
    let issuer: string;
    let admin: string;
    const clock = new ManualClock();

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      admin = await staffToken(c.app, 'admin1', ['admin']);
      tv = await SimTv.start(broker, 'tv-h1');
    });
    afterAll(async () => {
      await tv?.close().catch(() => undefined);
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    const post = (url: string, token: string, payload?: object) =>
      c.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
    const get = (url: string, token = issuer) => c.app.inject({ url, headers: bearer(token) });
    /** A drill on 川辺地区 (no second person under the default rule), on the TV. */
    const drill = async () => {
      const r = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T12:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      expect(r.statusCode, r.body).toBe(200);
      const id = r.json().id as string;
      await until(() => tv.latest(id)?.revision === 1, 'the drill on the TV');
      return id;
    };
    const ending = async (id: string, end: string) => {
      const r = await get(`/api/alerts/${id}/ending?end=${end}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Ending;
    };
    const audit = async (action: string, subject: string) => {
      const r = await get(`/api/audit?action=${action}`, admin);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as { subject: string; details: Record<string, unknown> }[]).find((e) => e.subject === subject);
    };
    const cap = async (id: string) => {
      const r = await get(`/api/alerts/${id}/cap`);
      expect(r.statusCode, r.body).toBe(200);
      return new XMLParser().parse(r.body).alert as {
        msgType: string;
        note?: string;
        references?: string;
        info: {
          responseType: string;
          urgency: string;
          headline: string;
          parameter: { valueName: string; value: string }[];
        }[];
      };
    };

    it('lifting needs its confirmation: none is 400, another digest 409, and nothing reaches the TV', async () => {
      const id = await drill();
      const k = await ending(id, 'lifted');
      expect(k).toMatchObject({
        alertId: id,
        end: 'lifted',
        revision: 2,
        onTvs: 1,
        areas: { zones: [{ id: 'z-kawabe', name: '川辺地区' }] },
        needsApproval: false,
      });
      expect(k.counts.devices).toBeGreaterThan(0);
      expect(k.digest).toMatch(/^[0-9a-f]{64}$/);
      // the two actions are shown differently: their digests differ
      expect((await ending(id, 'sent-in-error')).digest).not.toBe(k.digest);

      const bare = await post(`/api/alerts/${id}/lift`, issuer);
      expect(bare.statusCode, bare.body).toBe(400);
      const stale = await post(`/api/alerts/${id}/lift`, issuer, { revision: 2, digest: 'b'.repeat(64) });
      expect(stale.statusCode, stale.body).toBe(409);
      expect(stale.json()).toMatchObject({ code: 'KZ_CONSOLE_CONFIRMATION_STALE', details: { digest: k.digest } });
      await new Promise((res) => setTimeout(res, 200));
      expect(tv.latest(id)?.revision).toBe(1);
      expect((await get(`/api/alerts/${id}`)).json()).toMatchObject({ state: 'active' });
    });

    it('a lifting reaches the TV as a Cancel that says lifted, ends the alert lifted, is audited and is a CAP Update AllClear', async () => {
      const id = await drill();
      const k = await ending(id, 'lifted');
      const r = await post(`/api/alerts/${id}/lift`, issuer, { revision: k.revision, digest: k.digest });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'lifted', revision: 2 });
      await until(() => tv.latest(id)?.revision === 2, 'the lifting on the TV');
      const m = tv.latest(id)!;
      expect(m).toMatchObject({ msgType: 'Cancel', end: 'lifted' });
      expect(m.recipients[0]!.headline).toContain('解除されました');
      expect((await audit('alert.lift', id))?.details).toMatchObject({ revision: 2, end: 'lifted', digest: k.digest });
      const revs = (await get(`/api/alerts/${id}/revisions`)).json() as { revision: number; end?: string }[];
      expect(revs.find((x) => x.revision === 2)).toMatchObject({ msgType: 'Cancel', end: 'lifted' });

      const doc = await cap(id);
      expect(doc.msgType).toBe('Update');
      expect(doc.references).toContain(id);
      expect(doc.info[0]).toMatchObject({ responseType: 'AllClear', urgency: 'Past' });
      expect(doc.info[0]!.parameter).toContainEqual({ valueName: '発令・解除区分', value: '解除' });
      // lifted once: neither action applies again
      const again = await post(`/api/alerts/${id}/lift`, issuer, { revision: 3, digest: k.digest });
      expect(again.json().code).toBe('KZ_CONSOLE_ALERT_STATE');
    });

    it('a cancel says it was sent in error, on the TV, in the audit and as a CAP Cancel', async () => {
      const id = await drill();
      const k = await ending(id, 'sent-in-error');
      const r = await post(`/api/alerts/${id}/cancel`, issuer, { revision: k.revision, digest: k.digest });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ state: 'cancelled', revision: 2 });
      await until(() => tv.latest(id)?.revision === 2, 'the cancel on the TV');
      const m = tv.latest(id)!;
      expect(m).toMatchObject({ msgType: 'Cancel', end: 'sent-in-error' });
      expect(m.recipients[0]!.headline).toContain('誤って送信');
      expect((await audit('alert.cancel', id))?.details).toMatchObject({ revision: 2, end: 'sent-in-error' });

      const doc = await cap(id);
      expect(doc.msgType).toBe('Cancel');
      expect(doc.note).toContain('sent in error');
      expect(doc.info[0]!.responseType).not.toBe('AllClear');
    });

    it('a draft cannot be lifted (it is withdrawn with cancel)', async () => {
      const r = await post('/api/alerts', issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        draft: true,
        expires: '2026-11-23T12:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      const id = r.json().id as string;
      const e = await get(`/api/alerts/${id}/ending?end=lifted`);
      expect(e.json().code).toBe('KZ_CONSOLE_ALERT_STATE');
      const lift = await post(`/api/alerts/${id}/lift`, issuer, { revision: 2, digest: 'c'.repeat(64) });
      expect(lift.statusCode).toBe(409);
      expect(lift.json().code).toBe('KZ_CONSOLE_ALERT_STATE');
    });
  });
}
