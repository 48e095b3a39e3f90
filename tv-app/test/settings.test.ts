/**
 * Settings per resident (language, text size, contrast, read-aloud), reached and changed with
 * the arrow keys alone, remembered across a restart; the alert is read aloud with the kana
 * reading unless that resident turned read-aloud off, and the tone plays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const spoken = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __kzSpoken: { text: string; lang: string }[] }).__kzSpoken.map((s) => s.text),
  );

describe('settings', () => {
  it('reads aloud by default with the kana reading; per-resident settings change language and read-aloud and survive a restart', async () => {
    rig.freshDevice();
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const hanako = recipient({ displayName: '山田 花子さん', reading: 'ヤマダ ハナコさん' });
    await rig.console.publishAlert(rig.device, personalAlert({ recipients: [hanako] }));
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await page.waitForFunction(() => (window as unknown as { __kzSpoken: unknown[] }).__kzSpoken.length > 0);
    expect((await spoken(page)).at(-1)).toContain('ヤマダ ハナコさん');
    expect(
      await page.evaluate(() => (window as unknown as { __kzTone: { played: number } }).__kzTone.played),
    ).toBeGreaterThan(0);
    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');

    // Home: alert, bind, postbox, myinfo, settings — four Downs reach Settings.
    for (let i = 0; i < 4; i++) await press(page, KEY.Down);
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'このテレビ（全員）', 'Settings');
    await press(page, KEY.Right); // whose settings: 山田 花子さん
    await waitVisibleText(page, '山田 花子さん', 'Settings');
    for (let i = 0; i < 4; i++) await press(page, KEY.Down);
    await press(page, KEY.Right); // read-aloud: off
    await waitVisibleText(page, '切', 'Settings');
    await shot(page, 'tv-app', 'settings-ja');
    await press(page, KEY.Back);
    await waitVisibleText(page, 'カードを登録する', 'Home');

    const before = (await spoken(page)).length;
    await rig.console.publishAlert(rig.device, personalAlert({ recipients: [{ ...hanako, ref: 'ref-hanako-2' }] }));
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await new Promise((r) => setTimeout(r, 800));
    expect((await spoken(page)).length).toBe(before);
    await waitTakeoverReady(page);
    await press(page, KEY.Yellow);
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');

    // Her language: English, then bigger text and high contrast.
    for (let i = 0; i < 4; i++) await press(page, KEY.Down);
    await press(page, KEY.Enter);
    for (let i = 0; i < 5; i++) await press(page, KEY.Up);
    await press(page, KEY.Down);
    await press(page, KEY.Right); // やさしい にほんご
    await waitVisibleText(page, 'やさしい にほんご', 'Settings');
    await shot(page, 'tv-app', 'settings-easy-ja');
    await press(page, KEY.Right); // English
    await waitVisibleText(page, 'Language', 'Settings');
    await press(page, KEY.Down);
    await press(page, KEY.Right); // text size: extra large
    await waitVisibleText(page, 'Extra large', 'Settings');
    await press(page, KEY.Down);
    await press(page, KEY.Right); // high contrast on
    await shot(page, 'tv-app', 'settings-en');
    await press(page, KEY.Back);
    await waitVisibleText(page, 'Register a card', 'Home');
    await shot(page, 'tv-app', 'home-en-xlarge-contrast');

    await page.reload();
    await waitVisibleText(page, 'Register a card', 'Home');
    await waitVisibleText(page, 'People on this TV', 'Home');
    await page.close();
  });
});
