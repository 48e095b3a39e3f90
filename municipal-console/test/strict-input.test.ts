/**
 * Strict input on the console's API (issue 24, items 5, 6 and 11): a NUL character anywhere, an
 * unknown field, a CAP identity field set through JSON, an out-of-range number or date, an
 * oversized name, polygon or zone list — each a named 400 with nothing stored; and a CAP Cancel
 * that finds its alert by equality, not by a LIKE pattern a decoy's identifier could be.
 * Over real HTTP (fetch) on every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { addZone } from '../src/index.ts';
import { consoleWith, seedTown, staffToken, startBroker } from './helpers.ts';

const hour = 3600_000;
const capDoc = (identifier: string, msgType = 'Alert', references = '') => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier>
  <sender>bousai@city.example.jp</sender>
  <sent>${new Date().toISOString().replace(/\.\d+Z$/, '+00:00')}</sent>
  <status>Exercise</status>
  <msgType>${msgType}</msgType>
  <scope>Public</scope>
  ${references ? `<references>${references}</references>` : ''}
  <info>
    <language>ja-JP</language><category>Met</category><event>洪水</event>
    <urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <expires>${new Date(Date.now() + 2 * hour).toISOString().replace(/\.\d+Z$/, '+00:00')}</expires>
    <parameter><valueName>EvacuationLevel</valueName><value>3</value></parameter>
    <area><areaDesc>川辺地区</areaDesc><geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode></area>
  </info>
</alert>`;

const resident = (over: Record<string, unknown> = {}) => ({
  id: 'R900',
  familyName: '試験',
  givenName: '一郎',
  familyKana: 'シケン',
  givenKana: 'イチロウ',
  address: '絆市川辺9-9',
  birthDate: '1950-01-01',
  sex: 1,
  language: 'ja',
  needsHelp: false,
  zone: 'z-kawabe',
  ...over,
});
const CSV_HEAD = 'id,familyName,givenName,familyKana,givenKana,address,birthDate,sex,language,needsHelp,zone';

for (const engine of dbEngines()) {
  describe(`strict input on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let base: string;
    let admin: string;
    let issuer: string;

    const call = async (method: string, path: string, body?: unknown, token?: string, type = 'application/json') => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': type } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      let json: Record<string, unknown> & { details?: Record<string, unknown> } = {};
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, json, text: text.slice(0, 500) };
    };
    const count = async (table: string) =>
      Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);
    const alert = (over: Record<string, unknown> = {}) => ({
      level: 3,
      hazard: 'flood',
      status: 'Exercise',
      expires: new Date(Date.now() + 2 * hour).toISOString(),
      target: { zones: ['z-kawabe'] },
      draft: true,
      ...over,
    });

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker);
      await seedTown(db);
      await addZone(db, {
        id: 'k',
        name: 'K',
        polygon: [
          [140.1, 36],
          [140.11, 36],
          [140.11, 36.01],
          [140.1, 36],
        ],
      });
      admin = await staffToken(c.app, 'admin1', ['admin']);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      base = await c.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await c?.close();
      await db?.close();
      await broker?.close();
    });

    describe('a NUL character is a named 400 wherever it comes, and nothing is stored', () => {
      it('on the unauthenticated login', async () => {
        const r = await call('POST', '/api/session', { username: 'admin1\u0000', password: 'x' });
        expect(r.status, r.text).toBe(400);
        expect(r.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/username' });
      });
      it('on alerts (body, path and query)', async () => {
        const before = await count('alerts');
        const r = await call('POST', '/api/alerts', alert({ extra: { ja: '川沿い\u0000' } }), issuer);
        expect(r.status, r.text).toBe(400);
        expect(r.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/extra/ja' });
        const p = await call('GET', '/api/alerts/a%00b', undefined, issuer);
        expect(p.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'params/id' });
        const q = await call('GET', '/api/alerts/x/rescue?afterSeconds=%00', undefined, admin);
        expect(q.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'querystring/afterSeconds' });
        expect(await count('alerts')).toBe(before);
      });
      it('on shelters, zones and staff', async () => {
        const s = await call(
          'POST',
          '/api/shelters',
          {
            id: 'sh-nul',
            name: '公民館\u0000',
            address: '絆市1-1',
            lat: 36,
            lon: 140,
            capacity: 10,
            hazards: ['flood'],
            welfare: false,
          },
          admin,
        );
        expect(s.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/name' });
        const z = await call('POST', '/api/zones', { id: 'z-nul', name: '地区\u0000', polygon: [] }, admin);
        expect(z.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/name' });
        const before = await count('staff');
        const st = await call(
          'POST',
          '/api/staff',
          { username: 'nul\u0000user', password: 'a-long-password-1', roles: ['viewer'] },
          admin,
        );
        expect(st.status, st.text).toBe(400);
        expect(st.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/username' });
        expect(await count('staff')).toBe(before);
        expect(await count("shelters WHERE id = 'sh-nul'")).toBe(0);
        expect(await count("zones WHERE id = 'z-nul'")).toBe(0);
      });
      it('on residents, JSON and CSV (the CSV refusal names the line)', async () => {
        const before = await count('residents');
        const j = await call('POST', '/api/residents', [resident({ address: '絆市\u0000川辺' })], admin);
        expect(j.status, j.text).toBe(400);
        expect(j.json).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/0/address' });
        const csv = `${CSV_HEAD}\nR901,試験,二郎,シケン,ジロウ,絆市\u0000川辺,1950-01-01,1,ja,false,z-kawabe\n`;
        const r = await call('POST', '/api/residents/csv', csv, admin, 'text/csv');
        expect(r.status, r.text).toBe(400);
        expect(r.json.code).toBe('KZ_CONSOLE_CSV_INVALID');
        expect(r.json.details!.rows).toEqual([
          {
            row: 2,
            id: 'R901',
            errors: [expect.objectContaining({ code: 'nul-character', field: 'address', line: 2 })],
          },
        ]);
        expect(await count('residents')).toBe(before);
      });
    });

    describe('unknown fields are refused, naming the field (item 5)', () => {
      it('createdBy, a junk field and the CAP identity fields cannot be set through the JSON API', async () => {
        const before = await count('alerts');
        for (const [extra, field] of [
          [{ createdBy: 'someone-else' }, 'body/createdBy'],
          [{ junkField: 'x'.repeat(10_000) }, 'body/junkField'],
          [{ cap: { sender: 'jma.go.jp' } }, 'body/cap'],
          [{ cap: { identifier: '%' } }, 'body/cap'],
          [{ target: { zones: ['z-kawabe'], radius: 1 } }, 'body/target/radius'],
        ] as const) {
          const r = await call('POST', '/api/alerts', alert(extra), issuer);
          expect(r.status, JSON.stringify(extra)).toBe(400);
          expect(r.json).toMatchObject({ code: 'KZ_VALIDATION', field });
          expect(r.json.message).toContain('is not an accepted field');
        }
        expect(await count('alerts')).toBe(before);
        const a = await call('POST', '/api/alerts', alert(), issuer);
        expect(a.status, a.text).toBe(201);
        const u = await call(
          'POST',
          `/api/alerts/${a.json.id}/update`,
          { level: 3, cap: { sender: 'jma.go.jp' } },
          issuer,
        );
        expect(u.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/cap' });
        expect((await call('GET', `/api/alerts/${a.json.id}`, undefined, issuer)).json.sender).not.toBe('jma.go.jp');
      });
      it('on login, shelters, zones, residents, TVs, bindings and staff alike', async () => {
        const cases: [string, string, unknown, string | undefined][] = [
          ['POST', '/api/session', { username: 'admin1', password: 'admin1-password-1', remember: true }, undefined],
          ['PATCH', '/api/shelters/sh-school', { capacity: 5, name: 'x' }, issuer],
          ['POST', '/api/zones', { id: 'z-x', name: 'x', polygon: [], colour: 'red' }, admin],
          ['POST', '/api/residents', [resident({ myNumber: '123456789012' })], admin],
          ['POST', '/api/devices', [{ id: 'tv-x', zone: 'z-kawabe', owner: 'R1' }], admin],
          ['POST', '/api/bindings', { residentId: 'R5', deviceId: 'tv-u1', note: 'x' }, admin],
          ['POST', '/api/staff', { username: 'u2', password: 'a-long-password-1', roles: ['admin'], x: 1 }, admin],
        ];
        for (const [method, path, body, token] of cases) {
          const r = await call(method, path, body, token);
          expect(r.status, `${method} ${path}: ${r.text}`).toBe(400);
          expect(r.json.code).toBe('KZ_VALIDATION');
          expect(r.json.message).toContain('is not an accepted field');
        }
        expect(await count("residents WHERE id = 'R900'")).toBe(0);
        expect(await count("devices WHERE id = 'tv-x'")).toBe(0);
      });
      it('every JSON body schema of the API is closed (additionalProperties: false at every level)', async () => {
        const spec = (await c.app.inject('/docs/json')).json() as {
          paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
        };
        const open: string[] = [];
        const walk = (s: unknown, where: string) => {
          if (!s || typeof s !== 'object') return;
          const o = s as Record<string, unknown>;
          if (o.type === 'object' && o.additionalProperties !== false && o.patternProperties === undefined)
            open.push(where);
          for (const [k, v] of Object.entries(o)) {
            if (k === 'properties') for (const [p, ps] of Object.entries(v as object)) walk(ps, `${where}.${p}`);
            else if (typeof v === 'object') walk(v, where);
          }
        };
        let bodies = 0;
        for (const [path, ops] of Object.entries(spec.paths))
          for (const [method, op] of Object.entries(ops)) {
            const json = op.requestBody?.content['application/json'];
            if (!json) continue;
            bodies++;
            walk(json.schema, `${method.toUpperCase()} ${path}`);
          }
        expect(bodies).toBeGreaterThan(15);
        expect(open).toEqual([]);
      });
    });

    it('a CAP Cancel finds its alert by identifier, not a "%" decoy made after it (item 5)', async () => {
      // every import and update is a draft, sent as its confirmation showed it (issue 19)
      const sendAsShown = async (id: unknown) => {
        const k = await call('GET', `/api/alerts/${String(id)}/confirmation`, undefined, issuer);
        expect(k.status, k.text).toBe(200);
        const r = await call(
          'POST',
          `/api/alerts/${String(id)}/send`,
          { revision: k.json.revision, digest: k.json.digest },
          issuer,
        );
        expect(r.status, r.text).toBe(200);
        return r;
      };
      const real = await call('POST', '/api/alerts/cap', capDoc('JP-999997-real-1'), issuer, 'application/cap+xml');
      expect(real.status, real.text).toBe(201);
      await sendAsShown(real.json.id);
      const up = await call(
        'POST',
        `/api/alerts/${real.json.id}/update`,
        { level: 3, extra: { ja: '続報' }, draft: true },
        issuer,
      );
      expect(up.status, up.text).toBe(200);
      await sendAsShown(real.json.id);
      const decoy = await call('POST', '/api/alerts/cap', capDoc('%'), issuer, 'application/cap+xml');
      expect(decoy.status, decoy.text).toBe(201);
      // the exact (sender, identifier, sent) of the export of revision 2 (issue 20)
      const exported = (await call('GET', `/api/alerts/${real.json.id}/cap`, undefined, issuer)).text;
      const [sender, identifier, sent] = ['sender', 'identifier', 'sent'].map(
        (k) => new RegExp(`<${k}>([^<]+)</${k}>`).exec(exported)![1],
      );
      expect(identifier).toBe('JP-999997-real-1-r2');
      const cancel = await call(
        'POST',
        '/api/alerts/cap',
        capDoc('JP-999997-real-1-cancel', 'Cancel', `${sender},${identifier},${sent}`),
        issuer,
        'application/cap+xml',
      );
      expect(cancel.status, cancel.text).toBe(200);
      expect(cancel.json).toMatchObject({ id: real.json.id, state: 'active', draft: { msgType: 'Cancel' } });
      expect((await sendAsShown(real.json.id)).json).toMatchObject({ id: real.json.id, state: 'cancelled' });
      // the decoy (a draft, never sent) is untouched
      expect((await call('GET', `/api/alerts/${decoy.json.id}`, undefined, issuer)).json).toMatchObject({
        state: 'draft',
        draft: null,
      });
    });

    describe('numbers, dates, names, polygons and zone lists have limits (items 6, 11)', () => {
      it('PATCH /api/shelters/:id {capacity: 1e15} is a named 400 and the capacity is unchanged', async () => {
        const r = await call('PATCH', '/api/shelters/sh-school', { capacity: 1e15 }, issuer);
        expect(r.status, r.text).toBe(400);
        expect(r.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/capacity' });
        expect(
          (await db.query<{ capacity: number }>("SELECT capacity FROM shelters WHERE id = 'sh-school'")).rows[0],
        ).toMatchObject({ capacity: 300 });
      });
      it('an alert expiring in 9999 is refused', async () => {
        const before = await count('alerts');
        const r = await call('POST', '/api/alerts', alert({ expires: '9999-12-31T00:00:00Z' }), issuer);
        expect(r.status, r.text).toBe(400);
        expect(r.json).toMatchObject({ code: 'KZ_VALIDATION', details: { field: 'expires' } });
        expect(await count('alerts')).toBe(before);
      });
      it('a birth date in 2999 or before 1900 is refused (JSON and CSV)', async () => {
        for (const birthDate of ['2999-01-01', '1899-12-31']) {
          const r = await call('POST', '/api/residents', [resident({ birthDate })], admin);
          expect(r.status, r.text).toBe(400);
          expect(r.json).toMatchObject({
            code: 'KZ_CONSOLE_BAD_RESIDENT',
            details: { field: 'birthDate', problem: 'date-out-of-range' },
          });
        }
        const csv = `${CSV_HEAD}\nR902,試験,三郎,シケン,サブロウ,絆市川辺,2999-01-01,1,ja,false,z-kawabe\n`;
        const r = await call('POST', '/api/residents/csv', csv, admin, 'text/csv');
        expect(r.json.details!.rows).toEqual([
          {
            row: 2,
            id: 'R902',
            errors: [expect.objectContaining({ code: 'date-out-of-range', field: 'birthDate', value: '2999-01-01' })],
          },
        ]);
        expect(await count("residents WHERE id IN ('R900', 'R902')")).toBe(0);
      });
      it('a 200,000-character zone name and a 50,000-point polygon are refused', async () => {
        const ring = [[140, 36], ...Array.from({ length: 49_998 }, () => [140.001, 36.001]), [140, 36]];
        const long = await call(
          'POST',
          '/api/zones',
          { id: 'z-long', name: 'あ'.repeat(200_000), polygon: ring.slice(-4) },
          admin,
        );
        expect(long.status, long.text).toBe(400);
        expect(long.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/name' });
        const big = await call('POST', '/api/zones', { id: 'z-big', name: '大', polygon: ring }, admin);
        expect(big.status, big.text).toBe(400);
        expect(big.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/polygon' });
        const a = await call('POST', '/api/alerts', alert({ target: { polygon: ring } }), issuer);
        expect(a.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/target/polygon' });
        expect(await count("zones WHERE id IN ('z-long', 'z-big')")).toBe(0);
      });
      it('100,000 duplicate zones, or one zone twice, are refused', async () => {
        const before = await count('alerts');
        const many = await call('POST', '/api/alerts', alert({ target: { zones: Array(100_000).fill('k') } }), issuer);
        expect(many.status, many.text).toBe(400);
        expect(many.json).toMatchObject({ code: 'KZ_VALIDATION', field: 'body/target/zones' });
        const twice = await call('POST', '/api/alerts', alert({ target: { zones: ['k', 'z-kawabe', 'k'] } }), issuer);
        expect(twice.status, twice.text).toBe(400);
        expect(twice.json).toMatchObject({ code: 'KZ_VALIDATION', details: { field: 'target.zones' } });
        expect(await count('alerts')).toBe(before);
      });
    });
  });
}
