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
import { topics, parseTopic } from '@kizuna/contract';
import { AlertPublisher, laneOf } from '../src/alerts/alert-publisher.ts';
import { connectPublishers } from '../src/live/mqtt-publishers.ts';
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

describe('publishing over several connections (KZ_CONSOLE_MQTT_PUBLISHERS)', () => {
  // A broker that checks each publish before it takes the connection's next one, as RabbitMQ asks
  // its auth service about each TV's topic: here 40 ms a check, one connection's one after another.
  const CHECK_MS = 40;
  const M = '999990';
  let b: Aedes;
  let srv: Server;
  let at = '';
  let checking = 0;
  let most = 0;
  /** Publishes a connection has sent that the broker has not yet taken, by connection; the most at once. */
  const waiting = new Map<string, number>();
  let mostWaiting = 0;
  /** Every TV message the broker took: which connection, which TV, which payload, in order. */
  const seen: { clientId: string; device: string; payload: string }[] = [];

  beforeAll(async () => {
    // aedes itself checks a connection's publishes side by side: the stand-in keeps a line per connection
    const lines = new Map<string, Promise<void>>();
    b = await Aedes.createBroker({
      authorizePublish: (c, packet, done) => {
        const t = parseTopic(packet.topic);
        if (!t || !('device' in t)) return done(null);
        const id = c?.id ?? '';
        waiting.set(id, (waiting.get(id) ?? 0) + 1);
        mostWaiting = Math.max(mostWaiting, waiting.get(id)!);
        const turn = (lines.get(id) ?? Promise.resolve()).then(
          () =>
            new Promise<void>((resolve) => {
              most = Math.max(most, ++checking);
              setTimeout(() => {
                checking -= 1;
                waiting.set(id, waiting.get(id)! - 1);
                seen.push({ clientId: id, device: t.device, payload: packet.payload.toString() });
                done(null);
                resolve();
              }, CHECK_MS);
            }),
        );
        lines.set(id, turn);
      },
    });
    srv = createServer(b.handle);
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    at = `mqtt://127.0.0.1:${(srv.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((ok) => b.close(() => ok()));
    await new Promise<void>((ok) => srv.close(() => ok()));
  });

  /** 10 TVs, for each an alert's three revisions and its box's wake, as a fan-out and its updates send them. */
  const batch = () =>
    [1, 2, 3].flatMap((rev) =>
      Array.from({ length: 10 }, (_, i) => [
        ...(rev === 1 ? [{ topic: topics.tvWake(M, `tv-${i}`), payload: `wake`, retain: false }] : []),
        { topic: topics.tvAlert(M, `tv-${i}`), payload: `rev ${rev}`, retain: false },
      ]).flat(),
    );

  it('checks side by side, each TV always on one connection and in the order sent', async () => {
    const who = { username: `muni-${M}`, instance: 'a' };
    const main = await mqtt.connectAsync(at, consoleMqttOptions(who));
    const publishers = await connectPublishers(at, who, 3, silentLogger());
    try {
      expect(publishers.map((p) => p.options.clientId)).toEqual([`muni-${M}~a-p1`, `muni-${M}~a-p2`, `muni-${M}~a-p3`]);
      const publisher = new AlertPublisher(main, silentLogger(), 10_000, 1000, publishers);
      const out = batch();
      seen.length = 0;
      most = 0;
      const started = Date.now();
      expect(await publisher.publishAll(out)).toEqual({ failed: 0 });
      const took = Date.now() - started;
      // checked on more than one connection at once (one connection: one at a time, 40 × 40 ms)
      expect(most).toBeGreaterThan(1);
      expect(took).toBeLessThan(out.length * CHECK_MS);
      expect(new Set(seen.map((s) => s.clientId)).size).toBeGreaterThan(1);
      for (let i = 0; i < 10; i++) {
        const mine = seen.filter((s) => s.device === `tv-${i}`);
        expect(new Set(mine.map((s) => s.clientId)).size, `tv-${i}`).toBe(1);
        expect(
          mine.map((s) => s.payload),
          `tv-${i}`,
        ).toEqual(['wake', 'rev 1', 'rev 2', 'rev 3']);
        expect(mine[0]!.clientId).toBe(
          [main, ...publishers][laneOf(topics.tvAlert(M, `tv-${i}`), 4)]!.options.clientId,
        );
      }
    } finally {
      await Promise.all([main, ...publishers].map((c) => c.endAsync(true)));
    }
  });

  it('keeps at most its window of publishes unacknowledged on a connection, all sent in order', async () => {
    const main = await mqtt.connectAsync(at, consoleMqttOptions({ username: `muni-${M}`, instance: 'w' }));
    try {
      const publisher = new AlertPublisher(main, silentLogger(), 10_000, 1000, [], 5);
      seen.length = 0;
      mostWaiting = 0;
      const out = batch().slice(0, 20);
      expect(await publisher.publishAll(out)).toEqual({ failed: 0 });
      // (without the window all 20 were waiting at the broker at once)
      expect(mostWaiting).toBe(5);
      expect(seen.map((x) => x.payload)).toEqual(out.map((m) => m.payload));
    } finally {
      await main.endAsync(true);
    }
  });

  it('without publishing connections, one check at a time on the console connection', async () => {
    const main = await mqtt.connectAsync(at, consoleMqttOptions({ username: `muni-${M}`, instance: 'b' }));
    try {
      const publisher = new AlertPublisher(main, silentLogger(), 10_000);
      seen.length = 0;
      most = 0;
      const out = batch().slice(0, 10);
      expect(await publisher.publishAll(out)).toEqual({ failed: 0 });
      expect(most).toBe(1);
      expect(seen.map((s) => s.clientId)).toEqual(out.map(() => `muni-${M}~b`));
    } finally {
      await main.endAsync(true);
    }
  });
});
