/**
 * Issue 24, item 7 in the staff UI (real Chromium, the system as `npm start` runs it): an
 * administrator ends another staff member's session and disables an account from the staff
 * screen, and both take effect at once; re-enabling is only a proposal that the same
 * administrator cannot confirm. Screenshots go to /tmp/kz-ui-staff-accounts/.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { loginPage, startUi, waitText, type UiHarness } from './helpers/ui-harness.ts';

const SHOTS = '/tmp/kz-ui-staff-accounts';
let h: UiHarness;
let admin: Page;

/** GET /api/session from inside a page: its cookie session's status. */
const sessionStatus = (p: Page) => p.evaluate(async () => (await fetch('/api/session')).status);

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  h = await startUi();
  admin = await loginPage(h, 'admin');
  admin.on('dialog', (d) => void d.accept());
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('staff screen: sessions and accounts', () => {
  it('ends another staff member’s session from the sessions table', async () => {
    const issuer = await loginPage(h, 'issuer');
    expect(await sessionStatus(issuer)).toBe(200);
    await admin.goto(`${h.url}/#/staff`);
    const end = 'tr[data-session-user="issuer"] button[data-action="end-session"]';
    await admin.waitForSelector(end);
    await admin.click(end);
    await admin.waitForFunction((s) => !document.querySelector(s), { timeout: 20_000 }, end);
    expect(await sessionStatus(issuer)).toBe(401);
    // the issuer's screen falls back to the login form
    await issuer.reload();
    await issuer.waitForSelector('input[name=password], form.card-login');
  });

  it('disables an account: its open session ends at once; enabling waits for a second admin', async () => {
    const approver = await loginPage(h, 'approver');
    expect(await sessionStatus(approver)).toBe(200);
    await admin.reload();
    await admin.waitForSelector('tr[data-staff-row="approver"] button[data-action="disable"]');
    await admin.click('tr[data-staff-row="approver"] button[data-action="disable"]');
    await admin.waitForSelector('tr[data-staff-row="approver"] button[data-action="enable"]');
    await waitText(admin, 'tr[data-staff-row="approver"] th', '無効');
    expect(await sessionStatus(approver)).toBe(401);
    await admin.screenshot({ path: `${SHOTS}/1-disabled.png`, fullPage: true });

    await admin.click('tr[data-staff-row="approver"] button[data-action="enable"]');
    await admin.waitForSelector('li[data-change-kind="staff.enable"] button[data-action="confirm-change"]');
    await admin.waitForSelector('[data-notice="proposed"]');
    // the proposer cannot confirm it: the screen says so, in Japanese, with the code
    await admin.click('li[data-change-kind="staff.enable"] button[data-action="confirm-change"]');
    await admin.waitForSelector('.error[data-code="KZ_CONSOLE_SAME_ADMIN"]');
    await admin.screenshot({ path: `${SHOTS}/2-same-admin.png`, fullPage: true });
    const r = await fetch(`${h.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'approver', password: 'demo-approver-pass' }),
    });
    expect(r.status).toBe(401);
  });
});
