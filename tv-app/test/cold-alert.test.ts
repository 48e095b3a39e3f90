/**
 * The first alert's cost (issue 18: < 300 ms at 4× CPU throttle): every text drawn when the alert
 * arrives is drawn to a canvas and uploaded before the frame that shows it. The level band's texts
 * (label, phrase, action) do not depend on the person, so they are drawn at start-up for every level
 * and kept: an alert of any level, first or not, draws only its own texts.
 * What is drawn is read from the page's canvas fillText calls (Lightning draws each line of a text so).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LEVELS } from '@kizuna/contract/levels';
import { waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, recipient, startRig, type Rig } from './helpers/harness.ts';

interface DrawWindow {
  __drawn: string[];
}

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

describe('the first alert', () => {
  it('draws none of the level band texts at arrival (drawn at start-up for levels 3, 4 and 5)', async () => {
    const { page } = await rig.openTv('', async (p) => {
      await p.evaluateOnNewDocument(() => {
        const w = window as unknown as DrawWindow;
        w.__drawn = [];
        const fill = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text: string, x: number, y: number, max?: number) {
          w.__drawn.push(text);
          return max === undefined ? fill.call(this, text, x, y) : fill.call(this, text, x, y, max);
        };
      });
    });
    await waitVisibleText(page, '接続中', 'Home');
    // The start-up warm-up runs after the first frame; give it time, then count from here.
    await page.waitForFunction(
      (t: string) => (window as unknown as DrawWindow).__drawn.includes(t),
      {},
      LEVELS[4].phrase,
    );
    await new Promise((r) => setTimeout(r, 3000));
    await page.evaluate(() => ((window as unknown as DrawWindow).__drawn = []));

    const band = (l: 3 | 4 | 5) => [`警戒レベル${l}`, LEVELS[l].phrase, LEVELS[l].action];
    for (const [i, level] of ([3, 5, 4] as const).entries()) {
      const a = personalAlert({ level, recipients: [recipient({ displayName: `試験 ${i}号さん` })] });
      await rig.console.publishAlert(rig.device, a);
      await rig.console.waitReceipt((r) => r.alertId === a.alertId && r.state === 'displayed');
      await waitVisibleText(page, LEVELS[level].phrase, 'Takeover');
      const drawn = await page.evaluate(() => (window as unknown as DrawWindow).__drawn);
      // The recorder sees this alert's own texts (the name) …
      expect(drawn.some((t) => t.includes(`試験 ${i}号さん`))).toBe(true);
      // … and no level band text.
      expect(drawn.filter((t) => band(level).includes(t))).toEqual([]);
    }
    await page.close();
  });
});
