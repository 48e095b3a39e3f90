/**
 * Issue 21: every refusal of the embedded broker has a log line, including the ones aedes decides
 * on its own (found by the fuzzer, test/fuzz/): a protocol error that closes the connection, a
 * CONNACK for another protocol level, a packet only a server may send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type CredentialStore,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '../src/index.ts';
import { captureLogger } from './log-capture.ts';
import { eventually } from './mqtt-helpers.ts';
import { RawClient, connectPacket, publishPacket } from './raw-mqtt.ts';

const { logger, lines } = captureLogger();
let db: Db;
let store: CredentialStore;
let broker: EmbeddedBroker;
let tv: IssuedCredentials;

beforeAll(async () => {
  db = await openDb({});
  store = await createCredentialStore(db);
  broker = await createEmbeddedBroker({ credentials: store, logger, port: 0 });
  tv = await store.issue({ kind: 'tv', muni: '999997', device: 'rl1' });
});
afterAll(async () => {
  await broker?.close();
  await db?.close();
});

/** Opens a socket, sends `bytes`, waits for the broker to close it; the broker's lines meanwhile. */
async function closedAfter(...bytes: Buffer[]) {
  const from = lines.length;
  const raw = await RawClient.open(broker.mqttUrl);
  for (const b of bytes) await raw.write(b);
  const closed = await eventually(() => raw.closed, 3000);
  raw.end();
  await eventually(() => broker.aedes.connectedClients === 0, 3000);
  return { closed, raw, lines: lines.slice(from).filter((l) => l.component === 'broker') };
}
const login = () => connectPacket({ clientId: tv.username, username: tv.username, password: tv.password });

describe('refusals aedes decides itself are logged', () => {
  it('a PUBLISH before CONNECT', async () => {
    const out = await closedAfter(publishPacket({ topic: 'kz/999997/tv/rl1/receipt', payload: 'x', qos: 0 }));
    expect(out.closed).toBe(true);
    expect(out.lines.map((l) => l.msg)).toContain('connection closed: protocol error');
    expect(out.lines.find((l) => l.msg === 'connection closed: protocol error')).toMatchObject({
      reason: 'Invalid protocol',
    });
  });

  it('a second CONNECT on a logged-in connection', async () => {
    const out = await closedAfter(login(), login());
    expect(out.closed).toBe(true);
    expect(out.raw.connackCode()).toBe(0);
    expect(out.lines.find((l) => l.msg === 'connection closed: protocol error')).toMatchObject({
      clientId: tv.username,
    });
  });

  it('a packet the parser refuses (SUBSCRIBE without its reserved flag bits)', async () => {
    const subscribe = mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
    subscribe[0] = 0x80;
    const out = await closedAfter(login(), subscribe);
    expect(out.closed).toBe(true);
    expect(out.lines.some((l) => l.msg === 'connection closed: protocol error' && l.clientId === tv.username)).toBe(
      true,
    );
  });

  it('a CONNECT of MQTT 5 (CONNACK 1, unacceptable protocol version)', async () => {
    const v5 = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clientId: tv.username,
      clean: true,
      keepalive: 60,
      username: tv.username,
      password: Buffer.from(tv.password),
    });
    const out = await closedAfter(v5);
    expect(out.raw.connackCode()).toBe(1);
    expect(out.lines.find((l) => l.msg.startsWith('connect refused'))).toMatchObject({
      msg: 'connect refused: unacceptable protocol version',
      clientId: tv.username,
    });
  });

  it('a packet only a server sends (CONNACK from a logged-in client)', async () => {
    const out = await closedAfter(login(), Buffer.from([0x20, 2, 0, 0]));
    expect(out.closed).toBe(true);
    expect(out.lines.find((l) => l.msg === 'connection closed: a client may not send this packet')).toMatchObject({
      clientId: tv.username,
      packet: 'connack',
    });
  });

  it('a DISCONNECT is not a refusal: nothing at info or above', async () => {
    const out = await closedAfter(login(), Buffer.from([0xe0, 0]));
    expect(out.closed).toBe(true);
    expect(out.lines.filter((l) => l.level >= 30)).toEqual([]);
  });
});
