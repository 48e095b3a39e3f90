/**
 * The distributed-broker candidates (issue 22), same workloads, same run, three nodes each on
 * loopback, against ONE Mosquitto (the single-machine engine) measured in the same run:
 *
 *   1. start: until every node serves MQTT (and the cluster has formed);
 *   2. connect rate: N TVs, each with its own credentials, clean=false (as real TVs), each
 *      subscribing QoS 1 to its own alert topic; TVs spread round-robin over the nodes, in waves
 *      of 100 handshakes per client process;
 *   3. memory per connection: the broker processes' RSS (all nodes) connected minus idle, ÷ N;
 *   4. fan-out: a bare publisher (the municipality's credentials, no console) on the FIRST node
 *      publishes one personal QoS 1 message to each TV; time until 50 / 99 / 100 % have theirs;
 *      two thirds of the TVs are on other nodes, so the cluster's routing is in the figure;
 *   5. memory per offline session: every TV disconnects keeping its session; RSS minus idle, ÷ N.
 *
 * Candidates: `mosquitto` (baseline, one process, dynamic-security policy), `rabbitmq` (3
 * private nodes, our HTTP auth backend, classic session queues), `rabbitmq-quorum` (the same,
 * sessions in quorum queues), `nats` (3 nats-server 2.9 with MQTT/JetStream, policy compiled into
 * the config, session consumers R3 as their stream), `nats-r1` (consumers R1); and the same
 * engines on ONE node as their own baselines: `rabbitmq-1`, `nats-1`.
 *
 *   flock /tmp/kz-bench.lock npx tsx broker/bench/cluster-candidates.ts [--tvs 1000] [--procs 4]
 *     [--candidates mosquitto,rabbitmq,nats] [--timeout 180] [--log info]
 *
 * Prints one line per phase (with the load average) and a Markdown table with the ratios to
 * Mosquitto. Memory is the broker processes' RSS (our in-process auth service not included).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger, openDb } from '@kizuna/core';
import { createCredentialStore, startMosquitto, startRabbitMqCluster, type BrokerIdentity } from '../src/index.ts';

import { startNatsCluster } from './_nats-cluster.ts';

const MUNI = '999996';
const SELF = fileURLToPath(import.meta.url);
const WAVE = 100;

interface Tv {
  device: string;
  username: string;
  password: string;
  url: string;
}
type ToChild = { type: 'start'; tvs: Tv[]; source: string } | { type: 'arm' } | { type: 'report' } | { type: 'drop' };
type FromChild =
  | { type: 'hello' }
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'armed' }
  | { type: 'times'; times: number[]; duplicates: number }
  | { type: 'dropped' };

// ---------------------------------------------------------------- child: a share of the TVs

async function child() {
  const send = (m: FromChild) => process.send!(m);
  const clients: mqtt.MqttClient[] = [];
  let got = new Set<string>();
  let times: number[] = [];
  let duplicates = 0;
  let expected = 0;
  let armed = false;
  const report = () => {
    if (!armed) return;
    armed = false;
    send({ type: 'times', times, duplicates });
  };
  const connectTv = (tv: Tv, localAddress: string) =>
    new Promise<mqtt.MqttClient>((resolve, reject) => {
      const url = new URL(tv.url);
      const c = new mqtt.MqttClient(
        () => createConnection({ host: url.hostname, port: Number(url.port), localAddress }),
        {
          username: tv.username,
          password: tv.password,
          clientId: tv.username,
          protocolVersion: 4,
          clean: false,
          reconnectPeriod: 0,
          connectTimeout: 120_000,
          keepalive: 900,
        },
      );
      c.on('message', () => {
        if (!armed) return;
        if (got.has(tv.device)) return void (duplicates += 1);
        got.add(tv.device);
        times.push(Date.now());
        if (got.size === expected) report();
      });
      const fail = (e: Error) => {
        c.end(true);
        reject(e);
      };
      c.once('error', fail);
      c.once('close', () => fail(new Error(`${tv.username}: closed before CONNACK`)));
      c.once('connect', () => {
        c.removeAllListeners('error');
        c.removeAllListeners('close');
        c.on('error', () => undefined);
        c.subscribe(topics.tvAlert(MUNI, tv.device), { qos: 1 }, (err, granted) => {
          if (err) return fail(err);
          if (granted?.some((g) => g.qos === 0x80)) return fail(new Error(`${tv.username}: SUBACK 0x80`));
          resolve(c);
        });
      });
    });
  process.on('message', async (m: ToChild) => {
    if (m.type === 'arm') {
      got = new Set();
      times = [];
      duplicates = 0;
      armed = true;
      return send({ type: 'armed' });
    }
    if (m.type === 'report') return report();
    if (m.type === 'drop') {
      // DISCONNECT without clean: the broker keeps each session (queue, subscription).
      await Promise.all(clients.map((c) => c.endAsync(false).catch(() => undefined)));
      send({ type: 'dropped' });
      process.exit(0);
    }
    expected = m.tvs.length;
    try {
      for (let i = 0; i < m.tvs.length; i += WAVE) {
        const source = `${m.source}.${1 + Math.floor(i / 20_000)}`;
        clients.push(
          ...(await Promise.all(
            m.tvs.slice(i, i + WAVE).map(async (tv) => {
              for (let attempt = 1; ; attempt++) {
                try {
                  return await connectTv(tv, source);
                } catch (e) {
                  if (attempt === 3) throw e;
                }
              }
            }),
          )),
        );
      }
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
    }
  });
  // Loaded and listening: the parent times the connects from here, not from our start-up.
  send({ type: 'hello' });
}

// ---------------------------------------------------------------- parent

function next<T extends FromChild['type']>(c: ChildProcess, type: T): Promise<Extract<FromChild, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: FromChild) => {
      if (m.type === type || m.type === 'error') {
        c.off('message', onMsg);
        c.off('exit', onExit);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m as Extract<FromChild, { type: T }>);
      }
    };
    const onExit = (code: number | null) => {
      c.off('message', onMsg);
      reject(new Error(`TV process exited (${code}) waiting for ${type}`));
    };
    c.on('message', onMsg);
    c.once('exit', onExit);
  });
}

/** RSS in bytes of every process whose process group or pid is listed. */
function rss(sel: { pgids?: number[]; pids?: number[] }): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp …
      if (!(sel.pgids?.includes(Number(f[2])) || sel.pids?.includes(Number(d)))) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

/** pid of our child called `comm` (startMosquitto does not hand out its child's pid). */
function childPid(comm: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (name === comm && ppid === process.pid) return Number(d);
    } catch {
      /* gone */
    }
  }
  throw new Error(`no child process ${comm}`);
}

const load = () => loadavg()[0]!.toFixed(1);
const settle = () => new Promise((r) => setTimeout(r, 3000)); // let freed memory and queues settle before a sample

interface Engine {
  urls: string[];
  memory(): number;
  close(): Promise<void>;
}

interface Row {
  candidate: string;
  nodes: number;
  startS: number;
  connectPerS: number;
  kbPerConnection: number;
  kbPerOffline: number;
  p50: number;
  p99: number;
  p100: number;
  delivered: number;
  duplicates: number;
  load: string;
  error?: string;
}

async function main() {
  const { values } = parseArgs({
    options: {
      tvs: { type: 'string', default: '1000' },
      procs: { type: 'string', default: '4' },
      candidates: { type: 'string', default: 'mosquitto,rabbitmq,nats' },
      timeout: { type: 'string', default: '180' },
      // 'info' shows the auth service's refusals (RabbitMQ) with their reason
      log: { type: 'string', default: 'warn' },
    },
  });
  const n = Number(values.tvs);
  const procs = Number(values.procs);
  const timeoutMs = Number(values.timeout) * 1000;
  const logger = createLogger({ name: 'bench', level: values.log as 'warn' });
  const db = await openDb({});
  const store = await createCredentialStore(db, { logger });
  let t = Date.now();
  const identities: BrokerIdentity[] = Array.from({ length: n }, (_, i) => ({
    kind: 'tv',
    muni: MUNI,
    device: `c${i}`,
  }));
  const issued = await store.issueMany(identities);
  const publisherIdentity: BrokerIdentity = { kind: 'municipality', muni: MUNI };
  const publisher = await store.issue(publisherIdentity);
  console.log(`issued ${n} credentials in ${Date.now() - t} ms (load ${load()})`);
  const natsUsers = [
    ...issued.map((c, i) => ({ username: c.username, password: c.password, identity: identities[i]! })),
    { username: publisher.username, password: publisher.password, identity: publisherIdentity },
  ];

  const starters: Record<string, () => Promise<Engine>> = {
    mosquitto: async () => {
      const b = await startMosquitto({ credentials: store, logger });
      const pid = childPid('mosquitto');
      return { urls: [b.url], memory: () => rss({ pids: [pid] }), close: () => b.close() };
    },
    rabbitmq: async () => {
      const c = await startRabbitMqCluster({ credentials: store, logger, cacheTtlMs: 60_000 });
      const pgids = c.nodes.map((x) => x.pgid);
      return { urls: c.urls, memory: () => rss({ pgids }), close: () => c.close() };
    },
    'rabbitmq-1': async () => {
      const c = await startRabbitMqCluster({ credentials: store, logger, cacheTtlMs: 60_000, nodes: 1 });
      const pgids = c.nodes.map((x) => x.pgid);
      return { urls: c.urls, memory: () => rss({ pgids }), close: () => c.close() };
    },
    'rabbitmq-quorum': async () => {
      const c = await startRabbitMqCluster({
        credentials: store,
        logger,
        cacheTtlMs: 60_000,
        durableQueueType: 'quorum',
      });
      const pgids = c.nodes.map((x) => x.pgid);
      return { urls: c.urls, memory: () => rss({ pgids }), close: () => c.close() };
    },
    nats: async () => {
      const c = await startNatsCluster({ users: natsUsers });
      return { urls: c.urls, memory: () => rss({ pids: c.pids }), close: () => c.close() };
    },
    'nats-1': async () => {
      const c = await startNatsCluster({ users: natsUsers, nodes: 1 });
      return { urls: c.urls, memory: () => rss({ pids: c.pids }), close: () => c.close() };
    },
    'nats-r1': async () => {
      const c = await startNatsCluster({ users: natsUsers, consumerReplicas: 1 });
      return { urls: c.urls, memory: () => rss({ pids: c.pids }), close: () => c.close() };
    },
  };

  const rows: Row[] = [];
  for (const name of values.candidates!.split(',')) {
    const start = starters[name];
    if (!start) throw new Error(`unknown candidate ${name}`);
    const row: Row = {
      candidate: name,
      nodes: 0,
      startS: 0,
      connectPerS: 0,
      kbPerConnection: 0,
      kbPerOffline: 0,
      p50: NaN,
      p99: NaN,
      p100: NaN,
      delivered: 0,
      duplicates: 0,
      load: load(),
    };
    rows.push(row);
    t = Date.now();
    let engine: Engine;
    try {
      engine = await start();
    } catch (e) {
      row.error = `start failed: ${(e as Error).message.slice(0, 200)}`;
      console.log(`${name}: ${row.error}`);
      continue;
    }
    const children = Array.from({ length: procs }, () =>
      fork(SELF, ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    const hellos = Promise.all(children.map((c) => next(c, 'hello')));
    const loads: string[] = [load()];
    try {
      row.nodes = engine.urls.length;
      row.startS = (Date.now() - t) / 1000;
      await settle();
      const idle = engine.memory();
      console.log(
        `${name}: ${row.nodes} node(s) up in ${row.startS.toFixed(1)} s, RSS ${(idle / 2 ** 20).toFixed(0)} MB (load ${load()})`,
      );

      const tvs: Tv[] = issued.map((c, i) => ({
        device: `c${i}`,
        username: c.username,
        password: c.password,
        url: engine.urls[i % engine.urls.length]!,
      }));
      const share = Math.ceil(n / procs);
      await hellos;
      t = Date.now();
      const ready = children.map((c) => next(c, 'ready'));
      children.forEach((c, p) =>
        c.send({
          type: 'start',
          tvs: tvs.slice(p * share, (p + 1) * share),
          source: `127.0.${p + 1}`,
        } satisfies ToChild),
      );
      await Promise.all(ready);
      const connectMs = Date.now() - t;
      row.connectPerS = Math.round(n / (connectMs / 1000));
      loads.push(load());
      await settle();
      const connected = engine.memory();
      row.kbPerConnection = Math.round(((connected - idle) / n / 1024) * 10) / 10;
      console.log(
        `${name}: ${n} TVs connected and subscribed in ${connectMs} ms (${row.connectPerS}/s), RSS ${(connected / 2 ** 20).toFixed(0)} MB, ${row.kbPerConnection} KB per connection (load ${load()})`,
      );

      await Promise.all(children.map((c) => (c.send({ type: 'arm' } satisfies ToChild), next(c, 'armed'))));
      const reports = children.map((c) => next(c, 'times'));
      const pub = await mqtt.connectAsync(engine.urls[0]!, {
        username: publisher.username,
        password: publisher.password,
        clientId: publisher.username,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const expires = new Date(Date.now() + 3_600_000).toISOString();
      const payload = JSON.stringify({ kind: 'bench', level: 4, expires, text: 'x'.repeat(300) });
      const t0 = Date.now();
      const published = Promise.all(
        tvs.map((tv) => pub.publishAsync(topics.tvAlert(MUNI, tv.device), payload, { qos: 1 })),
      );
      const timer = setTimeout(() => children.forEach((c) => c.send({ type: 'report' } satisfies ToChild)), timeoutMs);
      const got = await Promise.all(reports);
      clearTimeout(timer);
      await Promise.race([published, new Promise((r) => setTimeout(r, 10_000))]);
      await pub.endAsync(true);
      const lat = got
        .flatMap((r) => r.times)
        .map((x) => x - t0)
        .sort((a, b) => a - b);
      const at = (q: number) => lat[Math.ceil(q * n) - 1] ?? NaN;
      Object.assign(row, {
        p50: at(0.5),
        p99: at(0.99),
        p100: at(1),
        delivered: lat.length,
        duplicates: got.reduce((s, r) => s + r.duplicates, 0),
      });
      loads.push(load());
      console.log(
        `${name}: fan-out ${row.delivered}/${n}, p50 ${row.p50} ms, p99 ${row.p99} ms, p100 ${row.p100} ms, ${row.duplicates} duplicates (load ${load()})`,
      );

      await Promise.all(children.map((c) => (c.send({ type: 'drop' } satisfies ToChild), next(c, 'dropped'))));
      await settle();
      const offline = engine.memory();
      row.kbPerOffline = Math.round(((offline - idle) / n / 1024) * 10) / 10;
      loads.push(load());
      console.log(
        `${name}: ${n} offline sessions, RSS ${(offline / 2 ** 20).toFixed(0)} MB, ${row.kbPerOffline} KB per offline session (load ${load()})`,
      );
    } catch (e) {
      row.error = (e as Error).message.slice(0, 200);
      console.log(`${name}: FAILED ${row.error}`);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      row.load = `${Math.min(...loads.map(Number)).toFixed(1)}–${Math.max(...loads.map(Number)).toFixed(1)}`;
      await engine.close();
    }
  }
  await db.close();

  const base = rows.find((r) => r.candidate === 'mosquitto' && !r.error);
  const ratio = (a: number, b: number | undefined) => (b && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '–');
  console.log(
    `\n${n} TVs, clean=false, QoS 1, ${procs} client processes; ratios against one Mosquitto of the same run\n`,
  );
  console.log(
    '| candidate | nodes | start s | CONNECT+SUBSCRIBE/s | KB per connection | KB per offline session | fan-out p50 / p99 / p100 ms | delivered | p100 ÷ Mosquitto | connect rate ÷ Mosquitto | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.error) {
      console.log(`| ${r.candidate} | ${r.nodes} | – | – | – | – | failed: ${r.error} | – | – | – | ${r.load} |`);
      continue;
    }
    console.log(
      `| ${r.candidate} | ${r.nodes} | ${r.startS.toFixed(0)} | ${r.connectPerS} | ${r.kbPerConnection} | ${r.kbPerOffline} | ${r.p50} / ${r.p99} / ${r.p100} | ${r.delivered}/${n}${r.duplicates ? ` (+${r.duplicates} dup.)` : ''} | ${ratio(r.p100, base?.p100)} | ${ratio(r.connectPerS, base?.connectPerS)} | ${r.load} |`,
    );
  }
  process.exit(0);
}

if (process.argv.includes('--child')) await child();
else if (process.argv[1] === SELF) await main();
