/**
 * Memory under a pre-login flood (issue 21): K sockets that never log in each announce a 64 MB
 * packet and send it as fast as the broker takes it. The broker runs in this process and its
 * memory (RSS, heap, Buffers) is sampled every 10 ms; the flooders run in a child process, so
 * their own buffers are not counted. Three phases in one run:
 *
 *   idle        the broker with nobody connected (the baseline)
 *   limits      the broker's defaults (a 2 KB packet limit before login)
 *   no limit    the same broker with the before-login limit raised to 256 MB and aedes' own
 *               30 s CONNECT timeout: what the broker did before the limits
 *
 *   npx tsx broker/bench/prelogin-flood.ts [--sockets 4] [--mb 64]
 */
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { createLogger } from '@kizuna/core';
import { createEmbeddedBroker, type BrokerLimits } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '4' },
    mb: { type: 'string', default: '64' },
    flood: { type: 'string' }, // child: the broker's URL
  },
});
const sockets = Number(values.sockets);
const mbEach = Number(values.mb);
if (!Number.isInteger(sockets) || sockets <= 0 || !Number.isInteger(mbEach) || mbEach <= 0 || mbEach >= 256)
  throw new Error('--sockets must be a whole number > 0, --mb one between 1 and 255');

/** The "remaining length" of a fixed header [MQTT-2.2.3]. */
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** Child: K sockets announce a CONNECT of `mb` MB and send its body until the broker closes them. */
async function flood(url: string): Promise<void> {
  const u = new URL(url);
  const length = mbEach * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const started = Date.now();
  const one = () =>
    new Promise<{ sent: number; ms: number }>((resolve) => {
      let sent = 0;
      const s = connect(Number(u.port), u.hostname, () => {
        s.write(Buffer.concat([Buffer.from([0x10]), varint(length)]));
        const pump = () => {
          while (sent < length && !s.destroyed) {
            sent += chunk.length;
            if (!s.write(chunk)) return void s.once('drain', pump);
          }
        };
        pump();
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve({ sent, ms: Date.now() - started }));
    });
  const results = await Promise.all(Array.from({ length: sockets }, one));
  process.send!(results);
}

if (values.flood) {
  await flood(values.flood);
  process.exit(0);
}

const gc = () => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};
const MB = 1024 * 1024;
const mb = (n: number) => (n / MB).toFixed(0);
const logger = createLogger({ name: 'bench', level: 'error' });
// Nobody logs in during a flood, so the credential store is never asked; a PGlite store would add its
// WebAssembly memory (hundreds of MB, varying as the OS reclaims pages) to every figure.
const store: Parameters<typeof createEmbeddedBroker>[0]['credentials'] = {
  authenticate: () => Promise.resolve(null),
  onChange: () => () => undefined,
};

interface Phase {
  name: string;
  rss: number;
  heap: number;
  buffers: number;
  closedMs: number | null;
  sentMb: number;
}

async function phase(name: string, limits: Partial<BrokerLimits> | null): Promise<Phase> {
  const broker = await createEmbeddedBroker({ credentials: store, logger, port: 0, limits: limits ?? {} });
  try {
    gc();
    const high = { rss: 0, heap: 0, buffers: 0 };
    const sample = () => {
      const m = process.memoryUsage();
      high.rss = Math.max(high.rss, m.rss);
      high.heap = Math.max(high.heap, m.heapUsed);
      high.buffers = Math.max(high.buffers, m.arrayBuffers + m.external);
    };
    sample();
    if (!limits) {
      await new Promise((r) => setTimeout(r, 1000));
      sample();
      return { name, ...high, closedMs: null, sentMb: 0 };
    }
    const timer = setInterval(sample, 10);
    const child = fork(process.argv[1]!, [
      '--flood',
      broker.mqttUrl,
      '--sockets',
      String(sockets),
      '--mb',
      String(mbEach),
    ]);
    const results = await new Promise<Array<{ sent: number; ms: number }>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Array<{ sent: number; ms: number }>));
      child.once('error', reject);
    });
    clearInterval(timer);
    sample();
    return {
      name,
      ...high,
      closedMs: Math.max(...results.map((r) => r.ms)),
      sentMb: results.reduce((n, r) => n + r.sent, 0) / MB,
    };
  } finally {
    await broker.close();
  }
}

const load = () => loadavg()[0]!.toFixed(1);
const l0 = load();
const idle = await phase('idle (baseline)', null);
const guarded = await phase('limits (defaults: 2 KB before login, 10 s)', {});
const open = await phase('no limit (256 MB before login, 30 s)', {
  maxPacketBeforeLogin: 256 * MB,
  connectTimeoutMs: 30_000,
});
const l1 = load();

console.log(
  `\npre-login flood: ${sockets} sockets announcing ${mbEach} MB each, never logging in (load ${l0} → ${l1})\n`,
);
console.log(
  '| phase | RSS high-water MB (× idle) | heap high-water MB | Buffers high-water MB | sent MB | all closed after ms |',
);
console.log('|---|---|---|---|---|---|');
for (const p of [idle, guarded, open])
  console.log(
    `| ${p.name} | ${mb(p.rss)} (${(p.rss / idle.rss).toFixed(2)}×) | ${mb(p.heap)} | ${mb(p.buffers)} | ${p.sentMb.toFixed(1)} | ${p.closedMs ?? '–'} |`,
  );
process.exit(0);
