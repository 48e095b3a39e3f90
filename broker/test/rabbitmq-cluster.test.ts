/**
 * The broker service in `rabbitmq-cluster` mode (what `npm run cluster` and `npm start` with
 * KZ_BROKER_MODE=rabbitmq-cluster run): three private RabbitMQ nodes, one credential store, one
 * auth service, and here HAProxy in front (KZ_BROKER_BALANCER=haproxy). A message published on
 * the first node reaches a TV on another node, and the policy still refuses another TV's topic
 * there; TVs connecting to the balancer are spread over the nodes, and a node that stops serving
 * gets none until it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger } from '@kizuna/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AUTH_CACHE_SWEEPS_EXPR,
  HTTPC_MAX_SESSIONS,
  HTTPC_OPTIONS_APPLIED_EXPR,
  loadBrokerConfig,
  startBrokerService,
  type BrokerService,
} from '../src/index.ts';
import {
  connectAs,
  endAll,
  eventually,
  eventuallyAsync,
  mustConnect,
  publishOutcome,
  sleep,
  subscribeCodes,
} from './mqtt-helpers.ts';

type Connected = Awaited<ReturnType<typeof mustConnect>>;

const M = '999995';
/** The balancer test's municipality (each municipality has one set of credentials). */
const L = '999994';
/** The auth cache test's municipality. */
const C = '999993';

describe('broker service: rabbitmq-cluster mode', () => {
  let service: BrokerService;

  beforeAll(async () => {
    const cfg = loadBrokerConfig({
      KZ_BROKER_MODE: 'rabbitmq-cluster',
      KZ_BROKER_PORT: '0',
      KZ_BROKER_WS_PORT: '0',
      KZ_BROKER_AUTH_PORT: '0',
      KZ_BROKER_DATA_DIR: 'memory',
      KZ_BROKER_BALANCER: 'haproxy',
    });
    service = await startBrokerService(cfg, createLogger({ name: 'test', level: 'silent' }));
  }, 400_000);

  afterAll(async () => {
    await service?.close();
  }, 60_000);

  it('gives every node, routes across them and keeps the policy', async () => {
    expect(service.mqttUrls).toHaveLength(3);
    // the one URL given out is the balancer's, not a node's
    expect(service.mqttUrl).toBe(service.balancer!.url);
    expect(service.mqttUrls).not.toContain(service.mqttUrl);
    // Web MQTT on every node, for TVs in browsers
    expect(service.wsUrls).toHaveLength(3);
    expect(service.wsUrls!.every((u) => /^ws:\/\/127\.0\.0\.1:\d+\/ws$/.test(u))).toBe(true);
    expect(service.wsUrl).toBe(service.balancer!.wsUrl);
    expect(service.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(service.wsUrls).not.toContain(service.wsUrl);
    const muni = await service.credentials.issue({ kind: 'municipality', muni: M });
    const tv = await service.credentials.issue({ kind: 'tv', muni: M, device: 'far' });
    const other = await service.credentials.issue({ kind: 'tv', muni: M, device: 'nosy' });
    const receiver = await mustConnect(service.mqttUrls![1]!, tv.username, tv.password);
    expect(await subscribeCodes(receiver.client, [topics.tvOwn(M, 'far')])).toEqual([1]);
    const nosy = await mustConnect(service.mqttUrls![2]!, other.username, other.password);
    // RabbitMQ closes the connection on a refused SUBSCRIBE
    expect(await subscribeCodes(nosy.client, [topics.tvOwn(M, 'far')])).toBe('closed');
    const sender = await mustConnect(service.mqttUrl, muni.username, muni.password);
    await sender.client.publishAsync(topics.tvAlert(M, 'far'), 'across', { qos: 1 });
    expect(await eventually(() => receiver.received.some((r) => r.payload === 'across'), 20_000)).toBe(true);
    expect(nosy.received).toEqual([]);
    await endAll(sender.client, receiver.client, nosy.client);
  }, 120_000);

  it("keeps each node's auth cache through its clean-ups", async () => {
    // RabbitMQ 3.10.8's segmented cache deletes an expired segment's table at one clean-up and
    // tries again at the next, which crashes its owner and empties the cache (every 20 s at the
    // 5 s TTL); rabbitmq-auth-cache-sweep.ts removes the deleted tables' rows in between.
    const cluster = service.cluster!;
    const owner = async (node: number) =>
      (await cluster.ctl(node, ['eval', 'whereis(rabbit_auth_cache_ets_segmented_stateless).'])).trim();
    const before = await Promise.all([0, 1, 2].map(owner));
    expect(
      before.every((p) => /^<\d+\.\d+\.\d+>$/.test(p)),
      before.join(' '),
    ).toBe(true);
    // segments end every 5 s and the owner cleans up every 10 s: 25 s hold two clean-ups after an end
    await sleep(25_000);
    expect(await Promise.all([0, 1, 2].map(owner))).toEqual(before);
    // and the sweeper did remove rows (segment end, when)
    expect(await cluster.ctl(0, ['eval', `${AUTH_CACHE_SWEEPS_EXPR}.`])).toMatch(/\{\d+,\s*\d+\}/);
  }, 60_000);

  it("answers a TV's cached authorisations without queueing them behind one process", async () => {
    // At 10,000 TVs (fault suite, 2026-12-07) the nodes' channels crashed with timeouts calling
    // rabbit_auth_cache_ets, the one process every cached check went through, and closed the TVs'
    // connections. Here that process is held still: a new connection whose checks are cached must
    // still log in and publish.
    const cluster = service.cluster!;
    const url = service.mqttUrls![0]!;
    const tv = await service.credentials.issue({ kind: 'tv', muni: C, device: 'cached' });
    const receipt = topics.tvReceipt(C, 'cached');
    // warm node 1's cache: this connection's vhost, exchange and topic checks
    const warm = await mustConnect(url, tv.username, tv.password);
    expect(await publishOutcome(warm.client, receipt, '{}')).toBe('acked');
    await endAll(warm.client);
    const held = (
      await cluster.ctl(0, [
        'eval',
        '{ok, M} = application:get_env(rabbitmq_auth_backend_cache, cache_module), ok = sys:suspend(M), M.',
      ])
    ).trim();
    try {
      // a new connection's channel has no checks of its own yet: it asks the node's cache
      const again = await connectAs(url, tv.username, tv.password, { connectTimeout: 8000 });
      expect(again.ok, `held ${held}: ${again.ok ? '' : again.code}`).toBe(true);
      if (again.ok) {
        expect(await publishOutcome(again.client, receipt, '{}')).toBe('acked');
        await endAll(again.client);
      }
    } finally {
      await cluster.ctl(0, ['eval', `sys:resume(${held}), ok.`]);
    }
  }, 60_000);

  it('asks the auth service as many questions at once as it has, not in line on two connections', async () => {
    // The auth backend asks through the node's `httpc` (default profile), by default at most 2
    // connections to a host with up to 5 requests queued on each. Here a slow server (400 ms an
    // answer) is asked 24 questions at once from node 1's httpc: they must go out together.
    const cluster = service.cluster!;
    let inFlight = 0;
    let most = 0;
    const slow = createServer((_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.end('allow');
      }, 400);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const { port } = slow.address() as AddressInfo;
    const n = 24;
    /** `k` questions at once from node 1; its answer: {milliseconds, [ok]} when all were answered. */
    const ask = (k: number) =>
      cluster.ctl(0, [
        'eval',
        `Self = self(), Url = "http://127.0.0.1:${port}/auth/topic?n=",
         T0 = erlang:monotonic_time(millisecond),
         Ps = [spawn(fun() -> R = httpc:request(get, {Url ++ integer_to_list(I), []}, [{timeout, 20000}], []),
                              Self ! {self(), element(1, R)} end) || I <- lists:seq(1, ${k})],
         Rs = [receive {P, R} -> R after 30000 -> timeout end || P <- Ps],
         {erlang:monotonic_time(millisecond) - T0, lists:usort(Rs)}.`,
      ]);
    try {
      // connections kept open from earlier questions, as a node always has them: the defaults queue on these
      await ask(4);
      most = 0;
      const out = await ask(n);
      expect(out.replace(/\s+/g, '')).toMatch(/^\{\d+,\[ok\]\}$/);
      // a kept connection may be handed another question before it counts as busy (httpc's
      // session table is updated after the hand-over): 20 of 24 went out together here, on a
      // loaded machine maybe fewer; by default they went out on the 4 kept connections, at most 4 in
      // flight and 2.4 s for all
      expect(most, `at most ${most} of ${n} questions in flight at once (${out.trim()})`).toBeGreaterThan(2 * 4);
    } finally {
      slow.close();
    }
    // every node runs with these options
    for (const node of [0, 1, 2])
      expect(
        (await cluster.ctl(node, ['eval', 'httpc:get_options([max_sessions, max_keep_alive_length]).'])).replace(
          /\s+/g,
          '',
        ),
      ).toBe(`{ok,[{max_sessions,${HTTPC_MAX_SESSIONS}},{max_keep_alive_length,1}]}`);
  }, 60_000);

  it('spreads TVs over the nodes through HAProxy, and sends none to a node that stopped until it is back', async () => {
    const lb = service.balancer!;
    const current = async (listener: 'mqtt' | 'ws') =>
      Object.fromEntries((await lb.servers()).filter((s) => s.listener === listener).map((s) => [s.node, s.current]));
    const status = async () =>
      Object.fromEntries((await lb.servers()).filter((s) => s.listener === 'mqtt').map((s) => [s.node, s.status]));
    expect(await status()).toEqual({ n1: 'UP', n2: 'UP', n3: 'UP' });

    const muni = await service.credentials.issue({ kind: 'municipality', muni: L });
    const tvs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => service.credentials.issue({ kind: 'tv', muni: L, device: `lb${i}` })),
    );
    const clients: MqttClient[] = [];
    const connectTv = async (i: number, url: string) => {
      const c = await mustConnect(url, tvs[i]!.username, tvs[i]!.password);
      clients.push(c.client);
      expect(await subscribeCodes(c.client, [topics.tvOwn(L, `lb${i}`)])).toEqual([1]);
      return c;
    };
    // six over TCP, three over WebSocket, one after another: least connections gives two, and one, to each node
    const tcp: Connected[] = [];
    for (let i = 0; i < 6; i++) tcp.push(await connectTv(i, service.mqttUrl));
    const ws: Connected[] = [];
    for (let i = 6; i < 9; i++) ws.push(await connectTv(i, service.wsUrl!));
    expect(await current('mqtt')).toEqual({ n1: 2, n2: 2, n3: 2 });
    expect(await current('ws')).toEqual({ n1: 1, n2: 1, n3: 1 });
    // each is a TV on its node as any other: its own alert, published on node 1, arrives
    const sender = await mustConnect(service.mqttUrls![0]!, muni.username, muni.password);
    clients.push(sender.client);
    for (let i = 0; i < 9; i++) await sender.client.publishAsync(topics.tvAlert(L, `lb${i}`), `to lb${i}`, { qos: 1 });
    const all = [...tcp, ...ws];
    expect(await eventually(() => all.every((c, i) => c.received.some((r) => r.payload === `to lb${i}`)), 20_000)).toBe(
      true,
    );

    // node 3 stops serving (its listeners close): the balancer marks it down and gives it no new TV
    const cluster = service.cluster!;
    await cluster.ctl(2, ['stop_app']);
    expect(await eventuallyAsync(async () => (await status()).n3 === 'DOWN', 20_000)).toBe(true);
    const during: Connected[] = [];
    for (let i = 9; i < 11; i++) during.push(await connectTv(i, service.mqttUrl));
    const whileDown = await lb.servers();
    expect(whileDown.find((s) => s.listener === 'mqtt' && s.node === 'n3')!.current).toBe(0);
    for (let i = 9; i < 11; i++) await sender.client.publishAsync(topics.tvAlert(L, `lb${i}`), `to lb${i}`, { qos: 1 });
    expect(
      await eventually(() => during.every((c, i) => c.received.some((r) => r.payload === `to lb${i + 9}`)), 20_000),
    ).toBe(true);

    // back: it is marked up again and, having the fewest connections, takes the next TV
    await cluster.ctl(2, ['start_app']);
    expect(await eventuallyAsync(async () => (await status()).n3 === 'UP', 60_000)).toBe(true);
    // the auth client's options hold through the restart of the rabbit application (set again if not)
    expect(await cluster.ctl(2, ['eval', 'httpc:get_options([max_keep_alive_length]).'])).toMatch(
      /max_keep_alive_length,1\}/,
    );
    expect(await cluster.ctl(2, ['eval', `${HTTPC_OPTIONS_APPLIED_EXPR}.`])).toMatch(/^\[\d+/);
    const before = (await lb.servers()).find((s) => s.listener === 'mqtt' && s.node === 'n3')!.total;
    await connectTv(11, service.mqttUrl);
    const after = (await lb.servers()).find((s) => s.listener === 'mqtt' && s.node === 'n3')!;
    expect(after.total).toBe(before + 1);
    expect(after.current).toBe(1);
    await endAll(...clients);
  }, 180_000);
});
