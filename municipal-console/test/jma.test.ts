/**
 * JMA disaster XML (issue 20): the parser reads the three kinds from documents written from the
 * published format and refuses what it does not understand by name; the Cabinet Office table maps
 * kinds to 警戒レベル相当; the store turns a document into suggestions for the municipality's own
 * area codes, supersedes them with the stream's next document and withdraws them on 取消.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KzError } from '@kizuna/core';
import { dbEngines, jmaLandslide, jmaRiver, jmaWarning, JMA_DEMO_CITY, JMA_OTHER_CITY } from '@kizuna/test-utils';
import { migrateConsole } from '../src/app.ts';
import { parseJma } from '../src/jma/jma-document.ts';
import { levelsOf } from '../src/jma/jma-levels.ts';
import { suggestionsFor } from '../src/jma/jma-suggest.ts';
import { openSuggestions, receiveJma, setJmaAreas } from '../src/jma/jma-store.ts';
import { seedTown } from './helpers.ts';

function refusal(input: string | Uint8Array): { reason: string; field: string } {
  try {
    parseJma(input);
  } catch (e) {
    expect(e).toBeInstanceOf(KzError);
    expect((e as KzError).code).toBe('KZ_CONSOLE_JMA_INVALID');
    return (e as KzError).details as { reason: string; field: string };
  }
  throw new Error('accepted');
}

const OURS = {
  codes: new Map([[JMA_DEMO_CITY.code, JMA_DEMO_CITY.name]]),
  zonesByHazard: new Map([
    ['flood', ['z-kawabe']],
    ['landslide', ['z-yamate']],
  ]),
  allZones: ['z-kawabe', 'z-yamate'],
};

describe('JMA document parser', () => {
  it('reads a 気象警報 document: identity, and the kinds per area code', () => {
    const d = parseJma(
      jmaWarning([
        { name: '大雨特別警報', code: '33', notes: ['土砂災害特別警戒', '浸水特別警戒'] },
        { name: '洪水警報', code: '04', status: '継続' },
      ]),
    );
    expect(d).toMatchObject({
      kind: 'weather-warning',
      status: '通常',
      infoType: '発表',
      eventId: '',
      serial: null,
      publishingOffice: '絆地方気象台',
      reportDateTime: '2026-07-01T01:00:00.000Z',
    });
    const ours = d.entries.filter((e) => e.areaCodes.includes(JMA_DEMO_CITY.code));
    expect(ours.map((e) => [e.name, e.status])).toEqual([
      ['大雨特別警報', '発表'],
      ['洪水警報', '継続'],
    ]);
    expect(ours[0]!.notes).toEqual(['土砂災害特別警戒', '浸水特別警戒']);
    // the prefecture-wide section is not read: its codes are no municipality's
    expect(d.entries.some((e) => e.areaCodes.includes('990000'))).toBe(false);
    expect(d.entries.find((e) => e.areaCodes.includes(JMA_OTHER_CITY.code))?.name).toBe('大雨注意報');
  });

  it('reads a 土砂災害警戒情報 and a 指定河川洪水予報 (the river and the flooded municipalities)', () => {
    const l = parseJma(jmaLandslide({ serial: 3 }));
    expect(l).toMatchObject({ kind: 'landslide', eventId: 'kizuna-landslide-1', serial: 3 });
    expect(l.entries.map((e) => [e.name, e.areaCodes])).toEqual([
      ['警戒', [JMA_DEMO_CITY.code]],
      ['なし', [JMA_OTHER_CITY.code]],
    ]);
    const r = parseJma(jmaRiver({ name: '氾濫危険情報', code: '40' }));
    expect(r.kind).toBe('river-flood');
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0]!.name).toBe('氾濫危険情報');
    expect(r.entries[0]!.areaCodes).toEqual(['999990000100', JMA_DEMO_CITY.code]);
  });

  it('reads a 取消 without a body', () => {
    const d = parseJma(jmaLandslide({ infoType: '取消', serial: 2 }));
    expect(d.infoType).toBe('取消');
    expect(d.entries).toEqual([]);
  });

  it('refuses what it does not understand, naming the reason', () => {
    const good = jmaLandslide();
    expect(refusal('<Report/>').reason).toBe('not-jma');
    expect(refusal(good.replace('xmlns="http://xml.kishou.go.jp/jmaxml1/" ', '')).reason).toBe('not-jma');
    expect(refusal(good.replace(/<Title>土砂災害警戒情報<\/Title>/, '<Title>府県天気予報</Title>'))).toMatchObject({
      reason: 'unsupported-kind',
      field: '/Report/Control/Title',
    });
    expect(refusal(good.replace('<Status>通常</Status>', '<Status>本番</Status>')).reason).toBe('status');
    expect(refusal(good.replace('<InfoType>発表</InfoType>', '<InfoType>更新</InfoType>')).reason).toBe('info-type');
    expect(refusal(good.replace('<InfoType>発表</InfoType>', '<InfoType></InfoType>'))).toMatchObject({
      reason: 'required',
      field: '/Report/Head/InfoType',
    });
    expect(refusal(good.replace(/<ReportDateTime>[^<]*/, '<ReportDateTime>2026-07-01 10:00')).reason).toBe('date-time');
    expect(refusal(good.replace('<Serial>1</Serial>', '<Serial>one</Serial>')).reason).toBe('serial');
    expect(refusal(good.replace(/<Warning type="土砂災害警戒情報">[\s\S]*<\/Warning>/, '')).reason).toBe('no-areas');
    expect(
      refusal(
        good.replace(
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        ),
      ).reason,
    ).toBe('doctype');
    expect(refusal(good.replace('</Control>', '</Head>')).reason).toBe('not-xml');
    expect(
      refusal(Buffer.concat([Buffer.from(good.slice(0, 100)), Buffer.from([0xff, 0xfe]), Buffer.from(good.slice(100))]))
        .reason,
    ).toBe('utf-8');
    expect(
      refusal(`<Report xmlns="http://xml.kishou.go.jp/jmaxml1/">${'<a>'.repeat(40)}${'</a>'.repeat(40)}</Report>`)
        .reason,
    ).toBe('depth');
  });
});

describe('警戒レベル相当 (避難情報に関するガイドライン, 令和3年5月)', () => {
  const one = (doc: Parameters<typeof levelsOf>[0], name: string, status = '発表', notes: string[] = []) =>
    levelsOf(doc, { name, code: '', status, notes, areaCodes: [], areaNames: [] }).map((m) => `${m.level}:${m.hazard}`);

  it('maps each kind as the guideline does', () => {
    expect(one('weather-warning', '大雨特別警報', '発表', ['土砂災害特別警戒'])).toEqual(['5:landslide']);
    expect(one('weather-warning', '大雨特別警報', '発表', ['浸水特別警戒'])).toEqual(['5:flood']);
    expect(one('weather-warning', '大雨特別警報')).toEqual(['5:landslide', '5:flood']);
    expect(one('weather-warning', '高潮特別警報')).toEqual(['4:storm-surge']);
    expect(one('weather-warning', '高潮警報')).toEqual(['4:storm-surge']);
    expect(one('weather-warning', '洪水警報')).toEqual(['3:flood']);
    expect(one('weather-warning', '大雨警報', '発表', ['土砂災害警戒'])).toEqual(['3:landslide']);
    expect(one('weather-warning', '大雨警報', '発表', ['浸水警戒'])).toEqual([]);
    expect(one('weather-warning', '高潮注意報', '発表', ['警報に切り替える可能性が高い'])).toEqual(['3:storm-surge']);
    expect(one('weather-warning', '高潮注意報')).toEqual([]);
    expect(one('weather-warning', '大雨注意報')).toEqual([]);
    expect(one('weather-warning', '暴風警報')).toEqual([]);
    expect(one('landslide', '警戒')).toEqual(['4:landslide']);
    expect(one('river-flood', '氾濫発生情報')).toEqual(['5:flood']);
    expect(one('river-flood', '氾濫危険情報')).toEqual(['4:flood']);
    expect(one('river-flood', '氾濫警戒情報')).toEqual(['3:flood']);
    expect(one('river-flood', '氾濫注意情報')).toEqual([]);
  });

  it('a lifted kind suggests nothing', () => {
    expect(one('weather-warning', '洪水警報', '解除')).toEqual([]);
    expect(one('landslide', '警戒', '解除')).toEqual([]);
  });

  it('only the municipality’s own codes count; per hazard the highest level, with the zones it concerns', () => {
    const d = parseJma(
      jmaWarning([
        { name: '大雨特別警報', code: '33', notes: ['浸水特別警戒'] },
        { name: '洪水警報', code: '04' },
        { name: '大雨警報', code: '03', notes: ['土砂災害警戒'] },
      ]),
    );
    expect(suggestionsFor(d, OURS)).toEqual([
      { level: 5, hazard: 'flood', kinds: ['大雨特別警報'], zones: ['z-kawabe'], areaNames: ['絆市'] },
      { level: 3, hazard: 'landslide', kinds: ['大雨警報'], zones: ['z-yamate'], areaNames: ['絆市'] },
    ]);
    // the same document for the neighbour's code only: nothing for us
    expect(suggestionsFor(parseJma(jmaWarning([{ name: '洪水警報', code: '04' }], {}, JMA_OTHER_CITY)), OURS)).toEqual(
      [],
    );
    // a hazard no zone lists concerns every zone
    expect(suggestionsFor(parseJma(jmaWarning([{ name: '高潮警報', code: '08' }])), OURS)[0]!.zones).toEqual([
      'z-kawabe',
      'z-yamate',
    ]);
  });
});

for (const engine of dbEngines()) {
  describe(`JMA suggestions stored on ${engine.name}`, () => {
    let db: Awaited<ReturnType<typeof engine.open>>;
    const at = (min: number) => new Date(Date.UTC(2026, 6, 1, 1, min));
    const jst = (min: number) => `2026-07-01T10:${String(min).padStart(2, '0')}:00+09:00`;
    const receive = (xml: string, min: number) => receiveJma(db, parseJma(xml), at(min), 'receiver');

    beforeAll(async () => {
      db = await engine.open();
      await migrateConsole(db);
      await seedTown(db);
      await setJmaAreas(db, {
        areas: [{ code: JMA_DEMO_CITY.code, name: JMA_DEMO_CITY.name }],
        zoneHazards: [
          { zone: 'z-kawabe', hazard: 'flood' },
          { zone: 'z-yamate', hazard: 'landslide' },
        ],
      });
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('a 土砂災害警戒情報 opens a level-4 landslide suggestion; its 取消 withdraws it', async () => {
      const first = await receive(jmaLandslide({ reportDateTime: jst(0), serial: 1 }), 0);
      expect(first.outcome).toBe('applied');
      expect(first.opened.map((s) => [s.level, s.hazard, s.zones, s.state])).toEqual([
        [4, 'landslide', ['z-yamate'], 'open'],
      ]);
      expect((await openSuggestions(db)).map((s) => s.id)).toEqual([first.opened[0]!.id]);
      // the same document again changes nothing
      expect((await receive(jmaLandslide({ reportDateTime: jst(0), serial: 1 }), 1)).outcome).toBe('duplicate');
      const cancel = await receive(jmaLandslide({ reportDateTime: jst(5), serial: 2, infoType: '取消' }), 5);
      expect(cancel).toMatchObject({ outcome: 'applied', closed: 1, opened: [] });
      expect(await openSuggestions(db)).toEqual([]);
      const row = await db.query<{ state: string }>('SELECT state FROM jma_suggestions WHERE id = $1', [
        first.opened[0]!.id,
      ]);
      expect(row.rows[0]!.state).toBe('withdrawn');
    });

    it('the next document of a stream supersedes what changed, keeps what did not; an older one is stale', async () => {
      const eventId = 'river-2';
      const a = await receive(
        jmaRiver({ name: '氾濫警戒情報', code: '30' }, { eventId, reportDateTime: jst(10), serial: 1 }),
        10,
      );
      expect(a.opened.map((s) => s.level)).toEqual([3]);
      const b = await receive(
        jmaRiver({ name: '氾濫危険情報', code: '40' }, { eventId, reportDateTime: jst(20), serial: 2 }),
        20,
      );
      expect(b).toMatchObject({ closed: 1, kept: 0 });
      expect((await openSuggestions(db)).map((s) => [s.level, s.hazard, s.zones])).toEqual([
        [4, 'flood', ['z-kawabe']],
      ]);
      const c = await receive(
        jmaRiver({ name: '氾濫危険情報', code: '41' }, { eventId, reportDateTime: jst(30), serial: 3 }),
        30,
      );
      expect(c).toMatchObject({ kept: 1, closed: 0, opened: [] });
      expect(
        (
          await receive(
            jmaRiver({ name: '氾濫警戒情報', code: '30' }, { eventId, reportDateTime: jst(15), serial: 1 }),
            31,
          )
        ).outcome,
      ).toBe('stale');
      // 解除: nothing is in force, so the open suggestion goes
      const d = await receive(
        jmaRiver({ name: '氾濫注意情報解除', code: '10' }, { eventId, reportDateTime: jst(40), serial: 4 }),
        40,
      );
      expect(d).toMatchObject({ closed: 1, opened: [] });
      expect(await openSuggestions(db)).toEqual([]);
    });

    it('a 気象警報 for the neighbour only suggests nothing; 訓練 is marked, 試験 ignored', async () => {
      expect(
        (await receive(jmaWarning([{ name: '洪水警報', code: '04' }], { reportDateTime: jst(0) }, JMA_OTHER_CITY), 50))
          .opened,
      ).toEqual([]);
      const ex = await receive(
        jmaWarning([{ name: '洪水警報', code: '04' }], { reportDateTime: jst(1), status: '訓練' }),
        51,
      );
      expect(ex.opened.map((s) => [s.level, s.hazard, s.exercise])).toEqual([[3, 'flood', true]]);
      expect(
        (await receive(jmaWarning([{ name: '洪水警報', code: '04' }], { reportDateTime: jst(2), status: '試験' }), 52))
          .outcome,
      ).toBe('test');
    });
  });
}
