/**
 * The console dashboard's live latency (issue 6): the time from a TV receipt or a shelter
 * check-in to its appearance in the dashboard's live data stream (GET /api/live, Server-Sent
 * Events, what the staff browser reads), while the console takes 1,000 such events a second.
 *
 *   npx tsx municipal-console/bench/dashboard.ts      (env: RATE 1000, SECONDS 15, TVS 20000,
 *       BASE_RATE 20, BASE_SECONDS 10, THROTTLE_MS 500, DRAIN_S 120, CONSOLE_DATABASE_URL to put the
 *       console's store on a fresh PostgreSQL database instead of PGlite)
 *
 * One process: the console store (PGlite, which runs its queries on this process's thread, or
 * PostgreSQL), the embedded broker with the access policy, the console's
 * real HTTP server and MQTT ingest, one active alert to TVS bound TVs (one resident each). Events
 * come over MQTT on the real topics (a receipt on kz/{muni}/tv/{device}/receipt, a check-in on
 * kz/{muni}/shelter/{shelter}/terminal/{terminal}/event): three "delivered" receipts, each from a
 * TV not heard from before, to one check-in of a resident not yet arrived. So the k-th receipt
 * has appeared once the stream's `delivered` total reaches k, the k-th check-in once `arrived`
 * does (one publishing connection: the broker and the ingest keep its order).
 *
 * Baselines, same run: the same path at BASE_RATE events/s (the latency of a quiet day, whose
 * first event in each window waits the whole throttle), and a bare QoS 1 subscriber on the same
 * broker during the load phase (the broker's own delivery time: the publishing connection itself
 * subscribed, as the broker has one admin identity). The console batches: however
 * many events arrive, the browser gets at most one `alert` event per alert per THROTTLE_MS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type Receipt, type ShelterEvent } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import { createCredentialStore, createEmbeddedBroker, type IssuedCredentials } from '@kizuna/broker';
import { startConsole } from '../src/index.ts';
import { BENCH_MUNI, deviceId, seedTown } from './_fanout-town.ts';
import { openLiveStream } from '@kizuna/test-utils';

const num = (k: string, d: number) => {
  const v = Number(process.env[k] ?? d);
  if (!(v > 0)) throw new Error(`${k} must be a number > 0`);
  return v;
};
const RATE = num('RATE', 1000);
const SECONDS = num('SECONDS', 15);
const TVS = num('TVS', 20_000);
const BASE_RATE = num('BASE_RATE', 20);
const BASE_SECONDS = num('BASE_SECONDS', 10);
const THROTTLE_MS = num('THROTTLE_MS', 500);
const DRAIN_S = num('DRAIN_S', 120);
const SHELTER = 'sh-0';
const TERMINAL = 'bench-door';
if (RATE * SECONDS + BASE_RATE * BASE_SECONDS > TVS)
  throw new Error(
    `TVS (${TVS}) must be at least RATE×SECONDS + BASE_RATE×BASE_SECONDS: every event is a TV or a resident not heard from before`,
  );

const quiet = new Writable({
  write(_c, _e, cb) {
    cb();
  },
});
const logger = createLogger({ name: 'bench', level: 'warn', destination: quiet });
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const connect = (url: string, c: IssuedCredentials) =>
  mqtt.connectAsync(url, {
    username: c.username,
    password: c.password,
    clientId: c.username,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });

say(
  `dashboard latency (${process.env.CONSOLE_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}): ${RATE}/s for ${SECONDS} s (baseline ${BASE_RATE}/s for ${BASE_SECONDS} s), ${TVS} TVs, throttle ${THROTTLE_MS} ms; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
);
/** The console's store: PGlite (embedded default) or, with CONSOLE_DATABASE_URL, a fresh PostgreSQL database (dropped after). */
async function consoleDb(): Promise<{ db: Db; engine: string; drop(): Promise<void> }> {
  const url = process.env.CONSOLE_DATABASE_URL;
  if (!url) {
    const db = await openDb({});
    return { db, engine: 'PGlite', drop: () => db.close() };
  }
  const name = `kz_bench_dashboard_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
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
const store0 = await consoleDb();
const db = store0.db;
const brokerDb = await openDb({});
let t = Date.now();
const town = await seedTown(db, TVS);
// The shelter's roster keys, as a roster fetch leaves them: check-ins name residents by key.
await db.query(
  `INSERT INTO roster_keys (shelter_id, key, resident_id) SELECT $1, 'k-' || i, 'R' || lpad(i::text, 7, '0') FROM generate_series(0, $2::int - 1) AS i`,
  [SHELTER, TVS],
);
say(`seeded ${TVS} residents, TVs, bindings and roster keys in ${Date.now() - t} ms`);

const store = await createCredentialStore(brokerDb, { logger });
const [muniCreds, loadCreds] = [
  await store.issue({ kind: 'municipality', muni: BENCH_MUNI }),
  await store.issue({ kind: 'admin' }),
];
const broker = await createEmbeddedBroker({ credentials: store, logger, port: 0 });
const muniClient = await mqtt.connectAsync(broker.mqttUrl, {
  username: muniCreds.username,
  password: muniCreds.password,
  clientId: muniCreds.username,
  protocolVersion: 4,
  clean: false,
  reconnectPeriod: 1000,
});
const consoleServer = await startConsole({
  db,
  logger,
  mqtt: muniClient,
  muni: BENCH_MUNI,
  port: 0,
  tickS: 0,
  liveThrottleMs: THROTTLE_MS,
});
const api = (path: string, body: unknown, token?: string) =>
  fetch(`${consoleServer.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const { token } = (await (await api('/api/session', town.staff)).json()) as { token: string };
t = Date.now();
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
const alert = (await sent.json()) as { id: string; revision: number; reach: { devices: number } };
say(`alert ${alert.id} issued to ${alert.reach.devices} TVs in ${Date.now() - t} ms`);

// The dashboard's stream, read as the browser reads it.
interface Seen {
  at: number;
  delivered: number;
  arrived: number;
  bytes: number;
}
const seen: Seen[] = [];
const stream = await openLiveStream(consoleServer.url, token, alert.id, (e) =>
  seen.push({ at: e.at, delivered: e.totals.delivered, arrived: e.totals.arrived, bytes: e.bytes }),
);

// The load generator's connection (the broker's one admin identity) is also the bare subscriber:
// when the broker hands each event back to a plain QoS 1 client.
const loadClient: MqttClient = await connect(broker.mqttUrl, loadCreds);
const bare = loadClient;
const bareAt = new Map<string, number>();
bare.on('message', (_topic, payload) => {
  const m = JSON.parse(payload.toString()) as { eventId?: string; at: string; kind: string; bench?: never };
  const key = m.kind === 'receipt' ? `r:${_topic}` : `c:${m.eventId}`;
  if (!bareAt.has(key)) bareAt.set(key, performance.now());
});

let nextTv = 0;
let nextResident = 0;
let seq = 0;
interface Sent {
  kind: 'receipt' | 'check-in';
  k: number;
  at: number;
  key: string;
}

/** Offer `rate` events/s for `seconds`, in 10 ms ticks; 3 receipts to 1 check-in. */
async function offer(
  rate: number,
  seconds: number,
  withBare: boolean,
): Promise<{ sent: Sent[]; receipts: number; checkins: number }> {
  if (withBare)
    await bare.subscribeAsync([topics.allReceipts(BENCH_MUNI), topics.allShelterEvents(BENCH_MUNI)], { qos: 1 });
  const sent: Sent[] = [];
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; i < due; i++) {
      const at = performance.now();
      if (i % 4 === 3) {
        const r = nextResident++;
        const e: ShelterEvent = {
          v: 1,
          kind: 'shelter-event',
          eventId: randomUUID(),
          seq: ++seq,
          type: 'check-in',
          at: new Date().toISOString(),
          rosterKey: `k-${TVS - 1 - r}`,
        };
        loadClient.publish(topics.shelterEvent(BENCH_MUNI, SHELTER, TERMINAL), JSON.stringify(e), { qos: 1 });
        sent.push({ kind: 'check-in', k: r + 1, at, key: `c:${e.eventId}` });
      } else {
        const d = nextTv++;
        const rc: Receipt = {
          v: 1,
          kind: 'receipt',
          alertId: alert.id,
          revision: alert.revision,
          state: 'delivered',
          at: new Date().toISOString(),
        };
        const topic = topics.tvReceipt(BENCH_MUNI, deviceId(d));
        loadClient.publish(topic, JSON.stringify(rc), { qos: 1 });
        sent.push({ kind: 'receipt', k: d + 1, at, key: `r:${topic}` });
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const elapsed = (performance.now() - t0) / 1000;
  say(`offered ${total} events in ${elapsed.toFixed(2)} s (${Math.round(total / elapsed)}/s)`);
  // Wait until the stream shows every event (or DRAIN_S).
  const until = Date.now() + DRAIN_S * 1000;
  while (Date.now() < until) {
    const last = seen.at(-1);
    if (last && last.delivered >= nextTv && last.arrived >= nextResident) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (withBare) await bare.unsubscribeAsync([topics.allReceipts(BENCH_MUNI), topics.allShelterEvents(BENCH_MUNI)]);
  return {
    sent,
    receipts: sent.filter((s) => s.kind === 'receipt').length,
    checkins: sent.filter((s) => s.kind === 'check-in').length,
  };
}

/** For each sent event: ms until the first stream event whose total includes it (NaN: never). */
function latencies(sent: Sent[]): { receipt: number[]; checkin: number[]; missing: number } {
  const out = { receipt: [] as number[], checkin: [] as number[], missing: 0 };
  for (const s of sent) {
    const hit = seen.find((x) => x.at >= s.at && (s.kind === 'receipt' ? x.delivered >= s.k : x.arrived >= s.k));
    if (!hit) {
      out.missing += 1;
      continue;
    }
    (s.kind === 'receipt' ? out.receipt : out.checkin).push(hit.at - s.at);
  }
  return out;
}

const row = (name: string, xs: number[]) =>
  `${name}: n ${xs.length}, p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${pct(xs, 100).toFixed(0)} ms`;

say('baseline phase (quiet day)');
const base = await offer(BASE_RATE, BASE_SECONDS, false);
const baseLat = latencies(base.sent);
const baseAll = [...baseLat.receipt, ...baseLat.checkin];
say(row('baseline, event → stream', baseAll));

say('load phase');
const seenBefore = seen.length;
const tLoad = performance.now();
const load = await offer(RATE, SECONDS, true);
const loadSpan = (performance.now() - tLoad) / 1000;
const lat = latencies(load.sent);
const all = [...lat.receipt, ...lat.checkin];
const bareLat = load.sent.map((s) => (bareAt.get(s.key) ?? NaN) - s.at).filter((x) => !Number.isNaN(x));
const streamEvents = seen.slice(seenBefore);
const streamBytes = streamEvents.reduce((n, s) => n + s.bytes, 0);
const loadNow = loadavg()[0]!;

console.log(
  `\nconsole dashboard: ${RATE}/s offered for ${SECONDS} s (${load.receipts} receipts, ${load.checkins} check-ins) to an alert of ${alert.reach.devices} TVs; console store ${store0.engine}; throttle ${THROTTLE_MS} ms; load average ${loadNow.toFixed(1)}\n`,
);
console.log('| measure | p50 | p95 | p99 | max | n |');
console.log('|---|---|---|---|---|---|');
const line = (name: string, xs: number[]) =>
  console.log(
    `| ${name} | ${pct(xs, 50).toFixed(0)} ms | ${pct(xs, 95).toFixed(0)} ms | ${pct(xs, 99).toFixed(0)} ms | ${pct(xs, 100).toFixed(0)} ms | ${xs.length} |`,
  );
line(`receipt → stream, ${RATE}/s`, lat.receipt);
line(`check-in → stream, ${RATE}/s`, lat.checkin);
line(`all events → stream, ${RATE}/s`, all);
line(`baseline: all events → stream, ${BASE_RATE}/s`, baseAll);
line(`baseline: broker → bare subscriber, ${RATE}/s`, bareLat);
console.log('');
console.log(
  `- ratio to the quiet-day baseline: p50 ${(pct(all, 50) / pct(baseAll, 50)).toFixed(2)}×, p99 ${(pct(all, 99) / pct(baseAll, 99)).toFixed(2)}×`,
);
console.log(`- events never seen in the stream: ${lat.missing + baseLat.missing}`);
console.log(
  `- the browser received ${streamEvents.length} stream events (${(streamEvents.length / loadSpan).toFixed(1)}/s, ${(streamBytes / 1024 / loadSpan).toFixed(1)} KiB/s) for ${load.sent.length} events (${(load.sent.length / loadSpan).toFixed(0)}/s over the phase)`,
);

loadClient.end(true);
stream.close(); // an open event stream would hold the server's close
await consoleServer.close();
muniClient.end(true);
await broker.close();
await store0.drop();
await brokerDb.close();
process.exit(lat.missing + baseLat.missing === 0 ? 0 : 1);
