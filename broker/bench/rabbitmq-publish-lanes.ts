/**
 * A console's fan-out on RabbitMQ, where each publish waits for the auth service's answer about
 * its topic (one per TV): N QoS 1 publishes to N distinct TV topics over k connections of one
 * municipality (the console's publishing connections, KZ_CONSOLE_MQTT_PUBLISHERS), first with the
 * node's HTTP client on Erlang's defaults, then with the options Kizuna installs
 * (rabbitmq-httpc-options.ts). The baseline, measured in the same run: one connection on the defaults.
 *
 *   npx tsx broker/bench/rabbitmq-publish-lanes.ts [--publishes 3000] [--lanes 1,4,8,16]
 *
 * Nothing subscribes: this measures what the node does before routing (the checks), not delivery.
 */
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger, openDb } from '@kizuna/core';
import { createCredentialStore, HTTPC_OPTIONS, HTTPC_OPTIONS_PROCESS, startRabbitMq } from '../src/index.ts';

const { values } = parseArgs({
  options: { publishes: { type: 'string', default: '3000' }, lanes: { type: 'string', default: '1,4,8,16' } },
});
const N = Number(values.publishes);
const LANES = values.lanes.split(',').map(Number);
const MUNI = '999990';

const db = await openDb({});
const store = await createCredentialStore(db);
const node = await startRabbitMq({ credentials: store, logger: createLogger({ name: 'bench', level: 'warn' }) });
const muni = await store.issue({ kind: 'municipality', muni: MUNI });
let round = 0;

/** Publishes per second over `k` connections, to topics no connection has published to before. */
async function rate(k: number): Promise<number> {
  round += 1;
  const clients = await Promise.all(
    Array.from({ length: k }, (_, i) =>
      mqtt.connectAsync(node.url, {
        clientId: `${muni.username}~b${round}-p${i}`,
        username: muni.username,
        password: muni.password,
        clean: true,
        protocolVersion: 4,
      }),
    ),
  );
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      clients[i % k]!.publishAsync(topics.tvAlert(MUNI, `r${round}-${i}`), 'x', { qos: 1 }),
    ),
  );
  const perS = (N * 1000) / (performance.now() - t0);
  await Promise.all(clients.map((c) => c.endAsync()));
  return perS;
}

const rows: { http: string; k: number; perS: number }[] = [];
try {
  // Erlang's defaults: stop Kizuna's process first, or it would set its options again within 5 s
  console.log(
    await node.evalOnNode(
      `case whereis(${HTTPC_OPTIONS_PROCESS}) of undefined -> ok; P -> exit(P, kill) end, httpc:set_options([{max_sessions, 2}, {max_keep_alive_length, 5}, {keep_alive_timeout, 120000}]), httpc:get_options([max_sessions, max_keep_alive_length]).`,
    ),
  );
  for (const k of LANES) rows.push({ http: 'Erlang defaults', k, perS: await rate(k) });
  console.log(
    await node.evalOnNode(
      `httpc:set_options(${HTTPC_OPTIONS}), httpc:get_options([max_sessions, max_keep_alive_length]).`,
    ),
  );
  for (const k of LANES) rows.push({ http: 'Kizuna (rabbitmq-httpc-options.ts)', k, perS: await rate(k) });
} finally {
  await node.close();
  await db.close();
}
const base = rows[0]!.perS;
console.log(`\n${N} publishes to distinct TV topics, one RabbitMQ node; baseline: 1 connection, Erlang defaults`);
console.log('| node HTTP client | connections | publishes/s | × baseline |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.http} | ${r.k} | ${r.perS.toFixed(0)} | ${(r.perS / base).toFixed(2)}× |`);
