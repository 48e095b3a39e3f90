/**
 * The applet on a box (issue 25), in Chromium against a real aedes broker:
 * - on Firebolt (the SDK's own mock transport, driven through its test-harness hook), the box's
 *   language is the default, a backgrounded applet that receives an alert asks to come forward
 *   with Discovery.launch, and once foregrounded the takeover is on screen;
 * - a deep link with the alert intent opens the alert, also one already answered;
 * - after the page is frozen (CDP Page.setWebLifecycleState, as a box's suspend does) or the
 *   network is lost, an alert published meanwhile is on screen within seconds of resuming.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY, press, shot, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';
import { fireboltEmit, fireboltHarness, platformMarks, type PlatformMarks } from './helpers/firebolt-harness.ts';

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

const emit = fireboltEmit;
const marks = platformMarks;
type Marks = PlatformMarks;

describe('the applet on a Firebolt box', () => {
  it('in the background, an alert asks to come forward; in the foreground the takeover shows', async () => {
    const { page } = await rig.openTv('&platform=firebolt&appId=jp.kizuna.tv', fireboltHarness);
    // The SDK's mock box speaks English (Localization.locale en-US); the hash said ja.
    await waitVisibleText(page, 'Connected', 'Home');
    const m0 = await marks(page);
    expect(m0.name).toBe('firebolt');
    const sent0 = await page.evaluate(() => (window as unknown as { __fbSent: { method: string }[] }).__fbSent);
    expect(sent0.map((s) => s.method)).toContain('lifecycle.ready');
    await page.waitForFunction(() =>
      (window as unknown as { __fbSent: { method: string }[] }).__fbSent.some((s) => s.method === 'lifecycle.ready'),
    );
    // The resident's TV is watching another app now.
    await emit(page, 'Lifecycle', 'background', { state: 'background', previous: 'foreground' });

    const a = personalAlert({ recipients: [recipient({ displayName: '佐藤 美咲さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await page.waitForFunction(
      (id) =>
        (window as unknown as { __kzPlatform: Marks }).__kzPlatform.asks.some((x) => x.alertId === id && x.outcome),
      {},
      a.alertId,
    );
    const launch = await page.evaluate(() =>
      (window as unknown as { __fbSent: { method: string; params: unknown }[] }).__fbSent.find(
        (s) => s.method === 'discovery.launch',
      ),
    );
    expect(launch?.params).toEqual({
      appId: 'jp.kizuna.tv',
      intent: { action: 'section', data: { sectionName: 'kizuna-alert' }, context: { source: 'device' } },
    });
    expect((await marks(page)).asks.find((x) => x.alertId === a.alertId)?.outcome).toBe('requested');

    // The platform grants it: the applet is in the foreground, the takeover on screen.
    const t0 = Date.now();
    await emit(page, 'Lifecycle', 'foreground', { state: 'foreground', previous: 'background' });
    await waitVisibleText(page, '佐藤 美咲さん', 'Takeover', 3000);
    expect(Date.now() - t0).toBeLessThan(3000);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'displayed');
    await shot(page, 'tv-app', 'firebolt-foreground-after-alert');
    await page.close();
  });
});

describe('the alert intent of a deep link', () => {
  it('opens an alert already answered, which a plain start leaves on Home', async () => {
    const first = await rig.openTv();
    await waitVisibleText(first.page, '接続中', 'Home');
    const a = personalAlert({ recipients: [recipient({ displayName: '高橋 陽子さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await waitVisibleText(first.page, '高橋 陽子さん', 'Takeover');
    await waitTakeoverReady(first.page);
    await press(first.page, KEY.Green);
    await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'acknowledged');
    await first.page.close();

    const plain = await rig.openTv();
    await waitVisibleText(plain.page, '接続中', 'Home');
    expect(
      await plain.page.evaluate(() =>
        (document.querySelector('[ref="Takeover"]') as HTMLElement | null)?.checkVisibility(),
      ),
    ).toBe(false);
    await plain.page.close();

    const linked = await rig.openTv('&intent=alert');
    await waitVisibleText(linked.page, '高橋 陽子さん', 'Takeover');
    await linked.page.close();
  });
});

describe('standby and network loss', () => {
  it('after a freeze (suspend) an alert sent meanwhile is on screen within seconds of resuming', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const cdp = await page.createCDPSession();
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    const a = personalAlert({ recipients: [recipient({ displayName: '中村 大輔さん' })] });
    await rig.console.publishAlert(rig.device, a);
    await new Promise((r) => setTimeout(r, 300)); // the broker has sent it; the frozen page cannot run
    const t0 = Date.now();
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    // Freezing hid the page; a box resuming shows it again (focus emulation makes it visible).
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
    await waitVisibleText(page, '中村 大輔さん', 'Takeover', 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    await page.close();
  });

  it('after the network comes back an alert sent while it was down is on screen within seconds', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    // The box's network goes: the page is offline and the broker sees the connection drop.
    await page.setOfflineMode(true);
    await rig.broker.goAway();
    await waitVisibleText(page, '再接続しています', 'Home');
    await rig.broker.comeBack();
    const a = personalAlert({ recipients: [recipient({ displayName: '小林 直子さん' })] });
    await rig.console.publishAlert(rig.device, a);
    // Down for a while: every attempt fails and the backoff ceiling grows (1, 2, 4, 8, 16 s…).
    await new Promise((r) => setTimeout(r, 10_000));
    const t0 = Date.now();
    await page.setOfflineMode(false);
    await waitVisibleText(page, '小林 直子さん', 'Takeover', 30_000);
    const ms = Date.now() - t0;
    console.log(`network back → alert on screen: ${ms} ms`);
    expect(ms).toBeLessThan(5000);
    await page.close();
  });
});
