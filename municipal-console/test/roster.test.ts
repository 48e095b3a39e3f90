/**
 * The shelter roster, pulled by a terminal with the broker credentials the console issued it:
 * who is on it (every resident, issue 19) and what (only what staff need), conditional GET, gzip,
 * the changes since a version, card keys, the disclosure log, check-ins by roster key matched back
 * to residents, and every refusal. On every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { gunzipSync } from 'node:zlib';
import {
  applyRosterDelta,
  decodeMessage,
  encodeMessage,
  rosterCardKey,
  ShelterRosterDeltaSchema,
  ShelterRosterSchema,
  topics,
  type ShelterRoster,
} from '@kizuna/contract';
import { addShelter, seedResidents } from '../src/index.ts';
import {
  bearer,
  connect,
  consoleWith,
  ManualClock,
  MUNI,
  seedTown,
  staffToken,
  startBroker,
  until,
  issueAlert,
} from './helpers.ts';

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

for (const engine of dbEngines()) {
  describe(`shelter roster on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let admin: string;
    let issuer: string;
    let term: { username: string; password: string };
    const clock = new ManualClock();
    const roster = (headers: Record<string, string>, shelter = 'sh-school') =>
      c.app.inject({ url: `/api/shelters/${shelter}/roster`, headers });

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      // the school is the designated shelter of the hillside zone
      await addShelter(db, {
        id: 'sh-school',
        name: '第一小学校',
        address: '絆市山手1-2-3',
        lat: 36.012,
        lon: 140.045,
        capacity: 300,
        hazards: ['flood', 'earthquake'],
        welfare: false,
        serves: ['z-yamate'],
      });
      admin = await staffToken(c.app, 'admin1', ['admin']);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      const r = await c.app.inject({
        method: 'POST',
        url: '/api/shelters/sh-school/terminals/t1/credentials',
        headers: bearer(admin),
        payload: {},
      });
      expect(r.statusCode, r.body).toBe(201);
      term = r.json();
      expect(term.username).toBe(`term-${MUNI}-sh-school-t1`);
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    let first: ShelterRoster;
    let residents: number;
    it('gives the terminal its shelter’s roster: every resident of the municipality, those of the zones it serves marked, only what staff need', async () => {
      await seedResidents(db, [
        {
          id: 'R4',
          familyName: '佐藤',
          givenName: '健',
          familyKana: 'サトウ',
          givenKana: 'ケン',
          address: '絆市R4',
          birthDate: '1950-02-03',
          sex: 1,
          language: 'ja',
          needsHelp: false,
          household: 'H3',
          zone: 'z-yamate',
          lat: 36.01,
          lon: 140.05,
          careNeeds: ['mobility', 'hearing'],
        },
      ]);
      const r = await roster(basic(term.username, term.password));
      expect(r.statusCode, r.body).toBe(200);
      first = decodeMessage(ShelterRosterSchema, r.body, 'roster');
      expect(first).toMatchObject({
        muni: MUNI,
        shelter: 'sh-school',
        shelterName: '第一小学校',
        capacity: 300,
        welfare: false,
      });
      expect(r.headers.etag).toBe(`"${first.version}"`);
      residents = Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM residents')).rows[0]!.n);
      expect(residents).toBeGreaterThan(3);
      // everyone, so any resident's card checks in here (people go to the shelter they can reach)
      expect(first.scope).toBe('municipality');
      expect(first.people).toHaveLength(residents);
      expect(first.people.map((p) => p.displayName)).toEqual(expect.arrayContaining(['山田 太郎', '山田 花子']));
      // assigned: the school serves 山手地区, where only 佐藤 健 lives
      expect(first.people.filter((p) => p.assigned).map((p) => p.displayName)).toEqual(['佐藤 健']);
      const p = first.people.find((x) => x.displayName === '佐藤 健')!;
      expect(p).toMatchObject({
        displayName: '佐藤 健',
        reading: 'サトウ ケン',
        ageGroup: 'senior',
        needsCare: true,
        needs: ['hearing', 'mobility'],
      });
      // the card is matched by a salted hash of its auth serial (seedTown bound R4 with serial a4), never the serial
      expect(p.cardKeys).toEqual([await rosterCardKey(first.cardKeySalt, 'a4')]);
      // no resident id, address, birth date or serial leaves the console
      // (digests and pseudonyms are random hex, which can hold "1950" by chance: look past them)
      const outsideDigests = r.body.replace(/\b[0-9a-f]{16,}\b/g, '<hex>');
      expect(outsideDigests).not.toMatch(/"R4"|絆市R4|1950|"a4"|H3/);
      expect(p.rosterKey).not.toContain('R4');
    });

    it('answers 304 to If-None-Match with the current version, and logs a disclosure once per change, not per fetch', async () => {
      const again = await roster({ ...basic(term.username, term.password), 'if-none-match': `"${first.version}"` });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect((await roster(basic(term.username, term.password))).statusCode).toBe(200);
      const { rows } = await db.query<{ resident_id: string; party: string; items: string[] }>(
        'SELECT resident_id, party, items FROM disclosures ORDER BY id',
      );
      expect(rows).toHaveLength(residents);
      const r4 = rows.find((x) => x.resident_id === 'R4')!;
      expect(r4).toMatchObject({ resident_id: 'R4', party: 'shelter sh-school (第一小学校)' });
      expect(r4.items).toEqual(expect.arrayContaining(['name', 'household', 'care-needs', 'card-key', 'needs-care']));
    });

    let alertId: string;
    it('marks the people an active alert sends there, under a new version', async () => {
      const a = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: '2026-11-23T16:00:00Z',
        target: { zones: ['z-kawabe'] },
      });
      expect(a.statusCode, a.body).toBe(200);
      alertId = a.json().id;
      const r = decodeMessage(
        ShelterRosterSchema,
        (await roster({ ...basic(term.username, term.password), 'if-none-match': `"${first.version}"` })).body,
      );
      expect(r.version).not.toBe(first.version);
      // 花子 and John are sent to the school; 太郎 (sent to the welfare centre) is on it all the same
      expect(r.people).toHaveLength(residents);
      expect(
        r.people
          .filter((p) => p.assigned)
          .map((p) => p.displayName)
          .sort(),
      ).toEqual(['スミス ジョン', '佐藤 健', '山田 花子']);
      const hanako = r.people.find((p) => p.displayName === '山田 花子')!;
      const taro = r.people.find((p) => p.displayName === '山田 太郎')!;
      expect(taro.household).toBe(hanako.household);
      expect(taro.needsCare).toBe(true);
      // same person, same key from version to version; another shelter gets other keys and another salt
      expect(r.people.find((p) => p.displayName === '佐藤 健')!.rosterKey).toBe(
        first.people.find((p) => p.displayName === '佐藤 健')!.rosterKey,
      );
      const wt = (
        await c.app.inject({
          method: 'POST',
          url: '/api/shelters/sh-welfare/terminals/w1/credentials',
          headers: bearer(admin),
          payload: {},
        })
      ).json();
      const welfare = decodeMessage(
        ShelterRosterSchema,
        (await roster(basic(wt.username, wt.password), 'sh-welfare')).body,
      );
      expect(welfare.people).toHaveLength(residents);
      expect(welfare.people.filter((p) => p.assigned).map((p) => p.displayName)).toEqual(['山田 太郎']);
      expect(welfare.cardKeySalt).not.toBe(r.cardKeySalt);
      expect(welfare.people.find((p) => p.displayName === '山田 太郎')!.rosterKey).not.toBe(taro.rosterKey);
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM disclosures WHERE party LIKE 'shelter sh-school%'",
      );
      // one more entry for each of the two whose entry changed (now assigned here)
      expect(Number(rows[0]!.n)).toBe(residents + 2);
    });

    it('sends only what changed since the version the terminal holds, gzipped if asked; a version it does not know gives everyone', async () => {
      const auth = basic(term.username, term.password);
      const before = decodeMessage(ShelterRosterSchema, (await roster(auth)).body);
      const changes = (since: string, headers: Record<string, string> = {}) =>
        c.app.inject({
          url: `/api/shelters/sh-school/roster/changes?since=${since}`,
          headers: { ...auth, ...headers },
        });
      expect((await changes(before.version)).statusCode).toBe(304);
      await db.query(`UPDATE residents SET given_name = '健一' WHERE id = 'R4'`);
      const res = await changes(before.version, { 'accept-encoding': 'gzip' });
      expect(res.statusCode, res.body).toBe(200);
      // one person's change is under the 1 KiB worth compressing: plain JSON
      expect(res.headers['content-encoding']).toBeUndefined();
      const delta = decodeMessage(ShelterRosterDeltaSchema, res.body, 'roster changes');
      expect(delta).toMatchObject({ since: before.version, reset: false, remove: [] });
      expect(delta.upsert.map((p) => p.displayName)).toEqual(['佐藤 健一']);
      const now = decodeMessage(ShelterRosterSchema, (await roster(auth)).body);
      expect(delta.version).toBe(now.version);
      const { events: _e, generatedAt: _g, ...applied } = applyRosterDelta(before, delta);
      const { events: _e2, generatedAt: _g2, ...full } = now;
      expect(applied).toEqual(full);
      // the full roster is gzipped when the terminal accepts it
      const gz = await roster({ ...auth, 'accept-encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(decodeMessage(ShelterRosterSchema, gunzipSync(gz.rawPayload)).people).toHaveLength(residents);
      const unknown = decodeMessage(ShelterRosterDeltaSchema, (await changes('not-a-version')).body);
      expect(unknown.reset).toBe(true);
      expect(unknown.upsert).toHaveLength(residents);
      expect((await changes('bad version!')).statusCode).toBe(400);
    });

    it('matches a check-in by roster key, sent over MQTT with the same terminal credentials, to the resident; the roster hands the event back', async () => {
      const r = decodeMessage(ShelterRosterSchema, (await roster(basic(term.username, term.password))).body);
      const hanako = r.people.find((p) => p.displayName === '山田 花子')!;
      const mq = await connect(broker.url, term.username, { username: term.username, password: term.password });
      const ev = {
        v: 1,
        kind: 'shelter-event',
        eventId: 'evt-hanako-1',
        seq: 1,
        type: 'check-in',
        at: clock.now().toISOString(),
        rosterKey: hanako.rosterKey,
      };
      await mq.publishAsync(topics.shelterEvent(MUNI, 'sh-school', 't1'), encodeMessage(ev), { qos: 1 });
      await mq.endAsync();
      const status = await until(async () => {
        await c.app.kz.ingest.flush();
        const s = (
          await c.app.inject({ url: `/api/alerts/${alertId}/status?residents=true`, headers: bearer(issuer) })
        ).json();
        return s.totals.arrived === 1 && s;
      }, 'arrival by roster key');
      expect(status.residents.find((x: { residentId: string }) => x.residentId === 'R2')).toMatchObject({
        arrivedShelterId: 'sh-school',
      });
      const after = decodeMessage(ShelterRosterSchema, (await roster(basic(term.username, term.password))).body);
      expect(after.events).toEqual([{ terminal: 't1', event: ev }]);
    });

    it('refuses without credentials, with a wrong password, a TV, another shelter’s terminal, and revoked credentials — naming the check', async () => {
      const none = await roster({});
      expect(none.statusCode).toBe(401);
      expect(none.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      expect(none.headers['www-authenticate']).toMatch(/^Basic/);
      expect((await roster(basic(term.username, 'wrong-password'))).json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      const tv = await broker.login({ kind: 'tv', muni: MUNI, device: 'tv-s2' });
      const asTv = await roster(basic(tv.username, tv.password));
      expect(asTv.statusCode).toBe(403);
      expect(asTv.json().code).toBe('KZ_CONSOLE_CLIENT_FORBIDDEN');
      const other = await roster(basic(term.username, term.password), 'sh-welfare');
      expect(other.statusCode).toBe(403);
      expect(other.json().message).toContain('sh-school cannot read the roster of sh-welfare');
      expect(
        (
          await c.app.inject({
            method: 'POST',
            url: '/api/shelters/sh-nowhere/terminals/t1/credentials',
            headers: bearer(admin),
            payload: {},
          })
        ).json().code,
      ).toBe('KZ_CONSOLE_UNKNOWN_SHELTER');
      const del = await c.app.inject({
        method: 'DELETE',
        url: '/api/shelters/sh-school/terminals/t1/credentials',
        headers: bearer(admin),
      });
      expect(del.statusCode).toBe(204);
      expect((await roster(basic(term.username, term.password))).json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      // re-issue: a new password works, the old one does not
      const again = (
        await c.app.inject({
          method: 'POST',
          url: '/api/shelters/sh-school/terminals/t1/credentials',
          headers: bearer(admin),
          payload: {},
        })
      ).json();
      expect(again.action).toBe('issued');
      expect((await roster(basic(again.username, again.password))).statusCode).toBe(200);
    });
  });
}
