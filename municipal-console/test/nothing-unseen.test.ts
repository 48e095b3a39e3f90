/**
 * Issue 19, "Nothing goes out unseen" through the API (bare HTTP, real broker): a CAP import is
 * always a draft (an Alert a draft alert; an Update or Cancel of an active alert its draft
 * revision), an update is stored as a draft revision, and each goes out only by POST …/send with
 * the digest of its confirmation; lifting and cancelling an active alert need the digest of their
 * ending confirmation (400 KZ_CONSOLE_CONFIRMATION_REQUIRED without it). The TV sees nothing until
 * the send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import {
  bearer,
  consoleWith,
  issueAlert,
  ManualClock,
  seedTown,
  sendDraft,
  SimTv,
  staffToken,
  startBroker,
  until,
} from './helpers.ts';

const cap = (o: { identifier: string; msgType?: string; references?: string; level?: number; text?: string }) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${o.identifier}</identifier>
  <sender>bousai@city.example.jp</sender>
  <sent>2026-11-23T19:0${o.msgType ? '5' : '0'}:00+09:00</sent>
  <status>Exercise</status>
  <msgType>${o.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  ${o.references ? `<references>${o.references}</references>` : ''}
  <info>
    <language>ja-JP</language>
    <category>Met</category>
    <event>洪水</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2026-11-23T23:00:00+09:00</expires>
    <instruction>${o.text ?? '川沿いの道は通らないでください。'}</instruction>
    <parameter><valueName>EvacuationLevel</valueName><value>${o.level ?? 4}</value></parameter>
    <area>
      <areaDesc>川辺地区</areaDesc>
      <geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>
    </area>
  </info>
</alert>`;

const settle = () => new Promise((res) => setTimeout(res, 300));

for (const engine of dbEngines()) {
  describe(`nothing goes out unseen (API) on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let tv: SimTv;
    let issuer: string;
    const clock = new ManualClock();

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      tv = await SimTv.start(broker, 'tv-h1');
    });
    afterAll(async () => {
      await tv?.close().catch(() => undefined);
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    const post = (url: string, payload?: object) =>
      c.app.inject({ method: 'POST', url, headers: bearer(issuer), ...(payload ? { payload } : {}) });
    const get = (url: string) => c.app.inject({ url, headers: bearer(issuer) });
    const importCap = (xml: string, query = '') =>
      c.app.inject({
        method: 'POST',
        url: `/api/alerts/cap${query}`,
        headers: { ...bearer(issuer), 'content-type': 'application/cap+xml' },
        payload: xml,
      });
    const drill = async (zone = 'z-kawabe') => {
      const r = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T12:00:00Z',
        target: { zones: [zone] },
      });
      expect(r.statusCode, r.body).toBe(200);
      const id = r.json().id as string;
      await until(() => tv.latest(id)?.revision === 1, 'the drill on the TV');
      return id;
    };

    it('a CAP Alert is stored as a draft (with or without ?draft) and reaches the TV only when sent as confirmed', async () => {
      const r = await importCap(cap({ identifier: 'JP-999997-unseen-1' }));
      expect(r.statusCode, r.body).toBe(201);
      const id = r.json().id as string;
      expect(r.json()).toMatchObject({ state: 'draft', revision: 0 });
      await settle();
      expect(tv.latest(id)).toBeUndefined();

      const k = await get(`/api/alerts/${id}/confirmation`);
      expect(k.statusCode, k.body).toBe(200);
      expect(k.json()).toMatchObject({ msgType: 'Alert', areas: { zones: [{ id: 'z-kawabe', name: '川辺地区' }] } });
      const bare = await post(`/api/alerts/${id}/send`);
      expect(bare.statusCode).toBe(400);
      const sent = await sendDraft(c.app, issuer, id);
      expect(sent.statusCode, sent.body).toBe(200);
      expect(sent.json()).toMatchObject({ state: 'active', revision: 1 });
      await until(() => tv.latest(id)?.revision === 1, 'the imported alert on the TV');
    });

    it('a CAP Update of an active alert is its draft revision: the TV keeps revision 1 until it is sent as confirmed', async () => {
      const up = await importCap(
        cap({
          identifier: 'JP-999997-unseen-1-u',
          msgType: 'Update',
          references: 'bousai@city.example.jp,JP-999997-unseen-1,2026-11-23T19:00:00+09:00',
          level: 5,
          text: '直ちに避難してください。',
        }),
      );
      expect(up.statusCode, up.body).toBe(200);
      const id = up.json().id as string;
      expect(up.json()).toMatchObject({ state: 'active', revision: 1, level: 4, draft: { revision: 2, level: 5 } });
      await settle();
      expect(tv.latest(id)?.revision).toBe(1);

      const k = (await get(`/api/alerts/${id}/confirmation`)).json();
      expect(k).toMatchObject({ msgType: 'Update', revision: 2, onTvs: 1, level: 5 });
      const stale = await post(`/api/alerts/${id}/send`, { revision: 2, digest: 'a'.repeat(64) });
      expect(stale.statusCode, stale.body).toBe(409);
      expect(stale.json().code).toBe('KZ_CONSOLE_CONFIRMATION_STALE');
      const sent = await post(`/api/alerts/${id}/send`, { revision: k.revision, digest: k.digest });
      expect(sent.statusCode, sent.body).toBe(200);
      expect(sent.json()).toMatchObject({ state: 'active', revision: 2, level: 5, draft: null });
      await until(() => tv.latest(id)?.revision === 2, 'the update on the TV');
    });

    it('a CAP Cancel of an active alert is its draft Cancel: the TV keeps the alert until it is sent as confirmed', async () => {
      const cancel = await importCap(
        cap({
          identifier: 'JP-999997-unseen-1-c',
          msgType: 'Cancel',
          references: 'bousai@city.example.jp,JP-999997-unseen-1,2026-11-23T19:00:00+09:00',
        }),
      );
      expect(cancel.statusCode, cancel.body).toBe(200);
      const id = cancel.json().id as string;
      expect(cancel.json()).toMatchObject({ state: 'active', revision: 2, draft: { revision: 3, msgType: 'Cancel' } });
      await settle();
      expect(tv.latest(id)?.msgType).not.toBe('Cancel');

      const k = (await get(`/api/alerts/${id}/confirmation`)).json();
      expect(k).toMatchObject({ msgType: 'Cancel', end: 'sent-in-error', revision: 3, onTvs: 2 });
      const sent = await post(`/api/alerts/${id}/send`, { revision: k.revision, digest: k.digest });
      expect(sent.statusCode, sent.body).toBe(200);
      expect(sent.json()).toMatchObject({ state: 'cancelled', revision: 3 });
      await until(() => tv.latest(id)?.msgType === 'Cancel', 'the cancel on the TV');
    });

    it('POST …/update without draft: true is 400 and stores nothing; with it, the TV sees it only after the send', async () => {
      const id = await drill();
      const refused = await post(`/api/alerts/${id}/update`, { level: 5 });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().code).toBe('KZ_CONSOLE_CONFIRMATION_REQUIRED');
      expect((await get(`/api/alerts/${id}/revisions`)).json()).toHaveLength(1);

      const stored = await post(`/api/alerts/${id}/update`, { level: 5, draft: true });
      expect(stored.statusCode, stored.body).toBe(200);
      expect(stored.json()).toMatchObject({ state: 'active', revision: 1, level: 4, draft: { revision: 2, level: 5 } });
      await settle();
      expect(tv.latest(id)?.revision).toBe(1);
      // the page's preview shows what TVs get (revision 1), not the unsent draft
      expect((await get(`/api/alerts/${id}/preview`)).json()).toMatchObject({ revision: 1, level: 4 });
      const sent = await sendDraft(c.app, issuer, id);
      expect(sent.statusCode, sent.body).toBe(200);
      await until(() => tv.latest(id)?.level === 5, 'the update on the TV');
    });

    it('cancelling (取消) or lifting (解除) an active alert without its ending confirmation is 400 and reaches no TV', async () => {
      const id = await drill();
      for (const how of ['cancel', 'lift']) {
        const r = await post(`/api/alerts/${id}/${how}`);
        expect(r.statusCode, `${how}: ${r.body}`).toBe(400);
        expect(r.json().code).toBe('KZ_CONSOLE_CONFIRMATION_REQUIRED');
      }
      await settle();
      expect((await get(`/api/alerts/${id}`)).json()).toMatchObject({ state: 'active', revision: 1 });
      expect(tv.latest(id)?.msgType).toBe('Alert');
      // a draft never sent is still withdrawn with no body (nothing reaches a TV)
      const d = await post('/api/alerts', {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T12:00:00Z',
        target: { zones: ['z-kawabe'] },
        draft: true,
      });
      const w = await post(`/api/alerts/${d.json().id}/cancel`);
      expect(w.statusCode, w.body).toBe(200);
      expect(w.json()).toMatchObject({ state: 'cancelled' });
    });
  });
}
