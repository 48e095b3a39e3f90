/**
 * The register extract as CSV (POST /api/residents/csv, issue 6): every problem of every bad line
 * comes back as a stable code with field, value, line (and expected where it helps) that the UI
 * words in Japanese or English; nothing is half-imported; the OpenAPI describes the report. And
 * why a binding ended, as a code (staff unbind from the residents screen, the TV, the card).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@kizuna/core';
import { bindingEndReason, staffUnbindReason } from '../src/register/residents.ts';
import { isIsoDate, REGISTER_ROW_PROBLEMS } from '../src/register/resident-records.ts';
import { bearer, consoleWith, seedTown, staffToken, startBroker } from './helpers.ts';

const HEAD =
  'id,familyName,givenName,familyKana,givenKana,address,birthDate,sex,language,needsHelp,supporter,phone,household,zone,lat,lon';
const GOOD =
  'R90001,試験,一郎,シケン,イチロウ,絆市川辺1-1,1950-04-01,1,ja,true,試験 花子,090-0000-0000,H90001,z-kawabe,36.01,140.01';

describe('register extract CSV import', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof openDb>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let admin: string;
  const post = (csv: string) =>
    c.app.inject({
      method: 'POST',
      url: '/api/residents/csv',
      headers: { ...bearer(admin), 'content-type': 'text/csv' },
      payload: csv,
    });
  const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM residents')).rows[0]!.n);

  beforeAll(async () => {
    broker = await startBroker();
    db = await openDb({});
    c = await consoleWith(db, broker);
    await seedTown(db);
    admin = await staffToken(c.app, 'admin1', ['admin']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.close();
    await broker?.close();
  });

  it('reports every problem of every bad line as a code with field, value and line, and imports nothing', async () => {
    const before = await count();
    const csv = [
      HEAD,
      GOOD,
      'R90002,試験,二郎,シケン,ジロウ,絆市川辺1-2,1950-02-30,1,ja,false,,,H90001,z-kawabe,,', // no 30 February
      '',
      'R90003,,三郎,シケン,サブロウ,絆市川辺1-3,1960-01-01,4,fr,maybe,,,,z-nowhere,95,', // five problems on one line
      GOOD, // the same id again
      'R 90005,試験,五郎,シケン,ゴロウ,絆市川辺1-5,1960-01-01,1,ja,no,,,,z-kawabe,abc,140.0',
      'R90006,試験,六郎,シケン,ロクロウ,絆市川辺1-6,1960-01-01,1,ja,no,,,,z-kawabe',
    ].join('\r\n');
    const r = await post(csv);
    expect(r.statusCode, r.body).toBe(400);
    const body = r.json();
    expect(body.code).toBe('KZ_CONSOLE_CSV_INVALID');
    const rows = body.details.rows as {
      row: number;
      id: string | null;
      errors: { code: string; line: number; field?: string; value?: string; expected?: string; message: string }[];
    }[];
    // line numbers as an editor shows them: the blank line 4 counts
    expect(rows.map((x) => x.row)).toEqual([3, 5, 6, 7, 8]);
    const at = (row: number) =>
      rows
        .find((x) => x.row === row)!
        .errors.map(({ message, ...rest }) => {
          expect(message).toMatch(/\w/);
          return rest;
        });
    expect(at(3)).toEqual([{ code: 'bad-date', line: 3, field: 'birthDate', value: '1950-02-30' }]);
    expect(at(5)).toEqual([
      // left to right
      { code: 'required', line: 5, field: 'familyName' },
      { code: 'bad-sex', line: 5, field: 'sex', value: '4' },
      { code: 'bad-language', line: 5, field: 'language', value: 'fr', expected: 'ja,ja-x-easy,en,zh,ko,vi,pt' },
      { code: 'bad-boolean', line: 5, field: 'needsHelp', value: 'maybe' },
      { code: 'unknown-zone', line: 5, field: 'zone', value: 'z-nowhere' },
      { code: 'out-of-range', line: 5, field: 'lat', value: '95', expected: '90' },
      { code: 'lat-lon-together', line: 5, field: 'lon' },
    ]);
    expect(at(6)).toEqual([{ code: 'duplicate-id', line: 6, field: 'id', value: 'R90001', expected: '2' }]);
    expect(at(7)).toEqual([
      { code: 'bad-id', line: 7, field: 'id', value: 'R 90005' },
      { code: 'not-a-number', line: 7, field: 'lat', value: 'abc' },
    ]);
    expect(at(8)).toEqual([{ code: 'field-count', line: 8, value: '14', expected: '16' }]);
    expect(rows.find((x) => x.row === 5)!.id).toBe('R90003');
    // the English message stays for API users
    expect(rows[0]!.errors[0]!.message).toContain('birthDate "1950-02-30"');
    // nothing half-imported: not even the good first line
    expect(await count()).toBe(before);
    expect((await c.app.inject({ url: '/api/residents/R90001', headers: bearer(admin) })).statusCode).toBe(404);
  });

  it('names a missing column, an unreadable file and a file with no data', async () => {
    const noZone = await post(`${HEAD.replace(',zone', '')}\n${GOOD}`);
    expect(noZone.json().details.rows).toEqual([
      { row: 1, id: null, errors: [expect.objectContaining({ code: 'missing-column', line: 1, field: 'zone' })] },
    ]);
    const quote = await post(`${HEAD}\n${GOOD}\nR90007,"試験,七郎`);
    expect(quote.json().details.rows[0].errors[0]).toMatchObject({
      code: 'csv-unreadable',
      value: 'CSV_QUOTE_NOT_CLOSED',
      line: 3,
    });
    const empty = await post(`${HEAD}\n\n`);
    expect(empty.json().details.rows[0].errors[0]).toMatchObject({ code: 'no-data-rows', line: 1 });
  });

  it('imports a good file, and the JSON import refuses with the same code and field', async () => {
    const r = await post(`\uFEFF${HEAD}\n${GOOD}\n`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ count: 1 });
    const bad = await c.app.inject({
      method: 'POST',
      url: '/api/residents',
      headers: bearer(admin),
      payload: [
        {
          id: 'R90008',
          familyName: '試験',
          givenName: '八郎',
          familyKana: 'シケン',
          givenKana: 'ハチロウ',
          address: '絆市',
          birthDate: '1950-02-30',
          sex: 1,
          language: 'ja',
          needsHelp: false,
          zone: 'z-kawabe',
        },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'KZ_CONSOLE_BAD_RESIDENT',
      details: { index: 0, field: 'birthDate', problem: 'bad-date', value: '1950-02-30' },
    });
  });

  it('describes the report in the OpenAPI: codes, field, value, line, expected, message', async () => {
    const spec = (await c.app.inject('/docs/json')).json();
    const bad = spec.paths['/api/residents/csv'].post.responses['400'].content['application/json'].schema;
    const item = bad.properties.details.properties.rows.items;
    expect(Object.keys(item.properties.errors.items.properties).sort()).toEqual([
      'code',
      'expected',
      'field',
      'line',
      'message',
      'value',
    ]);
    expect(item.properties.errors.items.properties.code.enum).toEqual(Object.keys(REGISTER_ROW_PROBLEMS));
    const dev =
      spec.paths['/api/residents/{id}'].get.responses['200'].content['application/json'].schema.properties.devices.items
        .properties;
    expect(Object.keys(dev)).toEqual(expect.arrayContaining(['reason', 'reasonCode', 'endedBy', 'lifeEvent']));
  });

  it('records a staff unbind as a code with who did it, and reads the other writers’ reasons as codes', async () => {
    const r = await c.app.inject({
      method: 'POST',
      url: '/api/bindings/unbind',
      headers: bearer(admin),
      payload: { residentId: 'R4', deviceId: 'tv-s2' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const s = (await c.app.inject({ url: '/api/residents/R4', headers: bearer(admin) })).json();
    expect(s.devices[0]).toMatchObject({
      deviceId: 'tv-s2',
      status: 'unbound',
      reason: 'staff-unbind:admin1',
      reasonCode: 'staff-unbind',
      endedBy: 'admin1',
      lifeEvent: null,
    });
    const active = (await c.app.inject({ url: '/api/residents/R1', headers: bearer(admin) })).json();
    expect(active.devices[0]).toMatchObject({ status: 'active', reason: null, reasonCode: null });
    expect(bindingEndReason(staffUnbindReason('kato'))).toEqual({
      reasonCode: 'staff-unbind',
      endedBy: 'kato',
      lifeEvent: null,
    });
    expect(bindingEndReason('staff admin')).toMatchObject({ reasonCode: 'staff-unbind', endedBy: 'admin' });
    expect(bindingEndReason('unbound by admin1')).toMatchObject({ reasonCode: 'staff-unbind', endedBy: 'admin1' });
    expect(bindingEndReason('unbound on the TV')?.reasonCode).toBe('tv-unbind');
    expect(bindingEndReason('bound again with another card')?.reasonCode).toBe('rebound');
    expect(bindingEndReason('card renewed')?.reasonCode).toBe('card-renewed');
    expect(bindingEndReason('card renewed: bind the new card')?.reasonCode).toBe('card-renewed-rebind');
    expect(bindingEndReason('card revoked (moved-or-renamed: affiliation-changed)')).toMatchObject({
      reasonCode: 'card-revoked',
      lifeEvent: 'moved-or-renamed',
    });
    expect(bindingEndReason('something new')?.reasonCode).toBe('other');
  });

  it('knows real calendar dates', () => {
    expect(['2000-02-29', '1950-04-01'].map(isIsoDate)).toEqual([true, true]);
    expect(['1900-02-29', '1950-04-31', '1950-13-01', '1950-4-1', ''].map(isIsoDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
