/**
 * The broker goes away: the TV says it is reconnecting, alerts published meanwhile are
 * delivered when it returns (persistent session), and receipts follow. A broker that refuses
 * the TV's credentials leaves it reconnecting, not pretending to be connected.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeMessage, topics } from '@kizuna/contract';
import { shot, waitVisibleText } from '@kizuna/test-utils';
import { MUNI, personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

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

describe('connection loss', () => {
  it('shows reconnecting, then catches up on alerts sent while away', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    await rig.broker.goAway();
    await waitVisibleText(page, '再接続しています', 'Home');
    await shot(page, 'tv-app', 'home-reconnecting-ja');

    // The console publishes while the TV is cut off (straight into the broker).
    const a = personalAlert({ recipients: [recipient({ displayName: '伊藤 健さん' })] });
    await new Promise<void>((resolve, reject) =>
      rig.broker.aedes.publish(
        {
          cmd: 'publish',
          topic: topics.tvAlert(MUNI, rig.device),
          payload: Buffer.from(encodeMessage(a)),
          qos: 1,
          retain: false,
          dup: false,
        } as never,
        (err) => (err ? reject(err) : resolve()),
      ),
    );

    await rig.broker.comeBack();
    await waitVisibleText(page, '伊藤 健さん', 'Takeover', 30_000);
    await rig.console.waitReceipt((x) => x.alertId === a.alertId && x.state === 'displayed', 30_000);
    await page.close();
  });

  it('ignores invalid messages and keeps working', async () => {
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warn') warnings.push(m.text());
    });
    await rig.console.publishRaw(topics.tvAlert(MUNI, rig.device), '{"v":1,"kind":"personal-alert","alertId":"bad"}');
    await rig.console.publishRaw(topics.tvAlert(MUNI, rig.device), 'not json');
    const good = personalAlert({ recipients: [recipient({ displayName: '渡辺 一郎さん' })] });
    await rig.console.publishAlert(rig.device, good);
    await waitVisibleText(page, '渡辺 一郎さん', 'Takeover');
    expect(warnings.filter((w) => w.includes('ignored message')).length).toBe(2);
    // Names never reach the log: only the topic and the failed check.
    expect(warnings.join('\n')).not.toContain('渡辺');
    expect(warnings.some((w) => w.includes('payload is not JSON'))).toBe(true);
    await page.close();
  });

  it('with wrong broker credentials it never claims to be connected', async () => {
    const page = await rig.browser.newPage();
    await page.goto(
      `${rig.server.url}/#device=${rig.device}&muni=${MUNI}&mqtt=${encodeURIComponent(rig.broker.wsUrl)}&user=${rig.device}&pass=wrong&inspect=1`,
    );
    await waitVisibleText(page, 'きずな', 'Home');
    await new Promise((r) => setTimeout(r, 2500));
    const texts = await page.evaluate(() =>
      [...document.querySelectorAll('[ref="Home"] [texture-text]')].map((e) => e.getAttribute('texture-text')),
    );
    expect(texts).not.toContain('接続中');
    expect(texts.some((t) => t?.includes('接続しています') || t?.includes('再接続しています'))).toBe(true);
    await page.close();
  });

  it('a bad configuration is explained on screen with the failed check', async () => {
    const page = await rig.browser.newPage();
    await page.goto(`${rig.server.url}/#device=bad/id&muni=${MUNI}&mqtt=http://x`);
    await page.waitForSelector('[role="alert"]');
    const text = await page.$eval('[role="alert"]', (e) => e.textContent ?? '');
    expect(text).toContain('KZ_TV_CONFIG_INVALID');
    expect(text).toContain('device is missing or not a safe id');
    expect(text).toContain('mqtt must be a ws:// or wss:// URL');
    await page.close();
  });
});
