/**
 * Contract tests for EMQX 5's HTTP authentication and authorization hooks: each request is what
 * EMQX sends for the body templates docs/OPERATIONS.md gives (POST, JSON, its default headers,
 * every placeholder rendered as a string), and each answer is what EMQX reads (200, JSON
 * `result`, `is_superuser`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db, type KzFastify } from '@kizuna/core';
import {
  buildAuthService,
  createCredentialStore,
  parseEmqxQos,
  parseEmqxRetain,
  type CredentialStore,
  type IssuedCredentials,
} from '../src/index.ts';

const MUNI = '999997';
let db: Db;
let store: CredentialStore;
let app: KzFastify;
let tv: IssuedCredentials;
let term: IssuedCredentials;
let muni: IssuedCredentials;

beforeAll(async () => {
  db = await openDb({});
  store = await createCredentialStore(db);
  app = await buildAuthService({ credentials: store, logger: createLogger({ name: 'test', level: 'silent' }) });
  tv = await store.issue({ kind: 'tv', muni: MUNI, device: 'tv0001' });
  term = await store.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh1', terminal: 't1' });
  muni = await store.issue({ kind: 'municipality', muni: MUNI });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** EMQX's default headers for a POST hook (its documentation, "headers"). */
const EMQX_HEADERS = {
  accept: 'application/json',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'keep-alive': 'timeout=30, max=1000',
  'content-type': 'application/json',
};

async function post(url: string, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: EMQX_HEADERS });
  return { status: res.statusCode, type: res.headers['content-type'], json: res.json() as Record<string, unknown> };
}

/** The authn template: username, password, clientid (and peerhost) rendered as strings. */
const authn = (username: string, password: string, clientid = username) =>
  post('/emqx/authn', { username, password, clientid, peerhost: '127.0.0.1' });

/** The authz template: every placeholder as EMQX renders it ("1", "false"). */
const authz = (
  who: IssuedCredentials,
  action: string,
  topic: string,
  qos: unknown = '1',
  retain: unknown = 'false',
  clientid = who.username,
) => post('/emqx/authz', { username: who.username, clientid, peerhost: '127.0.0.1', topic, action, qos, retain });
const result = async (p: ReturnType<typeof authz>) => (await p).json.result;

describe('EMQX HTTP authentication (POST /emqx/authn)', () => {
  it('allows a device with its own password and client id: 200, JSON, never a superuser', async () => {
    const res = await authn(tv.username, tv.password);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    expect(res.json).toEqual({ result: 'allow', is_superuser: false });
    expect((await authn(muni.username, muni.password)).json).toEqual({ result: 'allow', is_superuser: false });
  });

  it.each([
    ['a wrong password', () => authn(tv.username, 'nope')],
    ['another client id', () => authn(tv.username, tv.password, `tv-${MUNI}-tv0002`)],
    ['an unknown user', () => authn(`tv-${MUNI}-ghost`, tv.password)],
    ['an empty body', () => post('/emqx/authn', {})],
  ])('denies %s with result "deny", never "ignore"', async (_what, ask) => {
    const res = await ask();
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: 'deny', is_superuser: false });
  });

  it('denies revoked credentials at the next CONNECT and every later check', async () => {
    const gone = await store.issue({ kind: 'tv', muni: MUNI, device: 'gone' });
    expect((await authn(gone.username, gone.password)).json.result).toBe('allow');
    const own = topics.tvOwn(MUNI, 'gone');
    expect(await result(authz(gone, 'subscribe', own))).toBe('allow');
    await store.revoke(gone.username);
    expect((await authn(gone.username, gone.password)).json.result).toBe('deny');
    expect(await result(authz(gone, 'subscribe', own))).toBe('deny');
    expect(await result(authz(gone, 'publish', topics.tvReceipt(MUNI, 'gone')))).toBe('deny');
  });

  it('answers a body that is not JSON with a coded 400 (EMQX: "ignore", then no_match = deny)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/emqx/authn',
      payload: '{"username":',
      headers: EMQX_HEADERS,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBeTruthy();
  });
});

describe('EMQX HTTP authorization (POST /emqx/authz)', () => {
  it("a TV subscribes to its own topics and its municipality's areas, at QoS 1 at most", async () => {
    const res = await authz(tv, 'subscribe', topics.tvOwn(MUNI, 'tv0001'));
    expect(res).toMatchObject({ status: 200, json: { result: 'allow' } });
    expect(res.type).toMatch(/^application\/json/);
    expect(await result(authz(tv, 'subscribe', topics.areaAll(MUNI), '0'))).toBe('allow');
    expect(await result(authz(tv, 'subscribe', topics.tvOwn(MUNI, 'tv0001'), '2'))).toBe('deny');
  });

  it.each([
    ['another TV', topics.tvOwn(MUNI, 'tv0002')],
    ["every TV's alerts", topics.allTvAlerts(MUNI)],
    ['everything', '#'],
    ['a shared subscription', `$share/g/${topics.tvOwn(MUNI, 'tv0001')}`],
    ['$SYS', '$SYS/#'],
    ["another municipality's areas", topics.areaAll('131016')],
  ])('a TV may not subscribe to %s', async (_what, filter) => {
    expect(await result(authz(tv, 'subscribe', filter))).toBe('deny');
  });

  it('a TV publishes its own receipt, QoS 1 at most, never retained', async () => {
    const receipt = topics.tvReceipt(MUNI, 'tv0001');
    expect(await result(authz(tv, 'publish', receipt, '1', 'false'))).toBe('allow');
    expect(await result(authz(tv, 'publish', receipt, '0', 'false'))).toBe('allow');
    expect(await result(authz(tv, 'publish', receipt, '1', 'true'))).toBe('deny');
    expect(await result(authz(tv, 'publish', receipt, '2', 'false'))).toBe('deny');
    expect(await result(authz(tv, 'publish', topics.tvReceipt(MUNI, 'tv0002')))).toBe('deny');
    expect(await result(authz(tv, 'publish', topics.tvAlert(MUNI, 'tv0001')))).toBe('deny');
    expect(await result(authz(tv, 'publish', '$SYS/x'))).toBe('deny');
  });

  it("a will is judged as the publish it becomes: a terminal's retained will is refused", async () => {
    const event = topics.shelterEvent(MUNI, 'sh1', 't1');
    expect(await result(authz(term, 'publish', event, '1', 'false'))).toBe('allow');
    expect(await result(authz(term, 'publish', event, '1', 'true'))).toBe('deny');
  });

  it("the municipality publishes its TVs' alerts and retained area alerts, only in its own municipality", async () => {
    expect(await result(authz(muni, 'publish', topics.tvAlert(MUNI, 'tv0001')))).toBe('allow');
    expect(await result(authz(muni, 'publish', topics.areaAlert(MUNI, 'z1'), '1', 'true'))).toBe('allow');
    expect(await result(authz(muni, 'publish', topics.tvAlert('131016', 'tv0001')))).toBe('deny');
    expect(await result(authz(muni, 'subscribe', topics.allReceipts(MUNI)))).toBe('allow');
    expect(await result(authz(muni, 'subscribe', topics.allTvAlerts(MUNI)))).toBe('deny');
  });

  it('fails closed when the template lacks qos or retain, or the action or client id is not the expected one', async () => {
    const receipt = topics.tvReceipt(MUNI, 'tv0001');
    const base = { username: tv.username, clientid: tv.username, topic: receipt };
    expect((await post('/emqx/authz', { ...base, action: 'publish' })).json.result).toBe('deny');
    expect((await post('/emqx/authz', { ...base, action: 'publish', qos: '1' })).json.result).toBe('deny');
    expect(
      (await post('/emqx/authz', { ...base, action: 'subscribe', topic: topics.tvOwn(MUNI, 'tv0001') })).json.result,
    ).toBe('deny');
    expect(await result(authz(tv, 'all', receipt))).toBe('deny');
    expect(await result(authz(tv, 'publish', receipt, '1', 'false', `tv-${MUNI}-tv0002`))).toBe('deny');
    expect(await result(authz(tv, 'publish', receipt, 'x', 'false'))).toBe('deny');
  });

  it('takes the JSON types a hand-written template may send', async () => {
    const receipt = topics.tvReceipt(MUNI, 'tv0001');
    expect(await result(authz(tv, 'publish', receipt, 1, false))).toBe('allow');
    expect(await result(authz(tv, 'publish', receipt, 1, true))).toBe('deny');
    expect([parseEmqxQos('1'), parseEmqxQos(2), parseEmqxQos('3'), parseEmqxQos(undefined)]).toEqual([
      1,
      2,
      null,
      null,
    ]);
    expect([parseEmqxRetain('true'), parseEmqxRetain(0), parseEmqxRetain('yes')]).toEqual([true, false, null]);
  });
});
