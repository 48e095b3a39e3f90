/**
 * Issue 7: a console restarted on its persistent broker session loses nothing that the broker
 * re-sends the moment it reconnects. The broker delivers in-flight and queued messages right after
 * CONNACK, before the console has started Ingest; `parkIncoming` (installed before connecting, as
 * server.ts does) keeps them unacknowledged and hands them to Ingest, which stores each once and
 * only then acknowledges. On both brokers: the embedded aedes and a private Mosquitto (CI).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { Db, Queryable } from '@kizuna/core';
import { dbEngines } from '@kizuna/test-utils';
import { encodeMessage, topics, type ShelterEvent } from '@kizuna/contract';
import { Ingest } from '../src/live/ingest.ts';
import { parkIncoming } from '../src/live/mqtt-park.ts';
import { migrateConsole } from '../src/index.ts';
import { brokerKinds, MUNI, silentLogger, startBroker, until, type TestBroker } from './helpers.ts';

const SHELTER = 'sh-restart';
const clock = { now: () => new Date() };
const CONSOLE = { kind: 'municipality', muni: MUNI } as const;

/** The store as the dying console sees it: its writes never commit (the process dies mid-write). */
function hangingStore(db: Db): { store: Db; attempts: () => number } {
  let n = 0;
  const store: Db = {
    engine: db.engine,
    query: (t, p) => db.query(t, p),
    exec: (s) => db.exec(s),
    close: () => Promise.resolve(),
    tx<T>(_fn: (q: Queryable) => Promise<T>): Promise<T> {
      n += 1;
      return new Promise<T>(() => undefined);
    },
  };
  return { store, attempts: () => n };
}

for (const engine of dbEngines())
  for (const brokerKind of brokerKinds()) {
    describe(`console restart on its persistent session (${engine.name}, ${brokerKind})`, () => {
      let broker: TestBroker;
      let db: Awaited<ReturnType<typeof engine.open>>;
      let terminal: MqttClient;
      const clients: MqttClient[] = [];
      const ingests: Ingest[] = [];

      /** A console process starting as server.ts starts it: park first, connect, start Ingest, release. */
      async function startConsoleIngest(
        store: Db,
      ): Promise<{ client: MqttClient; ingest: Ingest; parkedAtStart: number }> {
        const c = await broker.login(CONSOLE);
        const client = mqtt.connect(broker.url, {
          clientId: c.username,
          username: c.username,
          password: c.password,
          protocolVersion: 4,
          clean: false,
          reconnectPeriod: 200,
        });
        clients.push(client);
        const parked = parkIncoming(client);
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
        });
        // the console's start-up (migrations, HTTP server) takes a while; the broker re-sends meanwhile
        await new Promise((r) => setTimeout(r, 300));
        const ingest = new Ingest({
          db: store,
          mqtt: client,
          muni: MUNI,
          logger: silentLogger(),
          clock,
          onChange: () => undefined,
        });
        ingests.push(ingest);
        await ingest.start();
        const parkedAtStart = parked.count;
        parked.release();
        return { client, ingest, parkedAtStart };
      }

      beforeAll(async () => {
        broker = await startBroker(brokerKind);
        db = await engine.open();
        await migrateConsole(db);
        terminal = await mqtt.connectAsync(
          broker.url,
          await (async () => {
            const c = await broker.login({ kind: 'terminal', muni: MUNI, shelter: SHELTER, terminal: 'door-1' });
            return { clientId: c.username, username: c.username, password: c.password, protocolVersion: 4 as const };
          })(),
        );
      });
      afterAll(async () => {
        for (const i of ingests) await Promise.race([i.stop(), new Promise((r) => setTimeout(r, 1_000))]);
        for (const c of clients) await c.endAsync(true);
        await terminal?.endAsync(true);
        await db?.drop();
        await broker?.close();
      });

      it('a console killed between receiving and writing, restarted at once: every event stored exactly once', async () => {
        const ids: string[] = [];
        const event = (seq: number): ShelterEvent => {
          const e: ShelterEvent = {
            v: 1,
            kind: 'shelter-event',
            eventId: randomUUID(),
            seq,
            type: 'check-in',
            at: new Date().toISOString(),
            manual: { name: `person ${seq}` },
          };
          ids.push(e.eventId);
          return e;
        };
        const stored = async () =>
          (
            await db.query<{ event_id: string; n: number }>(
              'SELECT event_id, count(*)::int AS n FROM checkins WHERE event_id = ANY($1::text[]) GROUP BY event_id',
              [ids],
            )
          ).rows;

        // first life: the session is created, messages arrive, the write hangs, the process dies
        const { store, attempts } = hangingStore(db);
        const first = await startConsoleIngest(store);
        const topic = topics.shelterEvent(MUNI, SHELTER, 'door-1');
        for (let i = 1; i <= 60; i++) await terminal.publishAsync(topic, encodeMessage(event(i)), { qos: 1 });
        await until(() => attempts() > 0, 'the first console to start writing', 30_000);
        expect(await stored()).toHaveLength(0);
        first.client.end(true); // no DISCONNECT, no PUBACK

        // second life, straight away, same session, a working store
        const second = await startConsoleIngest(db);
        await until(
          async () => {
            await second.ingest.flush();
            return (await stored()).length >= ids.length;
          },
          'every event stored after the restart',
          30_000,
        );
        await second.ingest.flush();
        const rows = await stored();
        expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
        expect(rows.every((r) => r.n === 1)).toBe(true);
      });
    });
  }

describe('parkIncoming', () => {
  it('refuses to release into itself: Ingest (or another handler) must have taken over first', () => {
    const client = mqtt.connect('mqtt://127.0.0.1:1', { manualConnect: true });
    const parked = parkIncoming(client);
    expect(() => parked.release()).toThrow(/start Ingest first/); // never connected: nothing to end
  });
});
