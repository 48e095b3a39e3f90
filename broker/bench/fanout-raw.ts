/**
 * Raw alert fan-out: N simulated TVs (QoS 1, each subscribed to its own alert topic) spread over
 * several child processes (one client process is the limit otherwise: docs/PLATFORM.md, "Fan-out clients"), and the
 * municipality publishing one QoS 1 message to each. Prints the time until 50 / 99 / 100 % of
 * the TVs have their message, for the policy-enforcing broker AND, as the baseline measured in
 * the same run, the same aedes with no hooks at all; the ratio is the policy's cost.
 *
 *   npx tsx broker/bench/fanout-raw.ts [--tvs 2000] [--procs 4] [--rounds 2] [--broker embedded|mosquitto] [--persistent]
 *
 * --persistent: the TVs keep persistent sessions (clean: false), as real TVs do, so every message
 * also passes through the broker's queue for each TV (and the embedded broker's TV queue caps).
 *
 * The console's full alert bench builds on runFanout().
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger, openDb } from '@kizuna/core';
import { createCredentialStore, createEmbeddedBroker, startMosquitto, type IssuedCredentials } from '../src/index.ts';

const MUNI = '999997';
const SELF = fileURLToPath(import.meta.url);

type ToChild =
  | { type: 'start'; url: string; tvs: Array<IssuedCredentials & { device: string }>; persistent: boolean }
  | { type: 'report' }
  | { type: 'stop' };
type FromChild = { type: 'ready' } | { type: 'error'; message: string } | { type: 'times'; times: number[] };

// ---- child: a share of the TVs; reports receive times once all its TVs have their message ----
async function child() {
  const clients: mqtt.MqttClient[] = [];
  const times: number[] = [];
  let expected = Infinity;
  let reported = false;
  const send = (m: FromChild) => process.send!(m);
  const report = () => {
    if (!reported) {
      reported = true;
      send({ type: 'times', times });
    }
  };
  process.on('message', async (m: ToChild) => {
    if (m.type === 'report') return report();
    if (m.type === 'stop') {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      process.exit(0);
    }
    expected = m.tvs.length;
    try {
      // Connect in waves so the broker is not handed thousands of handshakes at once.
      for (let i = 0; i < m.tvs.length; i += 100) {
        await Promise.all(
          m.tvs.slice(i, i + 100).map(async (tv) => {
            const c = await mqtt.connectAsync(m.url, {
              username: tv.username,
              password: tv.password,
              clientId: tv.username,
              protocolVersion: 4,
              reconnectPeriod: 0,
              clean: !m.persistent,
              connectTimeout: 60_000,
            });
            c.on('message', () => {
              times.push(Date.now());
              if (times.length >= expected) report();
            });
            await c.subscribeAsync(topics.tvAlert(MUNI, tv.device), { qos: 1 });
            clients.push(c);
          }),
        );
      }
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
    }
  });
}

export interface FanoutResult {
  tvs: number;
  p50: number;
  p99: number;
  p100: number;
  delivered: number;
}

/** Publish one QoS 1 message to each TV and measure when the TVs have them (ms after the first publish). */
export async function runFanout(o: {
  url: string;
  publisher: { username: string; password: string };
  tvs: Array<IssuedCredentials & { device: string }>;
  procs: number;
  timeoutMs?: number;
  /** TVs with persistent sessions (clean: false). Default false. */
  persistent?: boolean;
}): Promise<FanoutResult> {
  const share = Math.ceil(o.tvs.length / o.procs);
  const children = Array.from({ length: o.procs }, () =>
    fork(SELF, ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const next = (c: ChildProcess) => new Promise<FromChild>((resolve) => c.once('message', resolve));
  try {
    const readies = children.map(next);
    children.forEach((c, p) =>
      c.send({
        type: 'start',
        url: o.url,
        tvs: o.tvs.slice(p * share, (p + 1) * share),
        persistent: !!o.persistent,
      } satisfies ToChild),
    );
    for (const r of await Promise.all(readies))
      if (r.type !== 'ready') throw new Error(r.type === 'error' ? r.message : 'child failed');
    const reports = children.map(next);
    const pub = await mqtt.connectAsync(o.url, {
      ...o.publisher,
      clientId: o.publisher.username,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    // `expires` as every alert has it: the embedded broker reads it for each queued message.
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const payload = JSON.stringify({ kind: 'bench', level: 4, expires, text: 'x'.repeat(300) });
    const t0 = Date.now();
    await Promise.all(o.tvs.map((tv) => pub.publishAsync(topics.tvAlert(MUNI, tv.device), payload, { qos: 1 })));
    // Children report once complete; after the timeout, ask for what they have.
    const timer = setTimeout(
      () => children.forEach((c) => c.send({ type: 'report' } satisfies ToChild)),
      o.timeoutMs ?? 120_000,
    );
    const times = (await Promise.all(reports)).flatMap((r) => (r.type === 'times' ? r.times : []));
    clearTimeout(timer);
    await pub.endAsync();
    const lat = times.map((t) => t - t0).sort((a, b) => a - b);
    const at = (q: number) => lat[Math.ceil(q * o.tvs.length) - 1] ?? Number.NaN;
    return { tvs: o.tvs.length, delivered: lat.length, p50: at(0.5), p99: at(0.99), p100: at(1) };
  } finally {
    for (const c of children) if (c.connected) c.send({ type: 'stop' } satisfies ToChild);
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      tvs: { type: 'string', default: '2000' },
      procs: { type: 'string', default: '4' },
      broker: { type: 'string', default: 'embedded' },
      rounds: { type: 'string', default: '2' },
      persistent: { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const n = Number(values.tvs);
  const procs = Number(values.procs);
  const logger = createLogger({ name: 'bench', level: 'warn' });
  const db = await openDb({});
  const store = await createCredentialStore(db);
  let t = Date.now();
  const issued = await store.issueMany(
    Array.from({ length: n }, (_, i) => ({ kind: 'tv' as const, muni: MUNI, device: `tv${i}` })),
  );
  const tvs = issued.map((c, i) => ({ ...c, device: `tv${i}` }));
  const publisher = await store.issue({ kind: 'municipality', muni: MUNI });
  console.log(`issued ${n} credentials in ${Date.now() - t} ms`);

  const startTarget = async () =>
    values.broker === 'mosquitto'
      ? startMosquitto({ credentials: store, logger })
      : createEmbeddedBroker({ credentials: store, logger, port: 0 }).then((b) => ({
          url: b.mqttUrl,
          close: () => b.close(),
        }));
  // Baseline: the same aedes with no authentication and no policy hooks.
  const startBare = async () => {
    const bare = await Aedes.createBroker();
    const server = createServer((sock) => bare.handle(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        await new Promise<void>((r) => bare.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  };
  // Alternate the order over the rounds and keep each variant's best: on a shared machine the
  // first run and the neighbours' load weigh more than the policy does.
  const results: Record<'policy' | 'baseline', FanoutResult[]> = { policy: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    for (const variant of round % 2 === 0 ? (['policy', 'baseline'] as const) : (['baseline', 'policy'] as const)) {
      const broker = variant === 'policy' ? await startTarget() : await startBare();
      t = Date.now();
      results[variant].push(await runFanout({ url: broker.url, publisher, tvs, procs, persistent: values.persistent }));
      console.log(`round ${round + 1} ${variant}: ${Date.now() - t} ms including connects`);
      await broker.close();
    }
  }
  await db.close();
  const best = (rs: FanoutResult[]) =>
    rs.reduce((a, r) => (r.delivered > a.delivered || (r.delivered === a.delivered && r.p100 < a.p100) ? r : a));
  const withPolicy = best(results.policy);
  const baseline = best(results.baseline);

  const row = (name: string, r: FanoutResult) =>
    `${name.padEnd(28)} ${String(r.delivered).padStart(6)}/${r.tvs}  p50 ${r.p50} ms  p99 ${r.p99} ms  p100 ${r.p100} ms`;
  console.log(
    `\nfan-out of ${n} personal QoS 1 alerts to ${n} TVs in ${procs} processes (best of ${rounds} rounds)` +
      (values.persistent ? ', persistent sessions' : ''),
  );
  console.log(row(`${values.broker} + policy`, withPolicy));
  console.log(row('baseline: bare aedes', baseline));
  console.log(
    `ratio (policy / baseline): p50 ${(withPolicy.p50 / baseline.p50).toFixed(2)}  p99 ${(withPolicy.p99 / baseline.p99).toFixed(2)}  p100 ${(withPolicy.p100 / baseline.p100).toFixed(2)}`,
  );
}

if (process.argv.includes('--child')) await child();
else if (process.argv[1] === SELF) await main();
