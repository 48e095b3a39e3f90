/**
 * Remote conventions, an alert that cannot be lost, and read-aloud gating (issue 18, items 3 and 8
 * and the read-aloud part of item 1), in Chromium against a real broker:
 * - the alert's key row runs 青・赤・緑・黄 like a Japanese remote (blue: read aloud again), and a
 *   box with another remote sets its own order; Home shows a key-hint bar;
 * - after 「助けが必要です」 the screen says what happens next (the city was told, stay safe, how
 *   to call: 119, and the city's number when the TV has one), in the resident's language;
 * - Back on an unanswered alert leaves a banner in the level's colour on every screen (Home: OK
 *   opens it; elsewhere blue), and the takeover comes back after `alertReturn` and on a new revision;
 *   an answered alert stays on Home's menu until it ends; an unbound TV can open its area alert again;
 * - with read-aloud on, the answer gate waits until the person's name has been read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { topics } from '@kizuna/contract';
import { LEVELS } from '@kizuna/contract/levels';
import {
  KEY,
  isVisible,
  press,
  shot,
  visibleTexts,
  waitHidden,
  waitTakeoverReady,
  waitVisibleText,
} from '@kizuna/test-utils';
import { MUNI, areaAlert, personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

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

const acks = (alertId: string) =>
  rig.console.receipts.filter((r) => r.alertId === alertId && r.state === 'acknowledged');

/** Left edges of the takeover's key cells, by ref. */
function cellXs(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const el of document.querySelectorAll('[ref="Takeover"] [ref="Choices"] > *'))
      if ((el as HTMLElement).checkVisibility()) out[el.getAttribute('ref')!] = el.getBoundingClientRect().left;
    return out;
  });
}

/** The colour (ARGB) Lightning draws an element in, through the inspector's link to the element. */
function colourOf(page: Page, selector: string): Promise<number | undefined> {
  return page.evaluate((s: string) => {
    const el = document.querySelector(s) as (HTMLElement & { element?: { color?: number } }) | null;
    return el?.element?.color;
  }, selector);
}

const argb = (rgb: readonly [number, number, number]) => ((0xff << 24) | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]) >>> 0;

describe('remote conventions', () => {
  it('the key row runs 青・赤・緑・黄 with blue "read aloud again"; Home shows its key hints', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    // Home: which keys do what.
    await waitVisibleText(page, '選ぶ', 'Hints');
    await waitVisibleText(page, '開く', 'Hints');
    await shot(page, 'tv-app', 'home-key-hints-ja');
    const a = personalAlert();
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await waitTakeoverReady(page);
    await waitVisibleText(page, 'もう一度読み上げる', 'Takeover');
    const xs = await cellXs(page);
    const order = Object.entries(xs)
      .sort((p, q) => p[1] - q[1])
      .map(([ref]) => ref);
    expect(order).toEqual(['ReadAgain', 'Choice-need-help', 'Choice-evacuating', 'Choice-safe-indoors']);
    await shot(page, 'tv-app', 'alert-key-row-ja');
    // ← → follow the row: → from nothing is the first answer (red, need help).
    await press(page, KEY.Right);
    await press(page, KEY.Enter);
    const ack = await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    expect(ack.answer).toBe('need-help');
    // With an alert on this TV, Home's hints name blue for it.
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '避難情報を開く', 'Hints');
    await page.close();
  });

  it('a box with another remote sets its own order (colours=Red,Green,Yellow,Blue)', async () => {
    const { page } = await rig.openTv('&colours=Red,Green,Yellow,Blue');
    await waitVisibleText(page, '接続中', 'Home');
    await rig.console.publishAlert(rig.device, personalAlert());
    await waitTakeoverReady(page);
    const xs = await cellXs(page);
    const order = Object.entries(xs)
      .sort((p, q) => p[1] - q[1])
      .map(([ref]) => ref);
    expect(order).toEqual(['Choice-need-help', 'Choice-evacuating', 'Choice-safe-indoors', 'ReadAgain']);
    await page.close();
  });

  it('after 「助けが必要です」 the screen says what happens next: told, stay safe, how to call', async () => {
    const { page } = await rig.openTv('&phone=0120-123-456');
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({
      recipients: [
        recipient({ displayName: '山田 太郎さん' }),
        recipient({ displayName: 'John Smith', language: 'pt', headline: 'Evacue agora.', instruction: 'Vá.' }),
      ],
    });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 太郎さん', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    await waitVisibleText(page, 'John Smith', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    // The closing screen is John's, in Portuguese (its words load on demand): both names, the city
    // told, stay safe, the numbers.
    await waitVisibleText(
      page,
      'A prefeitura foi avisada de quem precisa de ajuda: 山田 太郎さん, John Smith.',
      'Takeover',
    );
    await waitVisibleText(page, 'Espere num lugar seguro', 'Takeover');
    await waitVisibleText(page, '0120-123-456', 'Takeover');
    await waitVisibleText(page, '119', 'Takeover');
    await shot(page, 'tv-app', 'after-need-help-pt');
    await page.close();

    // Japanese, no city number configured: 119 only.
    rig.freshDevice();
    const tv = await rig.openTv();
    await waitVisibleText(tv.page, '接続中', 'Home');
    const b = personalAlert({ recipients: [recipient({ displayName: '鈴木 一郎さん' })] });
    await rig.console.publishAlert(rig.device, b);
    await waitTakeoverReady(tv.page);
    await press(tv.page, KEY.Red);
    await waitVisibleText(tv.page, '鈴木 一郎さん：助けが必要なことを市に伝えました。', 'Takeover');
    await waitVisibleText(tv.page, '安全な所で待ってください', 'Takeover');
    await waitVisibleText(tv.page, '電話できるときは119番へ。', 'Takeover');
    await shot(tv.page, 'tv-app', 'after-need-help-ja');
    // An answer other than need help keeps the alert's own text.
    expect((await visibleTexts(tv.page, 'Takeover')).join('\n')).not.toContain('市役所');
    await tv.page.close();
  });
});

describe('an alert cannot be lost', () => {
  it('Back leaves a banner in the level colour on every screen: Home (OK opens it), Settings (blue opens it)', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ level: 4 });
    await rig.console.publishAlert(rig.device, a);
    await waitTakeoverReady(page);
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, 'まだ返事がありません。決定で開きます', 'Home');
    await shot(page, 'tv-app', 'banner-after-back-home-ja');
    // OK on Home (the alert entry has the focus) opens it.
    await press(page, KEY.Enter);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    // To Settings (the last entry): the banner covers it, in level 4's colour, the page whole below it.
    for (let i = 0; i < 4; i++) await press(page, KEY.Down);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '文字の大きさ', 'Settings');
    await waitVisibleText(page, 'まだ返事がありません。青ボタンで開きます', 'Banner');
    expect(await colourOf(page, '[ref="Banner"]')).toBe(argb(LEVELS[4].rgb));
    const titleTop = await page.evaluate(
      () => document.querySelector('[ref="Settings"] > [ref="Title"]')!.getBoundingClientRect().top,
    );
    expect(titleTop).toBeGreaterThanOrEqual(96);
    await shot(page, 'tv-app', 'banner-after-back-settings-ja');
    await press(page, KEY.Blue);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    expect(await isVisible(page, 'Banner')).toBe(false);
    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    // Answered: no banner any more, on Home or elsewhere.
    expect((await visibleTexts(page, 'Home')).join('\n')).not.toContain('まだ返事がありません');
    for (let i = 0; i < 4; i++) await press(page, KEY.Down);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '文字の大きさ', 'Settings');
    expect(await isVisible(page, 'Banner')).toBe(false);
    await page.close();
  });

  it('the takeover comes back after alertReturn, and at once on a new revision', async () => {
    const { page } = await rig.openTv('&alertReturn=3000');
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert();
    await rig.console.publishAlert(rig.device, a);
    await waitTakeoverReady(page);
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    const t0 = Date.now();
    await waitVisibleText(page, '山田 花子さん', 'Takeover', 10_000);
    const back = Date.now() - t0;
    expect(back).toBeGreaterThanOrEqual(2500);
    expect(back).toBeLessThan(8000);
    await waitTakeoverReady(page);
    expect(acks(a.alertId)).toEqual([]);
    await page.close();

    // A long return time: a new revision brings it back at once.
    rig.freshDevice();
    const tv = await rig.openTv('&alertReturn=600000');
    await waitVisibleText(tv.page, '接続中', 'Home');
    const b = personalAlert();
    await rig.console.publishAlert(rig.device, b);
    await waitTakeoverReady(tv.page);
    await press(tv.page, KEY.Back);
    await waitHidden(tv.page, 'Takeover');
    await rig.console.publishAlert(rig.device, {
      ...b,
      revision: 2,
      msgType: 'Update',
      sent: new Date().toISOString(),
      recipients: [{ ...b.recipients[0]!, headline: '水位がさらに上がっています。すぐに避難してください。' }],
    });
    await waitVisibleText(tv.page, '水位がさらに上がっています', 'Takeover', 5000);
    await tv.page.close();
  });

  it('an answered alert stays reachable from Home until it ends', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert();
    await rig.console.publishAlert(rig.device, a);
    await waitTakeoverReady(page);
    await press(page, KEY.Yellow);
    await waitVisibleText(page, 'ホームに戻る', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '避難情報を見る', 'Home');
    await press(page, KEY.Enter);
    await waitVisibleText(page, '山田 花子さんの返事は「家の中で安全です」です', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    // It ends (lifted): the entry goes.
    await rig.console.publishAlert(rig.device, {
      ...a,
      revision: 2,
      msgType: 'Cancel',
      end: 'lifted',
      sent: new Date().toISOString(),
    });
    await waitVisibleText(page, '解除', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    expect(await visibleTexts(page, 'Home')).not.toContain('避難情報を見る');
    await page.close();
  });

  it('an unbound TV can always open its area alert again from Home', async () => {
    const zone = `z-${Math.random().toString(36).slice(2, 7)}`;
    const { page } = await rig.openTv(`&zone=${zone}`);
    await waitVisibleText(page, '接続中', 'Home');
    const area = areaAlert(zone, {
      text: { ja: { headline: '川辺地区の皆さん、すぐに避難してください', instruction: '高い所へ避難してください。' } },
    });
    await rig.console.publishRaw(topics.areaAlert(MUNI, zone), JSON.stringify(area), true);
    await waitVisibleText(page, '川辺地区の皆さん、すぐに避難してください', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter); // seen on this TV
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, '避難情報を見る', 'Home');
    await press(page, KEY.Enter);
    await waitVisibleText(page, '川辺地区の皆さん、すぐに避難してください', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    // …and again, with blue from anywhere.
    await press(page, KEY.Blue);
    await waitVisibleText(page, '川辺地区の皆さん、すぐに避難してください', 'Takeover');
    await page.close();
  });
});

/**
 * Headless Chromium has no voice (speechSynthesis fails every utterance with 'synthesis-failed'),
 * so the browser's synthesizer is replaced, before the applet loads, by one that holds each
 * utterance until the test finishes it; the applet's own speech path (SpeechSynthesisUtterance,
 * its end event) is unchanged.
 */
async function holdSpeech(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const held: SpeechSynthesisUtterance[] = [];
    const w = window as unknown as { __heldSpeech: SpeechSynthesisUtterance[] };
    w.__heldSpeech = held;
    const synth = {
      speaking: false,
      pending: false,
      paused: false,
      speak(u: SpeechSynthesisUtterance) {
        held.push(u);
      },
      cancel() {
        for (const u of held.splice(0)) u.onerror?.(new Event('error') as SpeechSynthesisErrorEvent);
      },
      getVoices: () => [],
      addEventListener() {},
      removeEventListener() {},
    };
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  });
}

/** Finish the oldest held utterance (the engine read it); returns its text. */
function finishUtterance(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const u = (window as unknown as { __heldSpeech: SpeechSynthesisUtterance[] }).__heldSpeech.shift();
    u?.onend?.(new Event('end') as SpeechSynthesisEvent);
    return u?.text;
  });
}

const heldTexts = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __heldSpeech: SpeechSynthesisUtterance[] }).__heldSpeech.map((u) => u.text),
  );

describe('read-aloud gating', () => {
  it('with read-aloud on, a press counts only once the name has been read', async () => {
    const { page } = await rig.openTv('', holdSpeech);
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({
      recipients: [recipient({ displayName: '山田 花子さん', reading: 'ヤマダ ハナコさん' })],
    });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await page.waitForFunction(() => (window as unknown as { __heldSpeech: unknown[] }).__heldSpeech.length >= 2, {
      timeout: 10_000,
    });
    // The reading is in two parts; the first ends with the name.
    const [head, rest] = await heldTexts(page);
    expect(head!.endsWith('ヤマダ ハナコさん')).toBe(true);
    expect(rest).toContain('川の水位が上がっています');
    // Well past the one-second minimum, the name not yet read: the row stays dimmed, red answers nothing.
    await new Promise((r) => setTimeout(r, 2500));
    await expect(waitTakeoverReady(page, 200)).rejects.toThrow();
    await press(page, KEY.Red);
    await new Promise((r) => setTimeout(r, 300));
    expect(acks(a.alertId)).toEqual([]);
    await waitVisibleText(page, '山田 花子さんの番です', 'Takeover');
    // The name has been read: the screen takes the answer.
    expect(await finishUtterance(page)).toBe(head);
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    const ack = await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    expect(ack.answer).toBe('need-help');
    await page.close();
  });
});
