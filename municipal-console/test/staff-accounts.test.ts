/**
 * Issue 24, items 2, 7, 8 and 11 (part): staff accounts as a government system needs them,
 * through the real API with a bare HTTP client (app.inject). No one admin can make a second
 * approver; accounts can be disabled, re-enabled, re-roled and reset (two admins where it grants
 * access); sessions idle out, can be listed and ended; approving a real alert needs a fresh
 * authentication; passwords are checked; failed logins lock the account but not the office.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { readAudit } from '../src/staff/audit.ts';
import { bearer, consoleWith, ManualClock, seedTown, staffToken, startBroker, issueAlert } from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`staff accounts on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    const clock = new ManualClock();
    let admin1: string;
    let admin2: string;
    let issuer: string;

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock);
      await seedTown(db);
      admin1 = await staffToken(c.app, 'admin1', ['admin']);
      admin2 = await staffToken(c.app, 'admin2', ['admin']);
      issuer = await staffToken(c.app, 'issuer1', ['issuer']);
    });
    afterAll(async () => {
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    const call = (
      method: string,
      url: string,
      token?: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) =>
      c.app.inject({
        method: method as 'GET',
        url,
        headers: { ...(token ? bearer(token) : {}), ...headers },
        // body-less actions take an empty JSON object
        ...(payload !== undefined || method === 'POST' ? { payload: (payload ?? {}) as object } : {}),
      });
    const login = (username: string, password: string, headers: Record<string, string> = {}) =>
      call('POST', '/api/session', undefined, { username, password }, headers);
    const actions = async () => (await readAudit(db, { limit: 100_000 })).map((e) => e.action);

    it('item 2: one admin creating an approver gets only a proposal; a second admin must confirm it', async () => {
      const r = await call('POST', '/api/staff', admin1, {
        username: 'puppet',
        password: 'puppet-long-pass-9',
        roles: ['approver'],
      });
      expect(r.statusCode).toBe(202);
      const change = r.json();
      expect(change).toMatchObject({ kind: 'staff.create', subject: 'puppet', state: 'pending', proposedBy: 'admin1' });
      expect(JSON.stringify(change)).not.toContain('scrypt');
      // no usable approver account yet
      expect((await login('puppet', 'puppet-long-pass-9')).statusCode).toBe(401);
      // the proposer cannot confirm their own proposal
      const self = await call('POST', `/api/admin-changes/${change.id}/confirm`, admin1);
      expect(self.statusCode).toBe(403);
      expect(self.json().code).toBe('KZ_CONSOLE_SAME_ADMIN');
      expect((await login('puppet', 'puppet-long-pass-9')).statusCode).toBe(401);
      // a second admin sees and confirms it
      const pending = (await call('GET', '/api/admin-changes?state=pending', admin2)).json();
      expect(pending.map((p: { id: string }) => p.id)).toContain(change.id);
      const ok = await call('POST', `/api/admin-changes/${change.id}/confirm`, admin2);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ state: 'confirmed', decidedBy: 'admin2' });
      expect((await login('puppet', 'puppet-long-pass-9')).statusCode).toBe(200);
      // confirmed once only
      expect((await call('POST', `/api/admin-changes/${change.id}/confirm`, admin2)).json().code).toBe(
        'KZ_CONSOLE_CHANGE_UNKNOWN',
      );
      expect(await actions()).toEqual(
        expect.arrayContaining([
          'admin-change.propose',
          'admin-change.refused',
          'admin-change.confirm',
          'staff.create',
        ]),
      );
    });

    it('item 2: granting a role needs a second admin too; a withdrawn proposal cannot be confirmed', async () => {
      const p = (await call('POST', '/api/staff/issuer1/roles', admin1, { roles: ['issuer', 'approver'] })).json();
      expect(p).toMatchObject({ kind: 'staff.roles', state: 'pending', summary: { roles: ['issuer', 'approver'] } });
      const me = async () => (await call('GET', '/api/session', issuer)).json().roles;
      expect(await me()).toEqual(['issuer']);
      expect((await call('POST', `/api/admin-changes/${p.id}/confirm`, admin1)).statusCode).toBe(403);
      expect((await call('POST', `/api/admin-changes/${p.id}/confirm`, admin2)).statusCode).toBe(200);
      expect(await me()).toEqual(['issuer', 'approver']);

      const back = (await call('POST', '/api/staff/issuer1/roles', admin2, { roles: ['issuer'] })).json();
      expect((await call('DELETE', `/api/admin-changes/${back.id}`, admin2)).statusCode).toBe(204);
      const withdrawn = (await call('GET', '/api/admin-changes?state=withdrawn', admin1)).json();
      expect(withdrawn.find((w: { id: string }) => w.id === back.id)).toMatchObject({ decidedBy: 'admin2' });
      expect((await call('POST', `/api/admin-changes/${back.id}/confirm`, admin1)).statusCode).toBe(404);
      const again = (await call('POST', '/api/staff/issuer1/roles', admin2, { roles: ['issuer'] })).json();
      expect((await call('POST', `/api/admin-changes/${again.id}/confirm`, admin1)).statusCode).toBe(200);
      expect(await me()).toEqual(['issuer']);
    });

    it('item 7: disabling ends the account’s sessions at once; enabling needs a second admin', async () => {
      const t = await staffToken(c.app, 'leaver', ['viewer']);
      expect((await call('GET', '/api/session', t)).statusCode).toBe(200);
      expect((await call('POST', '/api/staff/leaver/disable', issuer)).statusCode).toBe(403);
      expect((await call('POST', '/api/staff/leaver/disable', admin1)).statusCode).toBe(204);
      expect((await call('GET', '/api/session', t)).statusCode).toBe(401);
      expect(
        (await call('GET', '/api/staff/sessions', admin1)).json().map((s: { username: string }) => s.username),
      ).not.toContain('leaver');
      expect((await login('leaver', 'leaver-password-1')).statusCode).toBe(401);
      const list = (await call('GET', '/api/staff', admin1)).json() as { username: string; disabled: boolean }[];
      expect(list.find((s) => s.username === 'leaver')!.disabled).toBe(true);

      const p = (await call('POST', '/api/staff/leaver/enable', admin1)).json();
      expect((await login('leaver', 'leaver-password-1')).statusCode).toBe(401);
      expect((await call('POST', `/api/admin-changes/${p.id}/confirm`, admin2)).statusCode).toBe(200);
      expect((await login('leaver', 'leaver-password-1')).statusCode).toBe(200);
      expect(await actions()).toEqual(expect.arrayContaining(['staff.disable', 'staff.enable', 'access.refused']));
      // the last enabled admin cannot disable the console's administration away
      await staffToken(c.app, 'admin3', ['admin']);
      expect((await call('POST', '/api/staff/admin3/disable', admin1)).statusCode).toBe(204);
      expect((await call('POST', '/api/staff/admin2/disable', admin1)).statusCode).toBe(204);
      expect((await call('POST', '/api/staff/admin1/disable', admin1)).json().code).toBe('KZ_CONSOLE_LAST_ADMIN');
      admin2 = await reenable('admin2');
    });

    async function reenable(username: string): Promise<string> {
      const p = (await call('POST', `/api/staff/${username}/enable`, admin1)).json();
      // admin1 is the only enabled admin now: a proposal alone does nothing; confirm by a fresh admin
      await staffToken(c.app, `${username}-helper`, ['admin']);
      const h = (await login(`${username}-helper`, `${username}-helper-password-1`)).json().token;
      expect((await call('POST', `/api/admin-changes/${p.id}/confirm`, h)).statusCode).toBe(200);
      return (await login(username, `${username}-password-1`)).json().token;
    }

    it('item 7: own sessions listed and ended; an admin ends anyone’s', async () => {
      const a = await staffToken(c.app, 'shifty', ['viewer']);
      const b = (await login('shifty', 'shifty-password-1')).json().token;
      const mine = (await call('GET', '/api/sessions', a)).json() as { id: string; current: boolean }[];
      expect(mine).toHaveLength(2);
      const other = mine.find((s) => !s.current)!;
      expect(JSON.stringify(mine)).not.toMatch(new RegExp(`${a}|${b}`));
      // someone else's session is not theirs to end
      const adminSession = (await call('GET', '/api/sessions', admin1)).json()[0].id;
      expect((await call('DELETE', `/api/sessions/${adminSession}`, a)).statusCode).toBe(404);
      expect((await call('DELETE', `/api/sessions/${other.id}`, a)).statusCode).toBe(204);
      expect((await call('GET', '/api/session', b)).statusCode).toBe(401);
      expect((await call('GET', '/api/session', a)).statusCode).toBe(200);
      expect((await call('DELETE', '/api/staff/shifty/sessions', admin1)).statusCode).toBe(204);
      expect((await call('GET', '/api/session', a)).statusCode).toBe(401);
      expect(await actions()).toContain('session.end');
    });

    it('item 7: a session idle past the idle timeout ends, an active one lives on', async () => {
      const idle = await staffToken(c.app, 'idler', ['viewer']);
      const busy = (await login('idler', 'idler-password-1')).json().token;
      for (let i = 0; i < 4; i++) {
        clock.advance(10 * 60_000);
        expect((await call('GET', '/api/session', busy)).statusCode).toBe(200);
        // keep the test's admins alive too
        for (const t of [admin1, admin2, issuer]) await call('GET', '/api/session', t);
      }
      const r = await call('GET', '/api/session', idle);
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('KZ_CONSOLE_SESSION_EXPIRED');
    });

    it('item 7: change own password; an admin reset (two admins) forces a change at the next login', async () => {
      const t = await staffToken(c.app, 'carol', ['issuer']);
      const t2 = (await login('carol', 'carol-password-1')).json().token;
      const wrong = await call('POST', '/api/session/password', t, { current: 'nope', password: 'carol-new-pass-77' });
      expect(wrong.json().code).toBe('KZ_CONSOLE_PASSWORD_WRONG');
      expect(
        (
          await call('POST', '/api/session/password', t, { current: 'carol-password-1', password: 'aaaaaaaaaaaa' })
        ).json().code,
      ).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(
        (
          await call('POST', '/api/session/password', t, { current: 'carol-password-1', password: 'x'.repeat(129) })
        ).json().code,
      ).toBe('KZ_CONSOLE_PASSWORD_TOO_LONG');
      const ok = await call('POST', '/api/session/password', t, {
        current: 'carol-password-1',
        password: 'carol-new-pass-77',
      });
      expect(ok.statusCode).toBe(204);
      expect((await call('GET', '/api/session', t)).statusCode).toBe(200);
      expect((await call('GET', '/api/session', t2)).statusCode).toBe(401); // other sessions ended
      expect((await login('carol', 'carol-password-1')).statusCode).toBe(401);

      const p = (await call('POST', '/api/staff/carol/password', admin1, { password: 'temporary-pass-31' })).json();
      expect(p).toMatchObject({ kind: 'staff.password-reset', summary: {} });
      expect(JSON.stringify(p)).not.toContain('temporary');
      // confirming asks for a fresh authentication too
      const stale = await call('POST', `/api/admin-changes/${p.id}/confirm`, admin2);
      expect(stale.json().code).toBe('KZ_CONSOLE_REAUTH_REQUIRED');
      await call('POST', '/api/session/reauth', admin2, { password: 'admin2-password-1' });
      expect((await call('POST', `/api/admin-changes/${p.id}/confirm`, admin2)).statusCode).toBe(200);
      expect((await call('GET', '/api/session', t)).statusCode).toBe(401);
      const temp = (await login('carol', 'temporary-pass-31')).json().token;
      expect((await call('GET', '/api/session', temp)).statusCode).toBe(200);
      const blocked = await call('GET', '/api/alerts', temp);
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().code).toBe('KZ_CONSOLE_PASSWORD_CHANGE_REQUIRED');
      expect(
        (
          await call('POST', '/api/session/password', temp, {
            current: 'temporary-pass-31',
            password: 'carol-own-again-5',
          })
        ).statusCode,
      ).toBe(204);
      expect((await call('GET', '/api/alerts', temp)).statusCode).toBe(200);
      expect(await actions()).toEqual(expect.arrayContaining(['staff.password-change', 'staff.password-reset']));
    });

    it('item 7: approving a real alert needs a fresh authentication', async () => {
      const approver = await staffToken(c.app, 'appr', ['approver']);
      const issue = async (status: string) =>
        (
          await issueAlert(c.app, issuer, {
            level: 4,
            hazard: 'flood',
            status,
            expires: new Date(clock.now().getTime() + 3_600_000).toISOString(),
            target: { zones: ['z-kawabe'] },
          })
        ).json().id as string;
      const real = await issue('Actual');
      clock.advance(6 * 60_000);
      await call('GET', '/api/session', issuer);
      const r = await call('POST', `/api/alerts/${real}/approve`, approver);
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('KZ_CONSOLE_REAUTH_REQUIRED');
      expect((await call('GET', `/api/alerts/${real}`, approver)).json().state).toBe('pending-approval');
      expect((await call('POST', '/api/session/reauth', approver, { password: 'wrong-one' })).json().code).toBe(
        'KZ_CONSOLE_PASSWORD_WRONG',
      );
      expect((await call('POST', '/api/session/reauth', approver, { password: 'appr-password-1' })).statusCode).toBe(
        200,
      );
      // what the approver was shown (revision and digest): approval binds to it
      const { pending } = (await call('GET', `/api/alerts/${real}`, approver)).json();
      const shown = { revision: pending.revision, digest: pending.digest };
      expect((await call('POST', `/api/alerts/${real}/approve`, approver, shown)).statusCode).toBe(200);
      expect(await actions()).toEqual(expect.arrayContaining(['session.reauth', 'session.reauth-failed']));
    });

    it('item 8: weak, blank, common and over-long passwords are refused with named 400s at creation', async () => {
      const propose = async (password: string) =>
        (await call('POST', '/api/staff', admin1, { username: 'weakling', password, roles: ['viewer'] })).json().code;
      expect(await propose('aaaaaaaaaa')).toBe('KZ_CONSOLE_PASSWORD_TOO_SHORT');
      expect(await propose('1234567890')).toBe('KZ_CONSOLE_PASSWORD_TOO_SHORT');
      expect(await propose(' '.repeat(10))).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose(' '.repeat(20))).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose('a'.repeat(20))).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose('123456789012')).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose('password1234')).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose('weakling1234')).toBe('KZ_CONSOLE_PASSWORD_WEAK');
      expect(await propose('x1'.repeat(65))).toBe('KZ_CONSOLE_PASSWORD_TOO_LONG');
      expect(await propose('y'.repeat(1_000_000))).toBe('KZ_CONSOLE_PASSWORD_TOO_LONG');
      expect(
        (
          await call('POST', '/api/staff', admin1, {
            username: 'fine',
            password: 'correct horse battery',
            roles: ['viewer'],
          })
        ).statusCode,
      ).toBe(202);
    });

    it('item 8: failed logins lock the account (audited); a good password during the lock is refused too', async () => {
      await staffToken(c.app, 'target', ['viewer']);
      for (let i = 0; i < 5; i++) expect((await login('target', `guess-${i}-xxxxxx`)).statusCode).toBe(401);
      const locked = await login('target', 'target-password-1');
      expect(locked.statusCode).toBe(401);
      expect(locked.json().code).toBe('KZ_CONSOLE_LOGIN_FAILED'); // same answer as a wrong password
      clock.advance(31_000);
      expect((await login('target', 'target-password-1')).statusCode).toBe(200);
      // the count starts again after a success; a failure after a lock doubles the next one
      for (let i = 0; i < 5; i++) await login('target', `guess-${i}-yyyyyy`);
      clock.advance(31_000);
      expect((await login('target', 'guess-5-yyyyyy')).statusCode).toBe(401);
      clock.advance(31_000);
      expect((await login('target', 'target-password-1')).statusCode).toBe(401);
      clock.advance(31_000);
      expect((await login('target', 'target-password-1')).statusCode).toBe(200);
      const log = await readAudit(db, { limit: 100_000 });
      expect(log.filter((e) => e.action === 'staff.lockout' && e.subject === 'target').length).toBeGreaterThanOrEqual(
        2,
      );
      expect(log.find((e) => e.action === 'session.login-failed' && e.actor === 'target')!.details).toEqual({
        reason: 'bad-password',
      });
      expect(log.some((e) => e.action === 'session.login-failed' && e.details.reason === 'locked')).toBe(true);
    });

    it('item 8: successes cost no budget: 15 logins from one address in a minute all succeed', async () => {
      await staffToken(c.app, 'shift', ['viewer']);
      for (let i = 0; i < 15; i++) expect((await login('shift', 'shift-password-1')).statusCode).toBe(200);
    });

    it('item 8: logouts are audited', async () => {
      const t = await staffToken(c.app, 'bye', ['viewer']);
      expect((await call('DELETE', '/api/session', t)).statusCode).toBe(204);
      expect(
        (await readAudit(db, { limit: 100_000 })).some((e) => e.action === 'session.logout' && e.actor === 'bye'),
      ).toBe(true);
    });

    it('item 11: a cookie with a space before "=" still needs the CSRF header', async () => {
      const t = await staffToken(c.app, 'cookie', ['viewer']);
      for (const cookie of [
        `kz_console_session =${t}`,
        `other=1; kz_console_session  = ${t}`,
        `kz_console_session\t=${t}`,
      ]) {
        // a cross-site form could send this: logging the victim out must be refused
        const r = await c.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
        expect(r.statusCode, cookie).toBe(403);
        expect(r.json().code).toBe('KZ_CONSOLE_CSRF');
      }
      expect((await call('GET', '/api/session', t)).statusCode).toBe(200);
    });

    it('item 11: /api/bind is rate limited (named 429) against guessed TV credentials', async () => {
      const basic = `Basic ${Buffer.from('tv-999997-tv-h1:wrong').toString('base64')}`;
      const codes: number[] = [];
      for (let i = 0; i < 80; i++)
        codes.push(
          (await c.app.inject({ method: 'GET', url: '/api/bind', headers: { authorization: basic } })).statusCode,
        );
      expect(codes).toContain(429);
      const last = await c.app.inject({ method: 'GET', url: '/api/bind', headers: { authorization: basic } });
      expect(last.json().code).toBe('KZ_RATE_LIMITED');
    });
  });
}

describe('login throttling behind a trusted proxy', () => {
  const engine = dbEngines()[0]!;
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof engine.open>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  beforeAll(async () => {
    broker = await startBroker();
    db = await engine.open();
    // app.inject comes from 127.0.0.1: the configured proxy
    c = await consoleWith(db, broker, new ManualClock(), {
      trustProxy: '127.0.0.1',
      loginThrottle: { ipFailures: 10 },
    });
    await staffToken(c.app, 'office1', ['viewer']);
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
    await broker?.close();
  });
  const login = (xff: string, username: string, password: string) =>
    c.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'x-forwarded-for': xff },
      payload: { username, password },
    });

  it('one client’s failed guesses hit its own address budget, not the office’s', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await login('203.0.113.9', `nobody${i}`, 'x-wrong-password')).statusCode);
    expect(codes.slice(0, 10).every((s) => s === 401)).toBe(true);
    const refused = await login('203.0.113.9', 'office1', 'office1-password-1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('KZ_RATE_LIMITED');
    // a colleague behind the same proxy logs in
    expect((await login('192.0.2.20', 'office1', 'office1-password-1')).statusCode).toBe(200);
  });
});
