/**
 * An alert's life on the TV (issue 5): an update replaces the message, a late older revision is
 * never shown, a cancellation says so and returns home, an expired alert leaves the screen and
 * is never shown as current, Back leaves an unanswered alert reachable from Home, and an
 * unanswered alert reappears after a restart.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isVisible, KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
// Each case on its own TV: one case's alerts must not leak into the next.
beforeEach(() => {
  rig.freshDevice();
});
afterAll(async () => {
  await rig?.close();
});

describe('alert lifecycle', () => {
  it('an update replaces the message; an older revision arriving late is ignored; a cancel returns home', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const r = recipient();
    const a1 = personalAlert({ recipients: [r] });
    await rig.console.publishAlert(rig.device, a1);
    await waitVisibleText(page, '川の水位が上がっています', 'Takeover');

    const a2 = {
      ...a1,
      revision: 2,
      msgType: 'Update' as const,
      recipients: [
        {
          ...r,
          instruction: '避難先が変わりました。中央公民館へ向かってください。',
          shelter: { id: 'sh-kominkan', name: '絆市中央公民館', address: '絆市駅前二丁目5番1号', distanceM: 800 },
        },
      ],
    };
    await rig.console.publishAlert(rig.device, a2);
    await waitVisibleText(page, '避難先が変わりました', 'Takeover');
    await waitVisibleText(page, '絆市中央公民館', 'Takeover');
    await waitVisibleText(page, '内容が新しくなりました', 'Takeover');
    await rig.console.waitReceipt((x) => x.alertId === a1.alertId && x.revision === 2 && x.state === 'delivered');
    await shot(page, 'tv-app', 'alert-updated-ja');

    // A redelivered revision 1 must not bring back the old shelter.
    await rig.console.publishAlert(rig.device, a1);
    await new Promise((res) => setTimeout(res, 800));
    await waitVisibleText(page, '絆市中央公民館', 'Takeover');
    const shelters = await page.evaluate(
      () =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text*="第一小学校"]')].filter((e) =>
          (e as HTMLElement).checkVisibility(),
        ).length,
    );
    expect(shelters).toBe(0);

    // An answer to revision 2 carries revision 2.
    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    const ack = await rig.console.waitReceipt((x) => x.alertId === a1.alertId && x.state === 'acknowledged');
    expect(ack.revision).toBe(2);

    await rig.console.publishAlert(rig.device, { ...a2, revision: 3, msgType: 'Cancel' });
    await waitVisibleText(page, 'この避難情報は取り消されました', 'Takeover');
    await shot(page, 'tv-app', 'alert-cancelled-ja');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, '現在、避難情報は出ていません', 'Home');
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('[ref="Home"] [texture-text="避難情報を見る"]')].some((e) =>
          (e as HTMLElement).checkVisibility(),
        ),
      ),
    ).toBe(false);
    await page.close();
  });

  it('an alert that expires leaves the screen, and one that arrives expired is never shown', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const stale = personalAlert({
      expires: new Date(Date.now() - 60_000).toISOString(),
      recipients: [recipient({ displayName: '期限切れ 太郎さん' })],
    });
    await rig.console.publishAlert(rig.device, stale);
    const fresh = personalAlert({
      expires: new Date(Date.now() + 4000).toISOString(),
      recipients: [recipient({ displayName: '短時間 花子さん' })],
    });
    await rig.console.publishAlert(rig.device, fresh);
    await waitVisibleText(page, '短時間 花子さん', 'Takeover');
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('[texture-text*="期限切れ 太郎さん"]')].some((e) =>
          (e as HTMLElement).checkVisibility(),
        ),
      ),
    ).toBe(false);
    await waitVisibleText(page, 'この避難情報は期限が切れました', 'Takeover', 10_000);
    await shot(page, 'tv-app', 'alert-expired-ja');
    // No answer keys on an expired alert: green does nothing, OK goes home.
    await waitTakeoverReady(page);
    await press(page, KEY.Green);
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    expect(rig.console.receipts.some((x) => x.alertId === fresh.alertId && x.state === 'acknowledged')).toBe(false);
    expect(rig.console.receipts.some((x) => x.alertId === stale.alertId)).toBe(false);
    await page.close();
  });

  it('Back keeps an unanswered alert on Home; it reappears after a restart, even with the broker away', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const a = personalAlert({ level: 3, recipients: [recipient({ displayName: '高橋 茂さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(page, '高橋 茂さん', 'Takeover');
    await press(page, KEY.Back);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, '避難情報を見る', 'Home');
    await waitVisibleText(page, '警戒レベル3', 'Home');
    await shot(page, 'tv-app', 'home-after-back-ja');
    // The alert entry has the focus: OK brings the takeover back.
    await press(page, KEY.Enter);
    await waitVisibleText(page, '高橋 茂さん', 'Takeover');

    await rig.broker.goAway();
    await page.reload();
    await waitVisibleText(page, '高橋 茂さん', 'Takeover');
    await waitVisibleText(page, '通信が切れています', 'Takeover');
    await shot(page, 'tv-app', 'alert-restored-offline-ja');
    await waitTakeoverReady(page);
    await press(page, KEY.Yellow);
    await waitVisibleText(page, 'つながったら市に送ります', 'Takeover');
    await rig.broker.comeBack();
    // The answer given offline reaches the console once the link is back.
    const ack = await rig.console.waitReceipt((x) => x.alertId === a.alertId && x.state === 'acknowledged', 30_000);
    expect(ack.answer).toBe('safe-indoors');
    expect(await isVisible(page, 'Takeover')).toBe(true);
    await page.close();
  });
});
