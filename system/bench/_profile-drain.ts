/**
 * Where the offline drain's time goes (issue 7): `npx tsx system/bench/_profile-drain.ts`
 * (env QUEUED 5000, PEERS 1 (0: the terminal does not read its shelter's topics)). One process:
 * embedded broker, the console (PGlite, PUBACK held until written), one terminal draining
 * QUEUED hand check-ins. Prints the time spent in the terminal store's outbox calls and in the
 * console's ingest writes, against the wall time of the drain.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { createLogger, openDb } from '@kizuna/core';
import { createCredentialStore, createEmbeddedBroker, migrateBroker } from '@kizuna/broker';
import { startConsole } from '@kizuna/municipal-console';
import { buildTerminalApp, MqttLink, TerminalStore } from '@kizuna/evacuation-center';

const QUEUED = Number(process.env.QUEUED ?? 5000);
const MUNI = '999997';
const logger = createLogger({
  name: 'bench',
  level: 'warn',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});

const spent = new Map<string, { n: number; ms: number }>();
function time<T extends object>(proto: T, name: keyof T & string, label: string) {
  const orig = proto[name] as unknown as (...a: unknown[]) => Promise<unknown>;
  (proto as Record<string, unknown>)[name] = async function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try {
      return await orig.apply(this, a);
    } finally {
      const s = spent.get(label) ?? { n: 0, ms: 0 };
      s.n += 1;
      s.ms += performance.now() - t;
      spent.set(label, s);
    }
  };
}
if (process.env.PEERS === '0')
  (MqttLink.prototype as unknown as { subscribePeers(): Promise<void> }).subscribePeers = async () => undefined;

const cdb = await openDb({});
const brokerDb = await openDb({});
await migrateBroker(brokerDb);
const credentials = await createCredentialStore(brokerDb);
const broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
const muniCreds = await credentials.issue({ kind: 'municipality', muni: MUNI });
const muniClient = await mqtt.connectAsync(broker.mqttUrl, {
  ...muniCreds,
  clientId: muniCreds.username,
  clean: false,
  protocolVersion: 4,
});
const consoleServer = await startConsole({
  db: cdb,
  logger,
  mqtt: muniClient,
  muni: MUNI,
  port: 0,
  tickS: 0,
  liveThrottleMs: 100,
});
const ingest = consoleServer.app.kz.ingest;
const unhook = ingest.holdShelterAcks(broker.aedes);
time(Object.getPrototypeOf(ingest), 'write', 'console ingest write (tx)');

const tdb = await openDb({});
const termCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
const offline = await buildTerminalApp({ db: tdb, logger, muni: MUNI, shelter: 'sh-drain', terminal: 'door-1' });
const r0 = performance.now();
for (let i = 0; i < QUEUED; i += 1) await offline.terminal.checkIn({ manual: { name: `queued ${i}` } });
console.log(`recorded ${QUEUED} in ${((performance.now() - r0) / 1000).toFixed(1)} s`);
await offline.close();
for (const m of ['unsent', 'markSent', 'backlog', 'ingest'] as const)
  time(TerminalStore.prototype, m, `terminal store ${m}`);
const online = await buildTerminalApp({
  db: tdb,
  logger,
  muni: MUNI,
  shelter: 'sh-drain',
  terminal: 'door-1',
  mqttUrl: broker.mqttUrl,
  mqttCredentials: termCreds,
});
const d0 = performance.now();
let lagMax = 0;
let last = performance.now();
const lag = setInterval(() => {
  const now = performance.now();
  lagMax = Math.max(lagMax, now - last - 10);
  last = now;
}, 10);
await online.link!.drained();
const secs = (performance.now() - d0) / 1000;
clearInterval(lag);
console.log(
  `drained ${QUEUED} in ${secs.toFixed(2)} s (${(QUEUED / secs).toFixed(0)}/s); peers ${online.link!.peers}; worst event-loop lag ${lagMax.toFixed(0)} ms`,
);
for (const [k, v] of spent)
  console.log(`  ${k}: ${v.n} calls, ${v.ms.toFixed(0)} ms (${(v.ms / v.n).toFixed(1)} ms each)`);
await online.close();
unhook();
await consoleServer.close();
await muniClient.endAsync();
await broker.close();
await Promise.all([cdb.close(), tdb.close(), brokerDb.close()]);
process.exit(0);
