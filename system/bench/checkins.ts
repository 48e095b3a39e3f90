/**
 * Issue 7's benchmark: `npx tsx system/bench/checkins.ts`
 *   (env: RATE 1000, SECONDS 10, TERMINALS 50, QUEUED 10000 (0: no drain part), THROTTLE_MS 100 (the console's
 *   KZ_CONSOLE_LIVE_THROTTLE_MS), CONSOLE_DATABASE_URL to put the console's store on a fresh
 *   PostgreSQL database instead of PGlite, TRACE=1 to print how long the console's writes, live
 *   updates, figure reads and queries took during part 1, the longest ones and the slowest taps)
 *
 *  1. Sustained check-ins from many terminals, tap to dashboard: TERMINALS broker connections
 *     (terminal credentials, the real policy, spread over the town's 10 shelters) publish
 *     ShelterEvents at QoS 1, paced open-loop at RATE per second in total, each the check-in of a
 *     resident on that shelter's roster not yet arrived. The console is the real one (HTTP server,
 *     Ingest with the embedded broker's PUBACK held until the write, one active alert to every
 *     resident) and the dashboard's live stream (GET /api/live, SSE) is read as the browser reads
 *     it: the k-th tap has appeared once the stream's `arrived` total reaches k (taps from many
 *     connections may overtake each other by a few ms; the count does not care which). Baseline,
 *     same run, before the console starts: the same traffic to a bare QoS 1 subscriber (broker
 *     only, no store, no stream).
 *  2. Drain 10,000 queued offline check-ins: a real terminal (PGlite store, outbox, MqttLink)
 *     records them with no broker, then connects; time until all are PUBACKed (= stored, with the
 *     embedded broker) and in the console's store. Baseline, same run: the same 10,000 payloads
 *     from a bare mqtt.js client with the same in-flight window, into the same console.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, openDb, type Db } from '@kizuna/core';
import { topics, type ShelterEvent } from '@kizuna/contract';
import { createCredentialStore, createEmbeddedBroker, migrateBroker } from '@kizuna/broker';
import * as consoleFunctions from '@kizuna/municipal-console';
import { Ingest, LiveFigures, LiveHub, startConsole } from '@kizuna/municipal-console';
import { buildTerminalApp } from '@kizuna/evacuation-center';
import { BENCH_MUNI as MUNI, openLiveStream, seedTown } from '@kizuna/test-utils';

const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const TERMINALS = Number(process.env.TERMINALS ?? 50);
const QUEUED = Number(process.env.QUEUED ?? 10_000); // 0: no drain part
const THROTTLE_MS = Number(process.env.THROTTLE_MS ?? 100);
const SHELTERS = 10; // the bench town's sh-0 … sh-9
const logger = createLogger({
  name: 'bench',
  level: 'warn',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

/** The console's store: PGlite (embedded default) or, with CONSOLE_DATABASE_URL, a fresh PostgreSQL database (dropped after). */
async function consoleStore(): Promise<{ db: Db; engine: string; drop(): Promise<void> }> {
  const url = process.env.CONSOLE_DATABASE_URL;
  if (!url) {
    const db = await openDb({});
    return { db, engine: 'PGlite', drop: () => db.close() };
  }
  const name = `kz_bench_shelter_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = await openDb({ url, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDb({ url: u.toString(), max: 4 });
  return {
    db,
    engine: 'PostgreSQL',
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}
async function stored(db: Db, shelter?: string): Promise<number> {
  return Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM checkins${shelter ? ' WHERE shelter_id = $1' : ''}`,
        shelter ? [shelter] : [],
      )
    ).rows[0]!.n,
  );
}

// TRACE=1: how long the console's writes, live updates and figure reads take, and the event loop's worst stalls
const TRACE = process.env.TRACE === '1';
const traced: { what: string; at: number; ms: number }[] = [];
function trace(proto: object, name: string, what: string) {
  const p = proto as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const orig = p[name]!;
  p[name] = async function (this: unknown, ...a: unknown[]) {
    const at = performance.now();
    try {
      return await orig.apply(this, a);
    } finally {
      traced.push({ what, at, ms: performance.now() - at });
    }
  };
}
if (TRACE) {
  trace(Ingest.prototype, 'write', 'ingest write');
  trace(LiveHub.prototype, 'send', 'live send');
  trace(LiveFigures.prototype, 'readKept', 'figures read');
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 30) traced.push({ what: 'event-loop stall', at: last, ms: now - last });
    last = now;
  }, 5).unref();
}

const N = RATE * SECONDS;
const store0 = await consoleStore();
const cdb = store0.db;
say(
  `shelter check-ins (${store0.engine}): ${RATE}/s for ${SECONDS} s from ${TERMINALS} terminals, live throttle ${THROTTLE_MS} ms; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
);
let t0 = Date.now();
const town = await seedTown(consoleFunctions, cdb, N);
// The k-th tap is resident k at the shelter of terminal k mod TERMINALS, named by its roster key.
await cdb.query(
  `INSERT INTO roster_keys (shelter_id, key, resident_id)
  SELECT 'sh-' || ((i % $2::int) % ${SHELTERS}), 'k-' || i, 'R' || lpad(i::text, 7, '0') FROM generate_series(0, $1::int - 1) AS i`,
  [N, TERMINALS],
);
say(`seeded ${N} residents, TVs and roster keys in ${Date.now() - t0} ms`);

const brokerDb = await openDb({});
await migrateBroker(brokerDb);
const credentials = await createCredentialStore(brokerDb);
const broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
const muniCreds = await credentials.issue({ kind: 'municipality', muni: MUNI });
const connect = (c: { username: string; password: string }, clean = false) =>
  mqtt.connectAsync(broker.mqttUrl, { ...c, clientId: c.username, clean, protocolVersion: 4, reconnectPeriod: 500 });

// Many terminals: one connection each, spread over the town's shelters.
const terminals: { client: MqttClient; topic: string; seq: number }[] = [];
for (let i = 0; i < TERMINALS; i += 1) {
  const shelter = `sh-${i % SHELTERS}`;
  const terminal = `door-${Math.floor(i / SHELTERS) + 1}`;
  const creds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter, terminal });
  terminals.push({ client: await connect(creds), topic: topics.shelterEvent(MUNI, shelter, terminal), seq: 0 });
}

/** Publish RATE events/s for SECONDS, round-robin over the terminals; returns each tap's time (performance.now()). */
async function paced(rosterKey: (n: number) => string): Promise<number[]> {
  const tapAt: number[] = [];
  const start = performance.now();
  let n = 0;
  while (n < N) {
    const due = Math.min(N, Math.floor(((performance.now() - start) / 1000) * RATE) + 1);
    for (; n < due; n += 1) {
      const t = terminals[n % terminals.length]!;
      t.seq += 1;
      const ev: ShelterEvent = {
        v: 1,
        kind: 'shelter-event',
        eventId: randomUUID(),
        seq: t.seq,
        type: 'check-in',
        at: new Date().toISOString(),
        rosterKey: rosterKey(n),
      };
      tapAt.push(performance.now());
      void t.client.publishAsync(t.topic, JSON.stringify(ev), { qos: 1 });
    }
    await sleep(2);
  }
  return tapAt;
}

// --- 1a. baseline: broker only, a bare QoS 1 subscriber (before the console exists) ---
const bare = await connect(muniCreds, true);
const bareLat: number[] = [];
const bareTap = new Map<string, number>();
bare.on('message', (_t, payload) => {
  const ev = JSON.parse(payload.toString()) as ShelterEvent;
  bareLat.push(performance.now() - bareTap.get(ev.rosterKey!)!);
});
await bare.subscribeAsync(topics.allShelterEvents(MUNI), { qos: 1 });
const b0 = performance.now();
const bareTaps = await paced((n) => {
  bareTap.set(`b-${n}`, performance.now());
  return `b-${n}`;
});
while (bareLat.length < bareTaps.length) await sleep(10);
const bareSecs = (performance.now() - b0) / 1000;
await bare.endAsync();

// --- 1b. the real console: store, alert, live stream ---
const muniClient = await connect(muniCreds);
if (TRACE) {
  const q = cdb.query.bind(cdb);
  (cdb as { query: typeof cdb.query }).query = async (text, params) => {
    const at = performance.now();
    try {
      return await q(text, params);
    } finally {
      traced.push({ what: `query ${text.replace(/\s+/g, ' ').trim().slice(0, 60)}`, at, ms: performance.now() - at });
    }
  };
}
const consoleServer = await startConsole({
  db: cdb,
  logger,
  mqtt: muniClient,
  muni: MUNI,
  port: 0,
  tickS: 0,
  liveThrottleMs: THROTTLE_MS,
});
const ingest = consoleServer.app.kz.ingest;
const unhook = ingest.holdShelterAcks(broker.aedes);
const api = (path: string, body: unknown, token?: string) =>
  fetch(`${consoleServer.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const { token } = (await (await api('/api/session', town.staff)).json()) as { token: string };
t0 = Date.now();
const res = await api(
  '/api/alerts',
  {
    level: 4,
    hazard: 'flood',
    status: 'Exercise',
    expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
    target: { zones: town.zones },
    draft: true,
  },
  token,
);
if (res.status !== 201) throw new Error(`POST /api/alerts answered ${res.status}: ${await res.text()}`);
// sent as staff send it: with the digest its confirmation showed
const draftId = ((await res.json()) as { id: string }).id;
const seenDraft = (await (
  await fetch(`${consoleServer.url}/api/alerts/${draftId}/confirmation`, {
    headers: { authorization: `Bearer ${token}` },
  })
).json()) as { revision: number; digest: string };
const sent = await api(
  `/api/alerts/${draftId}/send`,
  { revision: seenDraft.revision, digest: seenDraft.digest },
  token,
);
if (sent.status !== 200) throw new Error(`POST /api/alerts/…/send answered ${sent.status}: ${await sent.text()}`);
const alert = (await sent.json()) as { id: string; reach: { devices: number } };
say(`alert issued to ${alert.reach.devices} TVs in ${Date.now() - t0} ms`);

const seen: { at: number; arrived: number }[] = [];
const liveStream = await openLiveStream(consoleServer.url, token, alert.id, (e) =>
  seen.push({ at: e.at, arrived: e.totals.arrived }),
);
await sleep(THROTTLE_MS * 3);

const s0 = performance.now();
const taps = await paced((n) => `k-${n}`);
const publishSecs = (performance.now() - s0) / 1000;
const deadline = Date.now() + 120_000;
while ((seen.at(-1)?.arrived ?? 0) < N && Date.now() < deadline) await sleep(20);
const allSecs = (performance.now() - s0) / 1000;
const lat: number[] = [];
let missing = 0;
let j = 0;
for (let k = 0; k < taps.length; k += 1) {
  while (j < seen.length && (seen[j]!.arrived < k + 1 || seen[j]!.at < taps[k]!)) j += 1;
  if (j >= seen.length) {
    missing += 1;
    continue;
  }
  lat.push(seen[j]!.at - taps[k]!);
}
const storedN = await stored(cdb);

console.log(
  `\n1. sustained check-ins: ${N} taps from ${TERMINALS} terminals, offered ${RATE}/s for ${SECONDS} s (sent in ${publishSecs.toFixed(2)} s); console store ${store0.engine}; live throttle ${THROTTLE_MS} ms; load ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  `   in the console's store and stream: ${(N / allSecs).toFixed(0)}/s (all shown ${(allSecs - publishSecs).toFixed(2)} s after the last tap; ${storedN} stored, ${missing} never shown)`,
);
console.log(
  `   tap → dashboard (SSE) latency: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`,
);
console.log(
  `   baseline (broker only, bare QoS 1 subscriber): ${(bareTaps.length / bareSecs).toFixed(0)} delivered/s, p50 ${pct(bareLat, 50).toFixed(0)} ms, p99 ${pct(bareLat, 99).toFixed(0)} ms`,
);
console.log(
  `   ratio console/baseline: throughput ×${(N / allSecs / (bareTaps.length / bareSecs)).toFixed(2)}, p99 ×${(pct(lat, 99) / Math.max(1, pct(bareLat, 99))).toFixed(2)}`,
);
console.log(
  `   goal: ≥ 1000/s with p99 < 200 ms → ${N / allSecs >= 0.98 * RATE && pct(lat, 99) < 200 && missing === 0 ? 'met' : 'NOT met'}`,
);
if (TRACE) {
  const inRun = traced.filter((x) => x.at >= s0 && x.at <= s0 + allSecs * 1000);
  for (const what of [...new Set(inRun.map((x) => x.what))]) {
    const ms = inRun.filter((x) => x.what === what).map((x) => x.ms);
    console.log(
      `   trace ${what}: ${ms.length}×, p50 ${pct(ms, 50).toFixed(1)} ms, p99 ${pct(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms, total ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
    );
  }
  for (const x of [...inRun].sort((a, b) => b.ms - a.ms).slice(0, 12))
    console.log(`     ${((x.at - s0) / 1000).toFixed(3)} s  ${x.what} ${x.ms.toFixed(0)} ms`);
  const worst = lat
    .map((l, k) => ({ l, k }))
    .sort((a, b) => b.l - a.l)
    .slice(0, 5);
  for (const w of worst)
    console.log(`     slow tap ${w.k} at ${((taps[w.k]! - s0) / 1000).toFixed(3)} s: ${w.l.toFixed(0)} ms`);
}
for (const t of terminals) await t.client.endAsync();

// --- 2. drain 10,000 queued offline check-ins ---
if (QUEUED > 0) {
  const tdb = await openDb({});
  const termCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
  const offline = await buildTerminalApp({ db: tdb, logger, muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
  const r0 = performance.now();
  for (let i = 0; i < QUEUED; i += 1) await offline.terminal.checkIn({ manual: { name: `queued ${i}` } });
  const recordSecs = (performance.now() - r0) / 1000;
  await offline.close();
  const online = await buildTerminalApp({
    db: tdb,
    logger,
    muni: MUNI,
    shelter: 'sh-drain',
    terminal: 'door-1',
    mqttUrl: broker.mqttUrl,
    mqttCredentials: termCreds,
  });
  const d0 = performance.now();
  await online.link!.drained();
  const ackSecs = (performance.now() - d0) / 1000;
  while ((await stored(cdb, 'sh-drain')) < QUEUED) await sleep(20);
  const drainSecs = (performance.now() - d0) / 1000;
  await online.close();

  // baseline: the same payloads from a bare client, same window, same store
  const baseCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-drain', terminal: 'door-2' });
  const baseClient = await connect(baseCreds);
  const payloads = Array.from({ length: QUEUED }, (_, i) =>
    JSON.stringify({
      v: 1,
      kind: 'shelter-event',
      eventId: randomUUID(),
      seq: i + 1,
      type: 'check-in',
      at: new Date().toISOString(),
      manual: { name: `queued ${i}` },
    }),
  );
  const topic = topics.shelterEvent(MUNI, 'sh-drain', 'door-2');
  const q0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < payloads.length) await baseClient.publishAsync(topic, payloads[next++]!, { qos: 1 });
    }),
  );
  while ((await stored(cdb, 'sh-drain')) < 2 * QUEUED) await sleep(20);
  const baseDrain = (performance.now() - q0) / 1000;
  await baseClient.endAsync();

  console.log(
    `\n2. offline backlog: ${QUEUED} check-ins recorded with no broker in ${recordSecs.toFixed(1)} s (${(QUEUED / recordSecs).toFixed(0)}/s on one terminal's PGlite)`,
  );
  console.log(
    `   drain after reconnect: all PUBACKed in ${ackSecs.toFixed(2)} s, all in the console's store in ${drainSecs.toFixed(2)} s (${(QUEUED / drainSecs).toFixed(0)}/s)`,
  );
  console.log(`   baseline (bare mqtt.js client, same window, same store): ${baseDrain.toFixed(2)} s`);
  console.log(`   ratio terminal/baseline: ×${(drainSecs / baseDrain).toFixed(2)}`);
  console.log(`   goal: 10,000 drained in < 10 s → ${drainSecs < 10 ? 'met' : 'NOT met'}`);
  await tdb.close();
}

unhook();
liveStream.close(); // the browser leaves: the console's close does not wait for its stream
await consoleServer.close();
await muniClient.endAsync();
await store0.drop();
await broker.close();
await brokerDb.close();
process.exit(0);
