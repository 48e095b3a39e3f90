/**
 * Area alerts on a TV nobody is bound to (issue 5): the retained message for the TV's own zone
 * (`zone=` in the hash) takes over the screen, with the same rules as personal alerts — an Update
 * replaces it, a Cancel says so and returns home, an expired one is never shown as current, and it
 * reappears after a restart until dismissed. Another zone's message does not take over. Long
 * instructions wrap onto several lines instead of being cut with "…".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { topics, type AreaAlert } from '@kizuna/contract';
import { isVisible, KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import {
  AREA_INSTRUCTION as INSTRUCTION,
  MUNI,
  areaAlert,
  personalAlert,
  recipient,
  startRig,
  takeoverLayoutProblems,
  type Rig,
} from './helpers/harness.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const publishArea = (a: AreaAlert) =>
  rig.console.publishRaw(topics.areaAlert(MUNI, a.zone.id), JSON.stringify(a), true);

/** The lines Lightning drew for a text element (through the inspector's link from DOM node to element). */
function drawnLines(page: Page, scope: string, ref: string): Promise<string[]> {
  return page.evaluate(
    (s: string, r: string) => {
      type Info = { lines?: { info: { text: string } }[]; remainingText?: string };
      const el = document.querySelector(`[ref="${s}"] [ref="${r}"]`) as
        (HTMLElement & { element?: { texture?: { source?: { renderInfo?: Info } } } }) | null;
      const info = el?.element?.texture?.source?.renderInfo;
      // Text cut by maxLines ends up in remainingText: report it as a line of its own, marked.
      return [
        ...(info?.lines ?? []).map((l) => l.info.text),
        ...(info?.remainingText ? [`…CUT: ${info.remainingText}`] : []),
      ];
    },
    scope,
    ref,
  );
}

describe('area takeover on an unbound TV', () => {
  it('takes over for its own zone, wraps the instruction, replaces on Update, closes on Cancel', async () => {
    const zone = `z-${Math.random().toString(36).slice(2, 7)}`;
    rig.freshDevice();
    const { page } = await rig.openTv(`&zone=${zone}`);
    await waitVisibleText(page, '接続中', 'Home');

    // Another zone's alert: Home shows nothing for it (the TV's zone is set) and nothing takes over.
    await publishArea(areaAlert(`${zone}x`));
    await new Promise((r) => setTimeout(r, 800));
    expect(await isVisible(page, 'Takeover')).toBe(false);

    const a = areaAlert(zone);
    await publishArea(a);
    await waitVisibleText(page, '川辺地区の皆さん', 'Takeover');
    await waitVisibleText(page, '避難指示', 'Takeover');
    await waitVisibleText(page, '確認しました', 'Takeover');
    await page.waitForFunction(() => true);
    await new Promise((r) => setTimeout(r, 500));
    const lines = await drawnLines(page, 'Takeover', 'Instruction');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('').replace(/\u200B/g, '')).toBe(INSTRUCTION);
    expect(lines.join('')).not.toContain('…');
    expect(await takeoverLayoutProblems(page)).toEqual([]);
    await shot(page, 'tv-app', 'area-takeover-ja');
    // No receipt: an unbound TV has nobody to report for.
    expect(rig.console.receipts.filter((r) => r.alertId === a.alertId)).toEqual([]);

    // Update: replaces the message and says so.
    await publishArea({
      ...a,
      revision: 2,
      msgType: 'Update',
      level: 5,
      text: {
        ja: {
          headline: '【警戒レベル5 緊急安全確保】命を守る行動をとってください',
          instruction: '川があふれています。建物の上の階へ移ってください。',
        },
      },
    });
    await waitVisibleText(page, '緊急安全確保', 'Takeover');
    await waitVisibleText(page, '内容が新しくなりました', 'Takeover');
    // A stale revision afterwards changes nothing.
    await publishArea({ ...a, revision: 1 });
    await new Promise((r) => setTimeout(r, 500));
    await waitVisibleText(page, '緊急安全確保', 'Takeover');

    // It survives a restart until dismissed.
    await page.reload();
    await waitVisibleText(page, '緊急安全確保', 'Takeover');

    await publishArea({ ...a, revision: 3, msgType: 'Cancel' });
    await waitVisibleText(page, 'この避難情報は取り消されました', 'Takeover');
    await shot(page, 'tv-app', 'area-cancelled-ja');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, 'カードを登録する', 'Home');
    await page.close();
  });

  it('OK dismisses it on this TV; an expired one closes; English text when the TV is in English', async () => {
    const zone = `z-${Math.random().toString(36).slice(2, 7)}`;
    rig.freshDevice();
    const { page } = await rig.openTv(`&zone=${zone}&lang=en`);
    await waitVisibleText(page, 'Connected', 'Home');
    const a = areaAlert(zone, { expires: new Date(Date.now() + 6000).toISOString() });
    await publishArea(a);
    await waitVisibleText(page, 'Everyone in 川辺地区', 'Takeover');
    await waitVisibleText(page, 'Sakura Welfare Centre', 'Takeover');
    expect((await drawnLines(page, 'Takeover', 'Instruction')).join(' ')).not.toContain('…');
    await shot(page, 'tv-app', 'area-takeover-en');
    await waitVisibleText(page, 'This alert has expired', 'Takeover', 15_000);
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');

    const b = areaAlert(zone);
    await publishArea(b);
    await waitVisibleText(page, 'I have seen this', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await page.reload();
    await waitVisibleText(page, 'Register a card', 'Home');
    await new Promise((r) => setTimeout(r, 800));
    expect(await isVisible(page, 'Takeover')).toBe(false);
    await page.close();
  });

  it('a personal alert with a long instruction and a welfare shelter shows every line of it', async () => {
    rig.freshDevice();
    const { page } = await rig.openTv();
    await waitVisibleText(page, '接続中', 'Home');
    await rig.console.publishAlert(
      rig.device,
      personalAlert({
        recipients: [
          recipient({
            headline:
              '【警戒レベル4 避難指示】山田 花子さん、すぐに避難してください。川の水位が上がり、堤防をこえるおそれがあります',
            instruction: INSTRUCTION,
            shelter: {
              id: 'sh-sakura',
              name: '福祉センターさくら',
              address: '絆市山手三丁目8番10号',
              distanceM: 1200,
              welfare: true,
            },
          }),
        ],
      }),
    );
    await waitVisibleText(page, '福祉センターさくら', 'Takeover');
    await new Promise((r) => setTimeout(r, 500));
    const lines = await drawnLines(page, 'Takeover', 'Instruction');
    expect(lines.join('').replace(/\u200B/g, '')).toBe(INSTRUCTION);
    expect(lines.length).toBeGreaterThan(1);
    expect(await takeoverLayoutProblems(page)).toEqual([]);
    await shot(page, 'tv-app', 'alert-welfare-long-ja');
    await page.close();
  });
});
