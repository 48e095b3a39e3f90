/**
 * The publisher's wait for PUBACKs is bounded: a broker that takes a QoS 1 publish and never
 * acknowledges it (as mqtt.js was seen to wait for ever after RabbitMQ closed the console's
 * connection under it, in the fault suite) costs the fan-out the timeout, and the messages count
 * as failed for the re-sender, instead of holding the alert in 'fanning-out' for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { AlertPublisher } from '../src/alerts/alert-publisher.ts';
import { dropOutgoingOnReconnect } from '../src/live/mqtt-outgoing.ts';
import { consoleMqttOptions } from '../src/live/mqtt-connect.ts';
import { silentLogger } from './helpers.ts';

let broker: Aedes;
let server: Server;
let client: MqttClient;
let url = '';
/** Publishes to topics under `kz/silent/` are taken and never acknowledged. */
const SILENT = 'kz/silent/';
/** A publish to `kz/slow/<n>` is acknowledged (n + 1) × SLOW_MS after it arrives. */
const SLOW = 'kz/slow/';
const SLOW_MS = 150;
/** A username whose CONNECT is refused while set (as RabbitMQ refuses any while its auth backend is away). */
let refusing = '';

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate: (_client, username, _password, done) => done(null, username !== refusing),
    authorizePublish: (_client, packet, done) => {
      if (packet.topic.startsWith(SLOW))
        setTimeout(() => done(null), (Number(packet.topic.slice(SLOW.length)) + 1) * SLOW_MS);
      else if (!packet.topic.startsWith(SILENT)) done(null);
    },
  });
  server = createServer(broker.handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  url = `mqtt://127.0.0.1:${port}`;
  client = await mqtt.connectAsync(url, { clientId: 'console', protocolVersion: 4 });
});

afterAll(async () => {
  await client?.endAsync(true);
  await new Promise<void>((ok) => broker.close(() => ok()));
  await new Promise<void>((ok) => server.close(() => ok()));
});

describe('AlertPublisher', () => {
  // first: aedes handles one client's packets in order, and the silent ones below stall the rest
  it('resolves as soon as every publish is acknowledged', async () => {
    const publisher = new AlertPublisher(client, silentLogger(), 60_000);
    const started = Date.now();
    const r = await publisher.publishAll([
      { topic: 'kz/heard/a', payload: 'x', retain: false },
      { topic: 'kz/heard/b', payload: 'y', retain: true },
    ]);
    expect(r).toEqual({ failed: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('waits for a batch the broker acknowledges steadily, however long the whole takes', async () => {
    // 8 PUBACKs 150 ms apart: 1.2 s for the batch, against a 500 ms wait between two of them (at
    // 10,000 TVs a re-send of 20,000 to a loaded cluster was cut off whole at 30 s and sent again)
    const publisher = new AlertPublisher(client, silentLogger(), 500);
    const started = Date.now();
    const r = await publisher.publishAll(
      Array.from({ length: 8 }, (_, i) => ({ topic: `${SLOW}${i}`, payload: 'x', retain: false })),
    );
    expect(r).toEqual({ failed: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(8 * SLOW_MS - 50);
    expect(client.connected).toBe(true);
  });

  it('counts publishes the broker never acknowledges as failed after its timeout', async () => {
    const publisher = new AlertPublisher(client, silentLogger(), 300);
    const started = Date.now();
    const r = await publisher.publishAll([
      { topic: 'kz/heard/a', payload: 'x', retain: false },
      { topic: `${SILENT}b`, payload: 'x', retain: false },
      { topic: `${SILENT}c`, payload: 'x', retain: false },
    ]);
    expect(r).toEqual({ failed: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    // and the connection that acknowledged nothing is replaced by a new one, which is served
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    expect(await publisher.publishAll([{ topic: 'kz/heard/later', payload: 'z', retain: false }])).toEqual({
      failed: 0,
    });
  });
});

describe("the console's broker connection", () => {
  it('does not hold later publishes behind one left unacknowledged when its connection was lost', async () => {
    // as server.ts connects: a persistent session, reconnecting by itself
    const c = await mqtt.connectAsync(url, {
      clientId: 'console-2',
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 100,
    });
    dropOutgoingOnReconnect(c);
    try {
      c.publish(`${SILENT}lost`, 'x', { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      // the broker closes the connection with that publish unacknowledged
      const back = new Promise((r) => c.once('connect', r));
      // aedes keeps its connected clients by id (not in its type declarations)
      (broker as unknown as { clients: Record<string, { close(): void }> }).clients['console-2']!.close();
      await back;
      const publisher = new AlertPublisher(c, silentLogger(), 5000);
      expect(await publisher.publishAll([{ topic: 'kz/heard/after', payload: 'y', retain: false }])).toEqual({
        failed: 0,
      });
    } finally {
      await c.endAsync(true);
    }
  });

  it('keeps trying after a refused CONNECT, and is back once the broker lets it in', async () => {
    refusing = 'muni-refused';
    const c = mqtt.connect(url, {
      ...consoleMqttOptions({ username: 'muni-refused', password: 'pw', instance: 'a' }),
      reconnectPeriod: 100,
    });
    try {
      await new Promise<void>((resolve) => c.once('error', () => resolve()));
      const back = new Promise<void>((resolve) => c.once('connect', () => resolve()));
      refusing = '';
      await back;
      expect(c.connected).toBe(true);
    } finally {
      refusing = '';
      await c.endAsync(true);
    }
  });

  it('a send while its connection is being replaced waits for the new one instead of being refused', async () => {
    const c = await mqtt.connectAsync(url, { clientId: 'console-3', protocolVersion: 4, reconnectPeriod: 300 });
    try {
      const publisher = new AlertPublisher(c, silentLogger(), 5000, 5000);
      // the broker drops the connection (a node going away); the link is reconnecting when the send comes
      const dropped = new Promise<void>((r) => c.once('close', () => r()));
      (broker as unknown as { clients: Record<string, { close(): void }> }).clients['console-3']!.close();
      await dropped;
      expect(c.connected).toBe(false);
      await publisher.requireBroker();
      expect(c.connected).toBe(true);
    } finally {
      await c.endAsync(true);
    }
  });

  it('a send is refused, saying how long it waited, when the broker does not come back in time', async () => {
    refusing = 'muni-away';
    const c = mqtt.connect(url, {
      clientId: 'console-4',
      username: 'muni-away',
      protocolVersion: 4,
      reconnectPeriod: 100,
    });
    try {
      await new Promise<void>((resolve) => c.once('error', () => resolve()));
      const publisher = new AlertPublisher(c, silentLogger(), 5000, 400);
      const started = Date.now();
      await expect(publisher.requireBroker()).rejects.toMatchObject({
        code: 'KZ_CONSOLE_BROKER_UNAVAILABLE',
        statusCode: 503,
        message: expect.stringContaining('within 0.4 s'),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    } finally {
      refusing = '';
      await c.endAsync(true);
    }
  });
});
