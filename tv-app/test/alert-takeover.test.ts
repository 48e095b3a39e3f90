/**
 * The first end-to-end path of issue 5: the console publishes a personal alert to the TV's own
 * topic, the TV takes over the screen with the resident's name and shelter, reports delivered
 * and displayed, and the resident answers with the remote's keys.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isVisible, KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, takeoverLayoutProblems, type Rig } from './helpers/harness.ts';

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

describe('alert takeover', () => {
  it('shows Home before any card is bound, with the way to bind and the connection state', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, 'まだマイナンバーカードが登録されていません', 'Home');
    await waitVisibleText(page, 'カードを登録する', 'Home');
    await waitVisibleText(page, '接続中', 'Home');
    expect(await isVisible(page, 'Takeover')).toBe(false);
    await shot(page, 'tv-app', 'home-unbound-ja');
    await page.close();
  });

  it('takes over with name, shelter and level; receipts delivered, displayed, acknowledged (green = evacuating)', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert();
    const ref = a.recipients[0]!.ref;
    await rig.console.publishAlert(rig.device, a);

    await waitVisibleText(page, '山田 花子さん', 'Takeover');
    await waitVisibleText(page, '絆市立第一小学校', 'Takeover');
    await waitVisibleText(page, '避難指示', 'Takeover');
    await waitVisibleText(page, '約1.2キロメートル', 'Takeover');
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'delivered' && r.revision === 1);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'displayed');
    expect(await takeoverLayoutProblems(page)).toEqual([]);
    await shot(page, 'tv-app', 'alert-level4-ja');

    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    const ack = await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    expect(ack).toMatchObject({ ref, answer: 'evacuating', revision: 1, v: 1, kind: 'receipt' });
    await waitVisibleText(page, '「避難します」と市に伝えました', 'Takeover');
    await shot(page, 'tv-app', 'alert-answered-ja');

    // OK now returns home; the alert stays visible there (bar and menu) until it expires.
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, '避難情報を見る', 'Home');
    await waitVisibleText(page, '山田 花子さん', 'Home');
    await shot(page, 'tv-app', 'home-alert-active-ja');
    await page.close();
  });

  it('answers for each resident of a household in turn; arrows + OK and the red key', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home'); // subscribed: a new device has no session before
    const a = personalAlert({
      level: 5,
      recipients: [
        recipient({ displayName: '佐藤 清さん', needsHelp: true }),
        recipient({ displayName: '佐藤 和子さん' }),
      ],
    });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '佐藤 清さん', 'Takeover');
    await waitVisibleText(page, '1人目／2人', 'Takeover');
    await shot(page, 'tv-app', 'alert-level5-household-ja');
    // Nothing is chosen at first: Right, Right, Right, Left, Left, OK = the first answer in the
    // remote's order (青・赤・緑・黄): red, need help.
    await waitTakeoverReady(page);
    await press(page, KEY.Right);
    await press(page, KEY.Right);
    await press(page, KEY.Right);
    await press(page, KEY.Left);
    await press(page, KEY.Left);
    await press(page, KEY.Enter);
    const first = await rig.console.waitReceipt(
      (r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === a.recipients[0]!.ref,
    );
    expect(first.answer).toBe('need-help');
    await waitVisibleText(page, '佐藤 和子さん', 'Takeover');
    await waitVisibleText(page, '2人目／2人', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Yellow);
    const second = await rig.console.waitReceipt(
      (r) => r.alertId === a.alertId && r.state === 'acknowledged' && r.ref === a.recipients[1]!.ref,
    );
    expect(second.answer).toBe('safe-indoors');
    await page.close();
  });

  it("marks an exercise unmistakably, in the resident's language (English)", async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home'); // subscribed: a new device has no session before
    const a = personalAlert({
      status: 'Exercise',
      level: 3,
      recipients: [
        recipient({
          displayName: 'John Smith',
          language: 'en',
          reading: undefined,
          headline: 'Evacuation drill for Kawabe district.',
          instruction: 'Walk to the shelter with your neighbours. This is only a drill.',
          shelter: {
            id: 'sh-kominkan',
            name: 'Kizuna Community Hall',
            address: '2-5-1 Ekimae, Kizuna City',
            distanceM: 450,
          },
        }),
      ],
    });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, 'EXERCISE', 'Takeover');
    await waitVisibleText(page, 'John Smith', 'Takeover');
    await waitVisibleText(page, 'about 450 m', 'Takeover');
    expect(await takeoverLayoutProblems(page)).toEqual([]);
    await shot(page, 'tv-app', 'alert-exercise-en');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    const ack = await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    expect(ack.answer).toBe('need-help');
    await page.close();
  });
});
