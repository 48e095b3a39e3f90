/**
 * The fuzzer's target and oracles (issue 21): a real embedded broker with the real credential
 * store (PGlite) and policy, a fuzzing TV with real credentials, a victim TV and a TV of another
 * municipality as control subscribers, and their municipalities as publishers. Each fuzz session
 * runs on a fresh raw socket; after it the oracles ask:
 *
 *  - alive: no uncaught exception or unhandled rejection in the process, and the broker still
 *    delivers (a canary to each control subscriber, published while the fuzzing socket is logged in);
 *  - policy: every PUBLISH the fuzzing socket received is one its identity may receive, and its
 *    persistent session holds only granted filters and messages it may receive;
 *  - logged: every refusal the socket saw (CONNACK ≠ 0, SUBACK 0x80, the broker closing it) has a
 *    log line of the broker in the session's window;
 *  - cleaned up: the broker holds no client for the socket once it is gone.
 * Memory (heap after a full GC, and its high-water mark while fuzzing) is measured around whole runs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import { openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  policy,
  type BrokerIdentity,
  type BrokerLimits,
  type EmbeddedBroker,
} from '../../src/index.ts';
import { captureLogger, type LogLine } from '../log-capture.ts';
import { mustConnect } from '../mqtt-helpers.ts';
import { RawClient } from '../raw-mqtt.ts';
import type { FuzzCast, FuzzSession } from './packets.ts';

export interface SessionOutcome {
  /** Packets (chunks) written before the broker closed the socket. */
  written: number;
  bytes: number;
  /** The broker accepted the login (CONNACK 0): what followed reached the policy. */
  loggedIn: boolean;
  /** Still logged in when the canaries were published. */
  stayed: boolean;
  closedByBroker: boolean;
}

export interface FuzzTarget {
  cast: FuzzCast;
  broker: EmbeddedBroker;
  logs: LogLine[];
  /** Uncaught exceptions and unhandled rejections seen since the target started. */
  crashes: unknown[];
  /** Runs one session and checks the oracles; throws (for fast-check) when one fails. */
  run(session: FuzzSession): Promise<SessionOutcome>;
  close(): Promise<void>;
}

const MUNI = '999997';
const OTHER_MUNI = '999996';
const PINGREQ = Buffer.from([0xc0, 0]);
const PINGRESP = 13;
const SUBACK = 9;
const PUBLISH = 3;
/** Longest wait for the broker to answer the closing PINGREQ (a truncated packet may swallow it). */
const SETTLE_MS = 300;

/** Polls `cond` every 2 ms until it holds or `ms` pass (fuzz sessions are short; 20 ms polls would dominate). */
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

/** A full garbage collection, with or without `node --expose-gc`. */
export function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The topic of a PUBLISH body (2-byte length, then the name). */
const publishTopic = (body: Buffer) => body.subarray(2, 2 + body.readUInt16BE(0)).toString('utf8');

export async function startFuzzTarget(opts: { limits?: Partial<BrokerLimits> } = {}): Promise<FuzzTarget> {
  const { logger, lines: logs } = captureLogger();
  const crashes: unknown[] = [];
  const onCrash = (e: unknown) => crashes.push(e);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);

  const db: Db = await openDb({});
  const store = await createCredentialStore(db, { logger });
  const broker = await createEmbeddedBroker({ credentials: store, logger, port: 0, wsPort: 0, limits: opts.limits });
  const fuzzId: BrokerIdentity = { kind: 'tv', muni: MUNI, device: 'fz1' };
  const fuzz = await store.issue(fuzzId);
  const victim = await store.issue({ kind: 'tv', muni: MUNI, device: 'vic1' });
  const far = await store.issue({ kind: 'tv', muni: OTHER_MUNI, device: 'far1' });
  const muni = await store.issue({ kind: 'municipality', muni: MUNI });
  const otherMuni = await store.issue({ kind: 'municipality', muni: OTHER_MUNI });
  const cast: FuzzCast = {
    muni: MUNI,
    otherMuni: OTHER_MUNI,
    device: 'fz1',
    username: fuzz.username,
    password: fuzz.password,
    victimDevice: 'vic1',
    victimUsername: victim.username,
  };

  // Control subscribers: what the fuzzing TV must never see reaches them, so the check means something.
  const victimC = await mustConnect(broker.mqttUrl, victim.username, victim.password);
  const farC = await mustConnect(broker.mqttUrl, far.username, far.password);
  await victimC.client.subscribeAsync(topics.tvOwn(MUNI, 'vic1'), { qos: 1 });
  await farC.client.subscribeAsync(topics.areaAll(OTHER_MUNI), { qos: 1 });
  const muniC = await mustConnect(broker.mqttUrl, muni.username, muni.password);
  const otherMuniC = await mustConnect(broker.mqttUrl, otherMuni.username, otherMuni.password);
  const controls: MqttClient[] = [victimC.client, farC.client, muniC.client, otherMuniC.client];
  const baselineClients = broker.aedes.connectedClients;
  const canaries = [
    { from: muniC.client, topic: topics.tvAlert(MUNI, 'vic1'), seen: () => victimC.received.length },
    { from: otherMuniC.client, topic: topics.areaAlert(OTHER_MUNI, 'a1'), seen: () => farC.received.length },
  ];
  const persistence = (
    broker.aedes as unknown as {
      persistence: {
        subscriptionsByClient(c: { id: string }): Promise<Array<{ topic: string }> | null>;
        outgoingStream(c: { id: string }): AsyncIterable<{ topic: string }>;
      };
    }
  ).persistence;

  let seq = 0;
  async function run(session: FuzzSession): Promise<SessionOutcome> {
    const fail = (why: string): never => {
      throw new Error(
        `${why}\n  session (${session.websocket ? 'WebSocket' : 'TCP'}): ${session.chunks.map((c) => c.what).join(' | ')}`,
      );
    };
    logs.length = 0; // only this session's lines are looked at (and a long run must not keep them all)
    const fromLog = 0;
    const fromCrash = crashes.length;
    // One session in four over the WebSocket listener: the same parser behind another transport.
    const raw = await (session.websocket ? RawClient.openWs(broker.wsUrl!) : RawClient.open(broker.mqttUrl));
    let written = 0;
    let bytes = 0;
    for (const chunk of session.chunks) {
      if (!(await raw.write(chunk.bytes))) break;
      written++;
      bytes += chunk.bytes.length;
    }
    await raw.write(PINGREQ);
    await waitFor(() => raw.closed || raw.count(PINGRESP) > 0, SETTLE_MS);
    const stayed = raw.connackCode() === 0 && !raw.closed;
    if (stayed) {
      // Foreign messages published while the fuzzing TV is logged in, with whatever it subscribed to.
      const n = ++seq;
      const before = canaries.map((c) => c.seen());
      await Promise.all(canaries.map((c) => c.from.publishAsync(c.topic, `canary ${n}`, { qos: 1 })));
      if (!(await waitFor(() => canaries.every((c, i) => c.seen() > before[i]!), 5000)))
        fail('alive: a canary did not reach its control subscriber');
      const pings = raw.count(PINGRESP);
      await raw.write(PINGREQ);
      await waitFor(() => raw.closed || raw.count(PINGRESP) > pings, SETTLE_MS);
    }
    const closedByBroker = raw.closed;
    raw.end();
    if (!(await waitFor(() => broker.aedes.connectedClients === baselineClients, 5000)))
      fail(`cleaned up: ${broker.aedes.connectedClients} clients, ${baselineClients} expected`);

    if (crashes.length > fromCrash) fail(`alive: ${String(crashes[fromCrash])}`);
    for (const p of raw.packets.filter((x) => x.type === PUBLISH)) {
      const topic = publishTopic(p.body);
      if (!policy.canReceive(fuzzId, topic)) fail(`policy: the fuzzing TV received ${JSON.stringify(topic)}`);
    }
    const stored = (await persistence.subscriptionsByClient({ id: cast.username })) ?? [];
    for (const s of stored)
      if (!policy.canSubscribe(fuzzId, s.topic)) fail(`policy: the session kept the refused filter ${s.topic}`);
    for await (const m of persistence.outgoingStream({ id: cast.username }))
      if (!policy.canReceive(fuzzId, m.topic)) fail(`policy: ${m.topic} queued for the fuzzing TV`);

    const lines = logs.slice(fromLog).filter((l) => l.component === 'broker' && l.level >= 30);
    const refusedFilters = raw.packets
      .filter((p) => p.type === SUBACK)
      .reduce((n, p) => n + [...p.body.subarray(2)].filter((code) => code === 0x80).length, 0);
    const subscribeLines = lines.filter((l) => l.msg.startsWith('subscribe refused')).length;
    if (subscribeLines < refusedFilters) fail(`logged: ${refusedFilters} filters refused, ${subscribeLines} log lines`);
    const connack = raw.connackCode();
    if (connack !== undefined && connack !== 0 && !lines.some((l) => l.msg.startsWith('connect refused')))
      fail(`logged: CONNACK ${connack} without a 'connect refused' line`);
    // A DISCONNECT (E0 00, possibly inside random bytes) is a close the client asked for.
    const sent = Buffer.concat(session.chunks.slice(0, written).map((c) => c.bytes));
    const askedToClose = sent.includes(Buffer.from([0xe0, 0x00]));
    if (closedByBroker && !askedToClose && lines.length === 0)
      fail(
        `logged: the broker closed the connection${connack === undefined ? ' before CONNACK' : ''} and logged nothing`,
      );
    return { written, bytes, loggedIn: raw.connackCode() === 0, stayed, closedByBroker };
  }

  return {
    cast,
    broker,
    logs,
    crashes,
    run,
    async close() {
      await Promise.all(controls.map((c) => c.endAsync(true).catch(() => undefined)));
      await broker.close();
      await db.close();
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    },
  };
}
