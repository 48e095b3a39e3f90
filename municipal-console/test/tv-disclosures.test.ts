/**
 * GET /api/bind/disclosures: the console's disclosure log for the residents bound to the calling
 * TV (its own broker credentials), newest first and bounded; never another TV's residents;
 * missing, wrong and revoked credentials refused with a KZ_ code. On every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { Value } from 'typebox/value';
import { audit } from '../src/staff/audit.ts';
import { TvDisclosuresSchema } from '@kizuna/contract';
import { bearer, consoleWith, MUNI, seedTown, staffToken, startBroker } from './helpers.ts';

type Creds = { username: string; password: string };
const basic = (c: Creds) => ({
  authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`,
});
const URL = '/api/bind/disclosures';

for (const engine of dbEngines()) {
  describe(`TV disclosure log on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let admin: string;
    let tvH1: Creds;
    let tvS2: Creds;

    const issueTv = async (device: string) => {
      const r = await c.app.inject({
        method: 'POST',
        url: `/api/devices/${device}/credentials`,
        headers: bearer(admin),
        payload: {},
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as Creds;
    };
    const disclose = (resident: string, at: string, party: string, purpose: string, items: string[]) =>
      db.query('INSERT INTO disclosures (resident_id, at, party, purpose, items) VALUES ($1, $2, $3, $4, $5)', [
        resident,
        at,
        party,
        purpose,
        items,
      ]);

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker);
      await seedTown(db); // R1, R2 bound to tv-h1; R4 to tv-s2; R3 to tv-s1
      admin = await staffToken(c.app, 'admin1', ['admin']);
      await staffToken(c.app, 'rescuer', ['viewer']);
      tvH1 = await issueTv('tv-h1');
      tvS2 = await issueTv('tv-s2');
      // the shapes binding.ts and roster.ts write
      await disclose(
        'R1',
        '2026-11-20T01:00:00Z',
        `municipality ${MUNI}`,
        'card binding to TV tv-h1: personal items read from the signing certificate and matched to the register',
        ['name', 'address', 'birth-date', 'sex'],
      );
      await disclose(
        'R1',
        '2026-11-21T02:00:00Z',
        'shelter sh-school (第一小学校)',
        'shelter roster: greet and check in evacuees at the door',
        ['name', 'name-reading', 'care-needs'],
      );
      await disclose(
        'R2',
        '2026-11-21T03:00:00Z',
        'shelter sh-hall (川辺公民館)',
        'shelter roster: greet and check in evacuees at the door',
        ['name', 'household'],
      );
      await disclose(
        'R4',
        '2026-11-21T04:00:00Z',
        'shelter sh-school (第一小学校)',
        'shelter roster: greet and check in evacuees at the door',
        ['name', 'household'],
      );
      // the audit entry the rescue-list CSV download writes (ui-routes.ts): R1 and R4 in one list
      await audit(
        db,
        {
          actor: 'rescuer',
          action: 'disclosure.rescue-csv',
          subject: 'alert-1',
          details: { people: 2, residentIds: ['R1', 'R4'] },
        },
        new Date('2026-11-22T05:00:00Z'),
      );
      // not a disclosure: must not show
      await audit(
        db,
        {
          actor: 'admin1',
          action: 'rescue.reached',
          subject: 'R1',
          details: { alertId: 'alert-1', residentIds: ['R1'] },
        },
        new Date('2026-11-22T06:00:00Z'),
      );
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    it("lists the disclosures of this TV's residents, newest first: rescue list (staff role, no username), rosters (shelter name), card binding", async () => {
      const r = await c.app.inject({ url: URL, headers: basic(tvH1) });
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json();
      expect(Value.Check(TvDisclosuresSchema, body)).toBe(true);
      expect(body.more).toBe(false);
      expect(body.entries.map((e: { displayName: string; purpose: string }) => [e.displayName, e.purpose])).toEqual([
        ['山田 太郎', 'rescue-list'],
        ['山田 花子', 'shelter-roster'],
        ['山田 太郎', 'shelter-roster'],
        ['山田 太郎', 'card-binding'],
      ]);
      expect(body.entries[0]).toMatchObject({
        at: '2026-11-22T05:00:00.000Z',
        recipient: { kind: 'staff', roles: ['viewer'] },
      });
      expect(body.entries[0].items).toEqual(expect.arrayContaining(['name', 'address', 'phone']));
      expect(body.entries[2]).toMatchObject({
        recipient: { kind: 'shelter', name: '第一小学校' },
        items: ['name', 'name-reading', 'care-needs'],
      });
      expect(body.entries[3]).toMatchObject({
        recipient: { kind: 'municipality', name: MUNI },
        items: ['name', 'address', 'birth-date', 'sex'],
      });
      expect(r.body).not.toContain('rescuer'); // the staff member's role, not who
      expect(r.body).not.toContain('R4');
      const bindings = (await c.app.inject({ url: '/api/bind', headers: basic(tvH1) })).json() as Array<{
        bindingId: string;
        displayName: string;
      }>;
      for (const e of body.entries)
        expect(bindings).toContainEqual(
          expect.objectContaining({ bindingId: e.bindingId, displayName: e.displayName }),
        );
      expect(r.headers['access-control-allow-origin']).toBe('*');
    });

    it("never shows another TV's residents: tv-s2 sees only R4's entries", async () => {
      const r = await c.app.inject({ url: URL, headers: basic(tvS2) });
      expect(r.statusCode, r.body).toBe(200);
      const entries = r.json().entries as Array<{ displayName: string; recipient: { name?: string }; purpose: string }>;
      expect(entries.map((e) => [e.displayName, e.purpose])).toEqual([
        ['佐藤 健', 'rescue-list'],
        ['佐藤 健', 'shelter-roster'],
      ]);
      expect(r.body).not.toContain('山田');
    });

    it('is bounded: limit cuts the oldest and says there is more; out-of-range limits are refused', async () => {
      const r = await c.app.inject({ url: `${URL}?limit=2`, headers: basic(tvH1) });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().entries.map((e: { at: string }) => e.at)).toEqual([
        '2026-11-22T05:00:00.000Z',
        '2026-11-21T03:00:00.000Z',
      ]);
      expect(r.json().more).toBe(true);
      expect((await c.app.inject({ url: `${URL}?limit=1000`, headers: basic(tvH1) })).statusCode).toBe(400);
    });

    it('a resident unbound from the TV drops out of its log', async () => {
      const list = (await c.app.inject({ url: '/api/bind', headers: basic(tvH1) })).json() as Array<{
        bindingId: string;
        displayName: string;
      }>;
      const hanako = list.find((b) => b.displayName === '山田 花子')!;
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bind/${hanako.bindingId}`, headers: basic(tvH1) }))
          .statusCode,
      ).toBe(204);
      const r = await c.app.inject({ url: URL, headers: basic(tvH1) });
      expect(r.json().entries.map((e: { displayName: string }) => e.displayName)).not.toContain('山田 花子');
      expect(r.json().entries).toHaveLength(3);
    });

    it('refuses no credentials, a wrong password, a staff token, a terminal, and revoked TV credentials (401/403 with a KZ_ code)', async () => {
      const none = await c.app.inject({ url: URL });
      expect(none.statusCode).toBe(401);
      expect(none.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      expect(none.headers['www-authenticate']).toMatch(/^Basic/);
      const wrong = await c.app.inject({ url: URL, headers: basic({ username: tvH1.username, password: 'not-it' }) });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      expect((await c.app.inject({ url: URL, headers: bearer(admin) })).statusCode).toBe(401);
      const term = await c.app.inject({
        method: 'POST',
        url: '/api/shelters/sh-school/terminals/t1/credentials',
        headers: bearer(admin),
        payload: {},
      });
      expect(term.statusCode, term.body).toBe(201);
      const asTerminal = await c.app.inject({ url: URL, headers: basic(term.json() as Creds) });
      expect(asTerminal.statusCode).toBe(403);
      expect(asTerminal.json().code).toBe('KZ_CONSOLE_CLIENT_FORBIDDEN');
      const revoke = await c.app.inject({
        method: 'DELETE',
        url: '/api/devices/tv-s2/credentials',
        headers: bearer(admin),
      });
      expect(revoke.statusCode, revoke.body).toBeLessThan(300);
      const revoked = await c.app.inject({ url: URL, headers: basic(tvS2) });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
    });
  });
}
