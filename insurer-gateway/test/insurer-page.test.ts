import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { dbEngines, launchBrowser, screenshotDir } from '@kizuna/test-utils';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';
import { listen } from '@kizuna/core';

// The page only reads: one engine is enough for it (the API under it runs on both in the other suites).
const engine = dbEngines()[0]!;

describe('insurer web page in Chromium', () => {
  let pki: Pki;
  let h: Harness;
  let browser: Browser;
  let url: string;
  let creds: Awaited<ReturnType<Harness['insurer']>>;

  beforeAll(async () => {
    pki = await createPki();
    h = await openHarness(engine, pki);
    url = await listen(h.app, '127.0.0.1', 0);
    creds = await h.insurer('sakura-life', 'さくら生命保険');
    const a = await issueResident(pki.authority);
    const fa = await enrolledWithNotice(h, a, creds, 'SL-000123');
    await h.tv(fa.token, 'POST', '/reports', await h.report(a, fa.notice, { answer: 'living' }));
    const b = await issueResident(pki.authority);
    await enrolledWithNotice(h, b, creds, 'SL-000456');
    pki.authority.revoke(b.signSerial, 'died');
    await h.app.gateway.watcher!.runOnce(true); // the browser signs with real time: leave the clock alone
    browser = await launchBrowser({ width: 1280, height: 900 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows reports with their verification status, notices and a revocation event', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.type('#keyId', creds.keyId);
    await page.type('#secret', creds.secret);
    await page.click('button[type=submit]');
    await page.waitForSelector('#main:not([hidden]) #reports tbody tr');
    const text = await page.$eval('#main', (m) => (m as HTMLElement).innerText);
    expect(text).toContain('SL-000123');
    expect(text).toContain('✔ 有効 valid (ok)');
    expect(text).toContain('回答済 answered');
    expect(text).toContain('既読 read');
    expect(text).toContain('証明書失効 certificate revoked');
    expect(text).toContain('理由 reason: died');
    expect(await page.$eval('#who', (e) => e.textContent)).toContain('さくら生命保険');
    await page.screenshot({ path: join(await screenshotDir('insurer-gateway'), 'insurer-page.png'), fullPage: true });
    await page.close();
  });

  it('refreshes itself: a report filed while the page is open appears with its receipt number (issue 19, item 9)', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/?refresh=1`);
    await page.type('#keyId', creds.keyId);
    await page.type('#secret', creds.secret);
    await page.click('button[type=submit]');
    await page.waitForSelector('#main:not([hidden]) #reports tbody tr');
    expect(await page.$eval('#main', (m) => (m as HTMLElement).innerText)).not.toContain('SL-000789');
    const c = await issueResident(pki.authority);
    const fc = await enrolledWithNotice(h, c, creds, 'SL-000789');
    const filed = await h.tv(fc.token, 'POST', '/reports', await h.report(c, fc.notice, { answer: 'living' }));
    expect(filed.status).toBe(201);
    await page.waitForFunction(
      (id) => document.querySelector('#reports tbody')!.textContent!.includes(id),
      { timeout: 10_000 },
      filed.body.reportId as string,
    );
    const cells = await page.$$eval('#reports tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
    );
    const mine = cells.find((r) => r.includes('SL-000789'))!;
    expect(mine[1]).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    expect(await page.$eval('#updated', (e) => e.textContent)).toContain('最終更新');
    await page.screenshot({
      path: join(await screenshotDir('insurer-gateway'), 'insurer-page-refreshed.png'),
      fullPage: true,
    });
    await page.close();
  });

  it('names the failed check for a wrong secret and shows no data', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.type('#keyId', creds.keyId);
    await page.type('#secret', 'not-the-secret');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#error')!.textContent!.length > 0);
    expect(await page.$eval('#error', (e) => e.textContent)).toContain('KZ_GW_AUTH_SIGNATURE');
    expect(await page.$eval('#main', (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.close();
  });
});
