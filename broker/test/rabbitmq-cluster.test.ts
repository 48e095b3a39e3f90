/**
 * The broker service in `rabbitmq-cluster` mode (what `npm run cluster` and `npm start` with
 * KZ_BROKER_MODE=rabbitmq-cluster run): three private RabbitMQ nodes, one credential store, one
 * auth service. A message published on the first node reaches a TV on another node, and the
 * policy still refuses another TV's topic there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger } from '@kizuna/core';
import { loadBrokerConfig, startBrokerService, type BrokerService } from '../src/index.ts';
import { endAll, eventually, mustConnect, subscribeCodes } from './mqtt-helpers.ts';

const M = '999995';

describe('broker service: rabbitmq-cluster mode', () => {
  let service: BrokerService;

  beforeAll(async () => {
    const cfg = loadBrokerConfig({
      KZ_BROKER_MODE: 'rabbitmq-cluster',
      KZ_BROKER_PORT: '0',
      KZ_BROKER_WS_PORT: '0',
      KZ_BROKER_AUTH_PORT: '0',
      KZ_BROKER_DATA_DIR: 'memory',
    });
    service = await startBrokerService(cfg, createLogger({ name: 'test', level: 'silent' }));
  }, 400_000);

  afterAll(async () => {
    await service?.close();
  }, 60_000);

  it('gives every node, routes across them and keeps the policy', async () => {
    expect(service.mqttUrls).toHaveLength(3);
    expect(service.mqttUrls![0]).toBe(service.mqttUrl);
    // Web MQTT on every node, for TVs in browsers
    expect(service.wsUrls).toHaveLength(3);
    expect(service.wsUrls!.every((u) => /^ws:\/\/127\.0\.0\.1:\d+\/ws$/.test(u))).toBe(true);
    expect(service.wsUrl).toBe(service.wsUrls![0]);
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
});
