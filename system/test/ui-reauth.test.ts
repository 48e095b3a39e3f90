/**
 * Issue 24, fresh authentication in Chromium: an approver whose login is older than
 * KZ_CONSOLE_REAUTH_S approves a real alert. The console asks for the password in a dialog
 * (views/reauth.ts) instead of failing; cancelling it approves nothing, a wrong password is said in
 * the dialog and approves nothing, the right one approves what the page showed, with no second
 * click. npm start reads KZ_CONSOLE_REAUTH_S (its shortest allowed value, 30 s, keeps the wait
 * short). Screenshots under test-output/screenshots/console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '@kizuna/test-utils';
import { DEMO_STAFF } from '../src/demo-staff.ts';
import { loginPage, startUi, type UiHarness, staffApi, issueAlertAs } from './helpers/ui-harness.ts';

const REAUTH_S = 30;
let h: UiHarness;
const before = process.env.KZ_CONSOLE_REAUTH_S;
beforeAll(async () => {
  process.env.KZ_CONSOLE_REAUTH_S = String(REAUTH_S);
  h = await startUi();
}, 300_000);
afterAll(async () => {
  await h?.close();
  if (before === undefined) delete process.env.KZ_CONSOLE_REAUTH_S;
  else process.env.KZ_CONSOLE_REAUTH_S = before;
});

const api = <T>(path: string, who: string, body?: unknown) => staffApi<T>(h, path, who, body);

const stateOf = async (id: string) =>
  (await api<{ state: string; revision: number }>(`/api/alerts/${id}`, 'approver')).body;

describe('staff console: approving a real alert after the login went stale asks for the password', () => {
  it('cancel and a wrong password approve nothing; the right password approves without a second click', async () => {
    const issued = await issueAlertAs(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      target: { zones: ['z-kawabe'] },
    });
    expect(issued.status).toBe(200);
    const id = issued.body.id;

    const approver = await loginPage(h, 'approver');
    const loggedInAt = Date.now();
    await approver.goto(`${h.url}/#/alerts/${id}`);
    await approver.waitForSelector('section.approval');
    await approver.waitForSelector('[data-action=approve]');
    // the login is fresh for REAUTH_S seconds: wait until it is not (time has to pass; nothing to poll)
    await new Promise((r) => setTimeout(r, Math.max(0, loggedInAt + (REAUTH_S + 1) * 1000 - Date.now())));

    // 1. the dialog instead of a failure; cancelling it approves nothing and says why
    await approver.click('[data-action=approve]');
    await approver.waitForSelector('dialog.reauth[open]');
    await shot(approver, 'console', 'reauth-dialog');
    await approver.click('dialog.reauth button[type=button]');
    await approver.waitForSelector('dialog.reauth:not([open])');
    await approver.waitForSelector('[role=alert][data-code="KZ_CONSOLE_REAUTH_REQUIRED"]');
    expect((await stateOf(id)).state).toBe('pending-approval');

    // 2. a wrong password: said in the dialog, still pending
    await approver.click('[data-action=approve]');
    await approver.waitForSelector('dialog.reauth[open]');
    await approver.type('dialog.reauth input[name=password]', 'not-the-password');
    await approver.click('dialog.reauth button[type=submit]');
    await approver.waitForSelector('dialog.reauth [role=alert][data-code="KZ_CONSOLE_PASSWORD_WRONG"]');
    await shot(approver, 'console', 'reauth-wrong-password');
    expect((await stateOf(id)).state).toBe('pending-approval');

    // 3. the right password: the approval the approver asked for goes through, no second click
    const password = DEMO_STAFF.find((s) => s.username === 'approver')!.password;
    await approver.$eval('dialog.reauth input[name=password]', (e) => ((e as HTMLInputElement).value = ''));
    await approver.type('dialog.reauth input[name=password]', password);
    await approver.click('dialog.reauth button[type=submit]');
    await approver.waitForSelector('dialog.reauth:not([open])');
    await approver.waitForFunction(() => !document.querySelector('section.approval'), { timeout: 20_000 });
    expect(await stateOf(id)).toMatchObject({ state: 'active', revision: 1 });
    await shot(approver, 'console', 'reauth-approved');
  }, 120_000);
});
