/**
 * One press, one deliberate answer (issue 18, items 1 and 2). On a TV shared by two people, a
 * double press or a held key answers once, for the person whose screen was shown; the next person's
 * screen takes answers only once it has been shown a second, and says whose turn it is meanwhile.
 * OK answers nothing until the resident has moved to an answer with ←/→.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { KEY, press, screenshotDir, shot, visibleTexts, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
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

/**
 * Key presses through Chromium's input pipeline, sent `gapMs` apart on one CDP session without
 * waiting for the page to handle each (a person's fingers do not wait for a busy TV either).
 * With `autoRepeat`, a held key: one keydown, repeats flagged as such, one keyup at the end.
 */
async function pressRapidly(page: Page, keyCode: number, times: number, gapMs: number, autoRepeat = false) {
  const cdp = await page.createCDPSession();
  const k = { windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode };
  const sent: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < times; i++) {
      if (i) await new Promise((r) => setTimeout(r, gapMs));
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...k, autoRepeat: autoRepeat && i > 0 }));
      if (!autoRepeat || i === times - 1) sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...k }));
    }
    await Promise.all(sent);
  } finally {
    await cdp.detach();
  }
}

/** Several presses `gapMs` apart (sent without waiting for the page, like pressRapidly). */
async function pressKeys(page: Page, keyCodes: number[], gapMs: number) {
  const cdp = await page.createCDPSession();
  const sent: Promise<unknown>[] = [];
  try {
    for (const [i, code] of keyCodes.entries()) {
      if (i) await new Promise((r) => setTimeout(r, gapMs));
      const k = { windowsVirtualKeyCode: code, nativeVirtualKeyCode: code };
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...k }));
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...k }));
    }
    await Promise.all(sent);
  } finally {
    await cdp.detach();
  }
}

/**
 * Record, in the page, every change of the takeover's texts and opacities with its time: a
 * one-second state is then checked afterwards rather than caught by polling on a busy machine.
 */
async function recordTakeover(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: { t: number; ref: string | null; attr: string; value: string | null }[] = [];
    (window as unknown as { __kzTakeoverLog: typeof log }).__kzTakeoverLog = log;
    new MutationObserver((ms) => {
      const t = performance.now();
      for (const m of ms) {
        const el = m.target as Element;
        log.push({ t, ref: el.getAttribute('ref'), attr: m.attributeName!, value: el.getAttribute(m.attributeName!) });
      }
    }).observe(document.querySelector('[ref="Takeover"]')!, {
      subtree: true,
      attributes: true,
      attributeFilter: ['texture-text', 'alpha'],
    });
  });
}

/** From the recording: how long the prompt `text` stood, with the answer row dimmed, before the row came up. */
async function waitedMs(page: Page, text: string): Promise<number> {
  return page.evaluate((want: string) => {
    const log = (
      window as unknown as { __kzTakeoverLog: { t: number; ref: string | null; attr: string; value: string | null }[] }
    ).__kzTakeoverLog;
    const i = log.findIndex((e) => e.ref === 'Prompt' && e.attr === 'texture-text' && !!e.value?.includes(want));
    if (i < 0) return -1;
    const open = log.slice(i).find((e) => e.ref === 'Choices' && e.attr === 'alpha' && e.value === null);
    return open ? open.t - log[i]!.t : -1;
  }, text);
}

function household() {
  return personalAlert({
    recipients: [
      recipient({ displayName: '山田 太郎さん', reading: 'ヤマダ タロウさん' }),
      recipient({ displayName: '山田 花子さん' }),
    ],
  });
}

const acks = (alertId: string, ref: string) =>
  rig.console.receipts.filter((r) => r.alertId === alertId && r.state === 'acknowledged' && r.ref === ref);

describe('one person, one deliberate answer', () => {
  it('red twice 120 ms apart answers for the first person only; the second answers after her screen was shown 1 s', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    await recordTakeover(page);
    const a = household();
    const [taro, hanako] = a.recipients as [(typeof a.recipients)[0], (typeof a.recipients)[0]];
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 太郎さん', 'Takeover');
    // Before it accepts answers the row is dimmed and the prompt says whose turn it is.
    await page.screenshot({ path: (await screenshotDir('tv-app')) + '/alert-waiting-ja.png' });
    await waitTakeoverReady(page);
    await waitVisibleText(page, '山田 太郎さん、返事をリモコンの色ボタンで選んでください', 'Takeover');
    await shot(page, 'tv-app', 'alert-accepting-ja');

    // Red, red 120 ms later, then green 120 ms after that: all within 花子's first second.
    await pressKeys(page, [KEY.Red, KEY.Red, KEY.Green], 120);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await page.screenshot({ path: (await screenshotDir('tv-app')) + '/alert-next-person-waiting-ja.png' });
    await waitTakeoverReady(page);
    await waitVisibleText(page, '山田 太郎さん：', 'Takeover'); // 太郎's answer confirmed above her prompt
    await waitVisibleText(page, '山田 花子さん、返事をリモコンの色ボタンで選んでください', 'Takeover');
    await shot(page, 'tv-app', 'alert-next-person-accepting-ja');
    // Each screen said whose turn it was, dimmed, for at least a second after it was drawn.
    for (const name of ['山田 太郎さん', '山田 花子さん']) {
      const waited = await waitedMs(page, `${name}の番です`);
      // 1 s from the frame that drew it; the mirror may note the text a frame or so after it was set.
      expect(waited, name).toBeGreaterThanOrEqual(900);
    }
    // Her own press, after her screen was shown, is her answer.
    await press(page, KEY.Yellow);
    const second = await rig.console.waitReceipt(
      (r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === hanako.ref,
    );
    expect(second.answer).toBe('safe-indoors');
    expect(acks(a.alertId, taro.ref).map((r) => r.answer)).toEqual(['need-help']);
    expect(acks(a.alertId, hanako.ref).map((r) => r.answer)).toEqual(['safe-indoors']);
    await page.close();
  });

  it('a held key (key repeat) answers once', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = household();
    const [taro, hanako] = a.recipients as [(typeof a.recipients)[0], (typeof a.recipients)[0]];
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 太郎さん', 'Takeover');
    await waitTakeoverReady(page);
    // Held for 1.6 s: well past 花子's first second.
    await pressRapidly(page, KEY.Green, 33, 50, true);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === taro.ref);
    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === hanako.ref);
    expect(acks(a.alertId, taro.ref).map((r) => r.answer)).toEqual(['evacuating']);
    expect(acks(a.alertId, hanako.ref).map((r) => r.answer)).toEqual(['need-help']);
    await page.close();
  });

  it('OK with no answer chosen sends nothing and says how to choose; → then OK sends the first answer', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ recipients: [recipient({ displayName: '鈴木 一郎さん' })] });
    const ref = a.recipients[0]!.ref;
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '鈴木 一郎さん', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'まだ返事を選んでいません', 'Takeover');
    await shot(page, 'tv-app', 'alert-ok-without-choice-ja');
    expect(acks(a.alertId, ref)).toEqual([]);
    expect(await visibleTexts(page, 'Takeover')).not.toContain('ホームに戻る');
    await press(page, KEY.Right);
    await press(page, KEY.Enter);
    const ack = await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    // The first answer in the remote's order (青・赤・緑・黄): red, need help.
    expect(ack.answer).toBe('need-help');
    await waitVisibleText(page, '「助けが必要です」と市に伝えました', 'Takeover');
    expect(acks(a.alertId, ref)).toHaveLength(1);
    await page.close();
  });

  it('an answer can be corrected from Home while the alert is active: OK keeps one, a colour key changes the next', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = household();
    const [taro, hanako] = a.recipients as [(typeof a.recipients)[0], (typeof a.recipients)[0]];
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '山田 太郎さん', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    await waitVisibleText(page, '2人目／2人', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    await waitVisibleText(page, 'ホームに戻る', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '避難情報を見る', 'Home');
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === hanako.ref);

    // Home's alert entry (focused) reopens it: each person's answer so far, to keep or change.
    await press(page, KEY.Enter);
    await waitVisibleText(page, '山田 太郎さんの返事は「助けが必要です」です', 'Takeover');
    await shot(page, 'tv-app', 'alert-review-ja');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter); // keep 太郎's
    await waitVisibleText(page, '山田 花子さんの返事は「避難します」です', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Yellow); // 花子 changes hers
    await waitVisibleText(page, '「家の中で安全です」と市に伝えました', 'Takeover');
    await rig.console.waitReceipt(
      (r) =>
        r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === hanako.ref && r.answer === 'safe-indoors',
    );
    expect(acks(a.alertId, taro.ref).map((r) => r.answer)).toEqual(['need-help']);
    const hers = acks(a.alertId, hanako.ref);
    expect(hers.map((r) => r.answer)).toEqual(['evacuating', 'safe-indoors']);
    // The later answer carries the later time: the console keeps the latest.
    expect(Date.parse(hers[1]!.at)).toBeGreaterThan(Date.parse(hers[0]!.at));
    await page.close();
  });
});
