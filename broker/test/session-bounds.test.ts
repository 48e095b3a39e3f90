/**
 * Issue 21: one stolen TV password must not be able to grow the broker's memory. A persistent
 * session (clean=false) holds only the filters that were granted: a TV that subscribes to
 * [own/+, #] (SUBACK [1, 0x80]) and goes away gets nothing queued for the refused `#`. Measured
 * in the broker itself: aedes' persistence queue for that client, and Mosquitto's message store
 * (`$SYS/broker/store/messages/count` less its retained messages, read as the admin identity). A control alert to the TV's own
 * topic shows the measure counts what is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  startMosquitto,
  type CredentialStore,
  type IssuedCredentials,
} from '../src/index.ts';
import { endAll, eventually, eventuallyAsync, mustConnect, subscribeCodes } from './mqtt-helpers.ts';

const M = '999997';
const logger = createLogger({ name: 'test', level: 'silent' });
const RECEIPTS = 100;

interface Target {
  name: string;
  start(store: CredentialStore): Promise<{
    url: string;
    /** Messages the broker holds for the offline client `clientId` (or, for Mosquitto, in its whole store). */
    queued(clientId: string): Promise<number>;
    close(): Promise<void>;
  }>;
}

const targets: Target[] = [
  {
    name: 'embedded aedes',
    async start(store) {
      const b = await createEmbeddedBroker({ credentials: store, logger, port: 0 });
      const { persistence } = b.aedes as unknown as {
        persistence: { outgoingStream(c: { id: string }): AsyncIterable<unknown> };
      };
      return {
        url: b.mqttUrl,
        async queued(clientId) {
          let n = 0;
          for await (const _ of persistence.outgoingStream({ id: clientId })) n++;
          return n;
        },
        close: () => b.close(),
      };
    },
  },
  {
    name: 'mosquitto',
    async start(store) {
      const m = await startMosquitto({ credentials: store, logger, extraConfig: ['sys_interval 1'] });
      const admin = await store.issue({ kind: 'admin' });
      const sys = await mustConnect(m.url, admin.username, admin.password);
      // The store holds retained messages ($SYS's own among them) and queued ones: queued = store − retained.
      const sysValue: Record<string, number> = {};
      sys.client.on('message', (t, p) => (sysValue[t] = Number(p.toString())));
      const STORE = '$SYS/broker/store/messages/count';
      const RETAINED = '$SYS/broker/retained messages/count';
      expect(await subscribeCodes(sys.client, [STORE, RETAINED])).toEqual([1, 1]);
      return {
        url: m.url,
        async queued() {
          await eventually(() => sysValue[STORE] !== undefined && sysValue[RETAINED] !== undefined);
          return sysValue[STORE]! - sysValue[RETAINED]!;
        },
        async close() {
          await endAll(sys.client);
          await m.close();
        },
      };
    },
  },
];

describe.each(targets)('sessions hold only what was granted: $name', (target) => {
  let db: Db;
  let store: CredentialStore;
  let broker: Awaited<ReturnType<Target['start']>>;
  let muni: IssuedCredentials;
  let sender: MqttClient;

  beforeAll(async () => {
    db = await openDb({});
    store = await createCredentialStore(db);
    muni = await store.issue({ kind: 'municipality', muni: M });
    broker = await target.start(store);
    sender = (await mustConnect(broker.url, muni.username, muni.password)).client;
  }, 120_000);

  afterAll(async () => {
    await endAll(sender);
    await broker?.close();
    await db?.close();
  });

  it('queues nothing for an offline TV under a refused `#`, while its granted filter still queues', async () => {
    const hog = await store.issue({ kind: 'tv', muni: M, device: 'hog' });
    const other = await store.issue({ kind: 'tv', muni: M, device: 'other' });
    const first = await mustConnect(broker.url, hog.username, hog.password, { clean: false });
    expect(await subscribeCodes(first.client, [topics.tvOwn(M, 'hog'), '#'])).toEqual([1, 0x80]);
    await endAll(first.client);
    // Nothing is queued for it yet (Mosquitto's two counts settle within a $SYS interval).
    expect(await eventuallyAsync(async () => (await broker.queued(hog.username)) === 0, 10_000)).toBe(true);

    // Another TV's receipts, each one a QoS 1 message the refused `#` would match; the console
    // receives them all, so they are through the broker when it has.
    const receipts: string[] = [];
    sender.on('message', (t) => {
      if (t === topics.tvReceipt(M, 'other')) receipts.push(t);
    });
    expect(await subscribeCodes(sender, [topics.allReceipts(M)])).toEqual([1]);
    const tv = await mustConnect(broker.url, other.username, other.password);
    const body = JSON.stringify({ v: 1, kind: 'receipt', pad: 'x'.repeat(1000) });
    for (let i = 0; i < RECEIPTS; i++) await tv.client.publishAsync(topics.tvReceipt(M, 'other'), body, { qos: 1 });
    expect(await eventually(() => receipts.length === RECEIPTS, 20_000)).toBe(true);
    await endAll(tv.client);

    // The control: one alert to the hog's own topic is queued, and nothing else is.
    await sender.publishAsync(topics.tvAlert(M, 'hog'), 'own alert', { qos: 1 });
    let queued = -1;
    await eventuallyAsync(async () => (queued = await broker.queued(hog.username)) === 1, 10_000);
    expect(queued).toBe(1);

    const again = await mustConnect(broker.url, hog.username, hog.password, { clean: false });
    expect(await eventually(() => again.received.length >= 1)).toBe(true);
    expect(again.received.map((r) => r.payload)).toEqual(['own alert']);
    await endAll(again.client);
  });
});
