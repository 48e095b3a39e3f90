/**
 * More than one Mosquitto: the `bridge` identity's policy (unit and on a real Mosquitto, logged
 * in exactly as an edge's bridge is), and a core + 2 edges cluster end to end: alerts published
 * at the core reach TVs at the edges, receipts come back, and each edge still holds every TV to
 * its own topics. A missing Mosquitto fails this suite with KZ_BROKER_BINARY_MISSING.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  dynsecAcls,
  mosquittoHash,
  newPassword,
  policy,
  startMosquitto,
  startMosquittoCluster,
  usernameOf,
  type BrokerIdentity,
  type CredentialStore,
  type IssuedCredentials,
  type MosquittoCluster,
  type RunningBroker,
} from '../src/index.ts';
import { endAll, eventually, mustConnect, publishOutcome, sleep, subscribeCodes } from './mqtt-helpers.ts';

const M = '999997';
const OTHER = '999996';
const logger = createLogger({ name: 'test', level: 'silent' });
const bridge: BrokerIdentity = { kind: 'bridge', muni: M, bridge: 'edge1' };

describe('bridge identity: policy', () => {
  it("subscribes to its municipality's TV alerts, mail and areas; publishes only their receipts", () => {
    expect(policy.canSubscribe(bridge, topics.allTvAlerts(M))).toBe(true);
    expect(policy.canSubscribe(bridge, `kz/${M}/tv/+/mail`)).toBe(true);
    expect(policy.canSubscribe(bridge, topics.areaAll(M))).toBe(true);
    expect(policy.canReceive(bridge, topics.tvAlert(M, 'tv1'))).toBe(true);
    expect(policy.canPublish(bridge, topics.tvReceipt(M, 'tv1'))).toBe(true);
  });

  it.each([
    ["another municipality's TV alerts", topics.allTvAlerts(OTHER)],
    ['every municipality', 'kz/+/tv/+/alert'],
    ['everything', '#'],
    ['everything under kz/', 'kz/#'],
    ["its TVs' receipts (only the console reads those)", topics.allReceipts(M)],
    ['shelter events', topics.allShelterEvents(M)],
    ['$SYS', '$SYS/#'],
    ['dynamic-security control', '$CONTROL/dynamic-security/#'],
  ])('refuses to subscribe to %s', (_what, filter) => expect(policy.canSubscribe(bridge, filter)).toBe(false));

  it.each([
    ['a fake alert', topics.tvAlert(M, 'tv1')],
    ['a fake area alert', topics.areaAlert(M, 'z1')],
    ["another municipality's receipt", topics.tvReceipt(OTHER, 'tv1')],
    ['a shelter event', topics.shelterEvent(M, 'sh1', 't1')],
    ['$SYS', '$SYS/broker/connection/x/state'],
  ])('refuses to publish %s', (_what, topic) => expect(policy.canPublish(bridge, topic)).toBe(false));

  it('receives nothing outside its grants, even through a stored subscription', () => {
    expect(policy.canReceive(bridge, topics.tvAlert(OTHER, 'tv1'))).toBe(false);
    expect(policy.canReceive(bridge, topics.tvReceipt(M, 'tv1'))).toBe(false);
  });

  it('is never stored: the credential store refuses to issue it', async () => {
    const db = await openDb({});
    try {
      const store = await createCredentialStore(db, { logger });
      await expect(store.issue(bridge)).rejects.toMatchObject({ code: 'KZ_BROKER_IDENTITY_INVALID' });
    } finally {
      await db.close();
    }
  });
});

describe('bridge identity on a real Mosquitto (as the core sees an edge)', () => {
  let db: Db;
  let store: CredentialStore;
  let core: RunningBroker;
  let muni: IssuedCredentials;
  let otherMuni: IssuedCredentials;
  const password = newPassword();
  const username = usernameOf(bridge);

  beforeAll(async () => {
    db = await openDb({});
    store = await createCredentialStore(db, { logger });
    muni = await store.issue({ kind: 'municipality', muni: M });
    otherMuni = await store.issue({ kind: 'municipality', muni: OTHER });
    core = await startMosquitto({
      credentials: store,
      logger,
      extraClients: [{ username, hash: await mosquittoHash(password), acls: dynsecAcls(bridge) }],
    });
  }, 60_000);
  afterAll(async () => {
    await core?.close();
    await db?.close();
  });

  it("gets its municipality's alerts and nothing else; its fake alerts and foreign receipts are dropped", async () => {
    const b = await mustConnect(core.url, username, password);
    const m = await mustConnect(core.url, muni.username, muni.password);
    const o = await mustConnect(core.url, otherMuni.username, otherMuni.password);
    try {
      expect(
        await subscribeCodes(b.client, [
          topics.allTvAlerts(M),
          topics.allTvAlerts(OTHER),
          'kz/#',
          topics.allReceipts(M),
          '$SYS/#',
        ]),
      ).toEqual([1, 0x80, 0x80, 0x80, 0x80]);
      expect(await subscribeCodes(m.client, [topics.allReceipts(M)])).toEqual([1]);
      expect(await subscribeCodes(o.client, [topics.allTvAlerts(OTHER)])).toEqual([0x80]); // a municipality does not read alerts
      // legitimate traffic both ways
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv1'), 'mine')).toBe('acked');
      expect(await publishOutcome(o.client, topics.tvAlert(OTHER, 'tv1'), 'theirs')).toBe('acked');
      expect(await publishOutcome(b.client, topics.tvReceipt(M, 'tv1'), 'receipt')).toBe('acked');
      // what the bridge must not do: Mosquitto acknowledges a refused QoS 1 publish and drops it
      expect(await publishOutcome(b.client, topics.tvAlert(M, 'tv2'), 'fake alert')).toBe('acked');
      expect(await publishOutcome(b.client, topics.tvReceipt(OTHER, 'tv1'), 'foreign receipt')).toBe('acked');
      expect(await eventually(() => b.received.length >= 1 && m.received.length >= 1)).toBe(true);
      await sleep(300);
      expect(b.received.map((r) => r.payload)).toEqual(['mine']);
      expect(m.received.map((r) => r.payload)).toEqual(['receipt']);
    } finally {
      await endAll(b.client, m.client, o.client);
    }
  });

  it('a wrong password is refused', async () => {
    const { connectAs } = await import('./mqtt-helpers.ts');
    expect(await connectAs(core.url, username, newPassword())).toMatchObject({ ok: false });
  });
});

describe('mosquitto cluster: core + 2 bridged edges', () => {
  let db: Db;
  let store: CredentialStore;
  let cluster: MosquittoCluster;
  let muni: IssuedCredentials;
  let tv1: IssuedCredentials;
  let tv2: IssuedCredentials;

  beforeAll(async () => {
    db = await openDb({});
    store = await createCredentialStore(db, { logger });
    muni = await store.issue({ kind: 'municipality', muni: M });
    tv1 = await store.issue({ kind: 'tv', muni: M, device: 'tv1' });
    tv2 = await store.issue({ kind: 'tv', muni: M, device: 'tv2' });
    cluster = await startMosquittoCluster({ credentials: store, logger, edges: 2, munis: [M] });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await db?.close();
  });

  it("carries each TV's alert from the core to its edge, retained area alerts too, and receipts back", async () => {
    const [e1, e2] = cluster.edgeUrls as [string, string];
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    const a = await mustConnect(e1, tv1.username, tv1.password);
    const b = await mustConnect(e2, tv2.username, tv2.password);
    try {
      expect(await subscribeCodes(m.client, [topics.allReceipts(M)])).toEqual([1]);
      // its alert only: a TV on its own `+` would also see its own receipt come back
      expect(await subscribeCodes(a.client, [topics.tvAlert(M, 'tv1')])).toEqual([1]);
      expect(
        await subscribeCodes(b.client, [topics.tvOwn(M, 'tv2'), topics.tvOwn(M, 'tv1'), topics.allTvAlerts(M)]),
      ).toEqual([1, 0x80, 0x80]);
      await publishOutcome(m.client, topics.tvAlert(M, 'tv1'), 'for tv1');
      await publishOutcome(m.client, topics.tvAlert(M, 'tv2'), 'for tv2');
      await publishOutcome(m.client, topics.areaAlert(M, 'z1'), 'area', { retain: true });
      await publishOutcome(a.client, topics.tvReceipt(M, 'tv1'), 'receipt tv1');
      // a TV at an edge cannot forge another TV's receipt into the core
      await publishOutcome(b.client, topics.tvReceipt(M, 'tv1'), 'forged');
      expect(await eventually(() => a.received.length >= 1 && b.received.length >= 1 && m.received.length >= 1)).toBe(
        true,
      );
      await sleep(300);
      expect(a.received.map((r) => r.payload)).toEqual(['for tv1']);
      expect(b.received.map((r) => r.payload)).toEqual(['for tv2']); // not tv1's, though both passed through every edge
      expect(m.received.map((r) => r.payload)).toEqual(['receipt tv1']);

      // the retained area alert reached the edge and is served there to a TV that subscribes later
      expect(await subscribeCodes(a.client, [topics.areaAll(M)])).toEqual([1]);
      expect(await eventually(() => a.received.some((r) => r.payload === 'area' && r.retain))).toBe(true);
    } finally {
      await endAll(m.client, a.client, b.client);
    }
  });

  it('a revoked TV is refused at every edge', async () => {
    const tv3 = await store.issue({ kind: 'tv', muni: M, device: 'tv3' });
    await store.revoke(tv3.username);
    const { connectAs } = await import('./mqtt-helpers.ts');
    for (const url of cluster.edgeUrls)
      expect(await connectAs(url, tv3.username, tv3.password)).toMatchObject({ ok: false });
  });

  it('spreads devices over the edges by id, the same way every time', () => {
    const seen = new Set(Array.from({ length: 30 }, (_, i) => cluster.edgeFor(`tv${i}`)));
    expect(seen.size).toBe(2);
    expect(cluster.edgeFor('tv7')).toBe(cluster.edgeFor('tv7'));
  });
});
