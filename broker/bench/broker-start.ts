/**
 * How soon a restarted broker process serves logins (issue 21): the embedded broker's own process
 * started on a PGlite directory that holds a city's credentials, as after a SIGKILL. Figures: time
 * from spawn to the first TCP accept on the MQTT port, and to the first CONNACK of a TV's login
 * (tried every 10 ms from the spawn, as a TV would). Variants alternate, in the same run:
 *  - tsx: `node --import tsx broker/src/server.ts` (the baseline: the source through tsx)
 *  - bundle: `node broker/dist/server.mjs` as `npm run build:broker` writes it (packages bundled)
 *  - bundle-ext: the same with node_modules left outside the file (the build before issue 21's
 *    second step)
 *
 *   npx tsx broker/bench/broker-start.ts [--rounds 5] [--tvs 10000] [--variants tsx,bundle-ext,bundle]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, openDb } from '@kizuna/core';
import { BROKER_BUNDLE, buildBrokerServer } from '../src/server-bundle.ts';
import {
  connectOnce,
  createCredentialStore,
  embeddedBrokerEnv,
  freePort,
  startChild,
  waitForPort,
} from '../src/index.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tvs: { type: 'string', default: '10000' },
    variants: { type: 'string', default: 'tsx,bundle-ext,bundle' },
  },
});
const ROUNDS = Number(values.rounds);
const VARIANTS = values.variants!.split(',');
const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'kz-broker-start-'));
const db = await openDb({ dataDir: dir });
const store = await createCredentialStore(db, { logger: createLogger({ name: 'bench', level: 'error' }) });
const tvs = Number(values.tvs);
const creds = await store.issueMany(
  Array.from({ length: tvs }, (_, i) => ({ kind: 'tv' as const, muni: '999996', device: `tv-${i}` })),
);
const tv = creds[tvs - 1]!;
await db.close();
// both bundles sit in broker/dist (the migrations are found from there)
const BUNDLE_EXT = BROKER_BUNDLE.replace(/server\.mjs$/, 'server-ext.mjs');
if (VARIANTS.includes('bundle')) await buildBrokerServer();
if (VARIANTS.includes('bundle-ext')) await buildBrokerServer(BUNDLE_EXT, { nodeModules: 'external' });

async function once(variant: string): Promise<{ accept: number; connack: number }> {
  const port = await freePort();
  const entry = variant === 'tsx' ? ['--import', 'tsx', SERVER] : [variant === 'bundle' ? BROKER_BUNDLE : BUNDLE_EXT];
  const { KZ_BROKER_DATABASE_URL: _notThis, ...env } = process.env; // PGlite on dir, not a server
  const brokerEnv = await embeddedBrokerEnv(port, dir);
  const t0 = performance.now();
  const child = startChild(process.execPath, entry, { env: { ...env, ...brokerEnv } });
  try {
    await waitForPort(child, variant, '127.0.0.1', port, 60_000, 10);
    const accept = performance.now() - t0;
    for (;;) {
      try {
        const c = await connectOnce(`mqtt://127.0.0.1:${port}`, {
          clientId: tv.username,
          username: tv.username,
          password: tv.password,
          protocolVersion: 4,
          connectTimeout: 30_000,
        });
        const connack = performance.now() - t0;
        await c.endAsync(true);
        return { accept, connack };
      } catch {
        await sleep(10);
      }
      if (performance.now() - t0 > 60_000) throw new Error(`${variant}: no CONNACK in 60 s`);
    }
  } finally {
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

const figures = new Map(VARIANTS.map((v) => [v, { accept: [] as number[], connack: [] as number[] }]));
const loads: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const v of VARIANTS) {
    loads.push(loadavg()[0]!);
    const f = await once(v);
    figures.get(v)!.accept.push(f.accept);
    figures.get(v)!.connack.push(f.connack);
    console.log(`round ${r + 1} ${v}: TCP accept ${f.accept.toFixed(0)} ms, first CONNACK ${f.connack.toFixed(0)} ms`);
  }
}
rmSync(dir, { recursive: true, force: true });
if (VARIANTS.includes('bundle-ext')) for (const f of [BUNDLE_EXT, `${BUNDLE_EXT}.map`]) rmSync(f, { force: true });
const base = figures.get(VARIANTS[0]!)!;
console.log(
  `\nbroker process start, ${tvs} credentials in PGlite, ${ROUNDS} rounds alternating; load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
);
console.log(
  '| start | TCP accept (median, min–max) | first CONNACK (median, min–max) | CONNACK ÷ ' + VARIANTS[0] + ' |',
);
console.log('|---|---|---|---|');
for (const [v, f] of figures) {
  const fmt = (xs: number[]) =>
    `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(
    `| ${v} | ${fmt(f.accept)} | ${fmt(f.connack)} | ${(median(f.connack) / median(base.connack)).toFixed(2)}× |`,
  );
}
