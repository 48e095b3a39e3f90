/**
 * What one TV's return costs the broker (issue 21): after a restart a city's TVs all log in and
 * subscribe at once, and on a machine the broker shares, its CPU time per login decides how soon
 * they are back. N TVs open their sockets at once against a freshly started broker process (no
 * sessions, no remembered passwords, as after a restart), each sends its CONNECT, then on CONNACK its
 * SUBSCRIBE (own topic and area, as the applet does), and is done at SUBACK. Figures: the broker
 * process's CPU time (user + system, from /proc) per login, the wall time until all were answered,
 * and the CPU per disconnect when they all leave. The clients are raw sockets with pre-built packets,
 * so they cost little beside the broker. Baseline in the same run: Mosquitto with the same TVs.
 *
 *   npx tsx broker/bench/login-cost.ts [--tvs 5000] [--rounds 3] [--brokers embedded,mosquitto] [--bundle file.mjs]
 *
 * `--bundle` runs an already built broker file (e.g. another revision's) instead of building this one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqttPacket from 'mqtt-packet';
import { topics } from '@kizuna/contract';
import { createLogger, openDb } from '@kizuna/core';
import { BROKER_BUNDLE, buildBrokerServer } from '../src/server-bundle.ts';
import {
  createCredentialStore,
  embeddedBrokerEnv,
  freePort,
  processCpuSeconds,
  startChild,
  startMosquitto,
  waitForMqttLogin,
  type IssuedCredentials,
} from '../src/index.ts';

const MUNI = '999995';
const { values } = parseArgs({
  options: {
    tvs: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    brokers: { type: 'string', default: 'embedded,mosquitto' },
    bundle: { type: 'string' },
  },
});
const N = Number(values.tvs);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(N) || N <= 0 || !Number.isInteger(ROUNDS) || ROUNDS <= 0)
  throw new Error('--tvs and --rounds must be whole numbers > 0');
const BROKERS = values.brokers.split(',');
const load = () => loadavg()[0]!.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const logger = createLogger({ name: 'bench', level: 'error' });

interface Tv {
  device: string;
  connect: Buffer;
  subscribe: Buffer;
}

function packets(c: IssuedCredentials, device: string): Tv {
  return {
    device,
    connect: mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: false,
      clientId: c.username,
      username: c.username,
      password: Buffer.from(c.password),
      keepalive: 30,
    }),
    subscribe: mqttPacket.generate({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: topics.tvOwn(MUNI, device), qos: 1 },
        { topic: topics.areaAll(MUNI), qos: 1 },
      ],
    }),
  };
}

/** One TV's login as the applet does it; resolves at SUBACK, rejects on a refusal or a close. */
function login(port: number, tv: Tv, sockets: Socket[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    sockets.push(s);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let done = false;
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') {
        if (p.returnCode !== 0) reject(new Error(`${tv.device}: CONNACK ${p.returnCode}`));
        else s.write(tv.subscribe);
      } else if (p.cmd === 'suback') {
        done = true;
        if (p.granted.some((g) => (typeof g === 'number' ? g : 0x80) >= 0x80))
          reject(new Error(`${tv.device}: a filter refused`));
        else resolve();
      }
    });
    s.on('connect', () => s.write(tv.connect));
    s.on('data', (d) => parser.parse(d));
    s.on('error', (e) => !done && reject(e));
    s.on('close', () => !done && reject(new Error(`${tv.device}: closed before SUBACK`)));
  });
}

interface Round {
  wallMs: number;
  cpuPerLoginMs: number;
  cpuPerCloseMs: number;
  startCpuS: number;
}

async function storm(port: number, pid: number, tvs: Tv[]): Promise<Omit<Round, 'startCpuS'>> {
  const sockets: Socket[] = [];
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(tvs.map((tv) => login(port, tv, sockets)));
  const wallMs = performance.now() - t0;
  await sleep(300); // the broker's last writes and timers settle before the reading
  const cpu1 = processCpuSeconds(pid);
  for (const s of sockets) s.destroy();
  await sleep(2000);
  const cpu2 = processCpuSeconds(pid);
  return {
    wallMs,
    cpuPerLoginMs: ((cpu1 - cpu0) * 1000) / tvs.length,
    cpuPerCloseMs: ((cpu2 - cpu1) * 1000) / tvs.length,
  };
}

console.log(`load ${load()}; issuing ${N} TV credentials`);
const dir = mkdtempSync(join(tmpdir(), 'kz-login-cost-'));
let db = await openDb({ dataDir: dir });
let store = await createCredentialStore(db, { logger });
const creds = await store.issueMany(
  Array.from({ length: N }, (_, i) => ({ kind: 'tv' as const, muni: MUNI, device: `tv-${i}` })),
);
const tvs = creds.map((c, i) => packets(c, `tv-${i}`));
await db.close();
const BUNDLE = values.bundle ?? BROKER_BUNDLE;
if (BROKERS.includes('embedded') && !values.bundle) await buildBrokerServer();

const results = new Map<string, Round[]>();
for (let r = 0; r < ROUNDS; r++)
  for (const kind of BROKERS) {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    let pid: number;
    let stop: () => Promise<void>;
    if (kind === 'embedded') {
      const { KZ_BROKER_DATABASE_URL: _notThis, ...env } = process.env; // PGlite on dir, not a server
      // KZ_BENCH_BROKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p": profile the broker process
      const nodeArgs = process.env.KZ_BENCH_BROKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
      const child = startChild(process.execPath, [...nodeArgs, BUNDLE], {
        env: { ...env, ...(await embeddedBrokerEnv(port, dir)), KZ_BROKER_MAX_PENDING_PER_ADDRESS: String(N + 100) },
      });
      await waitForMqttLogin(child, 'the embedded broker', url, 60_000);
      pid = child.process.pid!;
      stop = async () => {
        child.process.kill(nodeArgs.length ? 'SIGTERM' : 'SIGKILL'); // a profile is written at a clean exit
        await child.exited;
      };
    } else {
      db = await openDb({ dataDir: dir });
      store = await createCredentialStore(db, { logger });
      const b = await startMosquitto({ credentials: store, logger, port, startTimeoutMs: 60_000 });
      pid = b.pid!;
      stop = async () => {
        await b.close();
        await db.close();
      };
    }
    const startCpuS = processCpuSeconds(pid);
    const round = { ...(await storm(port, pid, tvs)), startCpuS };
    await stop();
    results.set(kind, [...(results.get(kind) ?? []), round]);
    console.log(
      `[round ${r + 1}] ${kind}: ${N} logins in ${(round.wallMs / 1000).toFixed(2)} s (${Math.round((N * 1000) / round.wallMs)}/s), CPU ${round.cpuPerLoginMs.toFixed(3)} ms per login, ${round.cpuPerCloseMs.toFixed(3)} ms per disconnect; start ${startCpuS.toFixed(2)} s CPU (load ${load()})`,
    );
  }
rmSync(dir, { recursive: true, force: true });

console.log(
  `\nlogin cost: ${N} TVs at once against a freshly started broker (CONNECT, then SUBSCRIBE own + area at CONNACK), ${ROUNDS} rounds, medians`,
);
console.log('| broker | CPU per login | CPU per disconnect | all answered | logins/s | CPU to start |');
console.log('|---|---|---|---|---|---|');
for (const [kind, rs] of results) {
  const wall = median(rs.map((x) => x.wallMs));
  console.log(
    `| ${kind} | ${median(rs.map((x) => x.cpuPerLoginMs)).toFixed(3)} ms | ${median(rs.map((x) => x.cpuPerCloseMs)).toFixed(3)} ms | ${(wall / 1000).toFixed(2)} s | ${Math.round((N * 1000) / wall)} | ${median(rs.map((x) => x.startCpuS)).toFixed(2)} s |`,
  );
}
const e = results.get('embedded');
const m = results.get('mosquitto');
if (e && m)
  console.log(
    `embedded ÷ Mosquitto: CPU per login ${(median(e.map((x) => x.cpuPerLoginMs)) / median(m.map((x) => x.cpuPerLoginMs))).toFixed(1)}×, all answered ${(median(e.map((x) => x.wallMs)) / median(m.map((x) => x.wallMs))).toFixed(1)}×`,
  );
process.exit(0);
