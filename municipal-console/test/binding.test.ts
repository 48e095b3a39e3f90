/**
 * Card binding on the real path: the test authority issues a card, the TV asks for a nonce with
 * its own broker credentials, the card signs the registration over APDUs, the console verifies it
 * fail-closed and binds; then every refusal, the revocation watch (a revoked card stops personal
 * alerts), renewal, unbinding, and the TV's broker credentials. On every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import {
  createAuthority,
  createVerifier,
  JpkiClient,
  type Authority,
  type IssuedCard,
  type OcspStatusSource,
  type Person,
} from '@kizuna/jpki';
import { BindingSchema, bindRegistrationBytes, decodeMessage, type BindNonce } from '@kizuna/contract';
import { inProcessAuthorityLinks } from '../src/authority-links.ts';
import {
  bearer,
  connect,
  consoleWith,
  ManualClock,
  MUNI,
  seedTown,
  SimTv,
  staffToken,
  startBroker,
  until,
  issueAlert,
} from './helpers.ts';

const SECRETS = { authPin: '1234', signPassword: 'KIZUNA2026' };
// 鈴木 幸子 (R5 in seedTown): the register has 絆市R5, 1980-01-01, female
const SACHIKO: Person = { name: '鈴木　幸子', address: '絆市R5', birthDate: '1980-01-01', sex: 2 };
const KEN: Person = { name: '佐藤　健', address: '絆市R4', birthDate: '1980-01-01', sex: 1 };
const basic = (c: { username: string; password: string }) => ({
  authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`,
});
const EXPIRES = '2026-11-23T16:00:00Z';

for (const engine of dbEngines()) {
  describe(`card binding on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let authority: Authority;
    let admin: string;
    let issuer: string;
    let tvU1: { username: string; password: string };
    let tvS2: { username: string; password: string };
    let sachiko: IssuedCard;
    const ocspDown = { value: false };
    const clock = new ManualClock();

    const nonce = async (creds: { username: string; password: string }, device: string) =>
      c.app.inject({ method: 'POST', url: '/api/bind/nonce', headers: basic(creds), payload: { device } });
    const sign = async (card: IssuedCard, content: Uint8Array) =>
      Buffer.from(await new JpkiClient(card.card).signCms(SECRETS.signPassword, content)).toString('base64');
    const bind = (creds: { username: string; password: string }, cms: string) =>
      c.app.inject({ method: 'POST', url: '/api/bind', headers: basic(creds), payload: { cms } });
    /** nonce → card signs {nonce, device, muni} → POST /api/bind */
    async function bindCard(card: IssuedCard, creds: { username: string; password: string }, device: string) {
      const n = await nonce(creds, device);
      expect(n.statusCode, n.body).toBe(201);
      return bind(creds, await sign(card, bindRegistrationBytes(n.json() as BindNonce)));
    }
    const issueTv = async (device: string) => {
      const r = await c.app.inject({
        method: 'POST',
        url: `/api/devices/${device}/credentials`,
        headers: bearer(admin),
        payload: {},
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { username: string; password: string; action: string };
    };
    const resident = async (id: string) =>
      (await c.app.inject({ url: `/api/residents/${id}`, headers: bearer(admin) })).json();

    beforeAll(async () => {
      authority = await createAuthority();
      const real = authority.statusSource();
      // the authority's real OCSP responder, behind a link the test can cut (an unreachable responder)
      const ocsp: OcspStatusSource = {
        kind: 'ocsp',
        name: 'authority OCSP',
        send: async (req) => {
          if (ocspDown.value) throw new Error('connect ECONNREFUSED');
          return real.send(req);
        },
      };
      const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: ocsp });
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock, {
        verifier,
        authorityLinks: inProcessAuthorityLinks(authority),
        revocationCheckS: 0,
      });
      await seedTown(db);
      admin = await staffToken(c.app, 'admin1', ['admin']);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
      tvU1 = await issueTv('tv-u1');
      tvS2 = await issueTv('tv-s2');
      sachiko = await authority.issueCard(SACHIKO, SECRETS);
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    let bindingId: string;
    it('binds the card holder to the TV: signature, chain and status checked, four items matched, auth serial linked, disclosure logged', async () => {
      const r = await bindCard(sachiko, tvU1, 'tv-u1');
      expect(r.statusCode, r.body).toBe(201);
      const b = decodeMessage(BindingSchema, r.body, 'binding');
      expect(b).toMatchObject({ device: 'tv-u1', displayName: '鈴木 幸子' });
      bindingId = b.bindingId;
      const { rows } = await db.query<{ auth_serial: string; sign_serial: string; status: string }>(
        "SELECT auth_serial, sign_serial, status FROM bindings WHERE resident_id = 'R5'",
      );
      expect(rows).toEqual([{ auth_serial: sachiko.authSerial, sign_serial: sachiko.signSerial, status: 'active' }]);
      const d = await db.query<{ party: string; items: string[] }>(
        "SELECT party, items FROM disclosures WHERE resident_id = 'R5'",
      );
      expect(d.rows).toHaveLength(1);
      expect(d.rows[0]!.items).toEqual(expect.arrayContaining(['name', 'address', 'birth-date', 'sex']));
      expect(await resident('R5')).toMatchObject({
        personalAlerts: true,
        devices: [{ deviceId: 'tv-u1', status: 'active' }],
      });
      const list = await c.app.inject({ url: '/api/bind', headers: basic(tvU1) });
      expect(list.json()).toEqual([b]);
    });

    it('sends the newly bound resident a personal alert on the TV, which logs in to the broker with the credentials the console issued', async () => {
      const mq = await connect(broker.url, tvU1.username, { username: tvU1.username, password: tvU1.password });
      const tv = new SimTv('tv-u1', mq);
      await mq.subscribeAsync([`kz/${MUNI}/tv/tv-u1/alert`], { qos: 1 });
      const a = await issueAlert(c.app, issuer, {
        level: 4,
        hazard: 'flood',
        status: 'Exercise',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      expect(a.statusCode, a.body).toBe(200);
      const m = await until(() => tv.latest(a.json().id), 'personal alert on the newly bound TV');
      expect(m.recipients.map((x) => x.displayName)).toEqual(['鈴木 幸子さん']);
      await tv.close();
    });

    it('refuses a replayed registration, an expired nonce, and a registration signed for another TV', async () => {
      const n = (await nonce(tvU1, 'tv-u1')).json() as BindNonce;
      const cms = await sign(sachiko, bindRegistrationBytes(n));
      expect((await bind(tvU1, cms)).statusCode).toBe(201);
      const replay = await bind(tvU1, cms);
      expect(replay.statusCode).toBe(409);
      expect(replay.json().code).toBe('KZ_CONSOLE_BIND_NONCE_REPLAYED');

      const late = (await nonce(tvU1, 'tv-u1')).json() as BindNonce;
      clock.advance(301_000);
      const expired = await bind(tvU1, await sign(sachiko, bindRegistrationBytes(late)));
      expect(expired.statusCode).toBe(410);
      expect(expired.json().code).toBe('KZ_CONSOLE_BIND_NONCE_EXPIRED');

      // signed for tv-u1, sent by tv-s2
      const moved = await bind(tvS2, await sign(sachiko, bindRegistrationBytes((await nonce(tvU1, 'tv-u1')).json())));
      expect(moved.json().code).toBe('KZ_CONSOLE_BIND_DEVICE_MISMATCH');
      // a nonce never issued
      const forged = await bind(
        tvU1,
        await sign(sachiko, bindRegistrationBytes({ nonce: 'x'.repeat(43), device: 'tv-u1', muni: MUNI })),
      );
      expect(forged.json().code).toBe('KZ_CONSOLE_BIND_NONCE');
    });

    it('refuses tampered content, garbage, and a card from an authority it does not trust', async () => {
      const n = (await nonce(tvU1, 'tv-u1')).json() as BindNonce;
      const der = Buffer.from(await sign(sachiko, bindRegistrationBytes(n)), 'base64');
      const at = der.indexOf(Buffer.from('"device":"tv-u1"'));
      expect(at).toBeGreaterThan(0);
      der.write('"device":"tv-s1"', at); // same length, different TV
      const tampered = await bind(tvU1, der.toString('base64'));
      expect(tampered.statusCode).toBe(400);
      expect(tampered.json()).toMatchObject({
        code: 'KZ_CONSOLE_BIND_SIGNATURE',
        details: { reason: 'content-tampered' },
      });
      expect((await bind(tvU1, 'not base64 at all!')).json().code).toBe('KZ_CONSOLE_BIND_PAYLOAD');
      expect((await bind(tvU1, Buffer.from('hello').toString('base64'))).json().code).toBe('KZ_CONSOLE_BIND_PAYLOAD');
      const stranger = await (await createAuthority()).issueCard(SACHIKO, SECRETS);
      const foreign = await bindCard(stranger, tvU1, 'tv-u1');
      expect(foreign.json()).toMatchObject({
        code: 'KZ_CONSOLE_BIND_CERT_INVALID',
        details: { reason: 'unknown-issuer' },
      });
    });

    it('refuses the wrong person: nobody with these items, or the same name and birth date at another address', async () => {
      const nobody = await authority.issueCard(
        { name: '田中　一郎', address: '絆市R5', birthDate: '1980-01-01', sex: 1 },
        SECRETS,
      );
      const r1 = await bindCard(nobody, tvU1, 'tv-u1');
      expect(r1.statusCode).toBe(404);
      expect(r1.json().code).toBe('KZ_CONSOLE_BIND_NO_MATCH');
      const elsewhere = await authority.issueCard({ ...SACHIKO, address: '隣町1-1' }, SECRETS);
      const r2 = await bindCard(elsewhere, tvU1, 'tv-u1');
      expect(r2.json()).toMatchObject({ code: 'KZ_CONSOLE_BIND_ITEMS_MISMATCH', details: { differ: ['address'] } });
      // the register's values are never echoed back
      expect(r2.body).not.toContain('絆市R5');
    });

    it('fails closed when the revocation status cannot be had, and refuses a revoked card naming the life event', async () => {
      const ken = await authority.issueCard(KEN, SECRETS);
      ocspDown.value = true;
      try {
        const r = await bindCard(ken, tvS2, 'tv-s2');
        expect(r.statusCode).toBe(503);
        expect(r.json().code).toBe('KZ_CONSOLE_BIND_STATUS_UNAVAILABLE');
      } finally {
        ocspDown.value = false;
      }
      authority.revoke(ken.signSerial, 'card-lost');
      const r = await bindCard(ken, tvS2, 'tv-s2');
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({
        code: 'KZ_CONSOLE_BIND_CERT_REVOKED',
        details: { reason: 'revoked', lifeEvent: 'card-lost' },
      });
    });

    it('lets the TV applet call from its own origin (CORS for the binding routes only, no cookies)', async () => {
      const pre = await c.app.inject({
        method: 'OPTIONS',
        url: '/api/bind/nonce',
        headers: {
          origin: 'http://127.0.0.1:18810',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(pre.statusCode).toBe(204);
      expect(pre.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-headers': 'authorization, content-type',
      });
      expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
      const list = await c.app.inject({
        url: '/api/bind',
        headers: { ...basic(tvS2), origin: 'http://127.0.0.1:18810' },
      });
      expect(list.headers['access-control-allow-origin']).toBe('*');
      const staffApi = await c.app.inject({
        url: '/api/zones',
        headers: { ...bearer(admin), origin: 'http://127.0.0.1:18810' },
      });
      expect(staffApi.headers['access-control-allow-origin']).toBeUndefined();
      const staffUnbind = await c.app.inject({
        method: 'DELETE',
        url: '/api/bindings/1',
        headers: { origin: 'http://127.0.0.1:18810' },
      });
      expect(staffUnbind.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('refuses without device credentials, with another TV’s credentials, and for a TV not in the register', async () => {
      const anon = await c.app.inject({ method: 'POST', url: '/api/bind/nonce', payload: { device: 'tv-u1' } });
      expect(anon.statusCode).toBe(401);
      expect(anon.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      expect((await nonce(tvS2, 'tv-u1')).json().code).toBe('KZ_CONSOLE_CLIENT_FORBIDDEN');
      const ghost = await broker.login({ kind: 'tv', muni: MUNI, device: 'tv-ghost' });
      const g = await nonce(ghost, 'tv-ghost');
      expect(g.statusCode).toBe(404);
      expect(g.json().code).toBe('KZ_CONSOLE_UNKNOWN_DEVICE');
      const term = await broker.login({ kind: 'terminal', muni: MUNI, shelter: 'sh-school', terminal: 't9' });
      expect((await nonce(term, 'tv-u1')).json().code).toBe('KZ_CONSOLE_CLIENT_FORBIDDEN');
    });

    it('follows a plain renewal to the new card, and a re-bind with the new card replaces the old binding', async () => {
      const ken = await authority.issueCard(KEN, SECRETS);
      expect((await bindCard(ken, tvS2, 'tv-s2')).statusCode).toBe(201);
      // seedTown had bound 佐藤 健 to tv-s2 directly: that binding is superseded, one stays active
      expect((await resident('R4')).devices.filter((d: { status: string }) => d.status === 'active')).toHaveLength(1);
      const renewed = await authority.renew(ken.signSerial, SECRETS);
      const w = await c.app.kz.bindings.watch();
      expect(w).toMatchObject({ followed: 1, ended: 0 });
      const { rows } = await db.query<{ auth_serial: string; status: string }>(
        "SELECT auth_serial, status FROM bindings WHERE resident_id = 'R4' AND status = 'active'",
      );
      expect(rows).toEqual([{ auth_serial: renewed.authSerial, status: 'active' }]);
      const again = await bindCard(renewed, tvS2, 'tv-s2');
      expect(again.statusCode, again.body).toBe(201);
      const r4 = await resident('R4');
      expect(r4.personalAlerts).toBe(true);
      expect(r4.devices.map((d: { status: string }) => d.status).sort()).toEqual([
        'active',
        'superseded',
        'superseded',
        'superseded',
      ]);
    });

    it('a revoked card stops personal alerts: the watch ends the binding with the life event, shown on the resident', async () => {
      authority.revoke(sachiko.signSerial, 'moved');
      const w = await c.app.kz.bindings.watch();
      expect(w.ended).toBe(1);
      const r5 = await resident('R5');
      expect(r5.personalAlerts).toBe(false);
      expect(r5.devices[0]).toMatchObject({ deviceId: 'tv-u1', status: 'revoked' });
      expect(r5.devices[0].reason).toContain('moved-or-renamed');
      const a = await issueAlert(c.app, issuer, {
        level: 3,
        hazard: 'flood',
        status: 'Exercise',
        expires: EXPIRES,
        target: { zones: ['z-kawabe'] },
      });
      const { rows } = await db.query("SELECT 1 FROM alert_recipients WHERE alert_id = $1 AND resident_id = 'R5'", [
        a.json().id,
      ]);
      expect(rows).toHaveLength(0);
      // the status source is asked again only when the watch comes round; a quiet pass changes nothing
      expect((await c.app.kz.bindings.watch()).ended).toBe(0);
    });

    it('unbinds from the TV (its own bindings only) and from the staff API', async () => {
      const ken = (await c.app.inject({ url: '/api/bind', headers: basic(tvS2) })).json();
      expect(ken).toHaveLength(1);
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bind/${ken[0].bindingId}`, headers: basic(tvU1) })).json()
          .code,
      ).toBe('KZ_CONSOLE_UNKNOWN_BINDING');
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bind/${ken[0].bindingId}`, headers: basic(tvS2) }))
          .statusCode,
      ).toBe(204);
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bind/${ken[0].bindingId}`, headers: basic(tvS2) }))
          .statusCode,
      ).toBe(404);
      expect((await resident('R4')).personalAlerts).toBe(false);
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM bindings WHERE resident_id = 'R1' AND status = 'active'",
      );
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bindings/${rows[0]!.id}`, headers: bearer(admin) }))
          .statusCode,
      ).toBe(204);
      expect(
        (await c.app.inject({ method: 'DELETE', url: `/api/bindings/${rows[0]!.id}`, headers: bearer(issuer) })).json()
          .code,
      ).toBe('KZ_CONSOLE_ROLE_REQUIRED');
      expect(bindingId).toMatch(/^\d+$/);
    });

    it('rotates and revokes a TV’s broker credentials: the old password stops at once, a revoked TV is refused here and by the broker', async () => {
      const rotated = await issueTv('tv-u1');
      expect(rotated.action).toBe('rotated');
      expect((await nonce(tvU1, 'tv-u1')).json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
      expect((await nonce(rotated, 'tv-u1')).statusCode).toBe(201);
      expect(
        (await c.app.inject({ method: 'DELETE', url: '/api/devices/tv-u1/credentials', headers: bearer(admin) }))
          .statusCode,
      ).toBe(204);
      expect((await nonce(rotated, 'tv-u1')).statusCode).toBe(401);
      await expect(
        connect(broker.url, rotated.username, {
          username: rotated.username,
          password: rotated.password,
          reconnectPeriod: 0,
        }),
      ).rejects.toThrow();
      const dev = (await c.app.inject({ url: '/api/devices', headers: bearer(admin) }))
        .json()
        .find((d: { id: string }) => d.id === 'tv-u1');
      expect(dev.status).toBe('revoked');
      expect(
        (
          await c.app.inject({
            method: 'POST',
            url: '/api/devices/tv-nowhere/credentials',
            headers: bearer(admin),
            payload: {},
          })
        ).json().code,
      ).toBe('KZ_CONSOLE_UNKNOWN_DEVICE');
    });
  });
}
