/**
 * What a staff member without the issuer role sees in Chromium (issue 24, item 10): the residents
 * screen as figures per zone and the rescue list as counts, nobody named, no CSV button — and the
 * issuer's screen unchanged. Screenshots under /tmp.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { issueAlertAs, loginPage, startUi, type UiHarness } from './helpers/ui-harness.ts';

const SHOTS = '/tmp';
let h: UiHarness;
let approver: Page;
let alertId: string;

beforeAll(async () => {
  h = await startUi();
  const r = await issueAlertAs(h, 'issuer', {
    level: 3,
    hazard: 'flood',
    status: 'Exercise',
    expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
    target: { zones: ['z-kawabe', 'z-yamate'] },
  });
  expect(r.status).toBe(200);
  alertId = r.body.id;
  approver = await loginPage(h, 'approver');
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('staff console: personal data by role', () => {
  it('an approver sees the register as figures per zone, nobody named', async () => {
    await approver.goto(`${h.url}/#/residents`);
    await approver.waitForSelector('table.resident-counts tbody tr[data-zone="z-kawabe"]');
    const zones = await approver.$$eval('table.resident-counts tbody tr', (rs) =>
      rs.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent))),
    );
    expect(zones.length).toBeGreaterThan(0);
    for (const z of zones) expect(z.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    expect(await approver.$('table.residents-table')).toBeNull();
    expect(await approver.$eval('.residents', (e) => e.textContent)).toContain('人数');
    await approver.screenshot({ path: join(SHOTS, 'h4-residents-approver.png') });
  });

  it('an approver sees the rescue list as counts, without names, CSV or print', async () => {
    await approver.goto(`${h.url}/#/alerts/${alertId}/rescue?after=0`);
    await approver.waitForSelector('[data-counts-only]');
    expect(await approver.$eval('[data-counts-only]', (e) => e.textContent)).toMatch(/^該当者は \d+ 人です/);
    expect(await approver.$('table.rescue-table')).toBeNull();
    expect(await approver.$('[data-action=csv]')).toBeNull();
    await approver.screenshot({ path: join(SHOTS, 'h4-rescue-approver.png') });
  });

  it('an issuer still sees the people on the rescue list', async () => {
    const issuer = await loginPage(h, 'issuer');
    await issuer.goto(`${h.url}/#/alerts/${alertId}/rescue?after=0`);
    await issuer.waitForSelector('table.rescue-table tbody tr');
    expect(await issuer.$('[data-counts-only]')).toBeNull();
    await issuer.screenshot({ path: join(SHOTS, 'h4-rescue-issuer.png') });
  });
});
