/**
 * The applet on the Lightning SDK (issue 18): the Router's pages, history and Back; a launcher's
 * deep route straight to an alert; settings kept by the SDK's Storage across a reload (also on a
 * box without localStorage, where it falls back to cookies); and a timer of the alert page that
 * dies when the page is left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MUNI, builtBundle, personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

/** Open the TV without waiting for Home (a deep route may start elsewhere). */
async function openAt(extra: string, beforeLoad?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await rig.browser.newPage();
  await beforeLoad?.(page);
  const url = `${rig.server.url}/#device=${rig.device}&muni=${MUNI}&mqtt=${encodeURIComponent(rig.broker.wsUrl)}&user=${rig.device}&pass=${rig.password}&lang=ja&inspect=1${extra}`;
  await page.goto(url);
  return page;
}

/**
 * Colours of screen points, from a real screenshot (decoded by the page on a 2D canvas: the
 * applet's own canvas is WebGL and cannot be read back).
 */
async function pixelsAt(page: Page, points: Array<[number, number]>): Promise<number[][]> {
  const png = await page.screenshot({ encoding: 'base64' });
  return page.evaluate(
    async (src: string, pts: Array<[number, number]>) => {
      const img = new Image();
      img.src = `data:image/png;base64,${src}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return pts.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3)));
    },
    png,
    points,
  );
}

/** Home's menu ends with Settings: Down until the focus stops there, then OK. */
async function openSettings(page: Page): Promise<void> {
  for (let i = 0; i < 6; i++) await press(page, KEY.Down);
  await press(page, KEY.Enter);
  await waitVisibleText(page, 'このテレビ（全員）', 'Settings');
}

/** Answer with green and let the answered screen stand (it closes itself after a while). */
async function answerGreen(page: Page, name: string): Promise<void> {
  await waitVisibleText(page, name, 'Takeover');
  await waitTakeoverReady(page);
  await press(page, KEY.Green);
  await waitTakeoverReady(page);
}

describe('the Lightning SDK Router, Storage and Registry', () => {
  it("Back walks the Router's history: an alert over Settings returns to Settings, then Home", async () => {
    rig.freshDevice();
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    await openSettings(page);
    await rig.console.publishAlert(
      rig.device,
      personalAlert({ recipients: [recipient({ displayName: '佐藤 一郎さん' })] }),
    );
    await waitVisibleText(page, '佐藤 一郎さん', 'Takeover');
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    // The screen the alert interrupted, with the unanswered alert's banner above it.
    await waitVisibleText(page, 'このテレビ（全員）', 'Settings');
    await waitVisibleText(page, 'まだ返事がありません', 'Banner');
    await shot(page, 'tv-app', 'router-back-to-settings');
    await press(page, KEY.Back);
    await waitHidden(page, 'Settings');
    await waitVisibleText(page, 'カードを登録する', 'Home');
    await page.close();
  });

  it('a deep route opens a stored alert directly; Back from it goes Home; an unknown alert id shows Home', async () => {
    rig.freshDevice();
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ recipients: [recipient({ displayName: '鈴木 花子さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await answerGreen(page, '鈴木 花子さん');
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await page.close();

    // Answered, so a plain restart shows Home; the launcher's route opens the alert itself.
    const deep = await openAt(`&route=alert/${a.alertId}`);
    await waitVisibleText(deep, '鈴木 花子さん', 'Takeover');
    await shot(deep, 'tv-app', 'router-deep-route-alert');
    // Home stays drawn under the takeover; nothing of it may show through: the takeover's bottom
    // panel is one colour down to the screen's edge (Home's key-hint bar was drawn over it once).
    const [panelTop, panelBottom] = await pixelsAt(deep, [
      [960, 840],
      [960, 1075],
    ]);
    for (let ch = 0; ch < 3; ch++) expect(Math.abs(panelBottom![ch]! - panelTop![ch]!)).toBeLessThanOrEqual(8);
    await waitTakeoverReady(deep);
    await press(deep, KEY.Back);
    await waitHidden(deep, 'Takeover');
    await waitVisibleText(deep, 'カードを登録する', 'Home');
    await deep.close();

    const stale = await openAt('&route=alert/al-not-here');
    await waitVisibleText(stale, 'カードを登録する', 'Home');
    await stale.close();

    const settings = await openAt('&route=settings');
    await waitVisibleText(settings, 'このテレビ（全員）', 'Settings');
    await press(settings, KEY.Back);
    await waitVisibleText(settings, 'カードを登録する', 'Home');
    await settings.close();
  });

  it("settings survive a reload through the SDK's Storage, on a box whose localStorage throws too (cookies)", async () => {
    rig.freshDevice();
    const noLocalStorage = async (page: Page): Promise<void> => {
      await page.evaluateOnNewDocument(() => {
        // A locked-down browser: any touch of localStorage throws.
        Object.defineProperty(window, 'localStorage', {
          configurable: true,
          get() {
            throw new DOMException('storage is disabled on this box', 'SecurityError');
          },
        });
      });
    };
    const { page } = await rig.openTv('', noLocalStorage);
    await waitVisibleText(page, '接続中', 'Home');
    await openSettings(page);
    await press(page, KEY.Down); // the language row
    await press(page, KEY.Right); // やさしい にほんご
    await press(page, KEY.Right); // English
    await waitVisibleText(page, 'Language', 'Settings');
    expect(await page.evaluate(() => document.cookie)).toContain(`kz.tv.${rig.device}.prefs=`);
    await page.reload();
    await waitVisibleText(page, 'Register a card', 'Home');
    await shot(page, 'tv-app', 'storage-cookies-after-reload-en');
    await page.close();
  });

  it("leaving the alert page stops its close timer: the answered screen's timer does not pull Settings back", async () => {
    rig.freshDevice();
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    await rig.console.publishAlert(
      rig.device,
      personalAlert({ recipients: [recipient({ displayName: '田中 次郎さん' })] }),
    );
    await answerGreen(page, '田中 次郎さん');
    // The answered screen closes itself after 10 s; Back leaves it first, then Settings is opened.
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    await openSettings(page);
    // Wait out the answered screen's timer (10 s from the answer): Settings must still be showing.
    await new Promise((r) => setTimeout(r, 11_000));
    await waitVisibleText(page, 'このテレビ（全員）', 'Settings', 1000);
    expect(await page.evaluate(() => !!document.querySelector('[ref="Settings"]')?.checkVisibility())).toBe(true);
    await page.close();
  });

  it('the build is packaged as an app store expects a Lightning app: metadata.json, settings.json, static/', async () => {
    const dir = await builtBundle();
    const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as Record<string, string>;
    expect(meta).toMatchObject({ identifier: 'jp.kizuna.tv', name: 'Kizuna TV' });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await stat(join(dir, meta.icon!))).size).toBeGreaterThan(0);
    const settings = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(settings).sort()).toEqual(['appSettings', 'platformSettings']);
    expect(await readFile(join(dir, 'index.html'), 'utf8')).toContain('<script type="module"');
  });
});
