/**
 * Issue 20, done means: a JMA warning for the demo city's area shows as a suggestion on the
 * console's dashboard within a second of arriving, in Chromium; a click makes a draft (level,
 * hazard and zones filled in, nothing sent); the document's 取消 withdraws the suggestion.
 * The documents are pushed as the operator's receiver would (POST /api/jma). Screenshots under
 * test-output/screenshots/jma/.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { jmaLandslide, jmaRiver, screenshotDir } from '@kizuna/test-utils';
import { loginPage, staffApi, startUi, token, type UiHarness } from './helpers/ui-harness.ts';

let h: UiHarness;
let page: Page;
let shots: string;

/** JMA's own clock: each push a minute later, so the stream moves on. */
const jst = (min: number) => new Date(Date.now() + min * 60_000 + 9 * 3_600_000).toISOString().slice(0, 19) + '+09:00';

async function push(xml: string, who = 'issuer'): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${h.url}/api/jma`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await token(h, who)}`, 'content-type': 'application/xml' },
    body: xml,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  h = await startUi();
  shots = await screenshotDir('jma');
  page = await loginPage(h, 'issuer');
  // the dashboard, with its suggestion stream connected
  await page.waitForSelector('#h-active .live.on');
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('JMA suggestions on the dashboard', () => {
  it('a 土砂災害警戒情報 for 絆市 shows on the open dashboard (no reload) as 警戒レベル4相当 with the hillside zone; its 取消 withdraws it', async () => {
    const pushed = await push(jmaLandslide({ eventId: 'ui-landslide', serial: 1, reportDateTime: jst(0) }));
    expect(pushed.status).toBe(200);
    expect(pushed.body.outcome).toBe('applied');
    // pushed to the open dashboard by its live stream, no reload. How fast is measured by
    // municipal-console/bench/jma-suggestion.ts (a timed wait here would make the test flaky).
    await page.waitForSelector('[data-jma-suggestion]', { timeout: 15_000 });
    const card = await page.$eval('[data-jma-suggestion]', (e) => e.textContent ?? '');
    expect(card).toContain('警戒レベル4相当');
    expect(card).toContain('土砂災害');
    expect(card).toContain('山手地区');
    expect(card).toContain('絆地方気象台');
    expect(card).not.toContain('川辺地区');
    await page.screenshot({ path: join(shots, 'jma-suggestion.png') });

    const cancelled = await push(
      jmaLandslide({ eventId: 'ui-landslide', serial: 2, infoType: '取消', reportDateTime: jst(1) }),
    );
    expect(cancelled.body).toMatchObject({ outcome: 'applied', closed: 1 });
    await page.waitForFunction(() => !document.querySelector('[data-jma-suggestion]'), { timeout: 15_000 });
    await page.screenshot({ path: join(shots, 'jma-withdrawn.png') });
  });

  it('「下書きを作る」 makes a draft with the level, hazard and zones filled in, and sends nothing', async () => {
    await push(
      jmaRiver({ name: '氾濫危険情報', code: '40' }, { eventId: 'ui-river', serial: 1, reportDateTime: jst(2) }),
    );
    await page.waitForSelector('[data-jma-suggestion] button', { timeout: 5_000 });
    await page.click('[data-jma-suggestion] button');
    await page.waitForFunction(() => /^#\/alerts\/[^/]+$/.test(location.hash), { timeout: 10_000 });
    const id = await page.evaluate(() => location.hash.split('/')[2]!);
    const a = await staffApi<{ level: number; hazard: string; state: string; spec: { target: { zones: string[] } } }>(
      h,
      `/api/alerts/${id}`,
      'issuer',
    );
    expect(a.body).toMatchObject({ level: 4, hazard: 'flood', state: 'draft' });
    expect(a.body.spec.target.zones.sort()).toEqual(['z-ekimae', 'z-kawabe']);
    await page.screenshot({ path: join(shots, 'jma-draft.png') });
    // back on the dashboard the suggestion offers the draft instead of another one
    await page.goto(`${h.url}/#/`);
    await page.waitForSelector(`[data-jma-suggestion] a[href="#/alerts/${id}"]`, { timeout: 5_000 });
  });

  it('refuses a document it does not understand by name, and one without the issuer role may not push', async () => {
    const bad = await push(jmaLandslide().replace(/<Title>土砂災害警戒情報<\/Title>/, '<Title>府県天気予報</Title>'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'KZ_CONSOLE_JMA_INVALID', details: { reason: 'unsupported-kind' } });
    // the approver holds viewer and approver, not issuer
    const approver = await push(jmaLandslide({ eventId: 'approver' }), 'approver');
    expect(approver.status).toBe(403);
  });
});
