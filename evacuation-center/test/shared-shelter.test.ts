/**
 * Several terminals at one shelter agree on the count (they read each other's events through
 * the broker, which allows a terminal its own shelter's event topics and nothing else), and a
 * terminal without valid credentials sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  migrateBroker,
  type CredentialStore,
  type EmbeddedBroker,
} from '@kizuna/broker';
import { buildTerminalApp, type TerminalApp } from '../src/app.ts';
import { quietLogger } from './helpers.ts';

const MUNI = '999997';

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('terminals sharing a shelter', () => {
  let brokerDb: Db;
  let credentials: CredentialStore;
  let broker: EmbeddedBroker;
  const dbs: Db[] = [];
  const apps: TerminalApp[] = [];

  async function terminal(shelter: string, id: string, creds?: { username: string; password: string }) {
    const db = await openDb({});
    dbs.push(db);
    const mqttCredentials = creds ?? (await credentials.issue({ kind: 'terminal', muni: MUNI, shelter, terminal: id }));
    const app = await buildTerminalApp({
      db,
      logger: quietLogger(),
      muni: MUNI,
      shelter,
      terminal: id,
      mqttUrl: broker.mqttUrl,
      mqttCredentials,
      capacity: 100,
      reconnect: { baseMs: 100, capMs: 500 },
    });
    apps.push(app);
    return app;
  }
  const occupancy = async (app: TerminalApp) =>
    (await app.inject({ url: '/api/status' })).json().occupancy.present as number;
  const checkIn = (app: TerminalApp, name: string) =>
    app.inject({ method: 'POST', url: '/api/check-ins', payload: { manual: { name } } });

  beforeAll(async () => {
    brokerDb = await openDb({});
    await migrateBroker(brokerDb);
    credentials = await createCredentialStore(brokerDb);
    broker = await createEmbeddedBroker({ credentials, logger: quietLogger(), port: 0 });
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const d of dbs) await d.close();
    await broker?.close();
    await brokerDb?.close();
  });

  it('counts the arrivals of every terminal at the shelter, and only that shelter', async () => {
    const a = await terminal('sh-a', 'door-1');
    const b = await terminal('sh-a', 'door-2');
    const other = await terminal('sh-b', 'door-1');
    await until(
      async () => [a.link!.peers, b.link!.peers, other.link!.peers],
      (p) => p.every((x) => x === 'subscribed'),
    );
    for (let i = 0; i < 3; i += 1) expect((await checkIn(a, `a${i}`)).statusCode).toBe(201);
    for (let i = 0; i < 2; i += 1) expect((await checkIn(b, `b${i}`)).statusCode).toBe(201);
    expect((await checkIn(other, 'elsewhere')).statusCode).toBe(201);
    await until(
      () => Promise.all([occupancy(a), occupancy(b)]),
      ([x, y]) => x === 5 && y === 5,
    );
    // a check-out at one door is seen at the other
    const present = (await b.inject({ url: '/api/present' })).json().people as {
      personKey: string;
      displayName: string;
    }[];
    const fromA = present.find((p) => p.displayName === 'a0')!;
    expect(
      (await b.inject({ method: 'POST', url: '/api/check-outs', payload: { personKeys: [fromA.personKey] } }))
        .statusCode,
    ).toBe(201);
    await until(
      () => Promise.all([occupancy(a), occupancy(b)]),
      ([x, y]) => x === 4 && y === 4,
    );
    expect(await occupancy(other)).toBe(1);
  }, 120_000);

  it('after a broker restart that lost every session, terminals come back and read each other again', async () => {
    const a = await terminal('sh-d', 'door-1');
    const b = await terminal('sh-d', 'door-2');
    await until(
      async () => [a.link!.peers, b.link!.peers],
      (p) => p.every((x) => x === 'subscribed'),
    );
    // A new broker process on the same port: in-memory sessions (and their subscriptions) are gone.
    const port = Number(new URL(broker.mqttUrl).port);
    // broker.close() can resolve before a terminal has seen its socket close: until it has,
    // `connected` and `peers` still describe the old session, and a check-in made then reaches
    // the new broker before the other terminal has subscribed there (the old flake: [1,0]).
    const closed = [a, b].map((t) => new Promise<void>((r) => t.link!.client.once('close', () => r())));
    await broker.close();
    await Promise.all(closed);
    broker = await createEmbeddedBroker({ credentials, logger: quietLogger(), port });
    await until(
      async () => [a.link!.connected, b.link!.connected],
      (c) => c.every(Boolean),
    );
    await until(
      async () => [a.link!.peers, b.link!.peers],
      (p) => p.every((x) => x === 'subscribed'),
    );
    expect((await checkIn(a, 'after-restart')).statusCode).toBe(201);
    await until(
      () => Promise.all([occupancy(a), occupancy(b)]),
      ([x, y]) => x === 1 && y === 1,
      20_000,
    );
  }, 120_000);

  it('sends nothing with revoked credentials, keeping the events queued', async () => {
    const creds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-c', terminal: 'door-1' });
    await credentials.revoke(creds.username);
    const t = await terminal('sh-c', 'door-1', creds);
    expect((await checkIn(t, 'queued')).statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 1500));
    const s = (await t.inject({ url: '/api/status' })).json();
    expect(s.link).toMatchObject({ connected: false, backlog: 1 });
  });
});
