/**
 * CONNECT rate of the embedded broker: N TVs (own credentials each) connect, all disconnect,
 * and all connect again while their verified passwords are still remembered by the credential
 * store (cacheTtlMs, default 60 s): the first wave pays one PBKDF2 check per CONNECT in
 * the broker's process, the second a database read and an HMAC. The same run also reconnects
 * through a store with the cache off (cacheTtlMs 0), the rate without it.
 * Clients run in this process, in waves of 100 concurrent handshakes (as the fan-out benches):
 * client and broker share the two cores, so the rates are pessimistic for the broker alone.
 *
 *   npx tsx broker/bench/connect-rate.ts [--tvs 1000]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { createLogger, openDb } from '@kizuna/core';
import { createCredentialStore, createEmbeddedBroker, type IssuedCredentials } from '../src/index.ts';

const MUNI = '999997';
const { values } = parseArgs({ options: { tvs: { type: 'string', default: '1000' } } });
const n = Number(values.tvs);
if (!Number.isInteger(n) || n <= 0) throw new Error('--tvs must be a whole number > 0');
const logger = createLogger({ name: 'bench', level: 'warn' });
const load = () => loadavg()[0]!.toFixed(1);

async function wave(url: string, tvs: IssuedCredentials[]): Promise<{ ms: number; clients: mqtt.MqttClient[] }> {
  const clients: mqtt.MqttClient[] = [];
  const t0 = Date.now();
  for (let i = 0; i < tvs.length; i += 100) {
    clients.push(
      ...(await Promise.all(
        tvs.slice(i, i + 100).map((tv) =>
          mqtt.connectAsync(url, {
            username: tv.username,
            password: tv.password,
            clientId: tv.username,
            protocolVersion: 4,
            reconnectPeriod: 0,
            clean: true,
            connectTimeout: 120_000,
          }),
        ),
      )),
    );
  }
  return { ms: Date.now() - t0, clients };
}
const closeAll = (cs: mqtt.MqttClient[]) => Promise.all(cs.map((c) => c.endAsync(true)));
const rate = (ms: number) => Math.round(n / (ms / 1000));

const rows: string[] = [];
for (const cacheTtlMs of [60_000, 0]) {
  const db = await openDb({});
  const store = await createCredentialStore(db, { logger, cacheTtlMs });
  const tvs = await store.issueMany(
    Array.from({ length: n }, (_, i) => ({ kind: 'tv' as const, muni: MUNI, device: `tv-${i}` })),
  );
  const broker = await createEmbeddedBroker({ credentials: store, logger, port: 0 });
  try {
    const l1 = load();
    const cold = await wave(broker.mqttUrl, tvs);
    await closeAll(cold.clients);
    const l2 = load();
    const again = await wave(broker.mqttUrl, tvs);
    await closeAll(again.clients);
    const cache = cacheTtlMs ? `on (${cacheTtlMs / 1000} s)` : 'off';
    rows.push(`| ${n} | ${cache} | first CONNECT (hash check) | ${cold.ms} | ${rate(cold.ms)} | ${l1} |`);
    rows.push(`| ${n} | ${cache} | reconnect within the TTL | ${again.ms} | ${rate(again.ms)} | ${l2} |`);
    console.log(`cache ${cache}: first ${cold.ms} ms (${rate(cold.ms)}/s), again ${again.ms} ms (${rate(again.ms)}/s)`);
  } finally {
    await broker.close();
    await db.close();
  }
}
console.log('\nembedded broker CONNECT rate (clients in the same process, waves of 100)\n');
console.log('| TVs | verification cache | wave | ms | CONNECT/s | load (1 min) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
process.exit(0);
