import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type CredentialStore,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '../src/index.ts';
import { connectAs, endAll, eventually, mustConnect, publishOutcome, sleep, subscribeCodes } from './mqtt-helpers.ts';
import { RawClient, connectPacket, publishPacket, pubrelPacket } from './raw-mqtt.ts';

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
const newTv = () => store.issue({ kind: 'tv', muni: M, device: `etv${++n}` });
const deviceOf = (c: IssuedCredentials) => c.username.split('-').slice(2).join('-');

describe('embedded broker: CONNECT', () => {
  it('accepts a device with its own credentials over TCP and WebSocket', async () => {
    const tv = await newTv();
    const tcp = await mustConnect(broker.mqttUrl, tv.username, tv.password);
    await tcp.client.endAsync();
    expect(broker.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const ws = await mustConnect(broker.wsUrl!, tv.username, tv.password);
    await ws.client.endAsync();
  });

  it('answers a plain HTTP GET on the WebSocket port with 426 and what to use instead (the banner prints that URL)', async () => {
    const r = await fetch(broker.wsUrl!.replace(/^ws:/, 'http:'), { signal: AbortSignal.timeout(5000) });
    expect(r.status).toBe(426);
    expect(await r.text()).toMatch(/MQTT over WebSocket/);
  });

  it('answers a wrong password with CONNACK 4, a foreign client id with 2, no username with 5', async () => {
    const tv = await newTv();
    expect(await connectAs(broker.mqttUrl, tv.username, 'wrong-password')).toEqual({ ok: false, code: 4 });
    expect(await connectAs(broker.mqttUrl, tv.username, tv.password, { clientId: 'someone-else' })).toEqual({
      ok: false,
      code: 2,
    });
    expect(await connectAs(broker.mqttUrl, '', '', { clientId: 'anon' })).toEqual({ ok: false, code: 5 });
  });

  it("lets a municipality's console processes each use their own session (muni-…~instance), a TV's clean-session connections their own name (tv-…~connection), and no one else", async () => {
    const a = await mustConnect(broker.mqttUrl, muni.username, muni.password, { clientId: `${muni.username}~a` });
    const b = await mustConnect(broker.mqttUrl, muni.username, muni.password, { clientId: `${muni.username}~b` });
    // two sessions side by side: neither took the other over (a round trip on the first after the second connected)
    expect((await a.client.subscribeAsync(topics.allReceipts(M), { qos: 1 }))[0]!.qos).toBe(1);
    expect(a.client.connected && b.client.connected).toBe(true);
    await Promise.all([a.client.endAsync(), b.client.endAsync()]);
    const tv = await newTv();
    // a TV's connection name goes with a clean session only: a persistent one is refused
    expect(
      await connectAs(broker.mqttUrl, tv.username, tv.password, { clientId: `${tv.username}~a`, clean: false }),
    ).toEqual({ ok: false, code: 2 });
    const named = await mustConnect(broker.mqttUrl, tv.username, tv.password, { clientId: `${tv.username}~a` });
    await named.client.endAsync();
    expect(await connectAs(broker.mqttUrl, tv.username, tv.password, { clientId: `${muni.username}~a` })).toEqual({
      ok: false,
      code: 2,
    });
    expect(await connectAs(broker.mqttUrl, muni.username, muni.password, { clientId: `${muni.username}~a/b` })).toEqual(
      { ok: false, code: 2 },
    );
  });

  it('refuses MQTT 5 (aedes speaks 3.1.1 only)', async () => {
    const tv = await newTv();
    const out = await connectAs(broker.mqttUrl, tv.username, tv.password, { protocolVersion: 5 });
    expect(out.ok).toBe(false);
  });
});

describe('embedded broker: policy at SUBSCRIBE, PUBLISH and delivery', () => {
  it("grants own topics and refuses another TV's with SUBACK 0x80, delivering only what is its own", async () => {
    const a = await newTv();
    const b = await newTv();
    const ta = await mustConnect(broker.mqttUrl, a.username, a.password);
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password);
    expect(
      await subscribeCodes(ta.client, [
        topics.tvOwn(M, deviceOf(a)),
        topics.tvAlert(M, deviceOf(b)),
        `kz/${M}/tv/+/alert`,
      ]),
    ).toEqual([1, 128, 128]);
    await m.client.publishAsync(topics.tvAlert(M, deviceOf(b)), 'for b', { qos: 1 });
    await m.client.publishAsync(topics.tvAlert(M, deviceOf(a)), 'for a', { qos: 1 });
    expect(await eventually(() => ta.received.length >= 1)).toBe(true);
    await sleep(200);
    expect(ta.received.map((r) => r.payload)).toEqual(['for a']);
    await endAll(ta.client, m.client);
  });

  it("closes the ACL leak: a persistent session's refused filter gets nothing, even queued offline (authorizeForward)", async () => {
    const a = await newTv();
    const b = await newTv();
    const first = await mustConnect(broker.mqttUrl, a.username, a.password, { clean: false });
    expect(
      await subscribeCodes(first.client, [topics.tvAlert(M, deviceOf(a)), topics.tvAlert(M, deviceOf(b))]),
    ).toEqual([1, 128]);
    await first.client.endAsync();
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password);
    await m.client.publishAsync(topics.tvAlert(M, deviceOf(b)), 'secret for b', { qos: 1 });
    await m.client.publishAsync(topics.tvAlert(M, deviceOf(a)), 'queued for a', { qos: 1 });
    const again = await mustConnect(broker.mqttUrl, a.username, a.password, { clean: false });
    expect(await eventually(() => again.received.length >= 1)).toBe(true);
    await sleep(300);
    expect(again.received.map((r) => r.payload)).toEqual(['queued for a']);
    await endAll(again.client, m.client);
  });

  it('delivers QoS 1 alerts sent while a persistent TV was offline when it reconnects', async () => {
    const a = await newTv();
    const first = await mustConnect(broker.mqttUrl, a.username, a.password, { clean: false });
    expect(await subscribeCodes(first.client, [topics.tvOwn(M, deviceOf(a))])).toEqual([1]);
    await first.client.endAsync();
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password);
    for (const i of [1, 2, 3]) await m.client.publishAsync(topics.tvAlert(M, deviceOf(a)), `alert ${i}`, { qos: 1 });
    const again = await mustConnect(broker.mqttUrl, a.username, a.password, { clean: false });
    expect(await eventually(() => again.received.length >= 3)).toBe(true);
    expect(again.received.map((r) => r.payload)).toEqual(['alert 1', 'alert 2', 'alert 3']);
    await endAll(again.client, m.client);
  });

  it('closes the connection of a TV publishing a fake alert, and delivers nothing', async () => {
    const a = await newTv();
    const b = await newTv();
    const tb = await mustConnect(broker.mqttUrl, b.username, b.password);
    expect(await subscribeCodes(tb.client, [topics.tvOwn(M, deviceOf(b)), topics.areaAll(M)])).toEqual([1, 1]);
    const ta = await mustConnect(broker.mqttUrl, a.username, a.password);
    expect(await publishOutcome(ta.client, topics.tvAlert(M, deviceOf(b)), 'fake')).toBe('closed');
    const ta2 = await mustConnect(broker.mqttUrl, a.username, a.password);
    expect(await publishOutcome(ta2.client, topics.areaAlert(M, 'z1'), 'fake area', { retain: true })).toBe('closed');
    await sleep(300);
    expect(tb.received).toEqual([]);
    await endAll(tb.client);
  });
});

describe('embedded broker: rotation and revocation', () => {
  it('disconnects a revoked TV at once and refuses it at CONNECT', async () => {
    const a = await newTv();
    const ta = await mustConnect(broker.mqttUrl, a.username, a.password);
    const closed = new Promise<void>((resolve) => ta.client.once('close', () => resolve()));
    await store.revoke(a.username);
    await closed; // before revoke() resolved the socket was already being closed
    expect(await connectAs(broker.mqttUrl, a.username, a.password)).toEqual({ ok: false, code: 4 });
    await endAll(ta.client);
  });

  it('disconnects on rotation; the old password is refused, the new one works', async () => {
    const a = await newTv();
    const ta = await mustConnect(broker.mqttUrl, a.username, a.password);
    const closed = new Promise<void>((resolve) => ta.client.once('close', () => resolve()));
    const b = await store.rotate(a.username);
    await closed;
    expect(await connectAs(broker.mqttUrl, a.username, a.password)).toEqual({ ok: false, code: 4 });
    const again = await mustConnect(broker.mqttUrl, b.username, b.password);
    await endAll(ta.client, again.client);
  });
});

describe("embedded broker: a refused CONNECT touches no one else's state", () => {
  it("an anonymous CONNECT with a victim's client id does not make its duplicate QoS 2 PUBLISH be delivered twice", async () => {
    const tv = await newTv();
    const t = await mustConnect(broker.mqttUrl, tv.username, tv.password);
    expect(await subscribeCodes(t.client, [topics.tvOwn(M, deviceOf(tv))])).toEqual([1]);
    const topic = topics.tvAlert(M, deviceOf(tv));

    const victim = await RawClient.open(broker.mqttUrl);
    await victim.write(connectPacket({ clientId: muni.username, username: muni.username, password: muni.password }));
    expect(await eventually(() => victim.connackCode() === 0)).toBe(true);
    await victim.write(publishPacket({ topic, payload: 'once', qos: 2, id: 7 }));
    expect(await eventually(() => victim.count(5) === 1)).toBe(true); // PUBREC: the broker holds id 7

    // The attacker claims the victim's client id without credentials: refused (CONNACK 5).
    const attacker = await RawClient.open(broker.mqttUrl);
    await attacker.write(connectPacket({ clientId: muni.username }));
    expect(await eventually(() => attacker.closed)).toBe(true);
    expect(attacker.connackCode()).toBe(5);

    // The victim did not see PUBREC in time and sends the PUBLISH again, as MQTT allows.
    await victim.write(publishPacket({ topic, payload: 'once', qos: 2, id: 7, dup: true }));
    expect(await eventually(() => victim.count(5) === 2)).toBe(true);
    await victim.write(pubrelPacket(7));
    expect(await eventually(() => victim.count(7) === 1)).toBe(true); // PUBCOMP
    await victim.write(publishPacket({ topic, payload: 'marker', qos: 1, id: 8 }));
    expect(await eventually(() => t.received.some((r) => r.payload === 'marker'))).toBe(true);
    expect(t.received.map((r) => r.payload)).toEqual(['once', 'marker']);
    victim.end();
    await endAll(t.client);
  });
});
