/**
 * Issue 19's roster benchmark: `npx tsx system/bench/roster-sync.ts` (env: N 100000 residents,
 * CHANGES 100 residents changed before the incremental sync).
 *
 * Every shelter terminal keeps the whole municipality's roster (card keys as salted hashes,
 * names, households, care needs). With the bench town of N residents (one TV and one card each)
 * and the real console (HTTP, PGlite store, the terminal's broker credentials), a real terminal
 * (PGlite store) of 第1小学校 (which serves one of the ten zones):
 *   1. size: the roster as JSON, gzipped (what travels) and stored on the terminal (PGlite's
 *      table size); baseline in the same run: the per-shelter roster as it was before issue 19
 *      (the served zone's residents only), plain and gzipped;
 *   2. full sync: first fetch (the console also writes one disclosure-log entry per person),
 *      then a second terminal's first fetch of the same version;
 *   3. incremental sync after CHANGES residents changed (names, one person's care needs):
 *      GET …/roster/changes?since=; baseline in the same run: the full fetch of the same new
 *      version by a terminal that has none; then a refresh with nothing changed (304).
 */
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { createLogger, openDb, type Db } from '@kizuna/core';
import { rosterPath } from '@kizuna/contract';
import { createCredentialStore, createEmbeddedBroker, migrateBroker } from '@kizuna/broker';
import * as consoleFunctions from '@kizuna/municipal-console';
import { startConsole } from '@kizuna/municipal-console';
import { migrateTerminalDb, RosterSource, TerminalStore } from '@kizuna/evacuation-center';
import { BENCH_MUNI as MUNI, seedTown } from '@kizuna/test-utils';

const N = Number(process.env.N ?? 100_000);
const CHANGES = Number(process.env.CHANGES ?? 100);
const SHELTER = 'sh-0';
const logger = createLogger({
  name: 'bench',
  level: 'warn',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const per = (b: number, n: number) => `${Math.round(b / n)} B/person`;

say(`roster sync: ${N} residents, ${CHANGES} changes; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
const t0 = Date.now();
const cdb = await openDb({});
await seedTown(consoleFunctions, cdb, N);
// the school serves the first zone (before issue 19 its roster was that zone's residents)
const zone0 = (await cdb.query<{ zone_id: string }>(`SELECT zone_id FROM residents ORDER BY id LIMIT 1`)).rows[0]!
  .zone_id;
await cdb.query(`UPDATE shelters SET serves = ARRAY[$2] WHERE id = $1`, [SHELTER, zone0]);
say(`seeded the town in ${Date.now() - t0} ms`);

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
  reconnectPeriod: 500,
});
const consoleServer = await startConsole({
  db: cdb,
  logger,
  mqtt: muniClient,
  muni: MUNI,
  port: 0,
  tickS: 0,
  credentials,
});

const terminals: Db[] = [];
/** A terminal's roster source on its own PGlite store, as the terminal app runs it. */
async function terminal(name: string) {
  const creds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: SHELTER, terminal: name });
  const db = await openDb({});
  await migrateTerminalDb(db);
  const store = new TerminalStore(db, { muni: MUNI, shelter: SHELTER, terminal: name });
  const source = new RosterSource({
    store,
    logger,
    consoleUrl: consoleServer.url,
    credentials: creds,
    timeoutMs: 600_000,
  });
  terminals.push(db);
  return { source, db, creds };
}
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}
const stored = async (db: Db) =>
  Number((await db.query<{ n: string }>(`SELECT pg_total_relation_size('roster_cache') AS n`)).rows[0]!.n);

// 1 + 2: full sync, first (disclosures written) and of a second terminal
const a = await terminal('door-1');
const [, firstMs] = await timed(() => a.source.refresh());
const full = a.source.lastRefresh!;
const b = await terminal('door-2');
const [, secondMs] = await timed(() => b.source.refresh());
const people = a.source.current!.size;
const plainJson = await (
  await fetch(new URL(rosterPath(SHELTER), consoleServer.url), {
    headers: {
      authorization: `Basic ${Buffer.from(`${b.creds.username}:${b.creds.password}`).toString('base64')}`,
      'accept-encoding': 'identity',
    },
  })
).text();
const roster = JSON.parse(plainJson) as { people: { assigned?: true }[] };
const oldStyle = JSON.stringify({ ...roster, people: roster.people.filter((p) => p.assigned) });
const oldPeople = roster.people.filter((p) => p.assigned).length;
const gz = gzipSync(plainJson).length;
const oldGz = gzipSync(oldStyle).length;
say(`roster of ${people} people (${oldPeople} of them of the served zone)`);
say(
  `  JSON ${mb(plainJson.length)} (${per(plainJson.length, people)}); over the wire gzip ${mb(full.bytes)} (${per(full.bytes, people)}); stored on the terminal ${mb(await stored(a.db))}`,
);
say(
  `  baseline (per-shelter roster, served zone only): JSON ${mb(oldStyle.length)}, gzip ${mb(oldGz)}; whole / per-shelter = ${(gz / oldGz).toFixed(1)}× gzipped`,
);
say(`  gzip / plain JSON = ${((full.bytes / plainJson.length) * 100).toFixed(0)} %`);
say(
  `full sync: first terminal ${firstMs.toFixed(0)} ms (the console writes ${people} disclosure entries), second terminal ${secondMs.toFixed(0)} ms`,
);

// 3: incremental sync after CHANGES changes (names; one person's care needs)
await cdb.query(
  `UPDATE residents SET given_name = given_name || '子' WHERE id IN (SELECT id FROM residents ORDER BY id DESC LIMIT $1)`,
  [CHANGES - 1],
);
await cdb.query(
  `UPDATE residents SET care_needs = ARRAY['mobility'] WHERE id = (SELECT id FROM residents ORDER BY id LIMIT 1)`,
);
const [, incMs] = await timed(() => a.source.refresh());
const inc = a.source.lastRefresh!;
const c = await terminal('door-3');
const [, fullAgainMs] = await timed(() => c.source.refresh());
const fullAgain = c.source.lastRefresh!;
if (inc.kind !== 'changes' || a.source.current!.roster.version !== c.source.current!.roster.version)
  throw new Error('the incremental sync did not reach the version a full fetch gives');
say(
  `incremental sync after ${CHANGES} changes: ${incMs.toFixed(0)} ms, ${inc.bytes} B over the wire (${inc.upsert} changed, ${inc.remove} removed)`,
);
say(
  `  baseline, same version by a full fetch: ${fullAgainMs.toFixed(0)} ms, ${mb(fullAgain.bytes)}; full / incremental = ${(fullAgainMs / incMs).toFixed(1)}× time, ${(fullAgain.bytes / Math.max(1, inc.bytes)).toFixed(0)}× bytes`,
);
// a periodic refresh with nothing changed: 304 (the console reuses its built roster after one fingerprint query)
const [outcome, sameMs] = await timed(() => a.source.refresh());
say(`refresh with nothing changed: ${outcome} in ${sameMs.toFixed(0)} ms`);

// where the time goes: the console building the roster (query, pseudonyms, digests) on its own
const [, buildMs] = await timed(() =>
  consoleFunctions.buildRoster(cdb, { muni: MUNI, shelter: SHELTER, now: new Date(), windowMs: 7 * 86_400_000 }),
);
say(`  of which the console building the whole roster: ${buildMs.toFixed(0)} ms`);
const held = c.source.current!.roster;
const cStore = new TerminalStore(c.db, { muni: MUNI, shelter: SHELTER, terminal: 'door-3' });
const [, saveMs] = await timed(() => cStore.saveRoster(held.version, held));
const [, loadMs] = await timed(async () => {
  const again = new RosterSource({ store: cStore, logger });
  await again.loadCached();
});
say(
  `  of which the terminal storing it: ${saveMs.toFixed(0)} ms; loading it from its store at start: ${loadMs.toFixed(0)} ms`,
);
say(`load at the end ${loadavg()[0]!.toFixed(2)}`);

for (const db of terminals) await db.close();
await consoleServer.close();
await muniClient.endAsync(true);
await broker.close();
await brokerDb.close();
await cdb.close();
