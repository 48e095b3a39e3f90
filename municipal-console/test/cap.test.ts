/** CAP 1.2 import (errors name the field) and export, and the import API driving the same alert rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { dbEngines } from '@kizuna/test-utils';
import { CAP_REFUSALS, parseCap, type CapRefusal } from '../src/alerts/cap-import.ts';
import {
  bearer,
  consoleWith,
  ManualClock,
  seedTown,
  sendDraft,
  SimTv,
  staffToken,
  startBroker,
  until,
} from './helpers.ts';

const cap = (over: Record<string, string> = {}, info = '') => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${over.identifier ?? 'JP-999997-test-1'}</identifier>
  <sender>${over.sender ?? 'bousai@city.example.jp'}</sender>
  <sent>${over.sent ?? '2026-11-23T19:00:00+09:00'}</sent>
  <status>${over.status ?? 'Exercise'}</status>
  <msgType>${over.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  ${over.references ? `<references>${over.references}</references>` : ''}
  <info>
    <language>ja-JP</language>
    <category>${over.category ?? 'Met'}</category>
    <event>${over.event ?? '洪水'}</event>
    <urgency>${over.urgency ?? 'Expected'}</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    ${over.expires === '' ? '' : `<expires>${over.expires ?? '2026-11-23T23:00:00+09:00'}</expires>`}
    <instruction>川沿いの道は通らないでください。</instruction>
    ${over.level === '' ? '' : `<parameter><valueName>EvacuationLevel</valueName><value>${over.level ?? '4'}</value></parameter>`}
    <area>
      <areaDesc>川辺地区</areaDesc>
      ${over.area ?? '<geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>'}
    </area>
  </info>
  ${info}
</alert>`;

describe('CAP 1.2 import', () => {
  it('reads level, hazard, expiry, zones, polygon and circle', () => {
    const x = parseCap(
      cap({
        area: '<polygon>36.0,140.0 36.0,140.01 36.01,140.01 36.0,140.0</polygon><circle>36.01,140.01 0.5</circle><geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>',
      }),
    );
    expect(x.msgType).toBe('Alert');
    expect(x.spec).toMatchObject({
      level: 4,
      hazard: 'flood',
      status: 'Exercise',
      expires: '2026-11-23T14:00:00.000Z',
    });
    expect(x.spec!.target.zones).toEqual(['z-kawabe']);
    expect(x.spec!.target.polygon).toEqual([
      [140.0, 36.0],
      [140.01, 36.0],
      [140.01, 36.01],
      [140.0, 36.0],
    ]);
    expect(x.spec!.target.circle).toEqual({ lat: 36.01, lon: 140.01, radiusM: 500 });
    expect(x.spec!.extra?.ja).toBe('川沿いの道は通らないでください。');
  });

  it("keeps an area once when every language's <info> repeats it, and still refuses two different polygons", () => {
    const poly = '<polygon>36.0,140.0 36.0,140.01 36.01,140.01 36.0,140.0</polygon>';
    const english = `<info><language>en</language><category>Met</category><event>Flood</event><urgency>Expected</urgency><severity>Severe</severity>
      <certainty>Likely</certainty><expires>2026-11-23T23:00:00+09:00</expires><instruction>Avoid the river road.</instruction>
      <area><areaDesc>川辺地区</areaDesc>${poly}</area></info>`;
    const x = parseCap(cap({ area: poly }, english));
    expect(x.spec!.cap?.areaDesc).toBe('川辺地区');
    expect(x.spec!.target.polygon).toHaveLength(4);
    expect(x.spec!.extra?.en).toBe('Avoid the river road.');
    const other = english.replace(poly, '<polygon>35.0,139.0 35.0,139.01 35.01,139.01 35.0,139.0</polygon>');
    expect(() => parseCap(cap({ area: poly }, other))).toThrow(/only one polygon/);
  });

  it('reads no level as unknown (a draft that asks staff), and a level from 避難指示 or an eventCode', () => {
    expect(parseCap(cap({ level: '' })).spec!.cap?.warnings).toEqual(['level-unknown']);
    const word = cap({ level: '' }).replace(
      '</instruction>',
      '</instruction><parameter><valueName>避難情報</valueName><value>緊急安全確保</value></parameter>',
    );
    expect(parseCap(word).spec).toMatchObject({ level: 5 });
    expect(parseCap(word).spec!.cap?.warnings).toBeUndefined();
  });

  const cases: [string, string, RegExp, CapRefusal][] = [
    ['level 2', cap({ level: '2' }), /EvacuationLevel\]\/value must be 3, 4 or 5/, 'level-value'],
    ['bad urgency', cap({ urgency: 'Soon' }), /\/alert\/info\[1\]\/urgency must be one of/, 'one-of'],
    ['bad category', cap({ category: 'Weather' }), /\/alert\/info\[1\]\/category\[1\]/, 'one-of'],
    ['Z time', cap({ sent: '2026-11-23T10:00:00Z' }), /\/alert\/sent must be a CAP dateTime/, 'date-time'],
    ['no expiry', cap({ expires: '' }), /\/alert\/info\/expires is required/, 'expires-required'],
    ['no area', cap({ area: '' }), /\/alert\/info\/area needs a polygon/, 'area-required'],
    [
      'open polygon',
      cap({ area: '<polygon>36,140 36,141 37,141 37,140</polygon>' }),
      /polygon\[1\] first and last points/,
      'polygon-open',
    ],
    ['unknown hazard', cap({ event: '隕石' }), /kizuna:hazard/, 'hazard-required'],
    ['Draft status', cap({ status: 'Draft' }), /\/alert\/status Draft messages/, 'not-shown'],
    [
      'Update without references',
      cap({ msgType: 'Update' }),
      /\/alert\/references is required for Update/,
      'references-required',
    ],
    [
      'identifier with a space',
      cap({ identifier: 'a b' }),
      /\/alert\/identifier must not contain/,
      'identifier-characters',
    ],
    ['not XML', '<alert><identifier>x</alert>', /not well-formed XML/, 'not-xml'],
    ['wrong root', '<feed/>', /\/alert root element is missing/, 'no-alert'],
  ];
  for (const [name, xml, re, reason] of cases) {
    it(`refuses ${name}, naming the field and the reason`, () => {
      expect(() => parseCap(xml)).toThrow(re);
      try {
        parseCap(xml);
      } catch (e) {
        expect(e).toMatchObject({ code: 'KZ_CONSOLE_CAP_INVALID', details: { reason } });
        expect(CAP_REFUSALS).toContain(reason);
      }
    });
  }
});

for (const engine of dbEngines()) {
  describe(`CAP import and export API on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let token: string;
    let tv: SimTv;
    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, new ManualClock());
      await seedTown(db);
      token = await staffToken(c.app, 'issuer1', ['issuer']);
      tv = await SimTv.start(broker, 'tv-h1');
    });
    afterAll(async () => {
      await tv?.close();
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    it('imports an alert as a draft, sends it, exports it as CAP 1.2 and applies a CAP Cancel once sent', async () => {
      const r = await c.app.inject({
        method: 'POST',
        url: '/api/alerts/cap',
        headers: { ...bearer(token), 'content-type': 'application/cap+xml' },
        payload: cap(),
      });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ state: 'draft', revision: 0 });
      const s = await sendDraft(c.app, token, r.json().id);
      expect(s.statusCode, s.body).toBe(200);
      const a = s.json();
      expect(a).toMatchObject({
        identifier: 'JP-999997-test-1',
        sender: 'bousai@city.example.jp',
        level: 4,
        state: 'active',
      });
      const m = await until(() => tv.latest(a.id), 'imported alert on the TV');
      expect(m.recipients[0]!.instruction).toContain('川沿いの道は通らないでください。');

      const x = await c.app.inject({ url: `/api/alerts/${a.id}/cap`, headers: bearer(token) });
      expect(x.headers['content-type']).toContain('application/cap+xml');
      const doc = new XMLParser({ ignoreAttributes: false }).parse(x.body);
      expect(doc.alert['@_xmlns']).toBe('urn:oasis:names:tc:emergency:cap:1.2');
      expect(doc.alert).toMatchObject({
        identifier: 'JP-999997-test-1',
        status: 'Exercise',
        msgType: 'Alert',
        scope: 'Public',
      });
      // the document as it was given (issue 20): its one <info>, its sent
      expect(doc.alert.sent).toBe('2026-11-23T19:00:00+09:00');
      expect(doc.alert.info).toMatchObject({ language: 'ja-JP', event: '洪水', urgency: 'Expected' });
      expect(doc.alert.info.parameter).toEqual({ valueName: 'EvacuationLevel', value: 4 });
      // what we export, we can import again
      const again = parseCap(x.body.replace('JP-999997-test-1', 'JP-999997-test-copy'));
      expect(again.spec!).toMatchObject({
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        target: { zones: ['z-kawabe'] },
      });

      const bad = await c.app.inject({
        method: 'POST',
        url: '/api/alerts/cap',
        headers: { ...bearer(token), 'content-type': 'application/xml' },
        payload: cap({ urgency: 'Soon', identifier: 'other' }),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        code: 'KZ_CONSOLE_CAP_INVALID',
        details: {
          field: '/alert/info[1]/urgency',
          reason: 'one-of',
          allowed: 'Immediate, Expected, Future, Past, Unknown',
          got: 'Soon',
        },
      });

      const cancel = await c.app.inject({
        method: 'POST',
        url: '/api/alerts/cap',
        headers: { ...bearer(token), 'content-type': 'application/cap+xml' },
        payload: cap({
          identifier: 'JP-999997-test-2',
          msgType: 'Cancel',
          references: 'bousai@city.example.jp,JP-999997-test-1,2026-11-23T19:00:00+09:00',
        }),
      });
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(cancel.json()).toMatchObject({ id: a.id, state: 'active', draft: { msgType: 'Cancel', revision: 2 } });
      const done = await sendDraft(c.app, token, a.id);
      expect(done.json()).toMatchObject({ id: a.id, state: 'cancelled', msgType: 'Cancel', revision: 2 });
      const exported = new XMLParser().parse(
        (await c.app.inject({ url: `/api/alerts/${a.id}/cap`, headers: bearer(token) })).body,
      );
      expect(exported.alert).toMatchObject({ identifier: 'JP-999997-test-1-r2', msgType: 'Cancel' });
      expect(exported.alert.references).toMatch(/^[^,]+,JP-999997-test-1,2026-11-23T/);
    });
  });
}
