/**
 * Issue 21: what the embedded broker queues for one offline TV is bounded. A TV's persistent
 * session (clean=false) holds at most KZ_BROKER_MAX_QUEUED_MESSAGES messages and
 * KZ_BROKER_MAX_QUEUED_BYTES bytes; the oldest are dropped, with a warn line naming the client
 * and kz_broker_queue_dropped_total counting them. A queued alert expires with the alert it
 * carries. The console's own session is not capped: its queue carries check-ins.
 * Measured in aedes' persistence queue for the client, as session-bounds.test.ts does.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { encodeMessage, topics, type PersonalAlert } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  BROKER_LIMIT_DEFAULTS,
  createCredentialStore,
  createEmbeddedBroker,
  loadBrokerConfig,
  mosquittoConfig,
  rabbitMqDefinitions,
  MOSQUITTO_QUEUE_FLOOR,
  startBrokerService,
  startRabbitMq,
  type BrokerLimits,
  type CredentialStore,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '../src/index.ts';
import { quietLogger } from '@kizuna/test-utils';
import { endAll, eventually, eventuallyAsync, mustConnect, subscribeCodes } from './mqtt-helpers.ts';

const M = '999997';

interface Running {
  broker: EmbeddedBroker;
  logs: Array<Record<string, unknown>>;
  sender: MqttClient;
  /** Messages and bytes (topic + payload) aedes holds for this client. */
  queued(clientId: string): Promise<{ messages: number; bytes: number }>;
  dropped(reason: 'cap' | 'expired'): Promise<number>;
  close(): Promise<void>;
}

let db: Db;
let store: CredentialStore;
let muni: IssuedCredentials;
beforeAll(async () => {
  db = await openDb({});
  store = await createCredentialStore(db);
  muni = await store.issue({ kind: 'municipality', muni: M });
});
afterAll(async () => {
  await db?.close();
});

async function start(limits: Partial<BrokerLimits> = {}): Promise<Running> {
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'test',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        cb();
      },
    }),
  });
  const broker = await createEmbeddedBroker({ credentials: store, logger, port: 0, limits });
  const { persistence } = broker.aedes as unknown as {
    persistence: { outgoingStream(c: { id: string }): AsyncIterable<{ topic: string; payload: Buffer }> };
  };
  const sender = (await mustConnect(broker.mqttUrl, muni.username, muni.password)).client;
  return {
    broker,
    logs,
    sender,
    async queued(clientId) {
      let messages = 0;
      let bytes = 0;
      for await (const p of persistence.outgoingStream({ id: clientId })) {
        messages++;
        bytes += Buffer.byteLength(p.topic) + p.payload.length;
      }
      return { messages, bytes };
    },
    async dropped(reason) {
      const m = await broker.metrics?.getSingleMetric('kz_broker_queue_dropped_total')?.get();
      return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
    },
    async close() {
      await endAll(sender);
      await broker.close();
    },
  };
}

let n = 0;
/** A TV with a persistent session on its own topics, then offline. */
async function offlineTv(r: Running) {
  const device = `qtv${++n}`;
  const creds = await store.issue({ kind: 'tv', muni: M, device });
  const first = await mustConnect(r.broker.mqttUrl, creds.username, creds.password, { clean: false });
  expect(await subscribeCodes(first.client, [topics.tvOwn(M, device)])).toEqual([1]);
  await endAll(first.client);
  return { device, creds };
}

function alert(i: number, expires: Date, pad = 0): string {
  const a: PersonalAlert = {
    v: 1,
    kind: 'personal-alert',
    alertId: `a${i}`,
    revision: 1,
    msgType: 'Alert',
    status: 'Exercise',
    level: 4,
    hazard: 'flood',
    sent: new Date().toISOString(),
    expires: expires.toISOString(),
    zone: { id: 'z1', name: 'Zone 1' },
    recipients: [
      {
        ref: `r${i}`,
        displayName: 'Hanako',
        language: 'en',
        needsHelp: false,
        headline: `alert ${i}`,
        instruction: 'x'.repeat(pad),
      },
    ],
  };
  return encodeMessage(a);
}
const inAnHour = () => new Date(Date.now() + 3_600_000);
const alertIdOf = (payload: string) => (JSON.parse(payload) as { alertId: string }).alertId;

describe('a per-TV cap on queued messages and bytes', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start();
  });
  afterAll(async () => {
    await r?.close();
  });

  it("the issue's measured case: 300 x 100 KB for an offline TV leave at most the cap queued, the newest", async () => {
    const { device, creds } = await offlineTv(r);
    const KB100 = 100 * 1024;
    for (let i = 1; i <= 300; i++) {
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(i, inAnHour(), KB100), { qos: 1 });
    }
    const q = await r.queued(creds.username);
    expect(q.bytes).toBeLessThanOrEqual(BROKER_LIMIT_DEFAULTS.maxQueuedBytes);
    expect(q.messages).toBeLessThanOrEqual(BROKER_LIMIT_DEFAULTS.maxQueuedMessages);
    // The cap keeps as many of the newest as fit: ten of about 100 KB in 1 MiB.
    expect(q.messages).toBe(Math.floor(BROKER_LIMIT_DEFAULTS.maxQueuedBytes / (KB100 + 600)));
    expect(await r.dropped('cap')).toBe(300 - q.messages);
    const warned = r.logs.filter((l) => l.msg === 'queue cap reached: oldest queued messages dropped');
    expect(warned.map((l) => l.clientId)).toEqual([creds.username]); // once, naming the TV

    const back = await mustConnect(r.broker.mqttUrl, creds.username, creds.password, { clean: false });
    expect(await eventually(() => back.received.length >= q.messages, 20_000)).toBe(true);
    const ids = back.received.map((m) => alertIdOf(m.payload));
    expect(ids).toEqual(Array.from({ length: q.messages }, (_, i) => `a${300 - q.messages + 1 + i}`));
    await endAll(back.client);
    expect(await eventuallyAsync(async () => (await r.queued(creds.username)).messages === 0)).toBe(true);
  }, 120_000);

  it('counts messages too, and an online TV still gets every message live', async () => {
    const small = await start({ maxQueuedMessages: 5 });
    try {
      const { device, creds } = await offlineTv(small);
      for (let i = 1; i <= 20; i++)
        await small.sender.publishAsync(topics.tvAlert(M, device), alert(i, inAnHour()), { qos: 1 });
      expect((await small.queued(creds.username)).messages).toBe(5);
      const back = await mustConnect(small.broker.mqttUrl, creds.username, creds.password, { clean: false });
      expect(await eventually(() => back.received.length >= 5)).toBe(true);
      expect(back.received.map((m) => alertIdOf(m.payload))).toEqual(['a16', 'a17', 'a18', 'a19', 'a20']);

      // Online, a burst above the cap is delivered whole: the cap bounds what waits, not delivery.
      for (let i = 21; i <= 40; i++) small.sender.publish(topics.tvAlert(M, device), alert(i, inAnHour()), { qos: 1 });
      expect(await eventually(() => back.received.length >= 25, 10_000)).toBe(true);
      expect(back.received.length).toBe(25);
      expect(back.client.connected).toBe(true);
      await endAll(back.client);
    } finally {
      await small.close();
    }
  });

  it("does not cap the console's session: every receipt queued while it was away arrives", async () => {
    const small = await start({ maxQueuedMessages: 5 });
    try {
      await endAll(small.sender); // the same client id as the console's persistent session
      const console1 = await mustConnect(small.broker.mqttUrl, muni.username, muni.password, { clean: false });
      expect(await subscribeCodes(console1.client, [topics.allReceipts(M)])).toEqual([1]);
      await endAll(console1.client);
      const tv = await store.issue({ kind: 'tv', muni: M, device: `qtv${++n}` });
      const t = await mustConnect(small.broker.mqttUrl, tv.username, tv.password);
      const device = tv.username.split('-').slice(2).join('-');
      for (let i = 0; i < 30; i++) await t.client.publishAsync(topics.tvReceipt(M, device), `r${i}`, { qos: 1 });
      await endAll(t.client);
      const back = await mustConnect(small.broker.mqttUrl, muni.username, muni.password, { clean: false });
      expect(await eventually(() => back.received.length >= 30, 10_000)).toBe(true);
      expect(back.received.map((m) => m.payload)).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`));
      expect(await small.dropped('cap')).toBe(0);
      await endAll(back.client);
    } finally {
      await small.close();
    }
  });
});

describe('a queued alert expires with the alert', () => {
  it('TV offline, its alert expires, the TV comes back and does not get it (the live one it does)', async () => {
    const r = await start();
    try {
      const { device, creds } = await offlineTv(r);
      const soon = new Date(Date.now() + 1500);
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(1, soon), { qos: 1 });
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(2, inAnHour()), { qos: 1 });
      expect((await r.queued(creds.username)).messages).toBe(2);
      // Waits for the clock, not for work: the alert's own expiry time.
      expect(await eventually(() => Date.now() > soon.getTime() + 50, 5000)).toBe(true);

      const back = await mustConnect(r.broker.mqttUrl, creds.username, creds.password, { clean: false });
      expect(await eventually(() => back.received.length >= 1)).toBe(true);
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(3, inAnHour()), { qos: 1 });
      expect(await eventually(() => back.received.length >= 2)).toBe(true);
      expect(back.received.map((m) => alertIdOf(m.payload))).toEqual(['a2', 'a3']);
      expect(await r.dropped('expired')).toBe(1);
      await endAll(back.client);
    } finally {
      await r.close();
    }
  });

  it('an expired alert leaves the queue of a TV that stays away when the next message is queued', async () => {
    const r = await start();
    try {
      const { device, creds } = await offlineTv(r);
      const soon = new Date(Date.now() + 1000);
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(1, soon), { qos: 1 });
      expect(await eventually(() => Date.now() > soon.getTime() + 50, 5000)).toBe(true);
      await r.sender.publishAsync(topics.tvAlert(M, device), alert(2, inAnHour()), { qos: 1 });
      expect((await r.queued(creds.username)).messages).toBe(1);
      expect(await r.dropped('expired')).toBe(1);
    } finally {
      await r.close();
    }
  });
});

interface External {
  name: string;
  start(): Promise<{ url: string; close(): Promise<void> }>;
  /** Which end of the queue the broker drops. */
  keeps: 'oldest' | 'newest';
}
// Mosquitto is not here: its caps would cut the console's queue too (see the configuration test below).
const externals: External[] = [
  {
    name: "RabbitMQ (a policy on TVs' queues: max-length, max-length-bytes, drop-head)",
    start: () => startRabbitMq({ credentials: store, logger: quietLogger(), cacheTtlMs: 1000 }),
    keeps: 'newest',
  },
];

describe.each(externals)('the same caps on $name', (ext) => {
  let b: { url: string; close(): Promise<void> };
  let sender: MqttClient;
  beforeAll(async () => {
    b = await ext.start();
    sender = (await mustConnect(b.url, muni.username, muni.password)).client;
  }, 240_000);
  afterAll(async () => {
    await endAll(sender);
    await b?.close();
  });

  /** What a TV gets back after being away: everything that arrives before a marker sent once it is back. */
  async function drained(creds: IssuedCredentials, device: string) {
    const back = await mustConnect(b.url, creds.username, creds.password, { clean: false });
    expect(await eventually(() => back.received.length >= 1, 10_000)).toBe(true);
    await sender.publishAsync(topics.tvAlert(M, device), 'marker', { qos: 1 });
    expect(await eventually(() => back.received.some((r) => r.payload === 'marker'), 20_000)).toBe(true);
    await endAll(back.client);
    return back.received.filter((r) => r.payload !== 'marker');
  }
  async function offline() {
    const device = `qtv${++n}`;
    const creds = await store.issue({ kind: 'tv', muni: M, device });
    const first = await mustConnect(b.url, creds.username, creds.password, { clean: false });
    expect(await subscribeCodes(first.client, [topics.tvOwn(M, device)])).toEqual([1]);
    await endAll(first.client);
    return { device, creds };
  }

  it("the issue's measured case: 300 x 100 KB for an offline TV, at most the byte cap comes back", async () => {
    const { device, creds } = await offline();
    for (let i = 1; i <= 300; i++) {
      await sender.publishAsync(topics.tvAlert(M, device), alert(i, inAnHour(), 100 * 1024), { qos: 1 });
    }
    const got = await drained(creds, device);
    const bytes = got.reduce((sum, r) => sum + Buffer.byteLength(r.topic) + Buffer.byteLength(r.payload), 0);
    expect(got.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(BROKER_LIMIT_DEFAULTS.maxQueuedBytes + 110 * 1024); // Mosquitto admits the one that crosses it
    const ids = got.map((r) => alertIdOf(r.payload));
    expect(ids[ext.keeps === 'oldest' ? 0 : ids.length - 1]).toBe(ext.keeps === 'oldest' ? 'a1' : 'a300');
  }, 120_000);

  it('caps the count of small messages the same way', async () => {
    const { device, creds } = await offline();
    const N = BROKER_LIMIT_DEFAULTS.maxQueuedMessages + 50;
    for (let i = 1; i <= N; i++) await sender.publishAsync(topics.tvAlert(M, device), alert(i, inAnHour()), { qos: 1 });
    const got = await drained(creds, device);
    expect(got.length).toBeLessThanOrEqual(BROKER_LIMIT_DEFAULTS.maxQueuedMessages);
    expect(got.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('the generated configurations carry the caps', () => {
  it("Mosquitto: no TV-sized cap, since it would cut the console's queue too (never below its default, no byte cap)", () => {
    const conf = mosquittoConfig({ host: '127.0.0.1', port: 1, dynsecFile: '/x', limits: { maxQueuedMessages: 7 } });
    expect(conf).toContain(`max_queued_messages ${MOSQUITTO_QUEUE_FLOOR}`);
    expect(conf).toContain('max_queued_bytes 0');
    const big = mosquittoConfig({ host: '127.0.0.1', port: 1, dynsecFile: '/x', limits: { maxQueuedMessages: 5000 } });
    expect(big).toContain('max_queued_messages 5000');
  });
  it("RabbitMQ: a policy on TVs' queues only", () => {
    const defs = JSON.parse(rabbitMqDefinitions({ maxQueuedMessages: 7 })) as {
      policies: Array<{ pattern: string; definition: Record<string, unknown> }>;
    };
    expect(defs.policies).toHaveLength(1);
    expect(defs.policies[0]!.definition).toEqual({
      'max-length': 7,
      'max-length-bytes': BROKER_LIMIT_DEFAULTS.maxQueuedBytes,
      overflow: 'drop-head',
    });
    const re = new RegExp(defs.policies[0]!.pattern);
    expect(re.test('mqtt-subscription-tv-999997-tv0001qos1')).toBe(true);
    expect(re.test('mqtt-subscription-muni-999997qos1')).toBe(false);
    expect(re.test('mqtt-subscription-term-999997-s1-door-1qos1')).toBe(false);
  });
});

describe('the broker run alone applies the variables and serves the counter on /metrics', () => {
  it('KZ_BROKER_MAX_QUEUED_MESSAGES=2: three of five dropped, counted on the auth port', async () => {
    const token = 'queue-caps-metrics-token';
    const before = process.env.KZ_METRICS_TOKEN;
    process.env.KZ_METRICS_TOKEN = token; // read by every server at start (core's createHttpServer)
    const cfg = loadBrokerConfig({
      KZ_BROKER_PORT: '0',
      KZ_BROKER_WS_PORT: '0',
      KZ_BROKER_AUTH_PORT: '0',
      KZ_BROKER_DATA_DIR: 'memory',
      KZ_BROKER_MAX_QUEUED_MESSAGES: '2',
    });
    const service = await startBrokerService(cfg, quietLogger());
    try {
      const own = await service.credentials.issue({ kind: 'municipality', muni: M });
      const tv = await service.credentials.issue({ kind: 'tv', muni: M, device: 'alone1' });
      const first = await mustConnect(service.mqttUrl, tv.username, tv.password, { clean: false });
      expect(await subscribeCodes(first.client, [topics.tvOwn(M, 'alone1')])).toEqual([1]);
      await endAll(first.client);
      const s = await mustConnect(service.mqttUrl, own.username, own.password);
      for (let i = 1; i <= 5; i++)
        await s.client.publishAsync(topics.tvAlert(M, 'alone1'), alert(i, inAnHour()), { qos: 1 });
      await endAll(s.client);
      const res = await fetch(`${service.authUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^kz_broker_queue_dropped_total\{reason="cap"[^}]*\} 3$/m);
    } finally {
      await service.close();
      if (before === undefined) delete process.env.KZ_METRICS_TOKEN;
      else process.env.KZ_METRICS_TOKEN = before;
    }
  }, 60_000);
});
