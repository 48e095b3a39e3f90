/**
 * Issue 19, items 3, 6 and 9 in Chromium.
 * 3. No false state: with the first data held back (request interception), 状況 shows loading —
 *    not 対象外 on every zone, not 「発令中の避難情報はありません」, not 「再接続中…」 — and the
 *    real figures once the data comes.
 * 6. The TV preview fits its frame at 1280 and 1920 widths, also when the window changes size;
 *    the tabs of TVs with nobody registered name their zone instead of being identical.
 * 9. The shelter table's first column is 避難所名.
 * Screenshots under test-output/screenshots/console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTTPRequest, Page } from 'puppeteer';
import { shot } from '@kizuna/test-utils';
import { loginPage, startUi, type UiHarness, staffApi, issueAlertAs } from './helpers/ui-harness.ts';

let h: UiHarness;
let drill: string;
let real: string;
beforeAll(async () => {
  h = await startUi();
  const zones = [...new Set(h.system.tvs.map((t) => t.zone))];
  const expires = new Date(Date.now() + 3_600_000).toISOString();
  // a drill to every zone, published at once (the approval rule: real alerts only), and a real alert waiting for approval
  drill = (
    await issueAlertAs(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Exercise',
      expires,
      target: { zones },
    })
  ).body.id;
  real = (
    await issueAlertAs(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires,
      target: { zones: ['z-kawabe'] },
    })
  ).body.id;
}, 300_000);
afterAll(async () => {
  await h?.close();
});

const api = <T>(path: string, who: string, body?: unknown) => staffApi<T>(h, path, who, body);
const text = (page: Page, sel: string) => page.$eval(sel, (e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim());

describe('staff console: no false screens', () => {
  it('状況 shows loading until its first data, never 対象外 / 発令中の避難情報はありません / 再接続中…', async () => {
    const page = await loginPage(h, 'approver');
    await page.setRequestInterception(true);
    const held: HTTPRequest[] = [];
    let hold = true;
    const live = /^\/api\/(alerts|shelters|live|alerts\/[^/]+\/events)$/;
    page.on('request', (r) => {
      if (hold && live.test(new URL(r.url()).pathname)) held.push(r);
      else void r.continue();
    });
    await page.reload();
    await page.waitForSelector('.map-panel [data-zone="z-kawabe"]');
    const asked = () => held.map((r) => new URL(r.url()).pathname);
    const end = Date.now() + 20_000;
    while (!['/api/alerts', '/api/shelters', '/api/live'].every((p) => asked().includes(p))) {
      if (Date.now() > end) throw new Error(`the dashboard did not ask for its data: ${asked().join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // nothing on screen that looks like an answer
    const map = await text(page, '.map-panel [data-map="status"]'); // (the legend below names 対象外 as a colour)
    expect(map).not.toContain('対象外');
    expect(map).toContain('読み込み中');
    expect(await page.$eval('.map-panel [data-map="status"]', (e) => e.getAttribute('aria-busy'))).toBe('true');
    const alerts = await text(page, '.alerts-panel');
    expect(alerts).not.toContain('発令中の避難情報はありません');
    expect(alerts).not.toContain('再接続中');
    expect(alerts).toContain('接続中…');
    expect(await page.$('.alerts-panel [data-loading="alerts"]')).not.toBeNull();
    expect(await page.$('.shelters-panel [data-loading="shelters"]')).not.toBeNull();
    await shot(page, 'console', 'dashboard-loading');

    // the data comes: the real figures, the pending card, live
    hold = false;
    for (const r of held.splice(0)) void r.continue();
    await page.waitForFunction(
      () => /\d+%/.test(document.querySelector('.map-panel [data-zone="z-kawabe"] .zp')?.textContent ?? ''),
      { timeout: 20_000 },
    );
    await page.waitForSelector(`.alert-card.pending[data-alert="${real}"]`);
    await page.waitForSelector(`.alert-card[data-alert="${drill}"]`);
    await page.waitForSelector('.shelters-panel [data-shelter]');
    await page.waitForSelector('.alerts-panel .live.on');
    expect(await page.$('[data-loading]')).toBeNull();
    await page.waitForSelector('.map-panel [data-map="status"][data-map-state="ready"]', { timeout: 20_000 });
    expect(await page.$eval('.map-panel [data-map="status"]', (e) => e.getAttribute('aria-busy'))).toBe('false');
    await shot(page, 'console', 'dashboard-loaded');
    await page.browserContext().close();
  });

  /** The applet inside the frame draws within its own window, and its window within the frame. */
  async function previewFits(page: Page) {
    const handle = await page.waitForSelector('.tv-frame iframe');
    const frame = await handle!.contentFrame();
    await frame.waitForSelector('canvas', { timeout: 30_000 });
    // a layout change settles in the next frames
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const inner = await frame.evaluate(() => {
      const c = document.querySelector('canvas')!.getBoundingClientRect();
      return { right: c.right, bottom: c.bottom, w: innerWidth, h: innerHeight };
    });
    expect(inner.right, 'the TV picture is cropped at the right').toBeLessThanOrEqual(inner.w + 1);
    expect(inner.bottom, 'the TV picture is cropped at the bottom').toBeLessThanOrEqual(inner.h + 1);
    const outer = await page.$eval('.tv-frame', (f) => {
      const a = f.getBoundingClientRect();
      const b = f.querySelector('iframe')!.getBoundingClientRect();
      return {
        frameRight: a.right,
        frameBottom: a.bottom,
        right: b.right,
        bottom: b.bottom,
        width: b.width,
        fw: a.width,
      };
    });
    expect(outer.right).toBeLessThanOrEqual(outer.frameRight + 1);
    expect(outer.bottom).toBeLessThanOrEqual(outer.frameBottom + 1);
    expect(outer.width).toBeGreaterThan(outer.fw - 2);
  }

  it('the TV preview fits at 1280 and 1920 widths, also when the window changes; the unregistered-TV tabs name their zone', async () => {
    const page = await loginPage(h, 'issuer');
    for (const [w, hgt] of [
      [1920, 1080],
      [1280, 800],
    ] as const) {
      await page.setViewport({ width: w, height: hgt });
      await page.goto(`${h.url}/#/alerts/${drill}`);
      await page.reload();
      await page.waitForSelector('article.alert-detail .panel h3 .live');
      await previewFits(page);
      await page.$eval('.tv-frame', (e) => e.scrollIntoView({ block: 'center' }));
      await shot(page, 'console', `preview-${w}`);
    }
    // the window shrinks and grows with the preview loaded
    await page.setViewport({ width: 1920, height: 1080 });
    await page.reload();
    await previewFits(page);
    await page.setViewport({ width: 1280, height: 800 });
    await previewFits(page);

    const tabs = await page.$$eval('.tv-preview [role=tab][data-kind="unbound-tv"]', (es) =>
      es.map((e) => (e.textContent ?? '').trim()),
    );
    expect(tabs.length).toBeGreaterThan(1);
    expect(new Set(tabs).size).toBe(tabs.length);
    const zones = (await api<{ name: string }[]>('/api/zones', 'issuer')).body.map((z) => z.name);
    for (const tab of tabs) expect(zones.some((z) => tab.includes(z))).toBe(true);
    await page.browserContext().close();
  });

  it('the shelter table says 避難所名 over the shelter names', async () => {
    const page = await loginPage(h, 'issuer');
    await page.goto(`${h.url}/#/shelters`);
    await page.waitForSelector('.shelters-table tbody tr');
    expect(await text(page, '.shelters-table thead th:first-child')).toBe('避難所名');
    await page.browserContext().close();
  });
});
