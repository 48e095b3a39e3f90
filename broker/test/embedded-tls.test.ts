import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type CredentialStore,
  type EmbeddedBroker,
} from '../src/index.ts';
import { connectAs, endAll, eventually, mustConnect, subscribeCodes } from './mqtt-helpers.ts';
import { makeTestPki, type TestPki } from './test-ca.ts';

const M = '999997';
let db: Db;
let store: CredentialStore;
let broker: EmbeddedBroker;
let pki: TestPki;

beforeAll(async () => {
  pki = makeTestPki();
  db = await openDb({});
  store = await createCredentialStore(db);
  broker = await createEmbeddedBroker({
    credentials: store,
    logger: createLogger({ name: 'test', level: 'silent' }),
    port: 0,
    wsPort: 0,
    tls: { certFile: pki.certFile, keyFile: pki.keyFile },
  });
});
afterAll(async () => {
  await broker?.close();
  await db?.close();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

describe('embedded broker over TLS', () => {
  it('speaks mqtts:// and wss:// only, and carries an alert end to end', async () => {
    expect(broker.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const tv = await store.issue({ kind: 'tv', muni: M, device: 'tls1' });
    const muni = await store.issue({ kind: 'municipality', muni: M });
    const t = await mustConnect(broker.wsUrl!, tv.username, tv.password, { ca: pki.ca, rejectUnauthorized: true });
    expect(await subscribeCodes(t.client, [topics.tvOwn(M, 'tls1')])).toEqual([1]);
    const m = await mustConnect(broker.mqttUrl, muni.username, muni.password, { ca: pki.ca, rejectUnauthorized: true });
    await m.client.publishAsync(topics.tvAlert(M, 'tls1'), 'over tls', { qos: 1 });
    expect(await eventually(() => t.received.length === 1)).toBe(true);
    expect(t.received[0]!.payload).toBe('over tls');
    await endAll(t.client, m.client);
  });

  it.each(['mqtts', 'wss'] as const)(
    'a client trusting another CA refuses the broker certificate (%s)',
    async (scheme) => {
      const tv = await store.issue({ kind: 'tv', muni: M, device: `untrusted-${scheme}` });
      const url = scheme === 'mqtts' ? broker.mqttUrl : broker.wsUrl!;
      const out = await connectAs(url, tv.username, tv.password, { ca: pki.otherCa, rejectUnauthorized: true });
      expect(out.ok).toBe(false);
      if (!out.ok) expect(String(out.code)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    },
  );

  it('refuses plain MQTT on the TLS port', async () => {
    const tv = await store.issue({ kind: 'tv', muni: M, device: 'plain' });
    const out = await connectAs(broker.mqttUrl.replace('mqtts:', 'mqtt:'), tv.username, tv.password, {
      connectTimeout: 2000,
    });
    expect(out.ok).toBe(false);
  });
});
