/**
 * Issue 7's benchmark: `npx tsx evacuation-center/bench/checkins.ts`
 *
 *  1. Sustained check-ins from many terminals to the console's store: TERMINALS broker
 *     connections (terminal credentials, the real policy) publish ShelterEvents at QoS 1, paced
 *     open-loop at RATE per second in total; the console's own Ingest writes them to its
 *     `checkins` table. Latency is tap → stored (`checkins.received_at − event.at`), the moment the
 *     console's live view can show it. Baseline, same run: the same traffic to a bare QoS 1
 *     subscriber (broker only, no store).
 *  2. Drain 10,000 queued offline check-ins: a real terminal (PGlite store, outbox, MqttLink)
 *     records them with no broker, then connects; time until all are PUBACKed and stored by the
 *     console. Baseline, same run: the same 10,000 payloads from a bare mqtt.js client with the
 *     same in-flight window, into the same console store.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, loadMigrations, migrate, openDb, type Db } from '@kizuna/core';
import { topics, type ShelterEvent } from '@kizuna/contract';
import { createCredentialStore, createEmbeddedBroker, migrateBroker } from '@kizuna/broker';
import { Ingest } from '@kizuna/municipal-console/ingest';
import { buildTerminalApp } from '../src/app.ts';

const MUNI = '999997';
const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 10);
const TERMINALS = Number(process.env.TERMINALS ?? 50);
const QUEUED = Number(process.env.QUEUED ?? 10_000);
const ENGINE = process.env.CONSOLE_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
const logger = createLogger({ name: 'bench', level: 'warn' });
const CONSOLE_MIGRATIONS = fileURLToPath(new URL('../../municipal-console/migrations/', import.meta.url));

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The console's store: PGlite (embedded default) or, with CONSOLE_DATABASE_URL, a fresh PostgreSQL database. */
async function consoleStore() {
  const url = process.env.CONSOLE_DATABASE_URL;
  let db: Db;
  if (url) {
    const name = `kz_bench_${Date.now().toString(36)}`;
    const admin = await openDb({ url });
    await admin.exec(`CREATE DATABASE ${name}`);
    await admin.close();
    const u = new URL(url); u.pathname = `/${name}`;
    const pg = await openDb({ url: u.toString() });
    const closePg = pg.close.bind(pg);
    db = Object.assign(pg, {
      async close() {
        await closePg();
        const a = await openDb({ url });
        await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.close();
      },
    });
  } else {
    db = await openDb({});
  }
  await migrate(db, await loadMigrations(CONSOLE_MIGRATIONS), { component: 'municipal-console' });
  return db;
}
async function stored(db: Db): Promise<number> {
  return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM checkins')).rows[0]!.n);
}

const brokerDb = await openDb({});
await migrateBroker(brokerDb);
const credentials = await createCredentialStore(brokerDb);
const broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
const muniCreds = await credentials.issue({ kind: 'municipality', muni: MUNI });
const connect = (c: { username: string; password: string }, clean = false) =>
  mqtt.connectAsync(broker.mqttUrl, { ...c, clientId: c.username, clean, protocolVersion: 4, reconnectPeriod: 500 });

// Many terminals: one connection each, spread over shelters of one city.
const terminals: { client: MqttClient; topic: string; seq: number }[] = [];
for (let i = 0; i < TERMINALS; i += 1) {
  const shelter = `sh-${String(i % 25).padStart(3, '0')}`;
  const terminal = `door-${Math.floor(i / 25) + 1}`;
  const creds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter, terminal });
  terminals.push({ client: await connect(creds), topic: topics.shelterEvent(MUNI, shelter, terminal), seq: 0 });
}

/** Publish RATE events/s for SECONDS, round-robin over the terminals; returns publish times by eventId. */
async function paced(): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const total = RATE * SECONDS;
  const start = performance.now();
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE) + 1);
    for (; n < due; n += 1) {
      const t = terminals[n % terminals.length]!;
      t.seq += 1;
      const ev: ShelterEvent = { v: 1, kind: 'shelter-event', eventId: randomUUID(), seq: t.seq, type: 'check-in', at: new Date().toISOString(), rosterKey: `p-${n}` };
      sentAt.set(ev.eventId, Date.now());
      void t.client.publishAsync(t.topic, JSON.stringify(ev), { qos: 1 });
    }
    await sleep(2);
  }
  return sentAt;
}

// --- 1a. baseline: broker only, a bare QoS 1 subscriber ---
const bare = await connect(muniCreds, true);
const bareLat: number[] = [];
bare.on('message', (_t, payload) => { const ev = JSON.parse(payload.toString()) as ShelterEvent; bareLat.push(Date.now() - Date.parse(ev.at)); });
await bare.subscribeAsync(topics.allShelterEvents(MUNI), { qos: 1 });
const b0 = performance.now();
const bareSent = await paced();
while (bareLat.length < bareSent.size) await sleep(10);
const bareSecs = (performance.now() - b0) / 1000;
await bare.endAsync();

// --- 1b. the console's store ---
const cdb = await consoleStore();
const muniClient = await connect(muniCreds);
const ingest = new Ingest({ db: cdb, mqtt: muniClient, muni: MUNI, logger, clock: { now: () => new Date() }, onChange: () => undefined });
await ingest.start();
const s0 = performance.now();
const sent = await paced();
const publishSecs = (performance.now() - s0) / 1000;
while ((await stored(cdb)) < sent.size) await sleep(20);
const storeSecs = (performance.now() - s0) / 1000;
const { rows } = await cdb.query<{ ms: number }>('SELECT EXTRACT(EPOCH FROM (received_at - at)) * 1000 AS ms FROM checkins');
const lat = rows.map((r) => Number(r.ms));
await ingest.stop();

console.log(`\n1. sustained check-ins: ${sent.size} from ${TERMINALS} terminals, offered ${RATE}/s for ${SECONDS} s`);
console.log(`   console store (${ENGINE}): ${(sent.size / storeSecs).toFixed(0)} stored/s (all stored ${(storeSecs - publishSecs).toFixed(2)} s after the last tap)`);
console.log(`   tap → stored latency: p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms`);
console.log(`   baseline (broker only, no store): ${(bareSent.size / bareSecs).toFixed(0)} delivered/s, p50 ${pct(bareLat, 50)} ms, p99 ${pct(bareLat, 99)} ms`);
console.log(`   ratio store/baseline: throughput ×${((sent.size / storeSecs) / (bareSent.size / bareSecs)).toFixed(2)}, p99 ×${(pct(lat, 99) / Math.max(1, pct(bareLat, 99))).toFixed(2)}`);
console.log(`   goal: ≥ 1000/s with p99 < 200 ms → ${sent.size / storeSecs >= 0.98 * RATE && pct(lat, 99) < 200 ? 'met' : 'NOT met'}`);
for (const t of terminals) await t.client.endAsync();

// --- 2. drain 10,000 queued offline check-ins ---
await cdb.exec('TRUNCATE checkins');
const ingest2 = new Ingest({ db: cdb, mqtt: muniClient, muni: MUNI, logger, clock: { now: () => new Date() }, onChange: () => undefined });
await ingest2.start();
const tdb = await openDb({});
const termCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
const offline = await buildTerminalApp({ db: tdb, logger, muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
const r0 = performance.now();
for (let i = 0; i < QUEUED; i += 1) await offline.terminal.checkIn({ manual: { name: `queued ${i}` } });
const recordSecs = (performance.now() - r0) / 1000;
await offline.close();
const online = await buildTerminalApp({ db: tdb, logger, muni: MUNI, shelter: 'sh-drain', terminal: 'door-1', mqttUrl: broker.mqttUrl, mqttCredentials: termCreds });
const d0 = performance.now();
await online.link!.drained();
const ackSecs = (performance.now() - d0) / 1000;
while ((await stored(cdb)) < QUEUED) await sleep(20);
const drainSecs = (performance.now() - d0) / 1000;
await online.close();

// baseline: the same payloads from a bare client, same window, same store
await cdb.exec('TRUNCATE checkins');
const baseCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-drain', terminal: 'door-2' });
const baseClient = await connect(baseCreds);
const payloads = Array.from({ length: QUEUED }, (_, i) => JSON.stringify({ v: 1, kind: 'shelter-event', eventId: randomUUID(), seq: i + 1, type: 'check-in', at: new Date().toISOString(), manual: { name: `queued ${i}` } }));
const topic = topics.shelterEvent(MUNI, 'sh-drain', 'door-2');
const q0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 256 }, async () => { while (next < payloads.length) await baseClient.publishAsync(topic, payloads[next++]!, { qos: 1 }); }));
while ((await stored(cdb)) < QUEUED) await sleep(20);
const baseDrain = (performance.now() - q0) / 1000;
await baseClient.endAsync();

console.log(`\n2. offline backlog: ${QUEUED} check-ins recorded with no broker in ${recordSecs.toFixed(1)} s (${(QUEUED / recordSecs).toFixed(0)}/s on one terminal's PGlite)`);
console.log(`   drain after reconnect: all PUBACKed in ${ackSecs.toFixed(2)} s, all in the console's store in ${drainSecs.toFixed(2)} s (${(QUEUED / drainSecs).toFixed(0)}/s)`);
console.log(`   baseline (bare mqtt.js client, same window, same store): ${baseDrain.toFixed(2)} s`);
console.log(`   ratio terminal/baseline: ×${(drainSecs / baseDrain).toFixed(2)}`);
console.log(`   goal: 10,000 drained in < 10 s → ${drainSecs < 10 ? 'met' : 'NOT met'}`);

await ingest2.stop();
await muniClient.endAsync();
await tdb.close();
await cdb.close();
await broker.close();
await brokerDb.close();
