/**
 * Staff card login on the API (issue 6), without a browser: the test authority issues staff
 * cards, an administrator links one to a staff member, the card signs the console's challenge over
 * APDUs, and the console checks signature, chain, purpose and revocation (fail closed) before it
 * opens a session whose method ('card' or 'password') is shown and audited. Then every refusal.
 * On every database engine. (The same flows in Chromium: system/test/ui-staff-login.test.ts.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import {
  createAuthority,
  createVerifier,
  JpkiClient,
  type Authority,
  type IssuedCard,
  type OcspStatusSource,
} from '@kizuna/jpki';
import { bearer, consoleWith, ManualClock, staffToken, startBroker } from './helpers.ts';

const SECRETS = { authPin: '1234', signPassword: 'STAFF2026' };
const person = (n: number) => ({
  name: `職員　${n}郎`,
  address: '絆市役所1-1',
  birthDate: '1985-04-01',
  sex: 1 as const,
});

for (const engine of dbEngines()) {
  describe(`staff card login on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let authority: Authority;
    let admin: string;
    let mine: IssuedCard;
    let stranger: IssuedCard;
    let lost: IssuedCard;
    let extra: IssuedCard;
    let admin2: string;
    const ocspDown = { value: false };
    const clock = new ManualClock();

    // Login is rate-limited per client address (10 a minute): each test logs in from its own.
    let from = '127.0.0.1';
    const inject = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      c.app.inject({
        method: method as 'POST',
        url,
        headers,
        remoteAddress: from,
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
    const cert = (card: IssuedCard, kind: 'auth' | 'sign' = 'auth') =>
      Buffer.from(authority.certificate(kind === 'auth' ? card.authSerial : card.signSerial)).toString('base64');
    /** challenge → the card signs the nonce with its authentication key (PIN on the card) → the answer. */
    async function answer(card: IssuedCard, pin = SECRETS.authPin) {
      const ch = await inject('POST', '/api/session/card/challenge', {});
      expect(ch.statusCode, ch.body).toBe(200);
      const { challengeId, nonce } = ch.json() as { challengeId: string; nonce: string };
      const signature = await new JpkiClient(card.card).authSign(pin, new Uint8Array(Buffer.from(nonce, 'base64')));
      return { challengeId, certificate: cert(card), signature: Buffer.from(signature).toString('base64') };
    }
    /** admin1 proposes the link, admin2 confirms it (a link gives access: issue 24). */
    async function link(username: string, card: IssuedCard) {
      const p = await inject('POST', `/api/staff/${username}/cards`, { certificate: cert(card) }, bearer(admin));
      expect(p.statusCode, p.body).toBe(202);
      return inject('POST', `/api/admin-changes/${p.json().id}/confirm`, {}, bearer(admin2));
    }
    const cardLogin = async (card: IssuedCard) => inject('POST', '/api/session/card', await answer(card));
    const audit = async (action: string) =>
      (await inject('GET', `/api/audit?action=${action}`, undefined, bearer(admin))).json() as {
        actor: string;
        subject: string | null;
        details: Record<string, unknown>;
      }[];

    beforeAll(async () => {
      authority = await createAuthority();
      const real = authority.statusSource();
      const ocsp: OcspStatusSource = {
        kind: 'ocsp',
        name: 'authority OCSP',
        send: async (req) => {
          if (ocspDown.value) throw new Error('connect ECONNREFUSED');
          return real.send(req);
        },
      };
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock, {
        verifier: createVerifier({ trustAnchors: authority.trustAnchors(), status: ocsp }),
        revocationCheckS: 0,
      });
      admin = await staffToken(c.app, 'admin1', ['admin']);
      admin2 = await staffToken(c.app, 'admin2', ['admin']);
      await staffToken(c.app, 'issuer1', ['issuer']);
      await staffToken(c.app, 'approver1', ['approver']);
      [mine, stranger, lost, extra] = [
        await authority.issueCard(person(1), SECRETS),
        await authority.issueCard(person(2), SECRETS),
        await authority.issueCard(person(3), SECRETS),
        await authority.issueCard(person(4), SECRETS),
      ];
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });
    let n = 0;
    beforeEach(() => {
      from = `10.0.0.${++n}`;
    });

    it('tells the login screen that card login is on', async () => {
      expect((await inject('GET', '/api/ui-config')).json()).toMatchObject({
        cardLogin: true,
        cardBridgeUrl: expect.stringMatching(/^wss?:\/\//),
      });
      // The page may talk to that bridge and to nothing else outside its own origin.
      const { cardBridgeUrl } = (await inject('GET', '/api/ui-config')).json() as { cardBridgeUrl: string };
      const csp = String((await inject('GET', '/')).headers['content-security-policy']);
      expect(csp).toContain(`connect-src 'self' ${new URL(cardBridgeUrl).protocol}//${new URL(cardBridgeUrl).host}`);
      expect(csp).toContain("frame-ancestors 'none'");
    });

    it('describes the card login and staff card routes in the OpenAPI document', async () => {
      const spec = (await inject('GET', '/docs/json')).json() as {
        paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      };
      for (const [path, method] of [
        ['/api/session/card/challenge', 'post'],
        ['/api/session/card', 'post'],
        ['/api/staff', 'get'],
        ['/api/staff/{username}/cards', 'post'],
        ['/api/staff/{username}/cards/{serial}', 'delete'],
        ['/api/ui-config', 'get'],
      ] as const) {
        expect(spec.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      }
      expect(Object.keys(spec.paths['/api/session/card']!.post!.responses)).toEqual(
        expect.arrayContaining(['200', '401', '403', '429', '503']),
      );
      expect(spec.paths['/api/session/card']!.post!.requestBody).toBeDefined();
    });

    it('links a verified authentication certificate (admin only, serial and opaque subject only)', async () => {
      const issuer = (
        await inject('POST', '/api/session', { username: 'issuer1', password: 'issuer1-password-1' })
      ).json().token as string;
      expect(
        (await inject('POST', '/api/staff/issuer1/cards', { certificate: cert(mine) }, bearer(issuer))).statusCode,
      ).toBe(403);
      // The signing certificate is not a staff ID: it carries name, address, birth date and sex.
      const sign = await inject('POST', '/api/staff/issuer1/cards', { certificate: cert(mine, 'sign') }, bearer(admin));
      expect(sign.json()).toMatchObject({
        code: 'KZ_CONSOLE_CARD_REFUSED',
        details: { reason: 'wrong-certificate-type' },
      });
      const r = await link('issuer1', mine);
      expect(r.statusCode, r.body).toBe(200);
      expect(JSON.stringify(r.json())).not.toMatch(/職員|絆市/);
      const list = (await inject('GET', '/api/staff', undefined, bearer(admin))).json() as {
        username: string;
        cards: { serial: string; linkedBy: string }[];
      }[];
      expect(list.find((s) => s.username === 'issuer1')!.cards).toMatchObject([
        { serial: mine.authSerial.toLowerCase(), linkedBy: 'admin2' },
      ]);
      expect(JSON.stringify(list)).not.toMatch(/職員|絆市/);
      expect((await link('admin1', lost)).statusCode).toBe(200);
      expect((await audit('staff.card-link'))[0]).toMatchObject({
        actor: 'admin2',
        subject: 'admin1',
        details: { serial: lost.authSerial.toLowerCase() },
      });
    });

    it('a card link needs a second administrator: the proposer alone cannot log in as another with it', async () => {
      // admin1 links their own card to the approver's account: nothing is linked until admin2 confirms
      const r = await inject('POST', '/api/staff/approver1/cards', { certificate: cert(extra) }, bearer(admin));
      expect(r.statusCode, r.body).toBe(202);
      const change = r.json() as { id: string; kind: string; subject: string; state: string; summary: object };
      expect(change).toMatchObject({
        kind: 'staff.card-link',
        subject: 'approver1',
        state: 'pending',
        summary: { serial: extra.authSerial.toLowerCase() },
      });
      expect((await cardLogin(extra)).json().code).toBe('KZ_CONSOLE_CARD_UNKNOWN');
      const self = await inject('POST', `/api/admin-changes/${change.id}/confirm`, {}, bearer(admin));
      expect(self.statusCode).toBe(403);
      expect(self.json().code).toBe('KZ_CONSOLE_SAME_ADMIN');
      expect((await cardLogin(extra)).json().code).toBe('KZ_CONSOLE_CARD_UNKNOWN');
      const ok = await inject('POST', `/api/admin-changes/${change.id}/confirm`, {}, bearer(admin2));
      expect(ok.statusCode, ok.body).toBe(200);
      const login = await cardLogin(extra);
      expect(login.statusCode, login.body).toBe(200);
      expect(login.json().staff).toMatchObject({ username: 'approver1', method: 'card' });
      expect((await audit('staff.card-link'))[0]).toMatchObject({
        actor: 'admin2',
        subject: 'approver1',
        details: { serial: extra.authSerial.toLowerCase(), proposedBy: 'admin1' },
      });
      // unlinking takes access away: immediate, one admin
      expect(
        (await inject('DELETE', `/api/staff/approver1/cards/${extra.authSerial}`, undefined, bearer(admin))).statusCode,
      ).toBe(204);
      expect((await cardLogin(extra)).json().code).toBe('KZ_CONSOLE_CARD_UNKNOWN');
    });

    it('logs in with the linked card: session method card, shown by GET /api/session and audited', async () => {
      const r = await cardLogin(mine);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { token: string; staff: { username: string; method: string } };
      expect(body.staff).toMatchObject({ username: 'issuer1', method: 'card' });
      expect(r.cookies.find((x) => x.name === 'kz_console_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });
      expect((await inject('GET', '/api/session', undefined, bearer(body.token))).json()).toMatchObject({
        username: 'issuer1',
        method: 'card',
      });
      expect((await inject('GET', '/api/session', undefined, bearer(admin))).json()).toMatchObject({
        username: 'admin1',
        method: 'password',
      });
      expect((await audit('session.login'))[0]).toMatchObject({
        actor: 'issuer1',
        details: { method: 'card', serial: mine.authSerial.toLowerCase() },
      });
    });

    it('refuses a wrong PIN on the card itself: nothing reaches the server', async () => {
      await expect(answer(mine, '9999')).rejects.toThrow();
      expect(await new JpkiClient(mine.card).triesLeft('auth')).toBe(2);
      expect((await cardLogin(mine)).statusCode).toBe(200); // the right PIN resets the counter
    });

    it('refuses a valid card linked to nobody, and opens no session', async () => {
      const r = await cardLogin(stranger);
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('KZ_CONSOLE_CARD_UNKNOWN');
      expect(r.cookies).toEqual([]);
    });

    it('refuses a replayed answer and an expired challenge', async () => {
      const a = await answer(mine);
      expect((await inject('POST', '/api/session/card', a)).statusCode).toBe(200);
      expect((await inject('POST', '/api/session/card', a)).json()).toMatchObject({
        code: 'KZ_CONSOLE_CARD_REFUSED',
        details: { reason: 'challenge-replayed' },
      });
      const late = await answer(mine);
      clock.advance(121_000);
      expect((await inject('POST', '/api/session/card', late)).json()).toMatchObject({
        code: 'KZ_CONSOLE_CARD_REFUSED',
        details: { reason: 'challenge-expired' },
      });
    });

    it('fails closed when the revocation status cannot be had', async () => {
      ocspDown.value = true;
      try {
        const r = await cardLogin(mine);
        expect(r.statusCode).toBe(503);
        expect(r.json().code).toBe('KZ_CONSOLE_CARD_STATUS_UNAVAILABLE');
        expect(r.cookies).toEqual([]);
      } finally {
        ocspDown.value = false;
      }
    });

    it('refuses a revoked card with its reason, attributes the refusal, and will not link it again', async () => {
      authority.revoke(lost.signSerial, 'card-lost');
      const r = await cardLogin(lost);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({
        code: 'KZ_CONSOLE_CARD_REVOKED',
        details: { reason: 'revoked', revocationReason: 'key-compromise' },
      });
      expect((await audit('session.card-refused'))[0]).toMatchObject({
        actor: 'admin1',
        details: { reason: 'revoked', serial: lost.authSerial.toLowerCase() },
      });
      expect(
        (await inject('POST', '/api/staff/issuer1/cards', { certificate: cert(lost) }, bearer(admin))).json().code,
      ).toBe('KZ_CONSOLE_CARD_REVOKED');
    });

    it('a disabled account cannot log in with its card; an unlinked card no longer logs in', async () => {
      await db.query('UPDATE staff SET disabled = true WHERE username = $1', ['issuer1']);
      expect((await cardLogin(mine)).json().code).toBe('KZ_CONSOLE_LOGIN_FAILED');
      await db.query('UPDATE staff SET disabled = false WHERE username = $1', ['issuer1']);
      expect(
        (await inject('DELETE', `/api/staff/issuer1/cards/${mine.authSerial}`, undefined, bearer(admin))).statusCode,
      ).toBe(204);
      expect((await cardLogin(mine)).json().code).toBe('KZ_CONSOLE_CARD_UNKNOWN');
      const list = (await inject('GET', '/api/staff', undefined, bearer(admin))).json() as {
        username: string;
        cards: unknown[];
      }[];
      expect(list.find((s) => s.username === 'issuer1')!.cards).toEqual([]);
    });

    it('rate-limits failed card logins per client address', async () => {
      // failures only count (issue 24): the address budget is KZ_CONSOLE_LOGIN_FAILURES_PER_ADDRESS (50)
      const codes: number[] = [];
      for (let i = 0; i < 51; i++)
        codes.push(
          (
            await inject('POST', '/api/session/card', {
              challengeId: 'none',
              certificate: cert(stranger),
              signature: 'AAAA',
            })
          ).statusCode,
        );
      const first = codes.indexOf(429);
      expect(first).toBeGreaterThan(0);
      expect(codes.slice(0, first).every((x) => x === 401)).toBe(true);
      expect(codes.slice(first).every((x) => x === 429)).toBe(true);
    });

    it('a card session expires like any other', async () => {
      expect((await link('issuer1', mine)).statusCode).toBe(200);
      const { token } = (await cardLogin(mine)).json() as { token: string };
      expect((await inject('GET', '/api/session', undefined, bearer(token))).statusCode).toBe(200);
      clock.advance(43_200_000 + 1000);
      const r = await inject('GET', '/api/session', undefined, bearer(token));
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('KZ_CONSOLE_SESSION_EXPIRED');
    });
  });
}

describe('staff card login switched off', () => {
  it('says so when the console has no certificate verifier; password login is unaffected', async () => {
    const broker = await startBroker();
    const e = dbEngines()[0]!;
    const db = await e.open();
    const c = await consoleWith(db, broker, new ManualClock());
    try {
      expect((await c.app.inject('/api/ui-config')).json()).toMatchObject({ cardLogin: false });
      const r = await c.app.inject({ method: 'POST', url: '/api/session/card/challenge', payload: {} });
      expect(r.statusCode).toBe(503);
      expect(r.json().code).toBe('KZ_CONSOLE_CARD_LOGIN_OFF');
      const token = await staffToken(c.app, 'viewer1', ['viewer']);
      expect((await c.app.inject({ url: '/api/session', headers: bearer(token) })).json()).toMatchObject({
        username: 'viewer1',
        method: 'password',
      });
    } finally {
      await c.close();
      await db.drop();
      await broker.close();
    }
  });
});
