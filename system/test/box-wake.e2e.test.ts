/**
 * A box whose platform cannot bring the applet forward (issue 25): the console, configured to wake
 * boxes, publishes a wake just before each TV's personal alert; the box's launcher hook (the
 * reference program, on the TV's own broker credentials) turns the display on and opens the
 * applet at the alert's deep link; the applet, opened there in Chromium, shows the alert. Only the
 * display is recorded; the broker, console, hook and applet are the real ones npm start runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import mqtt from 'mqtt';
import { decodeMessage, topics, WakeSchema, type Wake } from '@kizuna/contract';
import { startLauncherHook, type LauncherHook } from '@kizuna/tv-app/launcher-hook';
import { shot, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { startSystemRig, type SystemRig } from './helpers/system-rig.ts';
import type { TvLink } from '../src/system.ts';

const WAIT = 30_000;
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

/** The TV's broker credentials and address as its page has them (the box's launcher is given the same). */
function boxOf(tv: TvLink) {
  const hash = new URLSearchParams(new URL(tv.url).hash.slice(1));
  return { username: hash.get('user')!, password: hash.get('pass')!, muni: hash.get('muni')!, device: tv.device };
}

async function approvedAlert(rig: SystemRig, zone: string): Promise<string> {
  const issuer = await rig.login('issuer');
  const approver = await rig.login('approver');
  const issued = await rig.issue<{ id: string; state: string }>(issuer, {
    level: 4,
    hazard: 'flood',
    status: 'Exercise',
    expires: inMinutes(60),
    target: { zones: [zone] },
  });
  expect(issued.status).toBe(200);
  const id = issued.body.id;
  if (issued.body.state === 'active') return id;
  const approved = await rig.approve<{ state: string }>(approver, id);
  expect(approved.body.state).toBe('active');
  return id;
}

describe('a box woken for an alert (KZ_CONSOLE_WAKE_BOXES=on)', () => {
  let rig: SystemRig;
  let hook: LauncherHook | undefined;
  const pages: Page[] = [];
  beforeAll(async () => {
    rig = await startSystemRig({ KZ_CONSOLE_WAKE_BOXES: 'on' });
  }, 120_000);
  afterAll(async () => {
    await hook?.stop();
    for (const p of pages) await p.close().catch(() => undefined);
    await rig?.close();
  });

  it('the console wakes the box before the alert; the hook turns the TV on and the applet opens on the alert', async () => {
    const tv = rig.system.tvs.find((t) => t.zone === 'z-kawabe' && t.residents.length > 0)!;
    const box = boxOf(tv);
    const calls: string[] = [];
    hook = startLauncherHook({
      mqtt: { url: rig.system.urls.mqtt, ...box },
      // `inspect=1` lets the test read the screen's elements (Lightning's inspector), as the other browser tests do
      appUrl: `${tv.url}&inspect=1`,
      display: {
        async wake() {
          calls.push('display.wake');
        },
      },
      // the box's browser: the applet at the deep link, running until its page is closed
      launcher: {
        async open(url) {
          calls.push(`open ${url}`);
          const page = await rig.browser.newPage();
          pages.push(page);
          await page.goto(url);
          return { exited: new Promise<void>((r) => page.once('close', () => r())) };
        },
      },
    });
    await hook.next('listening');

    const id = await approvedAlert(rig, 'z-kawabe');
    const woken = await hook.next('woken');
    expect(woken).toMatchObject({ kind: 'woken', by: 'wake', alertId: id });
    expect(calls[0]).toBe('display.wake');
    const opened = new URL(calls[1]!.slice('open '.length));
    expect(Object.fromEntries(new URLSearchParams(opened.hash.slice(1)))).toMatchObject({ intent: 'alert', alert: id });

    // the applet, opened by the hook, shows the alert the broker kept for the TV's session
    const page = pages[0]!;
    await waitTakeoverReady(page, WAIT).catch(async (e: unknown) => {
      await shot(page, 'system', 'box-woken-failed');
      throw e;
    });
    await waitVisibleText(page, '警戒レベル4', 'Takeover', WAIT);
    await shot(page, 'system', 'box-woken-alert');
  }, 150_000);

  it("a wake carries the alert, never a person: only the box's own credential reads it", async () => {
    const tv = rig.system.tvs.find((t) => t.zone === 'z-yamate' && t.residents.length > 0)!;
    const box = boxOf(tv);
    const other = rig.system.tvs.find((t) => t.zone === 'z-yamate' && t.device !== tv.device)!;
    const otherBox = boxOf(other);
    const wakes: Wake[] = [];
    const foreign: string[] = [];
    const c = await mqtt.connectAsync(rig.system.urls.mqtt, {
      protocolVersion: 4,
      clientId: box.username,
      username: box.username,
      password: box.password,
    });
    const o = await mqtt.connectAsync(rig.system.urls.mqtt, {
      protocolVersion: 4,
      clientId: otherBox.username,
      username: otherBox.username,
      password: otherBox.password,
    });
    try {
      c.on('message', (t, p) => {
        if (t === topics.tvWake(box.muni, box.device)) wakes.push(decodeMessage(WakeSchema, p, 'wake'));
      });
      o.on('message', (t) => {
        if (t === topics.tvWake(box.muni, box.device)) foreign.push(t);
      });
      await c.subscribeAsync(topics.tvOwn(box.muni, box.device), { qos: 1 });
      // another TV asking for this TV's topics is refused by the policy (SUBACK 0x80)
      await expect(o.subscribeAsync(topics.tvWake(box.muni, box.device), { qos: 1 })).rejects.toThrow();
      const id = await approvedAlert(rig, 'z-yamate');
      await expect.poll(() => wakes.length, { timeout: 30_000 }).toBe(1);
      expect(Object.keys(wakes[0]!).sort()).toEqual([
        'alertId',
        'expires',
        'kind',
        'level',
        'revision',
        'sent',
        'status',
        'v',
      ]);
      expect(wakes[0]).toMatchObject({ alertId: id, revision: 1, level: 4, status: 'Exercise' });
      expect(foreign).toEqual([]);
    } finally {
      await c.endAsync(true);
      await o.endAsync(true);
    }
  }, 120_000);
});
