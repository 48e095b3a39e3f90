/**
 * The thinnest real alert path, end to end through a real broker: issue → one personalised
 * QoS 1 message per TV (household TV names every resident) + a retained area message →
 * receipts and answers → status per alert and per zone. On every database engine, and on the
 * embedded broker and a private Mosquitto (KZ_TEST_MQTT_URL set) under the same policy and credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { PersonalAlertSchema, AreaAlertSchema, decodeMessage } from '@kizuna/contract';
import {
  bearer,
  brokerKinds,
  consoleWith,
  ManualClock,
  seedTown,
  SimTv,
  staffToken,
  startBroker,
  until,
  issueAlert,
} from './helpers.ts';

for (const engine of dbEngines())
  for (const brokerKind of brokerKinds()) {
    describe(`alert path on ${engine.name} with ${brokerKind}`, () => {
      let broker: Awaited<ReturnType<typeof startBroker>>;
      let db: Awaited<ReturnType<typeof engine.open>>;
      let c: Awaited<ReturnType<typeof consoleWith>>;
      let tvs: Record<string, SimTv>;
      let token: string;
      const clock = new ManualClock();

      beforeAll(async () => {
        broker = await startBroker(brokerKind);
        db = await engine.open();
        c = await consoleWith(db, broker, clock);
        await seedTown(db);
        token = await staffToken(c.app, 'issuer1', ['issuer']);
        tvs = {};
        for (const id of ['tv-h1', 'tv-s1', 'tv-s2', 'tv-u1']) tvs[id] = await SimTv.start(broker, id);
      });
      afterAll(async () => {
        for (const tv of Object.values(tvs ?? {})) await tv.close();
        await c?.close();
        await db?.drop();
        await broker?.close();
      });

      let alertId: string;
      it('issues a level-4 flood exercise to the riverside zone and every targeted TV gets one personal message', async () => {
        const r = await issueAlert(c.app, token, {
          level: 4,
          hazard: 'flood',
          status: 'Exercise',
          expires: '2026-11-23T16:00:00Z',
          target: { zones: ['z-kawabe'] },
        });
        expect(r.statusCode, r.body).toBe(200);
        const a = r.json();
        alertId = a.id;
        expect(a).toMatchObject({
          state: 'active',
          revision: 1,
          msgType: 'Alert',
          level: 4,
          status: 'Exercise',
          reach: { devices: 2, residents: 3, zones: 1 },
        });

        const h1 = await until(() => tvs['tv-h1']!.latest(alertId), 'household TV message');
        const s1 = await until(() => tvs['tv-s1']!.latest(alertId), 'single TV message');
        // the household TV: ONE message naming both residents, each in their own words
        expect(tvs['tv-h1']!.personal).toHaveLength(1);
        // in the register's order (R1, R2), the same for every alert, not in the order of their random refs
        expect(h1.recipients.map((x) => x.displayName)).toEqual(['山田 太郎さん', '山田 花子さん']);
        const taro = h1.recipients.find((x) => x.displayName === '山田 太郎さん')!;
        expect(taro.headline).toBe('【訓練】【警戒レベル4 避難指示】山田 太郎さん、すぐに避難してください');
        expect(taro.needsHelp).toBe(true);
        // needs help → the welfare shelter; flood → never the hall that is not safe in floods
        expect(taro.shelter).toMatchObject({ id: 'sh-welfare', welfare: true });
        const hanako = h1.recipients.find((x) => x.displayName === '山田 花子さん')!;
        expect(hanako.shelter?.id).toBe('sh-school');
        expect(hanako.shelter?.distanceM).toBeGreaterThan(3000);
        expect(hanako.instruction).toContain('避難先：第一小学校');
        // English resident, English words, the name in alphabet as registered (issue 18): no "Mr" before katakana
        expect(s1.recipients[0]!.displayName).toBe('John Smith');
        expect(s1.recipients[0]!.headline).toBe(
          '[EXERCISE] Level 4 Evacuation order — John Smith, please evacuate now',
        );
        // the shelter in the Latin alphabet too, for the screen and in the instruction
        expect(s1.recipients[0]!.shelter).toMatchObject({
          name: '第一小学校',
          nameLatin: 'Daiichi Elementary School',
          addressLatin: '1-2-3 Yamate, Kizuna City',
        });
        expect(s1.recipients[0]!.instruction).toContain('Go to: Daiichi Elementary School (1-2-3 Yamate, Kizuna City');
        expect(s1.recipients[0]!.instruction).not.toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
        // what the TVs got validates against the contract (decodeMessage in SimTv would have thrown)
        expect(() => decodeMessage(PersonalAlertSchema, JSON.stringify(h1))).not.toThrow();
        // the hillside TV was not targeted
        expect(tvs['tv-s2']!.personal).toHaveLength(0);
        // the TV with nobody bound has the retained area message, in every language, no names
        const area = (await until(() => tvs['tv-u1']!.area.get('kz/999997/area/z-kawabe/alert'), 'area message'))!;
        expect(() => decodeMessage(AreaAlertSchema, JSON.stringify(area))).not.toThrow();
        expect(Object.keys(area.text).sort()).toEqual(['en', 'ja', 'ja-x-easy', 'ko', 'pt', 'vi', 'zh']);
        expect(area.text.ja!.headline).toBe('【訓練】【警戒レベル4 避難指示】川辺地区の皆さん、すぐに避難してください');
        expect(JSON.stringify(area)).not.toContain('山田');
        expect(tvs['tv-u1']!.personal).toHaveLength(0);
      });

      it('records delivered, displayed and answers (duplicates harmless) and reports them per alert and per zone', async () => {
        const h1 = tvs['tv-h1']!.latest(alertId)!;
        const taro = h1.recipients.find((x) => x.displayName === '山田 太郎さん')!;
        const hanako = h1.recipients.find((x) => x.displayName === '山田 花子さん')!;
        for (let i = 0; i < 3; i++) await tvs['tv-h1']!.receipt({ alertId, revision: 1, state: 'delivered' });
        await tvs['tv-h1']!.receipt({ alertId, revision: 1, state: 'displayed' });
        await tvs['tv-h1']!.receipt({
          alertId,
          revision: 1,
          state: 'acknowledged',
          ref: hanako.ref,
          answer: 'evacuating',
        });
        await tvs['tv-h1']!.receipt({
          alertId,
          revision: 1,
          state: 'acknowledged',
          ref: hanako.ref,
          answer: 'evacuating',
        });
        await tvs['tv-h1']!.receipt({
          alertId,
          revision: 1,
          state: 'acknowledged',
          ref: taro.ref,
          answer: 'need-help',
        });
        await tvs['tv-s1']!.receipt({ alertId, revision: 1, state: 'delivered' });
        // a TV cannot answer for someone else's ref
        await tvs['tv-s1']!.receipt({
          alertId,
          revision: 1,
          state: 'acknowledged',
          ref: taro.ref,
          answer: 'safe-indoors',
        });

        const st = c.app.kz.ingest.stats;
        await until(async () => {
          await c.app.kz.ingest.flush();
          return st.receipts + st.rejected >= 9;
        }, 'all receipts processed');
        expect(st.rejected).toBe(1);
        const status = (
          await c.app.inject({ url: `/api/alerts/${alertId}/status?residents=true`, headers: bearer(token) })
        ).json();
        expect(status.totals).toMatchObject({
          targeted: 3,
          delivered: 3,
          displayed: 2,
          upToDate: 3,
          noAnswer: 1,
          arrived: 0,
          needsHelp: 1,
          acknowledged: { evacuating: 1, 'safe-indoors': 0, 'need-help': 1, total: 2 },
        });
        expect(status.devices).toEqual({ targeted: 2, delivered: 2, displayed: 1, upToDate: 2 });
        expect(status.zones).toHaveLength(1);
        expect(status.zones[0]).toMatchObject({ zoneId: 'z-kawabe', zoneName: '川辺地区', targeted: 3 });
        const rows = Object.fromEntries(status.residents.map((r: { residentId: string }) => [r.residentId, r]));
        expect(rows.R1).toMatchObject({
          answer: 'need-help',
          needsHelp: true,
          shelterId: 'sh-welfare',
          deviceId: 'tv-h1',
        });
        expect(rows.R2).toMatchObject({ answer: 'evacuating' });
        expect(rows.R3).toMatchObject({ answer: null });
      });

      it('refuses without a session, and a viewer cannot issue', async () => {
        const body = {
          level: 3,
          hazard: 'flood',
          status: 'Test',
          expires: '2026-11-23T16:00:00Z',
          target: { zones: ['z-kawabe'] },
        };
        const anon = await c.app.inject({ method: 'POST', url: '/api/alerts', payload: body });
        expect(anon.statusCode).toBe(401);
        expect(anon.json().code).toBe('KZ_CONSOLE_SESSION_EXPIRED');
        const viewer = await staffToken(c.app, 'viewer1', ['viewer']);
        const v = await c.app.inject({ method: 'POST', url: '/api/alerts', headers: bearer(viewer), payload: body });
        expect(v.statusCode).toBe(403);
        expect(v.json().code).toBe('KZ_CONSOLE_ROLE_REQUIRED');
      });

      it('names the failed check on bad input', async () => {
        const post = (payload: unknown) =>
          c.app.inject({ method: 'POST', url: '/api/alerts', headers: bearer(token), payload: payload as object });
        const base = {
          draft: true,
          level: 4,
          hazard: 'flood',
          status: 'Exercise',
          expires: '2026-11-23T16:00:00Z',
          target: { zones: ['z-kawabe'] },
        };
        expect((await post({ ...base, level: 6 })).json()).toMatchObject({
          code: 'KZ_VALIDATION',
          field: 'body/level',
        });
        expect((await post({ ...base, target: {} })).json().code).toBe('KZ_CONSOLE_NO_TARGET');
        expect((await post({ ...base, target: { zones: ['z-nowhere'] } })).json().code).toBe('KZ_CONSOLE_UNKNOWN_ZONE');
        expect((await post({ ...base, expires: '2026-11-23T09:00:00Z' })).json().code).toBe(
          'KZ_CONSOLE_EXPIRES_IN_PAST',
        );
        expect(
          (
            await post({
              ...base,
              target: {
                polygon: [
                  [140, 36],
                  [140.1, 36],
                  [140.1, 36.1],
                ],
              },
            })
          ).json().code,
        ).toBe('KZ_VALIDATION');
        expect(
          (
            await post({
              ...base,
              target: {
                polygon: [
                  [140, 36],
                  [140.1, 36],
                  [140.1, 36.1],
                  [140.2, 36.2],
                ],
              },
            })
          ).json().code,
        ).toBe('KZ_CONSOLE_BAD_GEOMETRY');
      });
    });
  }
