/**
 * Import keeps what it was given; export round-trips (issue 20). Through the app on each database
 * engine: what was seen (sent became the import time, urgency changed, headlines replaced,
 * parameters and the JIS geocode dropped, the English event changed, areaDescs merged, re-import
 * changing it again), a level read from Japanese practice, a draft that asks for the level, and a
 * Kizuna change issued under Kizuna's own identity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { dbEngines } from '@kizuna/test-utils';
import { parseCap } from '../src/alerts/cap-import.ts';
import {
  bearer,
  consoleWith,
  ManualClock,
  MUNI,
  seedTown,
  sendDraft,
  staffToken,
  startBroker,
  updateAlert,
} from './helpers.ts';
import { FLOOD, floodAlert, OASIS_STYLE } from './cap-documents.ts';

const read = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => n === 'info' || n === 'parameter',
  }).parse(xml).alert;
/** What an import makes of a document (everything but where its elements stand). */
const imported = (xml: string) => {
  const { elements: _e, ...rest } = parseCap(xml);
  return rest;
};

for (const engine of dbEngines()) {
  describe(`CAP import keeps what it was given, export round-trips, on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let issuer: string;
    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, new ManualClock());
      await seedTown(db);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    const post = (payload: string) =>
      c.app.inject({
        method: 'POST',
        url: '/api/alerts/cap',
        headers: { ...bearer(issuer), 'content-type': 'application/cap+xml' },
        payload,
      });
    const exported = async (id: string) => {
      const r = await c.app.inject({ url: `/api/alerts/${id}/cap`, headers: bearer(issuer) });
      expect(r.statusCode, r.body).toBe(200);
      return r.body;
    };
    /** Import and send as staff do: every import is a draft, sent as its confirmation showed it (issue 19). */
    const sent = async (payload: string) => {
      const r = await post(payload);
      expect(r.statusCode, r.body).toBe(201);
      const x = await sendDraft(c.app, issuer, r.json().id);
      expect(x.statusCode, x.body).toBe(200);
      return x;
    };

    it('exports an imported alert with its identity, sent and content as given', async () => {
      const r = await sent(floodAlert());
      expect(r.json()).toMatchObject({ state: 'active', level: 4, identifier: FLOOD.identifier });
      const xml = await exported(r.json().id);
      const doc = read(xml);
      // identity and sent as given (not the import time)
      expect.soft(doc).toMatchObject({ identifier: FLOOD.identifier, sender: FLOOD.sender, sent: FLOOD.sent });
      // one <info> per <info> given, each in its language, with its own texts
      expect.soft(doc.info.map((i: { language: string }) => i.language)).toEqual(['ja-JP', 'en-US', 'es-US']);
      const byLang = (l: string) => doc.info.find((i: { language: string }) => i.language === l) ?? {};
      const [ja, en, es] = [byLang('ja-JP'), byLang('en-US'), byLang('es-US')];
      expect.soft([ja.urgency, en.urgency, es.urgency]).toEqual(['Immediate', 'Immediate', 'Immediate']);
      expect.soft(ja.headline).toBe('川辺川 氾濫危険水位に到達');
      expect.soft(en.headline).toBe('Kawabe River at flood danger level');
      expect.soft(es.headline).toBe('Río Kawabe en nivel de peligro');
      expect.soft(en.event).toBe('River Flood Warning');
      expect.soft(ja.instruction).toBe('川沿いの道は通らないでください。');
      expect.soft(en.instruction).toBe('Avoid the river road.');
      expect.soft(ja.parameter).toEqual([
        { valueName: 'EvacuationLevel', value: '4' },
        { valueName: 'RiverName', value: '川辺川' },
      ]);
      expect.soft(ja.area?.geocode).toEqual({ valueName: 'JIS', value: '08220' });
      // each language keeps its own areaDesc
      expect
        .soft([ja.area?.areaDesc, en.area?.areaDesc, es.area?.areaDesc])
        .toEqual(['川辺地区', 'Kawabe district', 'Distrito Kawabe']);
      // re-importing the export reads the same, and exports the same again
      expect.soft(imported(xml)).toEqual(imported(floodAlert()));
      expect.soft(xml.match(/川辺地区/g)).toHaveLength(1);
      expect.soft(xml.match(/川沿いの道は通らないでください。/g)).toHaveLength(1);
    });

    it('a change Kizuna makes is issued under its own identifier and sender, referencing the original', async () => {
      const r = await sent(floodAlert({ identifier: 'JP-pref-kasen-2026-0043' }));
      const id = r.json().id;
      const up = await updateAlert(c.app, issuer, id, { level: 5 });
      expect(up.statusCode, up.body).toBe(200);
      const doc = read(await exported(id));
      expect(doc.sender).toBe(`kizuna.muni-${MUNI}.jp`);
      expect(doc.identifier).not.toBe('JP-pref-kasen-2026-0043');
      expect(doc.references).toBe(`${FLOOD.sender},JP-pref-kasen-2026-0043,${FLOOD.sent}`);
      expect(doc.info[0].parameter).toContainEqual({ valueName: 'EvacuationLevel', value: '5' });
      // what Kizuna issued can itself be referenced: a Cancel naming it finds the alert
      const cancel = await post(
        floodAlert({ identifier: 'JP-pref-kasen-2026-0043c' })
          .replace('<msgType>Alert</msgType>', '<msgType>Cancel</msgType>')
          .replace(
            '<scope>Public</scope>',
            `<scope>Public</scope><references>${doc.sender},${doc.identifier},${doc.sent}</references>`,
          )
          .replace(/<info>[\s\S]*<\/info>/, ''),
      );
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(cancel.json()).toMatchObject({ id, state: 'active', draft: { msgType: 'Cancel' } });
      expect((await sendDraft(c.app, issuer, id)).json()).toMatchObject({ id, state: 'cancelled' });
    });

    it('reads the level from Japanese practice: 発令区分 避難指示 and an eventCode 警戒レベル', async () => {
      const byWord = floodAlert({ identifier: 'JP-pref-kasen-2026-0044', level: '' }).replace(
        '<parameter><valueName>RiverName</valueName>',
        '<parameter><valueName>発令区分</valueName><value>避難指示</value></parameter><parameter><valueName>RiverName</valueName>',
      );
      const a = await sent(byWord);
      expect(a.json()).toMatchObject({ level: 4, state: 'active' });
      const byCode = floodAlert({ identifier: 'JP-pref-kasen-2026-0045', level: '' }).replace(
        '<expires>2026-11-23T23:00:00+09:00</expires>\n    <senderName>',
        '<eventCode><valueName>警戒レベル</valueName><value>警戒レベル5</value></eventCode><expires>2026-11-23T23:00:00+09:00</expires>\n    <senderName>',
      );
      const b = await sent(byCode);
      expect(b.json()).toMatchObject({ level: 5, state: 'active' });
    });

    it('a document without a level becomes a draft that asks for it; sent only once staff answer', async () => {
      const r = await post(
        OASIS_STYLE.replace(
          /<polygon>[^<]*<\/polygon>/,
          '<polygon>36.003,140.003 36.003,140.007 36.007,140.007 36.007,140.003 36.003,140.003</polygon>',
        ),
      );
      expect(r.statusCode, r.body).toBe(201);
      const id = r.json().id;
      expect(r.json()).toMatchObject({ state: 'draft', spec: { cap: { warnings: ['level-unknown'] } } });
      const shown = await c.app.inject({ url: `/api/alerts/${id}/confirmation`, headers: bearer(issuer) });
      const send = () =>
        c.app.inject({
          method: 'POST',
          url: `/api/alerts/${id}/send`,
          headers: bearer(issuer),
          payload: { revision: shown.json().revision, digest: shown.json().digest },
        });
      const refused = await send();
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json().code).toBe('KZ_CONSOLE_LEVEL_UNKNOWN');
      // as given until staff answer: the export is the document itself
      expect(read(await exported(id))).toMatchObject({
        identifier: 'KSTO1055887203',
        sent: '2026-11-23T10:57:00-07:00',
      });
      const bad = await c.app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/level`,
        headers: bearer(issuer),
        payload: { level: 2 },
      });
      expect(bad.statusCode).toBe(400);
      const answered = await c.app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/level`,
        headers: bearer(issuer),
        payload: { level: 4 },
      });
      expect(answered.statusCode, answered.body).toBe(200);
      expect(answered.json()).toMatchObject({ state: 'draft', level: 4 });
      expect(answered.json().spec.cap.warnings).toBeUndefined();
      const again = await c.app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/level`,
        headers: bearer(issuer),
        payload: { level: 5 },
      });
      expect(again.statusCode).toBe(409);
      const now = await c.app.inject({ url: `/api/alerts/${id}/confirmation`, headers: bearer(issuer) });
      expect(now.json()).toMatchObject({ level: 4 });
      const sent = await c.app.inject({
        method: 'POST',
        url: `/api/alerts/${id}/send`,
        headers: bearer(issuer),
        payload: { revision: now.json().revision, digest: now.json().digest },
      });
      expect(sent.statusCode, sent.body).toBe(200);
      // Kizuna set the level: its message, referencing the one it was given
      const doc = read(await exported(id));
      expect(doc.sender).toBe(`kizuna.muni-${MUNI}.jp`);
      expect(doc.references).toBe('KSTO@NWS.NOAA.GOV,KSTO1055887203,2026-11-23T10:57:00-07:00');
    });

    it('an Update without a level is refused by name (nothing to ask staff while TVs show the alert)', async () => {
      await sent(floodAlert({ identifier: 'JP-pref-kasen-2026-0046' }));
      const u = await post(
        floodAlert({ identifier: 'JP-pref-kasen-2026-0046u', level: '' })
          .replace('<msgType>Alert</msgType>', '<msgType>Update</msgType>')
          .replace(
            '<scope>Public</scope>',
            `<scope>Public</scope><references>${FLOOD.sender},JP-pref-kasen-2026-0046,${FLOOD.sent}</references>`,
          ),
      );
      expect(u.statusCode, u.body).toBe(400);
      expect(u.json()).toMatchObject({ code: 'KZ_CONSOLE_CAP_INVALID', details: { reason: 'level-required' } });
    });
  });
}
