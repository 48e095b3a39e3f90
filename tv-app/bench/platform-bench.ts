/**
 * Reaching a TV that is not showing the applet (issue 25), in Chromium against a real aedes broker:
 *   - alert published → a backgrounded applet on Firebolt asks to come forward (Discovery.launch
 *     seen by the Firebolt SDK's own mock transport), p50 / p99;
 *   - resume after a freeze (CDP Page.setWebLifecycleState, as a box's suspend) → the alert sent
 *     meanwhile on screen;
 *   - network back after a loss (offline + the broker dropping the socket) → the alert on screen.
 * Baseline in the same run: alert published → on screen for an applet in the foreground.
 * Times are wall-clock epoch ms on one machine (the page's performance.timeOrigin + now()).
 *
 *   flock /tmp/kz-bench.lock npx tsx tv-app/bench/platform-bench.ts [alerts=20] [resumes=5] [outages=3]
 */
import type { Page } from 'puppeteer';
import { waitVisibleText } from '@kizuna/test-utils';
import { personalAlert, startRig, type Rig } from '../test/helpers/harness.ts';
import { fireboltEmit, fireboltHarness } from '../test/helpers/firebolt-harness.ts';

const ALERTS = Number(process.argv[2] ?? 20);
const RESUMES = Number(process.argv[3] ?? 5);
const OUTAGES = Number(process.argv[4] ?? 3);
const OUTAGE_MS = 5000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const f = (n: number) => n.toFixed(0);

interface PageMarks {
  asks: { alertId: string; at: number }[];
  alerts: { alertId: string; displayed?: number }[];
  origin: number;
}
const pageMarks = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as {
      __kzPlatform: PageMarks['asks'] extends infer A ? { asks: A } : never;
      __kz: { alerts: PageMarks['alerts'] };
    };
    return { asks: w.__kzPlatform.asks, alerts: w.__kz.alerts, origin: performance.timeOrigin } as PageMarks;
  });

async function waitFor<T>(page: Page, pick: (m: PageMarks) => T | undefined, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = pick(await pageMarks(page));
    if (v !== undefined) return v;
    if (Date.now() - t0 > 30_000) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Published → on screen (the displayed mark), epoch ms. */
async function published(rig: Rig, page: Page, kind: 'ask' | 'displayed'): Promise<number> {
  const a = personalAlert();
  const t0 = Date.now();
  await rig.console.publishAlert(rig.device, a);
  const at =
    kind === 'ask'
      ? await waitFor(
          page,
          (m) =>
            m.asks.find((x) => x.alertId === a.alertId) && m.origin + m.asks.find((x) => x.alertId === a.alertId)!.at,
          'ask',
        )
      : await waitFor(
          page,
          (m) => {
            const d = m.alerts.find((x) => x.alertId === a.alertId)?.displayed;
            return d === undefined ? undefined : m.origin + d;
          },
          'displayed',
        );
  return at - t0;
}

async function main(): Promise<void> {
  const rig = await startRig();
  try {
    // Baseline: the applet on screen.
    const fg = await rig.openTv();
    await waitVisibleText(fg.page, '接続中', 'Home');
    const baseline: number[] = [];
    for (let i = 0; i < ALERTS; i++) baseline.push(await published(rig, fg.page, 'displayed'));
    await fg.page.close();

    // Firebolt, in the background.
    rig.freshDevice();
    const fb = await rig.openTv('&platform=firebolt&appId=jp.kizuna.tv', fireboltHarness);
    await waitVisibleText(fb.page, 'Connected', 'Home');
    await fireboltEmit(fb.page, 'Lifecycle', 'background', { state: 'background', previous: 'foreground' });
    const ask: number[] = [];
    for (let i = 0; i < ALERTS; i++) ask.push(await published(rig, fb.page, 'ask'));
    await fb.page.close();

    // Resume after a freeze.
    const resume: number[] = [];
    for (let i = 0; i < RESUMES; i++) {
      rig.freshDevice();
      const { page } = await rig.openTv();
      await waitVisibleText(page, '接続中', 'Home');
      const cdp = await page.createCDPSession();
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
      const a = personalAlert();
      await rig.console.publishAlert(rig.device, a);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
      const at = await waitFor(
        page,
        (m) => {
          const d = m.alerts.find((x) => x.alertId === a.alertId)?.displayed;
          return d === undefined ? undefined : m.origin + d;
        },
        'displayed after resume',
      );
      resume.push(at - t0);
      await page.close();
    }

    // Network back after a loss.
    const network: number[] = [];
    for (let i = 0; i < OUTAGES; i++) {
      rig.freshDevice();
      const { page } = await rig.openTv();
      await waitVisibleText(page, '接続中', 'Home');
      await page.setOfflineMode(true);
      await rig.broker.goAway();
      await waitVisibleText(page, '再接続しています', 'Home');
      await rig.broker.comeBack();
      const a = personalAlert();
      await rig.console.publishAlert(rig.device, a);
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      const t0 = Date.now();
      await page.setOfflineMode(false);
      const at = await waitFor(
        page,
        (m) => {
          const d = m.alerts.find((x) => x.alertId === a.alertId)?.displayed;
          return d === undefined ? undefined : m.origin + d;
        },
        'displayed after network back',
      );
      network.push(at - t0);
      await page.close();
    }

    const b50 = pct(baseline, 50);
    console.log(
      `baseline, applet on screen: published → on screen  p50 ${f(b50)} ms  p99 ${f(pct(baseline, 99))} ms  (n=${ALERTS})`,
    );
    console.log(
      `Firebolt, in the background: published → asks to come forward  p50 ${f(pct(ask, 50))} ms  p99 ${f(pct(ask, 99))} ms  (n=${ALERTS})  ratio p50 ${(pct(ask, 50) / b50).toFixed(2)}×`,
    );
    console.log(
      `resume after a freeze → alert on screen  p50 ${f(pct(resume, 50))} ms  max ${f(Math.max(...resume))} ms  (n=${RESUMES})  ratio p50 ${(pct(resume, 50) / b50).toFixed(2)}×`,
    );
    console.log(
      `network back after ${OUTAGE_MS / 1000} s down → alert on screen  p50 ${f(pct(network, 50))} ms  max ${f(Math.max(...network))} ms  (n=${OUTAGES})`,
    );
  } finally {
    await rig.close();
  }
}

await main();
