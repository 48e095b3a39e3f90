/**
 * More than one embedded broker: the core aedes here, two aedes edges in child processes, each
 * bridged into the core as the `bridge` identity. Alerts published at the core reach TVs at the
 * edges, retained area alerts too, receipts come back; each edge holds every TV to its own
 * topics and follows the credential store (issue, rotate, revoke) before the store call returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  newPassword,
  startAedesCluster,
  usernameOf,
  type AedesCluster,
  type CredentialStore,
  type IssuedCredentials,
} from '../src/index.ts';
import { connectAs, endAll, eventually, mustConnect, publishOutcome, sleep, subscribeCodes } from './mqtt-helpers.ts';

const M = '999995';
const logger = createLogger({ name: 'test', level: 'silent' });

describe('aedes cluster: core + 2 edges in child processes', () => {
  let db: Db;
  let store: CredentialStore;
  let cluster: AedesCluster;
  let muni: IssuedCredentials;
  let tv1: IssuedCredentials;
  let tv2: IssuedCredentials;

  beforeAll(async () => {
    db = await openDb({});
    store = await createCredentialStore(db, { logger });
    muni = await store.issue({ kind: 'municipality', muni: M });
    tv1 = await store.issue({ kind: 'tv', muni: M, device: 'tv1' });
    tv2 = await store.issue({ kind: 'tv', muni: M, device: 'tv2' });
    cluster = await startAedesCluster({ credentials: store, logger, edges: 2, munis: [M], port: 0 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await db?.close();
  });

  it("carries each TV's alert from the core to its edge, and its receipt back to the core", async () => {
    const [e1, e2] = cluster.edgeUrls as [string, string];
    expect(e1).not.toBe(e2);
    expect(cluster.url).not.toBe(e1);
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    const a = await mustConnect(e1, tv1.username, tv1.password);
    const b = await mustConnect(e2, tv2.username, tv2.password);
    try {
      expect(await subscribeCodes(m.client, [topics.allReceipts(M)])).toEqual([1]);
      expect(await subscribeCodes(a.client, [topics.tvAlert(M, 'tv1')])).toEqual([1]);
      expect(await subscribeCodes(b.client, [topics.tvAlert(M, 'tv2')])).toEqual([1]);
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv1'), 'for tv1')).toBe('acked');
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv2'), 'for tv2')).toBe('acked');
      expect(await eventually(() => a.received.length >= 1 && b.received.length >= 1)).toBe(true);
      expect(await publishOutcome(a.client, topics.tvReceipt(M, 'tv1'), 'receipt tv1')).toBe('acked');
      expect(await eventually(() => m.received.length >= 1)).toBe(true);
      await sleep(300);
      expect(a.received.map((r) => r.payload)).toEqual(['for tv1']);
      expect(b.received.map((r) => r.payload)).toEqual(['for tv2']); // not tv1's, though both passed through every edge
      expect(m.received).toEqual([{ topic: topics.tvReceipt(M, 'tv1'), payload: 'receipt tv1', retain: false }]);
    } finally {
      await endAll(m.client, a.client, b.client);
    }
  });

  it("a TV at an edge cannot subscribe to another TV's topics, publish a fake alert or forge another TV's receipt", async () => {
    const e1 = cluster.edgeUrls[0]!;
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    try {
      expect(await subscribeCodes(m.client, [topics.allReceipts(M)])).toEqual([1]);
      const a = await mustConnect(e1, tv1.username, tv1.password);
      // [MQTT-3.9.3-2]: SUBACK 0x80 per refused filter
      expect(
        await subscribeCodes(a.client, [
          topics.tvOwn(M, 'tv1'),
          topics.tvOwn(M, 'tv2'),
          topics.allTvAlerts(M),
          topics.allReceipts(M),
          '#',
        ]),
      ).toEqual([1, 0x80, 0x80, 0x80, 0x80]);
      // MQTT 3.1.1 has no negative PUBACK: the edge closes the connection [MQTT-3.3.5-2]
      expect(await publishOutcome(a.client, topics.tvAlert(M, 'tv2'), 'fake alert')).toBe('closed');
      const a2 = await mustConnect(e1, tv1.username, tv1.password);
      expect(await publishOutcome(a2.client, topics.tvReceipt(M, 'tv2'), 'forged')).toBe('closed');
      await sleep(300);
      expect(m.received).toEqual([]);
      await endAll(a.client, a2.client);
    } finally {
      await endAll(m.client);
    }
  });

  it('a wrong password, an unknown username and a client id other than the username are refused at the edge', async () => {
    for (const url of cluster.edgeUrls) {
      expect(await connectAs(url, tv1.username, newPassword())).toMatchObject({ ok: false });
      expect(await connectAs(url, 'tv-999995-nobody', newPassword())).toMatchObject({ ok: false });
      expect(await connectAs(url, tv1.username, tv1.password, { clientId: 'tv-999995-tv2' })).toMatchObject({
        ok: false,
      });
      // nor does an edge take the core's bridge logins or anyone outside the store
      expect(await connectAs(url, `bridge-${M}-edge1`, newPassword())).toMatchObject({ ok: false });
    }
  });

  it('follows the store: a TV issued later connects, a rotated password stops working, a revoked TV is refused and disconnected', async () => {
    const tv3 = await store.issue({ kind: 'tv', muni: M, device: 'tv3' });
    for (const url of cluster.edgeUrls) {
      const c = await mustConnect(url, tv3.username, tv3.password);
      await endAll(c.client);
    }
    const rotated = await store.rotate(tv3.username);
    for (const url of cluster.edgeUrls) {
      expect(await connectAs(url, tv3.username, tv3.password)).toMatchObject({ ok: false });
    }
    const held = await mustConnect(cluster.edgeUrls[0]!, tv3.username, rotated.password);
    let closed = false;
    held.client.on('close', () => {
      closed = true;
    });
    await store.revoke(tv3.username);
    // the store call returned only after every edge applied it
    expect(closed || (await eventually(() => closed, 2000))).toBe(true);
    for (const url of cluster.edgeUrls) {
      expect(await connectAs(url, tv3.username, rotated.password)).toMatchObject({ ok: false });
    }
    await endAll(held.client);
  });

  it('a retained area alert published at the core is served at the edge to a TV that subscribes later', async () => {
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    try {
      expect(await publishOutcome(m.client, topics.areaAlert(M, 'z1'), 'area', { retain: true })).toBe('acked');
      await sleep(300);
      for (const [url, tv] of [
        [cluster.edgeUrls[0]!, tv1],
        [cluster.edgeUrls[1]!, tv2],
      ] as const) {
        const c = await mustConnect(url, tv.username, tv.password);
        expect(await subscribeCodes(c.client, [topics.areaAll(M)])).toEqual([1]);
        expect(await eventually(() => c.received.some((r) => r.payload === 'area' && r.retain))).toBe(true);
        await endAll(c.client);
      }
    } finally {
      await endAll(m.client);
    }
  });

  it('the core sends an edge only the messages of TVs that subscribed there (routes, not wildcards), and one right after the SUBACK arrives', async () => {
    const [e1, e2] = cluster.edgeUrls as [string, string];
    const tv5 = await store.issue({ kind: 'tv', muni: M, device: 'tv5' });
    const tv6 = await store.issue({ kind: 'tv', muni: M, device: 'tv6' });
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    const a = await mustConnect(e1, tv5.username, tv5.password);
    const b = await mustConnect(e2, tv6.username, tv6.password);
    try {
      expect(await subscribeCodes(a.client, [topics.tvAlert(M, 'tv5'), topics.tvMail(M, 'tv5')])).toEqual([1, 1]);
      expect(await subscribeCodes(b.client, [topics.tvAlert(M, 'tv6')])).toEqual([1]);
      // the TV's SUBACK waited for the core's: published at once, it still arrives
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv5'), 'at once')).toBe('acked');
      expect(await eventually(() => a.received.some((r) => r.payload === 'at once'))).toBe(true);
      const routesOf = async (edge: number) => {
        const subs = await (
          cluster.core.aedes as unknown as {
            persistence: { subscriptionsByClient(c: { id: string }): Promise<{ topic: string }[]> };
          }
        ).persistence.subscriptionsByClient({ id: usernameOf({ kind: 'bridge', muni: M, bridge: `edge${edge}` }) });
        return subs.map((x) => x.topic);
      };
      const r1 = await routesOf(1);
      const r2 = await routesOf(2);
      expect(r1).toEqual(
        expect.arrayContaining([topics.tvAlert(M, 'tv5'), topics.tvMail(M, 'tv5'), topics.areaAll(M)]),
      );
      expect(r2).toEqual(expect.arrayContaining([topics.tvAlert(M, 'tv6'), topics.areaAll(M)]));
      expect(r1).not.toContain(topics.tvAlert(M, 'tv6'));
      expect(r2).not.toContain(topics.tvAlert(M, 'tv5'));
      for (const r of [r1, r2]) expect(r).not.toEqual(expect.arrayContaining([topics.allTvAlerts(M)]));
    } finally {
      await endAll(m.client, a.client, b.client);
    }
  });

  it('a TV away from its edge gets what was published meanwhile when it comes back (its session and its route stay)', async () => {
    const e1 = cluster.edgeUrls[0]!;
    const tv7 = await store.issue({ kind: 'tv', muni: M, device: 'tv7' });
    const first = await mustConnect(e1, tv7.username, tv7.password, { clean: false });
    expect(await subscribeCodes(first.client, [topics.tvAlert(M, 'tv7')])).toEqual([1]);
    await endAll(first.client);
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    try {
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv7'), 'while away')).toBe('acked');
      await sleep(300);
      const back = await mustConnect(e1, tv7.username, tv7.password, { clean: false });
      expect(await eventually(() => back.received.some((r) => r.payload === 'while away'))).toBe(true);
      await endAll(back.client);
    } finally {
      await endAll(m.client);
    }
  });

  // near the end: it kills an edge
  it("an edge that dies is started again on the same URL with the store's credentials as they are now; TVs reconnect and get alerts again", async () => {
    const e1 = cluster.edgeUrls[0]!;
    const before = cluster.edgeStatus()[0]!;
    expect(before).toMatchObject({ url: e1, up: true, restarts: 0 });
    const tv8 = await store.issue({ kind: 'tv', muni: M, device: 'tv8' });
    const tv10 = await store.issue({ kind: 'tv', muni: M, device: 'tv10' });
    const a = await mustConnect(e1, tv8.username, tv8.password);
    let dropped = false;
    a.client.on('close', () => {
      dropped = true;
    });
    process.kill(before.pid!, 'SIGKILL');
    expect(await eventually(() => dropped, 5000)).toBe(true);
    await endAll(a.client);
    // changes while it is down neither fail nor get lost
    const tv9 = await store.issue({ kind: 'tv', muni: M, device: 'tv9' });
    await store.revoke(tv10.username);
    expect(await eventually(() => cluster.edgeStatus()[0]!.up && cluster.edgeStatus()[0]!.restarts === 1, 30_000)).toBe(
      true,
    );
    expect(cluster.edgeStatus()[0]!.pid).not.toBe(before.pid);
    expect(cluster.edgeUrls[0]).toBe(e1);
    const m = await mustConnect(cluster.url, muni.username, muni.password);
    const back = await mustConnect(e1, tv8.username, tv8.password);
    try {
      expect(await subscribeCodes(back.client, [topics.tvAlert(M, 'tv8')])).toEqual([1]);
      expect(await publishOutcome(m.client, topics.tvAlert(M, 'tv8'), 'after the restart')).toBe('acked');
      expect(await eventually(() => back.received.some((r) => r.payload === 'after the restart'))).toBe(true);
      const later = await mustConnect(e1, tv9.username, tv9.password);
      await endAll(later.client);
      expect(await connectAs(e1, tv10.username, tv10.password)).toMatchObject({ ok: false });
    } finally {
      await endAll(m.client, back.client);
    }
  }, 60_000);

  it('spreads devices over the edges by id, the same way every time', () => {
    const seen = new Set(Array.from({ length: 30 }, (_, i) => cluster.edgeFor(`tv${i}`)));
    expect(seen.size).toBe(2);
    expect(cluster.edgeFor('tv7')).toBe(cluster.edgeFor('tv7'));
  });
});
