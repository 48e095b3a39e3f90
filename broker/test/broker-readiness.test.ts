/**
 * A started broker is one that answers a CONNECT, not one whose port is open: RabbitMQ opens its
 * MQTT port while still booting and closes logins then (CI saw a fresh node's first client closed).
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openDb, type Db } from '@kizuna/core';
import { createCredentialStore, createEmbeddedBroker } from '../src/index.ts';
import { startChild, stopChild, waitForMqttLogin, type Child } from '../src/child-process.ts';

describe('waitForMqttLogin', () => {
  let child: Child;
  let db: Db;
  beforeAll(async () => {
    child = startChild('sleep', ['60']);
    db = await openDb({});
  });
  afterAll(async () => {
    await stopChild(child);
    await db.close();
  });

  it('is not satisfied by a port that accepts sockets and closes them (a booting node)', async () => {
    const server: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await waitForMqttLogin(child, 'test broker', `mqtt://127.0.0.1:${port}`, 1500).catch((e) => e);
      expect(err).toMatchObject({ code: 'KZ_BROKER_START_FAILED' });
      expect(String(err.message)).toContain('closed without CONNACK');
    } finally {
      server.close();
    }
  });

  it('returns once the broker refuses the probe with a CONNACK (the login path works)', async () => {
    const broker = await createEmbeddedBroker({
      credentials: await createCredentialStore(db),
      logger: createLogger({ name: 'test', level: 'silent' }),
      port: 0,
    });
    try {
      await expect(waitForMqttLogin(child, 'embedded', broker.mqttUrl, 10_000)).resolves.toBeUndefined();
    } finally {
      await broker.close();
    }
  });

  it('fails at once, with the broker output, when the broker process has exited', async () => {
    const dead = startChild('sh', ['-c', 'echo boot failed >&2; exit 3']);
    await dead.exited;
    const err = await waitForMqttLogin(dead, 'test broker', 'mqtt://127.0.0.1:1', 10_000).catch((e) => e);
    expect(err).toMatchObject({ code: 'KZ_BROKER_START_FAILED' });
    expect(String(err.message)).toMatch(/exited \(code 3\)[\s\S]*boot failed/);
  });
});
