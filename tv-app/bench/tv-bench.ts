/**
 * TV applet budgets (issue 5), in Debian Chromium with WebGL through SwiftShader at 1920×1080:
 *   - first screen interactive < 2 s with the CPU throttled 4× (CDP Emulation.setCPUThrottlingRate)
 *   - an alert on screen < 300 ms after its message arrives, at 4×: the first alert of a freshly opened page
 *     (cold: its texts never drawn before; the median over `runs` fresh pages) and the next `alerts` on one page
 *   - the production bundle ≤ 300 KB gzipped with the Lightning SDK (issue 18): what a box downloads to show
 *     the first screen and an alert — the chunks the page really fetched by the time the cold alert was drawn
 *     (a ja TV in a plain browser), plus, of the per-language word chunks (card screens' words-*, key hints /
 *     banner / after-help words-remote-*), the largest of each kind, since a TV in another language loads one.
 *     Chunks loaded only on demand (the card screens when a resident opens a card task, the Firebolt or
 *     HbbTV adapter on those boxes) are listed apart with their sizes, and so is the sum of every chunk.
 * Baselines, measured in the same run: the same page unthrottled (1×); the gzip size of Lightning
 * core's own minified build; and another revision of the applet (default `main`: the applet before
 * the SDK), built from `git archive` into .scratch/ and measured the same way at 4×.
 *
 *   npx tsx tv-app/bench/tv-bench.ts [runs=5] [alerts=10] [baseline-rev=main]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'puppeteer';
import { MUNI, personalAlert, recipient, startRig, type Rig } from '../test/helpers/harness.ts';

const RUNS = Number(process.argv[2] ?? 5);
const ALERTS = Number(process.argv[3] ?? 10);
const BASELINE_REV = process.argv[4] ?? 'main';
const BUDGET = { interactiveMs: 2000, alertMs: 300, bundleKB: 300 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const max = (xs: number[]) => Math.max(...xs);
const f = (n: number) => n.toFixed(0);

interface KzWindow {
  __kz?: { interactive?: number; alerts: { alertId: string; arrived: number; displayed?: number }[] };
}

async function openThrottled(rig: Rig, rate: number, base = rig.server.url): Promise<Page> {
  const page = await rig.browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const url = `${base}/#device=${rig.device}&muni=${MUNI}&mqtt=${encodeURIComponent(rig.broker.wsUrl)}&user=${rig.device}&pass=${rig.password}&lang=ja`;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as KzWindow).__kz?.interactive !== undefined, {
    timeout: 30_000,
    polling: 20,
  });
  return page;
}

async function interactive(rig: Rig, rate: number, base?: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    rig.freshDevice(); // a first start: empty storage for this device id
    const page = await openThrottled(rig, rate, base);
    out.push(await page.evaluate(() => (window as unknown as KzWindow).__kz!.interactive!));
    await page.close();
  }
  return out;
}

interface Latency {
  cold: number;
  warm: number[];
  /** The script files the page had fetched when the cold alert was on screen. */
  loaded: string[];
}

async function alertLatency(rig: Rig, rate: number, base?: string, alerts = ALERTS): Promise<Latency> {
  rig.freshDevice();
  const page = await openThrottled(rig, rate, base);
  // Online means subscribed (mqtt-link reports it after SUBACK).
  await page.waitForFunction(() => (window as unknown as KzWindow).__kz !== undefined, { polling: 50 });
  await new Promise((r) => setTimeout(r, 1500 * rate));
  const times: number[] = [];
  let loaded: string[] = [];
  for (let i = 0; i <= alerts; i++) {
    const a = personalAlert({
      level: (3 + (i % 3)) as 3 | 4 | 5,
      recipients: [
        recipient({ displayName: `試験 ${i}号さん`, headline: `見出し ${i}：川辺地区に避難指示が出ました。` }),
      ],
    });
    await rig.console.publishAlert(rig.device, a);
    const t = await page.waitForFunction(
      (id: string) => {
        const x = (window as unknown as KzWindow).__kz!.alerts.find(
          (y) => y.alertId === id && y.displayed !== undefined,
        );
        return x ? x.displayed! - x.arrived : false;
      },
      { timeout: 30_000, polling: 20 },
      a.alertId,
    );
    times.push((await t.jsonValue()) as number);
    if (i === 0)
      loaded = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname.split('/').pop()!)
          .filter((n) => n.endsWith('.js') || n.endsWith('.css')),
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.close();
  return { cold: times[0]!, warm: times.slice(1), loaded };
}

/** The applet of another revision, built like ours: `git archive <rev> tv-app` into .scratch/, then vite. */
async function buildBaseline(rev: string): Promise<{ dist: string; sha: string }> {
  const repo = resolve(import.meta.dirname, '..', '..');
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: repo }).toString().trim();
  const dir = join(repo, '.scratch', `tv-baseline-${sha}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${sha} tv-app tsconfig.base.json | tar -x -C ${dir}`], { cwd: repo });
  const { buildTvBundle } = await import('../server/index.ts');
  const out = await buildTvBundle({ root: join(dir, 'tv-app'), outDir: join(dir, 'dist') });
  return { dist: out.outDir, sha };
}

interface Shipped {
  /** First screen and an alert: the chunks fetched (plus the entry page's own), and the largest word chunk of each kind. */
  budget: { file: string; gz: number }[];
  /** Every other chunk but the test-only inspector: loaded on demand or on some boxes only. */
  onDemand: { file: string; gz: number }[];
  /** Every chunk but the inspector, the largest word chunk of each kind counted (the rule before 2026-12-07). */
  allKB: number;
}

function shipped(dist: string, loaded: string[]): Shipped {
  const sizes = bundleSizes(dist);
  const words = sizes.filter((s) => /^words-/.test(s.file));
  const kindOf = (f: string) => (/^words-remote-/.test(f) ? 'remote' : 'flow');
  const largest = new Map<string, { file: string; gz: number }>();
  for (const w of words) if (w.gz > (largest.get(kindOf(w.file))?.gz ?? 0)) largest.set(kindOf(w.file), w);
  const counted = new Set(largest.values());
  const inBudget = (s: { file: string }) => loaded.includes(s.file) || counted.has(s as { file: string; gz: number });
  const budget = sizes.filter(inBudget);
  const onDemand = sizes.filter((s) => !inBudget(s) && !/inspect/.test(s.file) && !/^words-/.test(s.file));
  const all = sizes.filter((s) => !/inspect/.test(s.file) && (!/^words-/.test(s.file) || counted.has(s)));
  return { budget, onDemand, allKB: kb(all) };
}

const kb = (xs: { gz: number }[]) => xs.reduce((a, s) => a + s.gz, 0) / 1024;
const list = (xs: { file: string; gz: number }[]) =>
  xs.map((s) => `${s.file} ${(s.gz / 1024).toFixed(1)} KB`).join(', ');

function bundleSizes(dir: string): { file: string; gz: number }[] {
  const assets = join(dir, 'assets');
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .map((file) => ({ file, gz: gzipSync(readFileSync(join(assets, file)), { level: 9 }).byteLength }));
}

async function main() {
  const rig = await startRig();
  try {
    const dist = await (await import('../test/helpers/harness.ts')).builtBundle();
    const words = bundleSizes(dist).filter((s) => /^words-/.test(s.file));
    const allWordsKB = kb(words);
    const require = createRequire(import.meta.url);
    const corePkg = require.resolve('@lightningjs/core/package.json');
    const coreMin = readFileSync(join(corePkg, '..', 'dist', 'lightning.min.js'));
    const coreKB = gzipSync(coreMin, { level: 9 }).byteLength / 1024;

    const i1 = await interactive(rig, 1);
    const i4 = await interactive(rig, 4);
    const a1 = await alertLatency(rig, 1);
    const a4 = await alertLatency(rig, 4);

    // The baseline revision, served and measured the same way, in this run.
    const base = await buildBaseline(BASELINE_REV);
    const { startTvApp } = await import('../server/index.ts');
    const { createLogger } = await import('@kizuna/core');
    const baseServer = await startTvApp({
      port: 0,
      distDir: base.dist,
      logger: createLogger({ name: 'tv-base', level: 'warn' }),
    });
    let b4: number[];
    let ba4: Latency;
    // One cold alert per fresh page, ours and the baseline's alternating, so both see the same load.
    const cold4: number[] = [a4.cold];
    const baseCold4: number[] = [];
    try {
      b4 = await interactive(rig, 4, baseServer.url);
      ba4 = await alertLatency(rig, 4, baseServer.url);
      baseCold4.push(ba4.cold);
      for (let i = 1; i < RUNS; i++) {
        cold4.push((await alertLatency(rig, 4, undefined, 0)).cold);
        baseCold4.push((await alertLatency(rig, 4, baseServer.url, 0)).cold);
      }
    } finally {
      await baseServer.close();
    }
    const ours = shipped(dist, a4.loaded);
    const totalKB = kb(ours.budget);
    const theirs = shipped(base.dist, ba4.loaded);
    const baseKB = kb(theirs.budget);

    console.log('TV applet — Chromium (SwiftShader WebGL), 1920×1080, production build');
    console.log(
      `bundle (gzip -9), first screen and an alert (fetched by a ja TV by the cold alert, + the largest word chunk of each kind): ${list(ours.budget)}`,
    );
    console.log(
      `  language chunks (one loaded per TV; the largest counted): ${list(words)} (all ${allWordsKB.toFixed(1)} KB)`,
    );
    console.log(
      `  total first screen and alert ${totalKB.toFixed(1)} KB (budget ${BUDGET.bundleKB} KB, ${((totalKB / BUDGET.bundleKB) * 100).toFixed(0)} % of it); baseline Lightning core min alone ${coreKB.toFixed(1)} KB → ratio ${(totalKB / coreKB).toFixed(2)}×`,
    );
    console.log(
      `  not in it, loaded on demand or on some boxes only (the card screens; the Firebolt or HbbTV adapter): ${list(ours.onDemand)} = ${kb(ours.onDemand).toFixed(1)} KB; every chunk (the rule before 2026-12-07) ${ours.allKB.toFixed(1)} KB`,
    );
    console.log(
      `first screen interactive, ${RUNS} cold starts: 4× median ${f(median(i4))} ms (max ${f(max(i4))}; budget ${BUDGET.interactiveMs}); baseline 1× median ${f(median(i1))} ms → ratio ${(median(i4) / median(i1)).toFixed(2)}×`,
    );
    console.log(
      `alert on screen after arrival, 4×: first (cold) on ${RUNS} fresh pages median ${f(median(cold4))} ms (max ${f(max(cold4))}), next ${ALERTS} median ${f(median(a4.warm))} ms (max ${f(max(a4.warm))}; budget ${BUDGET.alertMs}); baseline 1× median ${f(median(a1.warm))} ms (cold ${f(a1.cold)}) → ratio ${(median(a4.warm) / median(a1.warm)).toFixed(2)}×`,
    );
    const ok =
      totalKB <= BUDGET.bundleKB &&
      median(i4) < BUDGET.interactiveMs &&
      median(a4.warm) < BUDGET.alertMs &&
      median(cold4) < BUDGET.alertMs;
    console.log(
      `baseline ${BASELINE_REV} (${base.sha}), same run, 4×: bundle first screen and alert ${baseKB.toFixed(1)} KB → ratio ${(totalKB / baseKB).toFixed(2)}× (every chunk ${theirs.allKB.toFixed(1)} KB → ${(ours.allKB / theirs.allKB).toFixed(2)}×); first screen median ${f(median(b4))} ms (max ${f(max(b4))}) → ratio ${(median(i4) / median(b4)).toFixed(2)}×; alert first (cold) median ${f(median(baseCold4))} ms (max ${f(max(baseCold4))}) → ratio ${(median(cold4) / median(baseCold4)).toFixed(2)}×, next median ${f(median(ba4.warm))} ms (max ${f(max(ba4.warm))}) → ratio ${(median(a4.warm) / median(ba4.warm)).toFixed(2)}×`,
    );
    console.log(ok ? 'within budget' : 'OVER BUDGET');
  } finally {
    await rig.close();
  }
}

await main();
