import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  buildAuthService,
  createCredentialStore,
  routingKeyToMqtt,
  type CredentialStore,
  type IssuedCredentials,
} from '../src/index.ts';
import type { KzFastify } from '@kizuna/core';

let db: Db;
let store: CredentialStore;
let app: KzFastify;
let tv: IssuedCredentials;
let muni: IssuedCredentials;

beforeAll(async () => {
  db = await openDb({});
  store = await createCredentialStore(db);
  app = await buildAuthService({ credentials: store, logger: createLogger({ name: 'test', level: 'silent' }) });
  tv = await store.issue({ kind: 'tv', muni: '999997', device: 'tv0001' });
  muni = await store.issue({ kind: 'municipality', muni: '999997' });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function ask(path: string, form: Record<string, string>) {
  const res = await app.inject({
    method: 'POST',
    url: path,
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.statusCode, body: res.body, type: res.headers['content-type'] };
}

describe('RabbitMQ HTTP auth backend', () => {
  it('turns routing keys back into MQTT topics and filters', () => {
    expect(routingKeyToMqtt('kz.999997.tv.*.alert')).toBe('kz/999997/tv/+/alert');
    expect(routingKeyToMqtt('kz.999997.tv.#')).toBe('kz/999997/tv/#');
  });

  it('allows a device with its own password and client id, as plain text', async () => {
    const res = await ask('/auth/user', {
      username: tv.username,
      password: tv.password,
      vhost: '/',
      client_id: tv.username,
    });
    expect(res).toMatchObject({ status: 200, body: 'allow' });
    expect(res.type).toMatch(/^text\/plain/);
    expect((await ask('/auth/vhost', { username: tv.username, vhost: '/', ip: '127.0.0.1' })).body).toBe('allow');
  });

  it.each([
    ['a wrong password', () => ({ username: tv.username, password: 'nope', vhost: '/' })],
    [
      'another client id',
      () => ({ username: tv.username, password: tv.password, vhost: '/', client_id: 'tv-999997-tv0002' }),
    ],
    ['another vhost', () => ({ username: tv.username, password: tv.password, vhost: 'other' })],
    ['an unknown user', () => ({ username: 'tv-999997-ghost', password: tv.password })],
    ['no fields at all', () => ({})],
  ])('denies %s at /auth/user', async (_what, form) => {
    expect((await ask('/auth/user', form())).body).toBe('deny');
  });

  it("allows only the device's own subscription queues and the MQTT exchange", async () => {
    const q = (name: string, permission: string, resource = 'queue') =>
      ask('/auth/resource', { username: tv.username, vhost: '/', resource, name, permission });
    expect((await q(`mqtt-subscription-${tv.username}qos1`, 'configure')).body).toBe('allow');
    expect((await q(`mqtt-subscription-${tv.username}qos0`, 'read')).body).toBe('allow');
    expect((await q('mqtt-subscription-tv-999997-tv0002qos1', 'read')).body).toBe('deny');
    expect((await q('amq.topic', 'read', 'exchange')).body).toBe('allow');
    expect((await q('amq.topic', 'configure', 'exchange')).body).toBe('deny');
    expect((await q('amq.direct', 'write', 'exchange')).body).toBe('deny');
  });

  it("lets a municipality's console processes (muni-…~instance) and a TV's connections (tv-…~connection, QoS 0 queue only) use their own client ids and queues", async () => {
    const user = (client_id: string, who = muni) =>
      ask('/auth/user', { username: who.username, password: who.password, vhost: '/', client_id });
    expect((await user(`${muni.username}~b`)).body).toBe('allow');
    // a TV's connection name (clean sessions): its login is allowed, and only its QoS 0 queue
    expect((await user(`${tv.username}~b`, tv)).body).toBe('allow');
    expect((await user(`${tv.username}~b/c`, tv)).body).toBe('deny');
    expect((await user(`${muni.username}~b`, tv)).body).toBe('deny');
    const q = (who: IssuedCredentials, name: string) =>
      ask('/auth/resource', { username: who.username, vhost: '/', resource: 'queue', name, permission: 'read' });
    expect((await q(muni, `mqtt-subscription-${muni.username}~bqos1`)).body).toBe('allow');
    expect((await q(muni, `mqtt-subscription-${tv.username}qos1`)).body).toBe('deny');
    expect((await q(tv, `mqtt-subscription-${tv.username}~bqos1`)).body).toBe('deny');
    expect((await q(tv, `mqtt-subscription-${tv.username}~bqos0`)).body).toBe('allow');
    expect((await q(tv, `mqtt-subscription-${tv.username}qos1`)).body).toBe('allow');
  });

  it('applies the policy to topic reads and writes', async () => {
    const t = (username: string, permission: string, routing_key: string) =>
      ask('/auth/topic', { username, vhost: '/', resource: 'topic', name: 'amq.topic', permission, routing_key });
    expect((await t(tv.username, 'read', 'kz.999997.tv.tv0001.*')).body).toBe('allow');
    expect((await t(tv.username, 'read', 'kz.999997.area.*.alert')).body).toBe('allow');
    expect((await t(tv.username, 'read', 'kz.999997.tv.tv0002.*')).body).toBe('deny');
    expect((await t(tv.username, 'read', 'kz.999997.tv.*.alert')).body).toBe('deny');
    expect((await t(tv.username, 'read', '#')).body).toBe('deny');
    expect((await t(tv.username, 'write', 'kz.999997.tv.tv0001.receipt')).body).toBe('allow');
    expect((await t(tv.username, 'write', 'kz.999997.tv.tv0001.alert')).body).toBe('deny');
    expect((await t(muni.username, 'write', 'kz.999997.tv.tv0001.alert')).body).toBe('allow');
    expect((await t(muni.username, 'write', 'kz.131016.tv.tv0001.alert')).body).toBe('deny');
  });

  it('denies everything to revoked credentials on the next check', async () => {
    const gone = await store.issue({ kind: 'tv', muni: '999997', device: 'gone' });
    expect(
      (
        await ask('/auth/topic', {
          username: gone.username,
          vhost: '/',
          resource: 'topic',
          name: 'amq.topic',
          permission: 'read',
          routing_key: 'kz.999997.tv.gone.*',
        })
      ).body,
    ).toBe('allow');
    await store.revoke(gone.username);
    expect((await ask('/auth/user', { username: gone.username, password: gone.password, vhost: '/' })).body).toBe(
      'deny',
    );
    expect((await ask('/auth/vhost', { username: gone.username, vhost: '/' })).body).toBe('deny');
    expect(
      (
        await ask('/auth/topic', {
          username: gone.username,
          vhost: '/',
          resource: 'topic',
          name: 'amq.topic',
          permission: 'read',
          routing_key: 'kz.999997.tv.gone.*',
        })
      ).body,
    ).toBe('deny');
  });

  it('answers a bad body with a coded 4xx, not a crash', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/user',
      payload: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBeTruthy();
  });
});

describe('the operator login (management API of nodes Kizuna runs)', () => {
  const operator = { username: 'kz-operator-0a1b2c', password: 'a-random-secret-for-this-start' };
  let withOperator: KzFastify;
  beforeAll(async () => {
    withOperator = await buildAuthService({
      credentials: store,
      logger: createLogger({ name: 'test', level: 'silent' }),
      operator,
    });
  });
  afterAll(async () => withOperator?.close());
  const askOp = async (path: string, form: Record<string, string>) =>
    (
      await withOperator.inject({
        method: 'POST',
        url: path,
        payload: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).body;

  it('is an administrator of the management API and nothing else', async () => {
    expect(await askOp('/auth/user', operator)).toBe('allow administrator');
    // no vhost, queue or topic: it cannot use MQTT
    expect(await askOp('/auth/vhost', { username: operator.username, vhost: '/', ip: '127.0.0.1' })).toBe('deny');
    expect(
      await askOp('/auth/topic', {
        username: operator.username,
        vhost: '/',
        resource: 'topic',
        name: 'amq.topic',
        permission: 'read',
        routing_key: 'kz.#',
      }),
    ).toBe('deny');
  });

  it('is refused with another password, over MQTT (a client id), and where no operator was given', async () => {
    expect(await askOp('/auth/user', { ...operator, password: 'guess' })).toBe('deny');
    expect(await askOp('/auth/user', { ...operator, vhost: '/', client_id: operator.username })).toBe('deny');
    expect((await ask('/auth/user', operator)).body).toBe('deny');
  });
});
