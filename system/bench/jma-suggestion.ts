/**
 * Issue 20's "a JMA warning shows as a suggestion within a second": `npx tsx system/bench/jma-suggestion.ts`
 * (env ROUNDS, default 20). The whole system as npm start runs it (in memory); a staff client holds
 * the dashboard's suggestion stream open (GET /api/jma/suggestions/events, SSE, read as the browser
 * reads it). Each round pushes a 土砂災害警戒情報 for the demo city with a new EventID (POST /api/jma,
 * as an operator's receiver does) and times push → the suggestion in the stream, then its 取消 →
 * gone from the stream. Baseline, same run: a plain GET /api/jma/suggestions round trip.
 */
import { mkdtemp } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jmaLandslide } from '@kizuna/test-utils';
import { loadSystemConfig } from '../src/config.ts';
import { startSystem } from '../src/system.ts';
import { DEMO_STAFF } from '../src/demo-staff.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const ports = Object.fromEntries(
  ['CONSOLE', 'TV', 'SHELTER', 'BROKER', 'BROKER_WS', 'AUTHORITY', 'GATEWAY', 'BRIDGE'].map((p) => [
    `KZ_${p}_PORT`,
    '0',
  ]),
);
const system = await startSystem({
  config: loadSystemConfig({ KZ_DATA_DIR: 'memory', KZ_LOG_LEVEL: 'warn', ...ports }),
  tvDistDir: await mkdtemp(join(tmpdir(), 'kz-bench-tv-')),
});
const base = system.urls.console;
const issuer = DEMO_STAFF.find((s) => (s.roles as readonly string[]).includes('issuer'))!;
const session = await fetch(`${base}/api/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: issuer.username, password: issuer.password }),
});
const { token } = (await session.json()) as { token: string };
const auth = { authorization: `Bearer ${token}` };

// The stream, parsed as EventSource does: each `suggestions` event is the whole open list.
let latest: { eventId?: string; stream?: { eventId?: string } }[] = [];
let changed: () => void = () => undefined;
const reading = new AbortController();
const stream = await fetch(`${base}/api/jma/suggestions/events`, { headers: auth, signal: reading.signal });
void (async () => {
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n');
      if (block.includes('event: suggestions') && data) {
        latest = JSON.parse(data);
        changed();
      }
    }
  }
})().catch((e: unknown) => {
  if (!reading.signal.aborted) throw e; // the stream ends when the bench stops reading it
});
const seen = (eventId: string) => JSON.stringify(latest).includes(eventId);
const until = (ok: () => boolean) =>
  new Promise<void>((resolve) => {
    if (ok()) return resolve();
    changed = () => ok() && resolve();
  });
const jst = (min: number) => new Date(Date.now() + min * 60_000 + 9 * 3_600_000).toISOString().slice(0, 19) + '+09:00';
const push = async (xml: string) => {
  const r = await fetch(`${base}/api/jma`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/xml' },
    body: xml,
  });
  if (r.status !== 200) throw new Error(`POST /api/jma answered ${r.status}: ${await r.text()}`);
};

const shown: number[] = [];
const withdrawn: number[] = [];
const reads: number[] = [];
for (let n = 0; n < ROUNDS; n++) {
  const eventId = `bench-${n}-${Date.now()}`;
  let t = performance.now();
  await push(jmaLandslide({ eventId, serial: 1, reportDateTime: jst(0) }));
  await until(() => seen(eventId));
  shown.push(performance.now() - t);
  t = performance.now();
  await push(jmaLandslide({ eventId, serial: 2, infoType: '取消', reportDateTime: jst(1) }));
  await until(() => !seen(eventId));
  withdrawn.push(performance.now() - t);
  t = performance.now();
  await (await fetch(`${base}/api/jma/suggestions`, { headers: auth })).json();
  reads.push(performance.now() - t);
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
console.log(`JMA suggestion, ${ROUNDS} rounds, load ${(loadavg()[0] ?? 0).toFixed(1)}`);
console.log(`  push → on the dashboard's stream: ${fmt(shown)} (goal: < 1,000 ms)`);
console.log(`  取消 → gone from the stream:       ${fmt(withdrawn)}`);
console.log(`  baseline GET /api/jma/suggestions: ${fmt(reads)}`);
console.log(`  ratio (p50 shown / p50 baseline read): ${(pct(shown, 0.5) / pct(reads, 0.5)).toFixed(2)}×`);
reading.abort();
await system.close();
process.exit(0);
