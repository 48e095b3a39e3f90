/**
 * Issue 18, item 4: lifting (解除) is its own message. A Cancel that says 'lifted' turns the
 * takeover into a full-screen, calm lifting screen in the resident's language; one that says
 * 'sent-in-error' into a screen saying plainly that it was sent in error (not a small line under a
 * full-size alert); a TV on Home that showed the alert gets that screen too, and Home keeps a line
 * saying the order was lifted, and when. Real broker, real Chromium.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { PersonalAlert, Recipient } from '@kizuna/contract';
import { KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
beforeEach(() => {
  rig.freshDevice();
});
afterAll(async () => {
  await rig?.close();
});

/** The Cancel the console sends: the same residents, the console's words for the ending, and why. */
function ending(a: PersonalAlert, end: 'lifted' | 'sent-in-error', words: Pick<Recipient, 'headline' | 'instruction'>) {
  return {
    ...a,
    revision: a.revision + 1,
    msgType: 'Cancel' as const,
    end,
    sent: new Date().toISOString(),
    recipients: a.recipients.map((r) => ({ ...r, ...words })),
  };
}

/** HH:MM as the TV's clock shows an instant. */
const hhmm = (page: Page, iso: string) =>
  page.evaluate((t) => {
    const d = new Date(t);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }, iso);

/** Whether any visible text of `ref` contains `text`. */
const shows = (page: Page, ref: string, text: string) =>
  page.evaluate(
    (r, t) =>
      [...document.querySelectorAll(`[ref="${r}"] [texture-text]`)].some(
        (e) => (e.getAttribute('texture-text') ?? '').includes(t) && (e as HTMLElement).checkVisibility(),
      ),
    ref,
    text,
  );

describe('lifting and cancelling on the TV', () => {
  it('a lifting on screen becomes the calm lifting screen; Home then says it was lifted and when', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ recipients: [recipient({ displayName: '山田 太郎さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '川の水位が上がっています', 'Takeover');

    const lift = ending(a, 'lifted', {
      headline: '山田 太郎さん、洪水の避難情報は解除されました',
      instruction: '引き続き気象情報や市からのお知らせに注意してください。',
    });
    await rig.console.publishAlert(rig.device, lift);
    const time = await hhmm(page, lift.sent);
    await waitVisibleText(page, '避難指示は解除されました', 'Takeover');
    await waitVisibleText(page, `${time}に解除されました`, 'Takeover');
    await waitVisibleText(page, '山田 太郎さん、洪水の避難情報は解除されました', 'Takeover');
    // calm: no answer prompt, no shelter, not the old small line under the full-size alert
    expect(await shows(page, 'Takeover', '返事をリモコンの色ボタンで')).toBe(false);
    expect(await shows(page, 'Takeover', '絆市立第一小学校')).toBe(false);
    expect(await shows(page, 'Takeover', '取り消されました')).toBe(false);
    await shot(page, 'tv-app', 'lifted-ja');

    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, `川辺地区：避難指示は${time}に解除されました`, 'Home');
    await shot(page, 'tv-app', 'home-lifted-ja');
    // the line stays after a restart (until the alert's own time runs out)
    await page.reload();
    await waitVisibleText(page, `川辺地区：避難指示は${time}に解除されました`, 'Home');
    await page.close();
  });

  it('a TV on Home gets the lifting screen too, in the resident’s language (English)', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({
      recipients: [
        recipient({
          displayName: 'John Smith',
          language: 'en',
          headline: 'Evacuation order for Kawabe: leave now',
          instruction: 'The river is rising. Go to the shelter.',
        }),
      ],
    });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, 'The river is rising', 'Takeover');
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');

    const lift = ending(a, 'lifted', {
      headline: 'John Smith, the evacuation notice for flood has been lifted',
      instruction: 'Keep watching the weather and city announcements.',
    });
    await rig.console.publishAlert(rig.device, lift);
    const time = await hhmm(page, lift.sent);
    await waitVisibleText(page, 'The evacuation alert has been lifted', 'Takeover');
    await waitVisibleText(page, `Lifted at ${time}`, 'Takeover');
    await waitVisibleText(page, 'John Smith, the evacuation notice for flood has been lifted', 'Takeover');
    await shot(page, 'tv-app', 'lifted-en');
    await page.close();
  });

  it('a cancel says plainly that the alert was sent in error, full screen, and Home says so', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ recipients: [recipient({ displayName: '佐藤 一郎さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '川の水位が上がっています', 'Takeover');

    const cancel = ending(a, 'sent-in-error', {
      headline: '佐藤 一郎さん、先ほどの洪水の避難情報は誤って送信されたものです',
      instruction: 'この避難情報は取り消されました。この情報による避難の必要はありません。',
    });
    await rig.console.publishAlert(rig.device, cancel);
    const time = await hhmm(page, cancel.sent);
    await waitVisibleText(page, 'この避難情報は誤って送信されました', 'Takeover');
    await waitVisibleText(page, `${time}に取り消されました`, 'Takeover');
    await waitVisibleText(page, '誤って送信されたものです', 'Takeover');
    // the level's phrase in its warning colour is gone: only the cancel is on screen. (Under CI load
    // the answer prompt was once still on screen right after the cancel's texts, cause not found:
    // the checks wait up to 5 s for the screen to settle; a prompt that stays still fails.)
    await expect.poll(() => shows(page, 'Takeover', '避難指示'), { timeout: 5000 }).toBe(false);
    await expect.poll(() => shows(page, 'Takeover', '返事をリモコンの色ボタンで'), { timeout: 5000 }).toBe(false);
    await shot(page, 'tv-app', 'cancel-sent-in-error-ja');

    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, `川辺地区：${time}の取消`, 'Home');
    await page.close();
  });
});
