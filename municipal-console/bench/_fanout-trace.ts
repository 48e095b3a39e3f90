/**
 * Where a fan-out's time goes in the console itself, with the broker stubbed (publish calls are
 * counted and acknowledged on the next turn): N residents on their own TVs (the fan-out bench's
 * town, PGlite in memory), two alerts through AlertService.create, and for each the time of the
 * first and last publish call and every statement that took more than 3 ms (or began in the
 * first 200 ms), with its start and duration. The first alert reads the register and runs cold
 * code; the second is what a running console does.
 *
 *   npx tsx municipal-console/bench/_fanout-trace.ts [residents=10000] [--disk] [--profile=<file>]   (the second alert's CPU profile)
 *       [--alerts=N]   (N alerts, default 2; from the second on, the median of each figure is printed last)
 *
 * The file name starts with `_`: `npm run bench` does not run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { createLogger, openDb, type Queryable } from '@kizuna/core';
import { AlertService } from '../src/alerts/alert-service.ts';
import { seedTown, BENCH_MUNI } from './_fanout-town.ts';

const n = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 10000);
if (!Number.isInteger(n) || n <= 0) throw new Error('residents must be a whole number > 0');
// --disk: the console's PGlite in a data directory, as `npm start` keeps it (default: in memory)
const dir = process.argv.includes('--disk') ? mkdtempSync(join(tmpdir(), 'kz-trace-')) : undefined;
const db = await openDb({ dataDir: dir });
const town = await seedTown(db, n);
let t0 = 0;
const lines: string[] = [];
const timed = (q: Queryable) => {
  const query = q.query.bind(q);
  (q as { query: unknown }).query = async (sql: string, params?: unknown[]) => {
    const s = performance.now();
    const r = await query(sql, params);
    const d = performance.now() - s;
    if (t0 && (d > 3 || s - t0 < 200))
      lines.push(
        `${(s - t0).toFixed(0).padStart(6)} +${d.toFixed(0).padStart(4)} ms  ${sql.replace(/\s+/g, ' ').trim().slice(0, 100)}`,
      );
    return r;
  };
};
timed(db);
const tx = db.tx.bind(db);
(db as { tx: unknown }).tx = (fn: (q: Queryable) => Promise<unknown>) =>
  tx((q) => {
    timed(q);
    return fn(q);
  });
let first = 0,
  last = 0,
  count = 0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const stub = {
  connected: true,
  publish(_topic: string, _payload: string, _opts: unknown, cb: (e?: Error) => void) {
    last = performance.now();
    if (!first) first = last;
    count += 1;
    setImmediate(cb);
  },
} as unknown as MqttClient;
const alerts = new AlertService({
  db,
  mqtt: stub,
  muni: BENCH_MUNI,
  logger: createLogger({ name: 'trace', level: 'warn' }),
});
const alertsArg = Number(process.argv.find((a) => a.startsWith('--alerts='))?.slice(9) ?? 2);
const warm: { first: number; last: number; done: number; cpu: number }[] = [];
for (let round = 1; round <= alertsArg; round++) {
  lines.length = 0;
  first = 0;
  count = 0;
  const profileTo = round === 2 ? process.argv.find((a) => a.startsWith('--profile='))?.slice(10) : undefined;
  const session = profileTo ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  t0 = performance.now();
  const cpu0 = cpu();
  await alerts.create(
    { username: 'trace', roles: ['issuer'], displayName: null },
    {
      level: 4,
      hazard: 'flood',
      status: 'Exercise',
      expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
      target: { zones: town.zones },
    },
  );
  const f = { first: first - t0, last: last - t0, done: performance.now() - t0, cpu: cpu() - cpu0 };
  if (round > 1) warm.push(f);
  console.log(
    `alert ${round}: ${count} messages; first publish ${f.first.toFixed(0)} ms, last ${f.last.toFixed(0)} ms, fan-out done ${f.done.toFixed(0)} ms; CPU time (all threads) ${f.cpu.toFixed(0)} ms`,
  );
  if (session && profileTo) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    session.disconnect();
  }
  if (alertsArg <= 2) console.log(lines.join('\n'));
}
if (warm.length > 1) {
  const med = (k: keyof (typeof warm)[number]) => {
    const v = warm.map((w) => w[k]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)]!.toFixed(0);
  };
  console.log(
    `median of alerts 2-${alertsArg}: first publish ${med('first')} ms, last ${med('last')} ms, fan-out done ${med('done')} ms; CPU time ${med('cpu')} ms`,
  );
}
await db.close();
if (dir) rmSync(dir, { recursive: true, force: true });
