import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  CONTROL_USERNAME,
  createCredentialStore,
  dynsecAcls,
  mosquittoConfig,
  newPassword,
  startMosquitto,
  startRabbitMq,
  syncMosquitto,
  type CredentialStore,
  type RunningBroker,
} from '../src/index.ts';
import { connectAs, endAll, mustConnect } from './mqtt-helpers.ts';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('Mosquitto configuration', () => {
  it('allows no anonymous client and loads dynamic security', () => {
    const conf = mosquittoConfig({ host: '127.0.0.1', port: 1234, dynsecFile: '/x/d.json' });
    expect(conf).toContain('allow_anonymous false');
    expect(conf).toContain('listener 1234 127.0.0.1');
    expect(conf).toContain('plugin_opt_config_file /x/d.json');
  });

  it('turns the policy grants into one role per device', () => {
    expect(dynsecAcls({ kind: 'tv', muni: '999997', device: 'a' })).toEqual([
      { acltype: 'publishClientSend', topic: 'kz/999997/tv/a/receipt', priority: 0, allow: true },
      { acltype: 'subscribePattern', topic: 'kz/999997/tv/a/+', priority: 0, allow: true },
      { acltype: 'publishClientReceive', topic: 'kz/999997/tv/a/+', priority: 0, allow: true },
      { acltype: 'subscribePattern', topic: 'kz/999997/area/+/alert', priority: 0, allow: true },
      { acltype: 'publishClientReceive', topic: 'kz/999997/area/+/alert', priority: 0, allow: true },
    ]);
  });

  it('fails with a clear coded error, not a skip, when a broker program is missing', async () => {
    const db = await openDb({});
    const store = await createCredentialStore(db);
    await expect(startMosquitto({ credentials: store, logger, bin: '/nonexistent/mosquitto' })).rejects.toMatchObject({
      code: 'KZ_BROKER_BINARY_MISSING',
      message: expect.stringMatching(/apt-get install mosquitto/),
    });
    await expect(
      startRabbitMq({ credentials: store, logger, bin: '/nonexistent/rabbitmq-server' }),
    ).rejects.toMatchObject({
      code: 'KZ_BROKER_BINARY_MISSING',
      message: expect.stringMatching(/apt-get install rabbitmq-server/),
    });
    await db.close();
  });
});

describe('Mosquitto kept in sync with the credential store', () => {
  let db: Db;
  let store: CredentialStore;
  let other: CredentialStore;
  let broker: RunningBroker;
  const controlPassword = newPassword();

  beforeAll(async () => {
    db = await openDb({});
    store = await createCredentialStore(db);
    other = await createCredentialStore(db); // another process on the same database
    broker = await startMosquitto({ credentials: store, logger, controlPassword });
  });
  afterAll(async () => {
    await broker?.close();
    await db?.close();
  });

  it('applies issue, rotate and revoke without a restart', async () => {
    const tv = await store.issue({ kind: 'tv', muni: '999997', device: 'live' });
    const c = await mustConnect(broker.url, tv.username, tv.password);
    const dropped = new Promise<void>((resolve) => c.client.once('close', () => resolve()));
    const next = await store.rotate(tv.username);
    await dropped; // Mosquitto drops a client whose credentials changed
    expect((await connectAs(broker.url, tv.username, tv.password)).ok).toBe(false);
    await endAll((await mustConnect(broker.url, tv.username, next.password)).client);
    await store.revoke(tv.username);
    expect((await connectAs(broker.url, tv.username, next.password)).ok).toBe(false);
  });

  it('deletes, at connect, clients revoked while no adapter was listening', async () => {
    const tv = await store.issue({ kind: 'tv', muni: '999997', device: 'missed' });
    await other.revoke(tv.username); // Mosquitto is not told: the revoking process has no adapter
    await endAll((await mustConnect(broker.url, tv.username, tv.password)).client);
    const sync = await syncMosquitto({
      url: broker.url,
      username: CONTROL_USERNAME,
      password: controlPassword,
      credentials: other,
      logger,
    });
    expect(sync.removedAtStart).toEqual([tv.username]);
    expect((await connectAs(broker.url, tv.username, tv.password)).ok).toBe(false);
    await sync.close();
  });

  it('refuses a wrong control password with a coded error', async () => {
    await expect(
      syncMosquitto({ url: broker.url, username: CONTROL_USERNAME, password: 'wrong', credentials: store, logger }),
    ).rejects.toMatchObject({ code: 'KZ_BROKER_START_FAILED' });
  });
});
