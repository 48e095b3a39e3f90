/**
 * Issue 21's reconnect storm: N TVs connected, the broker restarted, how long until the city is
 * back. Each TV is the applet's own broker link (tv-app/src/net/mqtt-link.ts: its credentials,
 * its two subscriptions, its backoff), run in child processes; a TV is "back" when the link says
 * online again (both subscriptions answered). An area alert (retained, QoS 1, what the console
 * sends to a whole zone) is published 1 s after the restart; its delivery time is when each TV's
 * link has it, validated. Times are from the restart: the moment the old broker dropped every TV.
 *
 *   npx tsx system/bench/reconnect-storm.ts [--tvs 10000] [--brokers embedded,mosquitto]
 *     [--modes fixed,backoff] [--procs 4] [--timeout 120] [--restart process|in-process]
 *     [--broker-start bundle|tsx] [--tv-nice 0..19]
 *
 * Modes, in the same run on the same TVs' credentials:
 *  - fixed: the baseline, every TV retries every 1 s with no jitter (mqtt.js's reconnectPeriod as
 *    the TV had it), emulated with the same link: base = cap = 1 s and the jitter pinned to the top.
 *  - backoff: the TV's defaults (contract RECONNECT_DEFAULTS: full jitter, 1 s doubling to 30 s).
 * A restart of the embedded broker (`--restart process`, the default) is what an operator's
 * restart is: the broker's own process (`broker/src/server.ts` as built by `npm run build:broker`,
 * or through tsx with `--broker-start tsx`; KZ_BROKER_MODE=embedded, its
 * PGlite database on disk) killed with SIGKILL and started again on the same port and database;
 * the TVs see their sockets closed by the kernel. `--restart in-process` keeps the older emulation
 * (a new credential store and a new aedes in this process after `close()` of every session), which
 * also counts the CONNECTs verified. Mosquitto: the process stopped and started again
 * (dynamic-security file rewritten from the database, no persistence).
 * All TVs connect from 127.0.0.1, so the embedded broker's per-address cap on sockets not yet
 * logged in is raised to its total (as OPERATIONS.md says for TVs behind one NAT).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeMessage, topics, type AreaAlert, type ReconnectPolicy } from '@kizuna/contract';
import { createLogger, openDb } from '@kizuna/core';
import { BROKER_BUNDLE, buildBrokerServer } from '@kizuna/broker/server-bundle';
import {
  BROKER_LIMIT_DEFAULTS,
  createCredentialStore,
  connectOnce,
  createEmbeddedBroker,
  embeddedBrokerEnv,
  freePort,
  processCpuSeconds,
  startChild,
  startMosquitto,
  waitForMqttLogin,
  type CredentialStore,
  type IssuedCredentials,
} from '@kizuna/broker';
import { connectLink, type Link } from '@kizuna/tv-app/mqtt-link';

const SELF = fileURLToPath(import.meta.url);
const somaxconn = () => {
  try {
    return readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
  } catch {
    return 'unknown';
  }
};
const MUNI = '999997';
const ZONE = 'z-storm';

interface Tv {
  device: string;
  username: string;
  password: string;
}
type Mode = 'fixed' | 'backoff';
type ToChild =
  | { type: 'start'; url: string; tvs: Tv[]; mode: Mode }
  | { type: 'arm'; alertId: string }
  | { type: 'report' }
  | { type: 'stop' };
type FromChild =
  | { type: 'online'; count: number }
  | { type: 'result'; back: number[]; alert: number[] }
  | { type: 'error'; message: string };

// ---------------------------------------------------------------- child: a share of the TVs

async function child() {
  const send = (m: FromChild) => process.send!(m);
  const links: Link[] = [];
  const online = new Set<number>();
  let back = new Map<number, number>();
  let alert = new Map<number, number>();
  let armed: string | null = null;
  process.on('message', async (m: ToChild) => {
    if (m.type === 'arm') {
      armed = m.alertId;
      back = new Map();
      alert = new Map();
      return;
    }
    if (m.type === 'report') return send({ type: 'result', back: [...back.values()], alert: [...alert.values()] });
    if (m.type === 'stop') {
      await Promise.all(links.map((l) => l.close()));
      process.exit(0);
    }
    // fixed: every wait exactly 1 s (the top of a 1 s range, never doubled); backoff: the TV's defaults
    const reconnect: Partial<ReconnectPolicy> = m.mode === 'fixed' ? { baseMs: 1000, capMs: 1000 } : {};
    const random = m.mode === 'fixed' ? () => 1 - Number.EPSILON : Math.random;
    const report = setInterval(() => send({ type: 'online', count: online.size }), 1000);
    // Connect in waves of 250, each once the previous is online: the start is not the storm measured.
    for (let i = 0; i < m.tvs.length; i += 250) {
      const wave = m.tvs.slice(i, i + 250);
      wave.forEach((tv, k) => {
        const n = i + k;
        links.push(
          connectLink(
            {
              url: m.url,
              muni: MUNI,
              device: tv.device,
              username: tv.username,
              password: tv.password,
              reconnect,
              random,
            },
            {
              onAlert: () => undefined,
              onMail: () => undefined,
              onInvalid: () => undefined,
              onArea: (_zone, a) => {
                if (armed && a?.alertId === armed && !alert.has(n)) alert.set(n, Date.now());
              },
              onState: (s) => {
                if (s === 'online') {
                  online.add(n);
                  if (armed && !back.has(n)) back.set(n, Date.now());
                } else online.delete(n);
              },
            },
          ),
        );
      });
      while (online.size < links.length) await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(report);
    send({ type: 'online', count: online.size });
  });
}

// ---------------------------------------------------------------- parent

const pct = (xs: number[], p: number, n: number) => {
  // p-th percentile over all n TVs: a TV that never arrived counts as infinitely late
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.ceil((p / 100) * n) - 1;
  return k < s.length ? s[k]! : Infinity;
};
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not reached');
const load = () => loadavg()[0]!.toFixed(1);
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function areaAlert(): AreaAlert {
  const now = Date.now();
  return {
    v: 1,
    kind: 'area-alert',
    alertId: `storm-${now.toString(36)}`,
    revision: 1,
    msgType: 'Alert',
    status: 'Exercise',
    level: 4,
    hazard: 'flood',
    sent: new Date(now).toISOString(),
    expires: new Date(now + 3600_000).toISOString(),
    zone: { id: ZONE, name: '川辺地区' },
    text: { ja: { headline: '【訓練】警戒レベル4 避難指示', instruction: '訓練です。' } },
  };
}

interface Broker {
  url: string;
  close(): Promise<void>;
  /** The broker's process killed at once (SIGKILL), as a crash or an operator's hard restart. */
  kill?: () => Promise<void>;
  /** The broker's own process, when it runs in one (its CPU time is measured). */
  pid?: number | undefined;
}

/** The embedded broker as its own process: the product's `broker/src/server.ts`, on `port` and `dataDir`. */
async function startBrokerProcess(
  port: number,
  dataDir: string,
  maxPendingPerAddress: number,
  brokerStart: 'bundle' | 'tsx',
  waitReady = true,
): Promise<Broker> {
  const server = fileURLToPath(new URL('../../broker/src/server.ts', import.meta.url));
  const { KZ_BROKER_DATABASE_URL: _notThis, ...env } = process.env; // PGlite on dataDir, not a server
  // KZ_STORM_BROKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p": profile the broker process (written when the last one is closed)
  const nodeArgs = process.env.KZ_STORM_BROKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // as an operator runs it in production (server-bundle.ts), or through tsx with --broker-start tsx
  const entry = brokerStart === 'bundle' ? [BROKER_BUNDLE] : ['--import', 'tsx', server];
  const child = startChild(process.execPath, [...nodeArgs, ...entry], {
    env: {
      ...env,
      ...(await embeddedBrokerEnv(port, dataDir)),
      KZ_BROKER_MAX_PENDING_PER_ADDRESS: String(maxPendingPerAddress),
    },
  });
  const url = `mqtt://127.0.0.1:${port}`;
  // After the restart nobody waits for it: the municipality logs in as soon as it can, among the TVs.
  if (waitReady) await waitForMqttLogin(child, 'the embedded broker process', url, 60_000);
  const stop = async (signal: NodeJS.Signals) => {
    if (child.process.exitCode === null) child.process.kill(signal);
    await child.exited;
  };
  return { url, close: () => stop('SIGTERM'), kill: () => stop('SIGKILL'), pid: child.process.pid };
}
interface Row {
  broker: string;
  mode: Mode;
  firstConnectMs: number;
  back99: number;
  back100: number;
  backCount: number;
  alertCount: number;
  alert99: number;
  alert100: number;
  publishedAt: number;
  attempts: number;
  /** The restarted broker process's CPU seconds (its own start included) until every TV was back, or the timeout. */
  cpuS: number;
  load: string;
}

async function main() {
  const { values } = parseArgs({
    options: {
      tvs: { type: 'string', default: '10000' },
      brokers: { type: 'string', default: 'embedded,mosquitto' },
      modes: { type: 'string', default: 'fixed,backoff' },
      procs: { type: 'string', default: '4' },
      timeout: { type: 'string', default: '120' },
      restart: { type: 'string', default: 'process' },
      'broker-start': { type: 'string', default: 'bundle' },
      'tv-nice': { type: 'string', default: '0' },
    },
  });
  const brokerStart = values['broker-start'] === 'tsx' ? 'tsx' : 'bundle';
  const tvNice = Number(values['tv-nice']);
  if (!Number.isInteger(tvNice) || tvNice < 0 || tvNice > 19) throw new Error('--tv-nice must be a whole number 0..19');
  if (brokerStart === 'bundle' && values.restart !== 'in-process') await buildBrokerServer();
  const restartStyle = values.restart === 'in-process' ? 'in-process' : 'process';
  const n = Number(values.tvs);
  const procs = Math.max(1, Math.min(Number(values.procs), n));
  const timeoutMs = Number(values.timeout) * 1000;
  const brokers = values.brokers.split(',') as ('embedded' | 'mosquitto')[];
  const modes = values.modes.split(',') as Mode[];
  const logger = createLogger({
    name: 'bench',
    level: 'error',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });

  say(`load ${load()}; issuing ${n} TV credentials`);
  // On disk, so that a broker process can open it (PGlite: one process at a time).
  const dataDir = mkdtempSync(join(tmpdir(), 'kz-storm-db-'));
  let db = await openDb(restartStyle === 'process' ? { dataDir } : {});
  let dbOpen = true;
  let store: CredentialStore = await createCredentialStore(db, { logger });
  const tvCreds = await store.issueMany(
    Array.from({ length: n }, (_, i) => ({ kind: 'tv' as const, muni: MUNI, device: `tv-${i}` })),
  );
  const tvs: Tv[] = tvCreds.map((c, i) => ({ device: `tv-${i}`, ...c }));
  const officer: IssuedCredentials = await store.issue({ kind: 'municipality', muni: MUNI });
  const limits = { maxPendingPerAddress: BROKER_LIMIT_DEFAULTS.maxPendingTotal };

  let port = 0;
  let logins = 0; // CONNECTs the embedded broker was asked to verify (Mosquitto does not tell)
  const start = async (kind: 'embedded' | 'mosquitto', restart = false): Promise<Broker> => {
    if (kind === 'embedded' && restartStyle === 'process') {
      if (dbOpen) await db.close(); // the broker's process owns the database now
      dbOpen = false;
      port ||= await freePort();
      return startBrokerProcess(port, dataDir, limits.maxPendingPerAddress, brokerStart, !restart);
    }
    if (kind === 'mosquitto' && !dbOpen) {
      db = await openDb({ dataDir });
      dbOpen = true;
      store = await createCredentialStore(db, { logger });
    }
    if (kind === 'embedded') {
      const s = store;
      const credentials = {
        // Passes the broker's stillWanted on: a login whose device hung up costs no scrypt.
        authenticate: (...args: Parameters<CredentialStore['authenticate']>) => {
          logins += 1;
          return s.authenticate(...args);
        },
        onChange: s.onChange.bind(s),
      };
      const b = await createEmbeddedBroker({ credentials, logger, port, limits });
      port = Number(new URL(b.mqttUrl).port);
      return { url: b.mqttUrl, close: () => b.close() };
    }
    const b = await startMosquitto({ credentials: store, logger, port, startTimeoutMs: 60_000 });
    port = b.port!;
    return b;
  };

  const rows: Row[] = [];
  for (const kind of brokers) {
    port = 0;
    for (const mode of modes) {
      let broker = await start(kind);
      const children: ChildProcess[] = Array.from({ length: procs }, () => {
        const c = fork(SELF, ['--storm-child'], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        // --tv-nice: the simulated TVs yield the cores to the broker, as TVs on their own boxes would
        if (tvNice !== 0) setPriority(c.pid!, tvNice);
        return c;
      });
      const online = new Array<number>(procs).fill(0);
      const results: Extract<FromChild, { type: 'result' }>[] = [];
      children.forEach((c, p) =>
        c.on('message', (m: FromChild) => {
          if (m.type === 'online') online[p] = m.count;
          if (m.type === 'result') results.push(m);
          if (m.type === 'error') throw new Error(m.message);
        }),
      );
      const share = Math.ceil(n / procs);
      const t0 = Date.now();
      children.forEach((c, p) =>
        c.send({ type: 'start', url: broker.url, tvs: tvs.slice(p * share, (p + 1) * share), mode } satisfies ToChild),
      );
      const total = () => online.reduce((a, b) => a + b, 0);
      let lastSaid = 0;
      while (total() < n) {
        if (Date.now() - lastSaid > 10_000) {
          say(`${kind}/${mode}: ${total()} of ${n} TVs connected`);
          lastSaid = Date.now();
        }
        await sleep(200);
      }
      const firstConnectMs = Date.now() - t0;
      say(`${kind}/${mode}: all ${n} connected in ${fmt(firstConnectMs)} (load ${load()})`);
      await sleep(2000);

      // The restart. The alert's id is known before, so no TV can count an older message.
      const alert = areaAlert();
      for (const c of children) c.send({ type: 'arm', alertId: alert.alertId } satisfies ToChild);
      await sleep(200);
      const loadBefore = load();
      const restartAt = Date.now();
      logins = 0;
      if (kind === 'embedded' && restartStyle === 'process') await broker.kill!();
      else await broker.close();
      if (kind === 'embedded' && restartStyle === 'in-process') store = await createCredentialStore(db, { logger }); // a new process: empty cache
      broker = await start(kind, true);
      say(`${kind}/${mode}: restarted (${Date.now() - restartAt} ms)`);
      // The municipality publishes the area alert 1 s after the restart (or as soon as it can log in).
      await sleep(Math.max(0, restartAt + 1000 - Date.now()));
      let publishedAt = 0;
      for (;;) {
        try {
          const pub = await connectOnce(broker.url, {
            protocolVersion: 4,
            clientId: officer.username,
            username: officer.username,
            password: officer.password,
            connectTimeout: 30_000,
          });
          await pub.publishAsync(topics.areaAlert(MUNI, ZONE), encodeMessage(alert), { qos: 1, retain: true });
          publishedAt = Date.now();
          await pub.endAsync();
          break;
        } catch {
          await sleep(100);
        }
      }
      say(`${kind}/${mode}: alert published ${publishedAt - restartAt} ms after the restart`);
      const deadline = restartAt + timeoutMs;
      let cpuAtEnd = processCpuSeconds(broker.pid);
      while (Date.now() < deadline) {
        results.length = 0;
        for (const c of children) c.send({ type: 'report' } satisfies ToChild);
        while (results.length < procs) await sleep(50);
        const backs = results.flatMap((r) => r.back).length;
        const alerts = results.flatMap((r) => r.alert).length;
        cpuAtEnd = processCpuSeconds(broker.pid);
        if (backs === n && alerts === n) break;
        if (Date.now() - lastSaid > 5000) {
          say(
            `${kind}/${mode}: ${backs} back, ${alerts} with the alert, ${Math.round((Date.now() - restartAt) / 1000)} s`,
          );
          lastSaid = Date.now();
        }
        await sleep(500);
      }
      const back = results.flatMap((r) => r.back).map((t) => t - restartAt);
      const got = results.flatMap((r) => r.alert).map((t) => t - restartAt);
      const row: Row = {
        broker: kind,
        mode,
        firstConnectMs,
        back99: pct(back, 99, n),
        back100: pct(back, 100, n),
        backCount: back.length,
        alertCount: got.length,
        alert99: pct(got, 99, n),
        alert100: pct(got, 100, n),
        publishedAt: publishedAt - restartAt,
        attempts: kind === 'embedded' && restartStyle === 'in-process' ? logins : NaN,
        cpuS: cpuAtEnd, // a process started after the restart: all its CPU is the storm's

        load: `${loadBefore} → ${load()}`,
      };
      rows.push(row);
      say(
        `${kind}/${mode}: back 99% ${fmt(row.back99)}, 100% ${fmt(row.back100)}; alert 99% ${fmt(row.alert99)}, 100% ${fmt(row.alert100)}`,
      );
      for (const c of children) c.send({ type: 'stop' } satisfies ToChild);
      await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
      await broker.close();
    }
  }
  if (dbOpen) await db.close();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(
    `\nreconnect storm: ${n} TVs (${procs} client processes${tvNice ? `, at nice ${tvNice}` : ''}), broker restarted at 0 s (embedded: ${restartStyle === 'process' ? 'its process killed and started again' : 'in-process emulation'})`,
  );
  console.log('goal: all back within 30 s, the alert (published 1 s after the restart) on 99% within 10 s');
  // Above this many connects in the same moment the kernel drops SYNs (docs/OPERATIONS.md, listen backlog).
  console.log(`kernel listen backlog cap (net.core.somaxconn): ${somaxconn()}\n`);
  console.log(
    '| broker | reconnect | first connect (in waves) | back 99% | back 100% | alert 99% | alert 100% | alert published | CONNECTs after the restart | broker CPU until all back | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  // a percentile not reached says how many were by the timeout
  const by = (ms: number, count: number) => (Number.isFinite(ms) ? fmt(ms) : `${count} of ${n} by ${values.timeout} s`);
  for (const r of rows)
    console.log(
      `| ${r.broker} | ${r.mode === 'fixed' ? 'fixed 1 s (baseline)' : 'backoff + full jitter'} | ${fmt(r.firstConnectMs)} | ${by(r.back99, r.backCount)} | ${by(r.back100, r.backCount)} | ${by(r.alert99, r.alertCount)} | ${by(r.alert100, r.alertCount)} | ${fmt(r.publishedAt)} | ${Number.isNaN(r.attempts) ? '(not counted)' : r.attempts} | ${Number.isNaN(r.cpuS) ? '(in this process)' : `${r.cpuS.toFixed(1)} s (${((r.cpuS * 1000) / n).toFixed(2)} ms per TV)`} | ${r.load} |`,
    );
  for (const kind of brokers) {
    const f = rows.find((r) => r.broker === kind && r.mode === 'fixed');
    const b = rows.find((r) => r.broker === kind && r.mode === 'backoff');
    if (f && b && Number.isFinite(b.back100 / f.back100))
      console.log(
        `${kind}: backoff ÷ fixed — back 100% ${(b.back100 / f.back100).toFixed(2)}×, alert 99% ${(b.alert99 / f.alert99).toFixed(2)}×`,
      );
  }
  process.exit(0);
}

if (process.argv.includes('--storm-child')) await child();
else await main();
