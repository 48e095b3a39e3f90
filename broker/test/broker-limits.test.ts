/**
 * Issue 21: limits before and after login on the embedded broker. Before CONNACK a socket may
 * send only a small packet, must finish its CONNECT within the CONNECT timeout, and only so many
 * such sockets are held (per address and in total); after login a device may send no more than
 * the contract's largest device message needs, a server what its alerts need. The WebSocket
 * listener's maxPayload follows the same limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeMessage, topics, type ShelterEvent } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  BROKER_LIMIT_DEFAULTS,
  createCredentialStore,
  createEmbeddedBroker,
  mosquittoConfig,
  startMosquitto,
  startRabbitMq,
  type CredentialStore,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '../src/index.ts';
import { captureLogger } from './log-capture.ts';
import { endAll, eventually, mustConnect, publishOutcome, subscribeCodes } from './mqtt-helpers.ts';
import { RawClient, connectPacket, varint } from './raw-mqtt.ts';

const M = '999997';
const logger = createLogger({ name: 'test', level: 'silent' });
let db: Db;
let store: CredentialStore;
let broker: EmbeddedBroker;
let muni: IssuedCredentials;

beforeAll(async () => {
  db = await openDb({});
  store = await createCredentialStore(db);
  broker = await createEmbeddedBroker({ credentials: store, logger, port: 0, wsPort: 0 });
  muni = await store.issue({ kind: 'municipality', muni: M });
});
afterAll(async () => {
  await broker?.close();
  await db?.close();
});

let n = 0;
const newTv = () => store.issue({ kind: 'tv', muni: M, device: `ltv${++n}` });
const deviceOf = (c: IssuedCredentials) => c.username.split('-').slice(2).join('-');

describe('before login', () => {
  it('closes at once an unauthenticated socket that announces a 256 MB packet', async () => {
    const raw = await RawClient.open(broker.mqttUrl);
    const started = Date.now();
    // 256 MB − 1: the largest length a fixed header can announce
    await raw.write(Buffer.concat([Buffer.from([0x10]), varint(256 * 1024 * 1024 - 1)]));
    // it keeps sending; nothing of it is buffered for long
    for (let i = 0; i < 20 && !raw.closed; i++) await raw.write(Buffer.alloc(64 * 1024, 0x61));
    expect(await eventually(() => raw.closed, 2000)).toBe(true);
    expect(raw.closedAt - started).toBeLessThan(2000);
    raw.end();
  });

  it('closes a CONNECT larger than the before-login limit, and accepts an ordinary one', async () => {
    const tv = await newTv();
    const big = await RawClient.open(broker.mqttUrl);
    await big.write(
      connectPacket({
        clientId: tv.username,
        username: tv.username,
        password: 'x'.repeat(BROKER_LIMIT_DEFAULTS.maxPacketBeforeLogin),
      }),
    );
    expect(await eventually(() => big.closed, 2000)).toBe(true);
    expect(big.connackCode()).toBeUndefined();
    const ok = await RawClient.open(broker.mqttUrl);
    await ok.write(connectPacket({ clientId: tv.username, username: tv.username, password: tv.password }));
    expect(await eventually(() => ok.connackCode() === 0)).toBe(true);
    ok.end();
  });

  it('closes a slow-loris socket and a half-open one within the CONNECT timeout, and logs each', async () => {
    const { logger: captured, lines } = captureLogger();
    const quick = await createEmbeddedBroker({
      credentials: store,
      logger: captured,
      port: 0,
      limits: { connectTimeoutMs: 1500 },
    });
    try {
      const tv = await newTv();
      const bytes = connectPacket({ clientId: tv.username, username: tv.username, password: tv.password });
      const silent = await RawClient.open(quick.mqttUrl); // connects and never sends a byte
      const raw = await RawClient.open(quick.mqttUrl);
      const started = Date.now();
      for (let i = 0; i < bytes.length - 1 && !raw.closed; i++) {
        await raw.write(bytes.subarray(i, i + 1));
        await eventually(() => raw.closed, 100); // one byte every 100 ms, or sooner if closed
      }
      expect(await eventually(() => raw.closed && silent.closed, 3000)).toBe(true);
      for (const r of [raw, silent]) {
        expect(r.closedAt - started).toBeLessThan(1500 + 1000);
        expect(r.connackCode()).toBeUndefined();
        r.end();
      }
      const timeouts = lines.filter(
        (l) => l.msg === 'connection closed: protocol error' && l.reason === 'connect did not arrive in time',
      );
      expect(timeouts).toHaveLength(2);
    } finally {
      await quick.close();
    }
  });

  it('closes sockets on the WebSocket listener that never finish their HTTP upgrade within the CONNECT timeout', async () => {
    const { logger: captured, lines } = captureLogger();
    const quick = await createEmbeddedBroker({
      credentials: store,
      logger: captured,
      port: 0,
      wsPort: 0,
      limits: { connectTimeoutMs: 1500 },
    });
    const tcpUrl = quick.wsUrl!.replace(/^ws:/, 'mqtt:');
    const open: RawClient[] = [];
    try {
      const silent = await RawClient.open(tcpUrl); // connects and never sends a byte
      const partial = await RawClient.open(tcpUrl); // an upgrade request that never ends
      open.push(silent, partial);
      const started = Date.now();
      await partial.write(Buffer.from('GET / HTTP/1.1\r\nHost: kizuna\r\nUpgrade: websocket\r\n'));
      expect(await eventually(() => silent.closed && partial.closed, 6000)).toBe(true);
      for (const r of open) expect(r.closedAt - started).toBeLessThan(1500 + 1500);
      expect(lines.filter((l) => l.msg === 'connection closed: HTTP request not finished in time')).toHaveLength(2);
    } finally {
      for (const r of open) r.end();
      await quick.close();
    }
  });

  it('counts sockets on the WebSocket listener that have not finished their upgrade among those not logged in', async () => {
    const capped = await createEmbeddedBroker({
      credentials: store,
      logger,
      port: 0,
      wsPort: 0,
      limits: { maxPendingPerAddress: 3, maxPendingTotal: 100 },
    });
    const tcpUrl = capped.wsUrl!.replace(/^ws:/, 'mqtt:');
    const open: RawClient[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push(await RawClient.open(tcpUrl)); // silent, before any HTTP
      const fourth = await RawClient.open(tcpUrl);
      const mqttToo = await RawClient.open(capped.mqttUrl); // the cap is per address across listeners
      open.push(fourth, mqttToo);
      expect(await eventually(() => fourth.closed && mqttToo.closed, 2000)).toBe(true);
      expect(open.slice(0, 3).every((r) => !r.closed)).toBe(true);
      // One of them goes away: an MQTT client over WebSocket gets its place and logs in.
      open[0]!.end();
      const tv = await newTv();
      expect(await eventually(() => open[0]!.closed)).toBe(true);
      const ws = await mustConnect(capped.wsUrl!, tv.username, tv.password);
      await endAll(ws.client);
    } finally {
      for (const r of open) r.end();
      await capped.close();
    }
  });

  it('holds at most so many sockets that have not logged in, per address and in total', async () => {
    const capped = await createEmbeddedBroker({
      credentials: store,
      logger,
      port: 0,
      limits: { maxPendingPerAddress: 3, maxPendingTotal: 5 },
    });
    const open: RawClient[] = [];
    try {
      for (let i = 0; i < 3; i++) open.push(await RawClient.open(capped.mqttUrl));
      const fourth = await RawClient.open(capped.mqttUrl);
      open.push(fourth);
      expect(await eventually(() => fourth.closed, 2000)).toBe(true);
      expect(open.slice(0, 3).every((r) => !r.closed)).toBe(true);
      // One of the three logs in: its place is free again.
      const tv = await newTv();
      await open[0]!.write(connectPacket({ clientId: tv.username, username: tv.username, password: tv.password }));
      expect(await eventually(() => open[0]!.connackCode() === 0)).toBe(true);
      const next = await RawClient.open(capped.mqttUrl);
      open.push(next);
      await next.write(connectPacket({ clientId: muni.username, username: muni.username, password: muni.password }));
      expect(await eventually(() => next.connackCode() === 0)).toBe(true);
      // In total (the same address here, so the per-address cap is raised out of the way).
      for (const r of open) r.end();
      await capped.close();
      const total = await createEmbeddedBroker({
        credentials: store,
        logger,
        port: 0,
        limits: { maxPendingPerAddress: 100, maxPendingTotal: 2 },
      });
      try {
        const a = await RawClient.open(total.mqttUrl);
        const b = await RawClient.open(total.mqttUrl);
        const c = await RawClient.open(total.mqttUrl);
        open.push(a, b, c);
        expect(await eventually(() => c.closed, 2000)).toBe(true);
        expect(a.closed || b.closed).toBe(false);
      } finally {
        await total.close();
      }
    } finally {
      for (const r of open) r.end();
      await capped.close();
    }
  });

  it('gives the WebSocket listener a maxPayload: a 2 MB frame is refused with 1009', async () => {
    const ws = new WebSocket(broker.wsUrl!, 'mqtt');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(await closed).toBe(1009);
  });
});

describe('after login', () => {
  it('sets the device limit from the contract: its largest device message on the longest device topic fits four times', () => {
    const id = 'x'.repeat(64);
    const topic = topics.shelterEvent(id, id, id);
    const packet = 1 + 2 + 2 + Buffer.byteLength(topic) + 2 + Buffer.byteLength(largestDeviceMessage());
    expect(packet * 4).toBeLessThanOrEqual(BROKER_LIMIT_DEFAULTS.maxPacketDevice);
    expect(BROKER_LIMIT_DEFAULTS.maxPacketBeforeLogin).toBeLessThan(BROKER_LIMIT_DEFAULTS.maxPacketDevice);
  });

  it("lets a TV publish the contract's largest device message and disconnects it above the device limit", async () => {
    const tv = await newTv();
    const got: string[] = [];
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password);
    m.client.on('message', (_t, p) => got.push(p.toString()));
    expect(await subscribeCodes(m.client, [topics.allReceipts(M)])).toEqual([1]);
    const t = await mustConnect(broker.mqttUrl, tv.username, tv.password);
    const receipt = topics.tvReceipt(M, deviceOf(tv));
    expect(await publishOutcome(t.client, receipt, largestDeviceMessage())).toBe('acked');
    expect(await eventually(() => got.length === 1)).toBe(true);
    const tooBig = 'x'.repeat(BROKER_LIMIT_DEFAULTS.maxPacketDevice);
    expect(await publishOutcome(t.client, receipt, tooBig)).toBe('closed');
    expect(got.length).toBe(1);
    await endAll(t.client, m.client);
  });

  it('lets the municipality publish an alert larger than the device limit', async () => {
    const tv = await newTv();
    const t = await mustConnect(broker.mqttUrl, tv.username, tv.password);
    expect(await subscribeCodes(t.client, [topics.tvOwn(M, deviceOf(tv))])).toEqual([1]);
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password);
    const alert = 'a'.repeat(BROKER_LIMIT_DEFAULTS.maxPacketDevice * 4);
    expect(await publishOutcome(m.client, topics.tvAlert(M, deviceOf(tv)), alert)).toBe('acked');
    expect(await eventually(() => t.received.length === 1)).toBe(true);
    await endAll(t.client, m.client);
  });
});

/** A shelter event with every field at its largest (3-byte characters in the free text). */
function largestDeviceMessage(): string {
  const id = 'i'.repeat(64);
  const event: ShelterEvent = {
    v: 1,
    kind: 'shelter-event',
    eventId: id,
    seq: Number.MAX_SAFE_INTEGER,
    type: 'transfer-out',
    at: new Date().toISOString(),
    rosterKey: id,
    certSerial: 'f'.repeat(64),
    manual: { name: '避'.repeat(100), ageGroup: 'senior', household: '難'.repeat(100), needsCare: true },
    undoes: id,
    toShelter: id,
    needsCare: true,
    checkIn: id,
  };
  return encodeMessage(event);
}

describe('the same limits on Mosquitto (generated config)', () => {
  it('closes a client above max_packet_size; it cannot hold devices to a smaller limit (documented)', async () => {
    expect(mosquittoConfig({ host: '127.0.0.1', port: 1, dynsecFile: '/x' })).toContain(
      `max_packet_size ${BROKER_LIMIT_DEFAULTS.maxPacketServer}`,
    );
    const limits = { maxPacketServer: 16 * 1024 };
    const m = await startMosquitto({ credentials: store, logger, limits });
    try {
      const tv = await newTv();
      const t = await mustConnect(m.url, tv.username, tv.password);
      const receipt = topics.tvReceipt(M, deviceOf(tv));
      // above the device limit, below max_packet_size: Mosquitto has one limit for everyone
      expect(await publishOutcome(t.client, receipt, 'd'.repeat(BROKER_LIMIT_DEFAULTS.maxPacketDevice + 1))).toBe(
        'acked',
      );
      expect(await publishOutcome(t.client, receipt, 's'.repeat(limits.maxPacketServer))).toBe('closed');
      await endAll(t.client);
    } finally {
      await m.close();
    }
  });
});

describe('the same limits on RabbitMQ (generated config)', () => {
  it('closes a socket that does not log in within mqtt.login_timeout', async () => {
    const limits = { connectTimeoutMs: 2000 };
    const r = await startRabbitMq({ credentials: store, logger, cacheTtlMs: 1000, limits });
    try {
      const idle = await RawClient.open(r.url);
      const started = Date.now();
      expect(await eventually(() => idle.closed, 8000)).toBe(true);
      expect(idle.closedAt - started).toBeLessThan(limits.connectTimeoutMs + 3000);
      idle.end();
    } finally {
      await r.close();
    }
  }, 240_000);
});
