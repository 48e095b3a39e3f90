/**
 * A swarm of simulated TVs for fan-out benchmarks: real mqtt.js clients, each logged in with its
 * own broker credentials and subscribed (QoS 1) to its own alert topic, spread over several child
 * processes (one process of clients is the limit otherwise: docs/PLATFORM.md, "Fan-out clients").
 *
 * The broker's raw bench (broker/bench/fanout-raw.ts) keeps its children private and does its own
 * publishing; this swarm only receives, so the same connected TVs serve several phases (an alert
 * through the console's API, then the raw baseline) one after another: arm(), publish, collect().
 * A TV counts a message once it parsed and validated as a PersonalAlert on its own topic.
 *
 * The file name starts with `_`: `npm run bench` does not run it as a benchmark of its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { decodeMessage, PersonalAlertSchema, topics } from '@kizuna/contract';

const SELF = fileURLToPath(import.meta.url);
/** Connections from one source address: below the 28,231 ephemeral ports of 32768–60999. */
const PER_SOURCE_ADDRESS = 20_000;

export interface SwarmTv {
  device: string;
  username: string;
  password: string;
  /** This TV's broker (an edge of a cluster); default the swarm's url. */
  url?: string;
}

export interface SwarmOptions {
  /** mqtt://host:port of the broker (TVs without a url of their own). */
  url: string;
  muni: string;
  tvs: SwarmTv[];
  /** Child processes to spread the TVs over. */
  procs: number;
  /** Also subscribe each TV to its municipality's area alerts, as the TV applet does. */
  area?: boolean;
  /** Simultaneous handshakes per child. Default 100. */
  wave?: number;
  /** Called with progress lines while connecting. */
  progress?: (line: string) => void;
}

export interface PhaseResult {
  /** Date.now() of each TV's first valid personal alert in the phase (one entry per TV reached). */
  times: number[];
  /** Messages on a TV's alert topic that did not validate, or arrived on a topic not its own. */
  invalid: number;
  /** Valid messages after the first for the same TV in the phase (QoS 1 may duplicate). */
  duplicates: number;
}

export interface TvSwarm {
  size: number;
  /** Reset every TV's record; resolves once every child is listening for the next phase. */
  arm(): Promise<void>;
  /** Resolves when every TV has a message, or after timeoutMs with what arrived. */
  collect(timeoutMs: number): Promise<PhaseResult>;
  close(): Promise<void>;
}

type ToChild =
  | { type: 'start'; url: string; muni: string; tvs: SwarmTv[]; area: boolean; wave: number; source: string }
  | { type: 'arm' }
  | { type: 'report' }
  | { type: 'stop' };
type FromChild =
  | { type: 'progress'; connected: number }
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'armed' }
  | ({ type: 'result' } & PhaseResult);

// ---------------------------------------------------------------- child: a share of the TVs

async function child() {
  const send = (m: FromChild) => process.send!(m);
  const clients: mqtt.MqttClient[] = [];
  let got = new Set<string>();
  let times: number[] = [];
  let invalid = 0;
  let duplicates = 0;
  let expected = 0;
  let armed = false;
  const report = () => {
    if (!armed) return;
    armed = false;
    send({ type: 'result', times, invalid, duplicates });
  };

  const connectTv = (url: URL, muni: string, tv: SwarmTv, localAddress: string, area: boolean) =>
    new Promise<mqtt.MqttClient>((resolve, reject) => {
      const own = topics.tvAlert(muni, tv.device);
      // A stream builder, because mqtt.js's own TCP builder takes no source address.
      const c = new mqtt.MqttClient(
        () => createConnection({ host: url.hostname, port: Number(url.port), localAddress }),
        {
          username: tv.username,
          password: tv.password,
          clientId: tv.username,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 120_000,
          // the bench measures one alert, not keep-alive traffic from tens of thousands of idle TVs
          keepalive: 900,
        },
      );
      c.on('message', (topic, payload) => {
        if (!armed) return;
        if (topic !== own) {
          if (topic.startsWith(`kz/${muni}/area/`)) return; // area messages are not what this bench times
          invalid += 1;
          return;
        }
        try {
          const msg = decodeMessage(PersonalAlertSchema, payload, 'personal-alert');
          if (msg.recipients.length === 0) throw new Error('no recipients');
        } catch {
          invalid += 1;
          return;
        }
        if (got.has(tv.device)) {
          duplicates += 1;
          return;
        }
        got.add(tv.device);
        times.push(Date.now());
        if (got.size === expected) report();
      });
      const fail = (e: Error) => {
        c.end(true);
        reject(e);
      };
      c.once('error', fail);
      c.once('close', () => fail(new Error('connection closed before CONNACK')));
      c.once('connect', () => {
        c.removeAllListeners('error');
        c.removeAllListeners('close');
        c.on('error', () => undefined); // a later error shows up as a TV that never got its alert
        c.subscribe(area ? [own, topics.areaAll(muni)] : own, { qos: 1 }, (err, granted) => {
          if (err) return fail(err);
          if (granted?.some((g) => g.qos === 0x80))
            return fail(new Error(`subscription refused (SUBACK 0x80) for ${tv.username}`));
          resolve(c);
        });
      });
    });

  process.on('message', async (m: ToChild) => {
    if (m.type === 'arm') {
      got = new Set();
      times = [];
      invalid = 0;
      duplicates = 0;
      armed = true;
      return send({ type: 'armed' });
    }
    if (m.type === 'report') return report();
    if (m.type === 'stop') {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      process.exit(0);
    }
    expected = m.tvs.length;
    const urls = new Map<string, URL>();
    const urlOf = (tv: SwarmTv) => {
      const u = tv.url ?? m.url;
      let parsed = urls.get(u);
      if (!parsed) urls.set(u, (parsed = new URL(u)));
      return parsed;
    };
    try {
      for (let i = 0; i < m.tvs.length; i += m.wave) {
        const batch = m.tvs.slice(i, i + m.wave);
        const source = `${m.source}.${1 + Math.floor(i / PER_SOURCE_ADDRESS)}`;
        clients.push(
          ...(await Promise.all(
            batch.map(async (tv) => {
              // a handshake can time out on a loaded machine: two more tries before giving up
              for (let attempt = 1; ; attempt++) {
                try {
                  return await connectTv(urlOf(tv), m.muni, tv, source, m.area);
                } catch (e) {
                  if (attempt === 3) throw e;
                }
              }
            }),
          )),
        );
        if (clients.length % 2000 < m.wave) send({ type: 'progress', connected: clients.length });
      }
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
    }
  });
}

// ---------------------------------------------------------------- parent

/** Fork the children, connect every TV; rejects (and stops the children) if any TV cannot connect. */
export async function startTvSwarm(o: SwarmOptions): Promise<TvSwarm> {
  const procs = Math.max(1, Math.min(o.procs, o.tvs.length));
  const share = Math.ceil(o.tvs.length / procs);
  const children: ChildProcess[] = Array.from({ length: procs }, () =>
    fork(SELF, ['--tv-swarm-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const exited = children.map((c) => new Promise<void>((r) => (c.exitCode !== null ? r() : c.once('exit', () => r()))));
  const connected = new Array<number>(procs).fill(0);
  // Messages of one type from every child; a child that dies fails the wait instead of hanging it.
  const next = <T extends FromChild['type']>(c: ChildProcess, type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const onMsg = (m: FromChild) => {
        if (m.type === type) {
          done();
          resolve(m as Extract<FromChild, { type: T }>);
        }
        if (m.type === 'error') {
          done();
          reject(new Error(`TV process: ${m.message}`));
        }
      };
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`TV process exited (code ${code}) while waiting for ${type}`));
      };
      const done = () => {
        c.off('message', onMsg);
        c.off('exit', onExit);
      };
      c.on('message', onMsg);
      c.once('exit', onExit);
    });
  const stop = async () => {
    for (const c of children) if (c.connected) c.send({ type: 'stop' } satisfies ToChild);
    const timer = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 30_000);
    await Promise.all(exited);
    clearTimeout(timer);
  };

  children.forEach((c, p) =>
    c.on('message', (m: FromChild) => {
      if (m.type !== 'progress') return;
      connected[p] = m.connected;
      o.progress?.(`${connected.reduce((a, b) => a + b, 0)} of ${o.tvs.length} TVs connected`);
    }),
  );
  try {
    const ready = children.map((c) => next(c, 'ready'));
    children.forEach((c, p) =>
      c.send({
        type: 'start',
        url: o.url,
        muni: o.muni,
        tvs: o.tvs.slice(p * share, (p + 1) * share),
        area: !!o.area,
        wave: o.wave ?? 100,
        // each child its own loopback source addresses (127.0.<p+1>.x): ephemeral ports are per address
        source: `127.0.${p + 1}`,
      } satisfies ToChild),
    );
    await Promise.all(ready);
  } catch (e) {
    await stop();
    throw e;
  }

  // Listening for results starts at arm(): a child may finish before collect() is called.
  let pending: Promise<Extract<FromChild, { type: 'result' }>>[] = [];
  return {
    size: o.tvs.length,
    async arm() {
      const armed = children.map((c) => next(c, 'armed'));
      pending = children.map((c) => next(c, 'result'));
      pending.forEach((p) => p.catch(() => undefined)); // awaited in collect()
      for (const c of children) c.send({ type: 'arm' } satisfies ToChild);
      await Promise.all(armed);
    },
    async collect(timeoutMs) {
      const timer = setTimeout(
        () => children.forEach((c) => c.connected && c.send({ type: 'report' } satisfies ToChild)),
        timeoutMs,
      );
      try {
        const rs = await Promise.all(pending);
        return {
          times: rs.flatMap((r) => r.times),
          invalid: rs.reduce((n, r) => n + r.invalid, 0),
          duplicates: rs.reduce((n, r) => n + r.duplicates, 0),
        };
      } finally {
        clearTimeout(timer);
      }
    },
    close: stop,
  };
}

if (process.argv.includes('--tv-swarm-child')) await child();
