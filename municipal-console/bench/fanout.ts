/**
 * Alert fan-out, end to end (issue 4): N simulated TVs (each its own credentials, subscribed
 * QoS 1 to its own alert topic, spread over several processes) connected to the broker; ONE
 * personalised alert issued through the console's real HTTP API (a draft by POST /api/alerts, its
 * confirmation read, then POST /api/alerts/:id/send to a listening console on PGlite); the time
 * from the send until 50 %, 99 % and 100 % of the TVs hold a valid
 * message. Baseline, in the same run and to the same connected TVs: a bare mqtt.js client
 * publishing exactly the bytes the console published (N QoS 1 messages, same sizes), which is
 * the broker's own ceiling. Goal: full path ≤ 1.5 × raw, and 50,000 TVs reached in < 10 s.
 *
 *   npx tsx municipal-console/bench/fanout.ts [--tvs 2000] [--brokers embedded,mosquitto] [--procs 4]
 *       [--rounds 2] [--area] [--timeout 120] [--pg postgres://postgres@127.0.0.1:5432/postgres] [--pglite disk|memory] [--profile <prefix>]
 *       [--wait sent|started]
 *   npx tsx municipal-console/bench/fanout.ts --tvs 10000,50000        (the issue's sizes)
 *   npx tsx municipal-console/bench/fanout.ts --tvs 50000 --brokers mosquitto --edges 3
 *
 * --edges N (Mosquitto only) runs Mosquitto as a core (the console and the raw publisher connect
 * there) bridged to N edge Mosquittos that hold the TVs (broker/src/mosquitto-cluster.ts). One
 * process here may hold at most 20,000 sockets, so 50,000 TVs need at least 3 edges. Both paths go
 * through the bridges. (The embedded broker's edges were removed on 2026-12-07: beyond one process
 * it is the RabbitMQ cluster, docs/OPERATIONS.md.)
 *
 * --rounds 2 alternates the order (full, raw / raw, full) and keeps each path's best round.
 * --pg puts the console's database on a fresh PostgreSQL database (created, then dropped) instead
 * of PGlite; the broker's credential store stays on PGlite (in memory).
 * --wait started issues the alert with ?wait=started, as the staff UI does: the POST is answered
 * once the first chunk is on its way (default sent: once every TV was sent its message). The TVs'
 * figures are the same measurement either way.
 * --pglite disk (default) keeps the console's PGlite in a fresh data directory, as `npm start`
 * does (KZ_DATA_DIR); --pglite memory keeps it in memory (KZ_DATA_DIR=memory).
 * --profile writes a V8 CPU profile of this process (the console, and the embedded broker when it
 * is the one measured) during each size's and broker's last full path (warm: the first runs cold
 * code), to <prefix>-<n>-<broker>.cpuprofile.
 * --area also subscribes every TV to its municipality's area alerts, as the TV applet does.
 * The console runs with its re-send timer off: TVs here send no receipts, and a re-send would
 * land in the next phase.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { request } from 'node:http';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, openDb, type Db, type Logger } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  startMosquitto,
  startMosquittoCluster,
  type CredentialStore,
  type IssuedCredentials,
} from '@kizuna/broker';
import { startConsole } from '../src/index.ts';
import { BENCH_MUNI, seedTown, type Town } from './_fanout-town.ts';
import { startTvSwarm, type PhaseResult, type SwarmTv, type TvSwarm } from './_tv-swarm.ts';

type BrokerKind = 'embedded' | 'mosquitto';
type PathKind = 'full' | 'raw';

interface Figures {
  n: number;
  reached: number;
  p50: number;
  p99: number;
  p100: number;
  invalid: number;
  duplicates: number;
  load: number;
  /** Full path only: ms after the POST when the console called publish first / last, got its last PUBACK, answered. */
  firstPublish?: number;
  lastPublish?: number;
  lastAck?: number;
  answered?: number;
}

interface OutMessage {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

const { values } = parseArgs({
  options: {
    tvs: { type: 'string', default: '2000' },
    brokers: { type: 'string', default: 'embedded,mosquitto' },
    procs: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    area: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '120' },
    pg: { type: 'string' },
    profile: { type: 'string' },
    edges: { type: 'string', default: '0' },
    pglite: { type: 'string', default: 'disk' },
    wait: { type: 'string', default: 'sent' },
  },
});
const sizes = values.tvs.split(',').map(Number);
const brokers = values.brokers.split(',') as BrokerKind[];
const procs = Number(values.procs);
const rounds = Number(values.rounds);
const timeoutMs = Number(values.timeout) * 1000;
const edges = Number(values.edges);
const pglite = values.pglite as 'disk' | 'memory';
if (pglite !== 'disk' && pglite !== 'memory') throw new Error(`--pglite: ${values.pglite} is not disk or memory`);
const wait = values.wait;
if (wait !== 'sent' && wait !== 'started') throw new Error(`--wait: ${wait} is not sent or started`);
if (!Number.isInteger(edges) || edges < 0) throw new Error('--edges must be a whole number ≥ 0');
for (const b of brokers)
  if (b !== 'embedded' && b !== 'mosquitto') throw new Error(`--brokers: ${b} is not embedded or mosquitto`);
if (edges > 0 && brokers.includes('embedded')) throw new Error('--edges: only with --brokers mosquitto');
if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !(procs > 0) || !(rounds > 0) || !(timeoutMs > 0)) {
  throw new Error('--tvs must be whole numbers > 0 (comma-separated); --procs, --rounds and --timeout numbers > 0');
}

const logger = createLogger({ name: 'bench', level: 'warn' });
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => loadavg()[0]!;

/** Sockets and files a broker process needs besides one socket per TV. */
const SPARE_FILES = 1024;

/**
 * The broker (embedded, in this process, or Mosquitto, our child) holds one socket per TV, each
 * TV process its share: raise this process's open-file limit before anything is forked
 * (children inherit it). Returns the limit in force; sizes above it are reported, not run.
 */
function raiseOpenFiles(need: number): { limit: number; why: string } {
  const read = () => {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line?.match(/\d+/g) ?? []).map(Number);
    return { soft: soft ?? 1024, hard: hard ?? 1024 };
  };
  const before = read();
  if (before.soft >= need) return { limit: before.soft, why: '' };
  let why = '';
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${need}:${Math.max(need, before.hard)}`], {
      stdio: 'pipe',
    });
  } catch (e) {
    why = ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim().split('\n')[0]!;
    // raising the hard limit needs CAP_SYS_RESOURCE; the soft one can still go up to the hard one
    try {
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${before.hard}:${before.hard}`], {
        stdio: 'pipe',
      });
    } catch {
      /* keep what we have */
    }
  }
  return { limit: read().soft, why };
}

/**
 * The console's database: PGlite in a fresh data directory (as `npm start` keeps it, under
 * KZ_DATA_DIR) or in memory (KZ_DATA_DIR=memory, and the tests), or a fresh database on the
 * PostgreSQL server at `url`.
 */
async function consoleDb(
  url: string | undefined,
  pglite: 'disk' | 'memory',
): Promise<{ db: Db; engine: string; drop(): Promise<void> }> {
  if (!url && pglite === 'memory') {
    const db = await openDb({});
    return { db, engine: 'PGlite in memory', drop: () => db.close() };
  }
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'kz-bench-fanout-'));
    const db = await openDb({ dataDir: dir });
    return {
      db,
      engine: 'PGlite on disk',
      async drop() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `kz_bench_fanout_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
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

function figures(n: number, r: PhaseResult, t0: number, loadAtStart: number): Figures {
  const lat = r.times.map((t) => t - t0).sort((a, b) => a - b);
  const at = (q: number) => lat[Math.ceil(q * n) - 1] ?? Number.NaN;
  return {
    n,
    reached: lat.length,
    p50: at(0.5),
    p99: at(0.99),
    p100: at(1),
    invalid: r.invalid,
    duplicates: r.duplicates,
    load: loadAtStart,
  };
}

/**
 * POST JSON over node:http: fetch gives up after 300 s without response headers, and a slow
 * console at 50,000 TVs is a result to record, not an error.
 */
function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function connectMqtt(url: string, c: IssuedCredentials, clean: boolean): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    username: c.username,
    password: c.password,
    clientId: c.username,
    protocolVersion: 4,
    clean,
    reconnectPeriod: 1000,
    connectTimeout: 60_000,
  });
}

/**
 * Watch (not change) the console's publishing: when it calls publish first and last, when the
 * last PUBACK comes, and the exact messages, which the raw baseline then publishes again.
 */
function observePublishes(client: MqttClient) {
  const marks = { first: 0, last: 0, lastAck: 0, messages: [] as OutMessage[] };
  const original = client.publish.bind(client) as (...a: unknown[]) => MqttClient;
  (client as unknown as { publish: (...a: unknown[]) => MqttClient }).publish = (topic, payload, opts, cb) => {
    const now = Date.now();
    if (!marks.first) marks.first = now;
    marks.last = now;
    marks.messages.push({
      topic: topic as string,
      payload: payload as string,
      retain: !!(opts as { retain?: boolean } | undefined)?.retain,
    });
    return original(topic, payload, opts, (...res: unknown[]) => {
      marks.lastAck = Date.now();
      if (typeof cb === 'function') (cb as (...a: unknown[]) => void)(...res);
    });
  };
  return {
    marks,
    reset() {
      marks.first = 0;
      marks.last = 0;
      marks.lastAck = 0;
      marks.messages = [];
    },
  };
}

/** `edgeFor`: with --edges, the edge a TV connects to (the console and the raw client use `url`, the core). */
async function startBroker(
  kind: BrokerKind,
  credentials: CredentialStore,
  log: Logger,
): Promise<{ url: string; close(): Promise<void>; edgeFor?: (device: string) => string }> {
  if (kind === 'mosquitto' && edges > 0) {
    const c = await startMosquittoCluster({
      credentials,
      logger: log,
      edges,
      munis: [BENCH_MUNI],
      startTimeoutMs: 120_000,
    });
    return { url: c.url, close: () => c.close(), edgeFor: (d) => c.edgeFor(d) };
  }
  if (kind === 'mosquitto') return startMosquitto({ credentials, logger: log, startTimeoutMs: 120_000 });
  const b = await createEmbeddedBroker({ credentials, logger: log, port: 0 });
  return { url: b.mqttUrl, close: () => b.close() };
}

/** One broker: connect the TVs once, then the full path and the raw baseline, `rounds` times. */
async function runBroker(
  kind: BrokerKind,
  n: number,
  ctx: { db: Db; store: CredentialStore; town: Town; tvs: SwarmTv[]; muni: IssuedCredentials; raw: IssuedCredentials },
) {
  const out: Record<PathKind, Figures[]> = { full: [], raw: [] };
  let t = Date.now();
  const broker = await startBroker(kind, ctx.store, logger);
  say(`${kind}: broker up in ${Date.now() - t} ms at ${broker.url}${edges ? ` (core, ${edges} bridged edges)` : ''}`);
  const closers: (() => Promise<unknown>)[] = [() => broker.close()];
  try {
    t = Date.now();
    let lastSaid = 0;
    const edgeFor = broker.edgeFor;
    const tvs = edgeFor ? ctx.tvs.map((tv) => ({ ...tv, url: edgeFor(tv.device) })) : ctx.tvs;
    const swarm: TvSwarm = await startTvSwarm({
      url: broker.url,
      muni: BENCH_MUNI,
      tvs,
      procs,
      area: values.area,
      progress: (l) => {
        if (Date.now() - lastSaid > 5000) {
          lastSaid = Date.now();
          say(`${kind}: ${l}`);
        }
      },
    });
    closers.unshift(() => swarm.close());
    say(`${kind}: ${n} TVs connected and subscribed in ${((Date.now() - t) / 1000).toFixed(1)} s (${procs} processes)`);

    const muniClient = await connectMqtt(broker.url, ctx.muni, false);
    closers.unshift(() => muniClient.endAsync(true));
    const watch = observePublishes(muniClient);
    const consoleServer = await startConsole({
      db: ctx.db,
      logger,
      mqtt: muniClient,
      muni: BENCH_MUNI,
      port: 0,
      tickS: 0,
    });
    closers.unshift(() => consoleServer.close());
    const rawClient = await connectMqtt(broker.url, ctx.raw, true);
    closers.unshift(() => rawClient.endAsync(true));
    const session = await postJson(`${consoleServer.url}/api/session`, ctx.town.staff);
    if (session.status !== 200) throw new Error(`login failed: ${session.status} ${session.body}`);
    const { token } = JSON.parse(session.body) as { token: string };
    let published: OutMessage[] = [];

    let profiled = !values.profile;
    const full = async (last: boolean) => {
      watch.reset();
      await swarm.arm();
      const session = profiled || !last ? null : new Session();
      if (session) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      // Stored as a draft and its confirmation read first, as staff send it (issue 19): the time
      // runs from the send, the POST that publishes.
      const draft = await postJson(
        `${consoleServer.url}/api/alerts`,
        {
          level: 4,
          hazard: 'flood',
          status: 'Exercise',
          expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
          target: { zones: ctx.town.zones },
          draft: true,
        },
        { authorization: `Bearer ${token}` },
      );
      if (draft.status !== 201) throw new Error(`POST /api/alerts answered ${draft.status}: ${draft.body}`);
      const draftId = (JSON.parse(draft.body) as { id: string }).id;
      const seen = await fetch(`${consoleServer.url}/api/alerts/${draftId}/confirmation`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const shown = (await seen.json()) as { revision: number; digest: string; warnings?: string[] };
      const l = load();
      const t0 = Date.now();
      const res = await postJson(
        `${consoleServer.url}/api/alerts/${draftId}/send?wait=${wait}`,
        { revision: shown.revision, digest: shown.digest, acknowledged: shown.warnings ?? [] },
        { authorization: `Bearer ${token}` },
      );
      const answered = Date.now() - t0;
      if (res.status !== 200) throw new Error(`POST /api/alerts/…/send answered ${res.status}: ${res.body}`);
      const view = JSON.parse(res.body) as { reach: { devices: number } };
      // answered before every TV was sent its message, the rows are not all there yet: the swarm's count says who got it
      if (wait === 'sent' && view.reach.devices !== n)
        throw new Error(`the alert reached ${view.reach.devices} TVs, expected ${n}`);
      const f = figures(n, await swarm.collect(timeoutMs), t0, l);
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        const file = `${values.profile}-${n}-${kind}.cpuprofile`;
        writeFileSync(file, JSON.stringify(profile));
        session.disconnect();
        profiled = true;
        say(`${kind}: CPU profile of the full path written to ${file}`);
      }
      published = watch.marks.messages;
      return {
        ...f,
        answered,
        firstPublish: watch.marks.first - t0,
        lastPublish: watch.marks.last - t0,
        lastAck: watch.marks.lastAck - t0,
      };
    };
    const raw = async () => {
      await swarm.arm();
      const l = load();
      const t0 = Date.now();
      await Promise.all(published.map((m) => rawClient.publishAsync(m.topic, m.payload, { qos: 1, retain: m.retain })));
      const acked = Date.now() - t0;
      return { ...figures(n, await swarm.collect(timeoutMs), t0, l), lastAck: acked };
    };

    for (let round = 0; round < rounds; round++) {
      for (const path of round % 2 === 0 ? (['full', 'raw'] as const) : (['raw', 'full'] as const)) {
        const f = path === 'full' ? await full(round === rounds - 1) : await raw();
        out[path].push(f);
        say(
          `${kind} round ${round + 1} ${path}: ${f.reached}/${n} reached, p50 ${f.p50} p99 ${f.p99} p100 ${f.p100} ms (load ${f.load.toFixed(1)})`,
        );
      }
    }
  } finally {
    for (const c of closers) await c().catch((e) => say(`close failed: ${(e as Error).message}`));
  }
  return out;
}

const best = (fs: Figures[]) =>
  fs.reduce((a, f) => (f.reached > a.reached || (f.reached === a.reached && f.p100 < a.p100) ? f : a));
const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : `${v}`);
const ratio = (a: number, b: number) =>
  Number.isNaN(a) || Number.isNaN(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;

const rows: string[] = [];
const notes: string[] = [];
say(
  `alert fan-out: TVs ${sizes.join(', ')}; brokers ${brokers.join(', ')}${edges ? ` (core + ${edges} bridged edges)` : ''}; ${procs} TV processes; ${rounds} round(s); POST ?wait=${wait}${values.area ? '; TVs also on area topics' : ''}`,
);
say(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
/** Sockets the busiest process holds: the broker (or one edge), or one TV process (its share plus spare). */
const needFiles = (n: number) => Math.max(Math.ceil(n / Math.max(1, edges)), Math.ceil(n / procs)) + SPARE_FILES;
const files = raiseOpenFiles(Math.max(...sizes.map(needFiles)));

for (const n of sizes) {
  if (needFiles(n) > files.limit) {
    const why = `not run: ${n} TVs need ${needFiles(n)} open files in one ${edges ? 'edge' : 'broker'} process; the limit here is ${files.limit}${files.why ? ` (${files.why})` : ''}${edges ? '' : ' (try --brokers mosquitto --edges 3)'}`;
    say(why);
    for (const kind of brokers) rows.push(`| ${n} | ${kind} | ${why} | | | | | | |`);
    continue;
  }
  const consoleStore = await consoleDb(values.pg, pglite);
  const db = consoleStore.db;
  const brokerDb = await openDb({});
  try {
    let t = Date.now();
    const town = await seedTown(db, n);
    say(`seeded ${n} residents, TVs and bindings in ${Date.now() - t} ms`);
    const store = await createCredentialStore(brokerDb, { logger });
    t = Date.now();
    const issued = await store.issueMany(
      town.devices.map((device) => ({ kind: 'tv' as const, muni: BENCH_MUNI, device })),
    );
    const tvs = issued.map((c, i) => ({ ...c, device: town.devices[i]! }));
    const muni = await store.issue({ kind: 'municipality', muni: BENCH_MUNI });
    const raw = await store.issue({ kind: 'admin' });
    say(`issued ${n} TV credentials in ${Date.now() - t} ms`);
    for (const kind of brokers) {
      const r = await runBroker(kind, n, { db, store, town, tvs, muni, raw });
      const f = best(r.full);
      const b = best(r.raw);
      const label = edges ? `${kind} core + ${edges} edges` : kind;
      rows.push(
        `| ${n} | ${label} | full: POST /api/alerts/:id/send (${consoleStore.engine}) | ${f.reached} | ${ms(f.p50)} | ${ms(f.p99)} | ${ms(f.p100)} | ${ratio(f.p100, b.p100)} | ${f.load.toFixed(1)} |`,
      );
      rows.push(
        `| ${n} | ${label} | raw: bare mqtt.js client | ${b.reached} | ${ms(b.p50)} | ${ms(b.p99)} | ${ms(b.p100)} | 1.00× | ${b.load.toFixed(1)} |`,
      );
      notes.push(
        `${n} ${label}: full path p50 ${ratio(f.p50, b.p50)}, p99 ${ratio(f.p99, b.p99)}, p100 ${ratio(f.p100, b.p100)} of raw; ` +
          `console: first publish at ${ms(f.firstPublish)} ms, last publish call at ${ms(f.lastPublish)} ms, last PUBACK at ${ms(f.lastAck)} ms, POST answered at ${ms(f.answered)} ms; ` +
          `raw: last PUBACK at ${ms(b.lastAck)} ms; invalid messages ${f.invalid + b.invalid}, duplicates ${f.duplicates + b.duplicates}`,
      );
    }
  } finally {
    await consoleStore.drop();
    await brokerDb.close();
  }
}

console.log(
  `\nalert fan-out, ms after the send (full) or the first publish (raw); best of ${rounds} round(s); ${procs} TV processes;${edges ? ` brokers as core + ${edges} bridged edges;` : ''} ${cpus().length} cores; load average now ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}\n`,
);
console.log('| TVs | broker | path | reached | p50 ms | p99 ms | p100 ms | p100 / raw | load (1 min) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
for (const n of notes) console.log(`- ${n}`);
process.exit(0);
