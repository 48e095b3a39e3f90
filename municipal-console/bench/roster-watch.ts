/**
 * Issue 4's roster and revocation-watch benchmark: `npx tsx municipal-console/bench/roster-watch.ts`
 *
 *  1. A city shelter's roster: PEOPLE residents in the zones it serves (households of 3, half
 *     with a bound card). Build time (query, pseudonyms, salted card keys, version hash) and the
 *     disclosure log (first fetch: all new; re-fetch: nothing changed). Baseline, same run: one plain
 *     SELECT of the same residents' columns.
 *  2. One revocation-watch pass over BATCH bound cards (real certificates from the test authority,
 *     in-process OCSP, no status cache). Baseline, same run: the same verifier calls without the
 *     console (no database).
 */
import { Writable } from 'node:stream';
import { createLogger, openDb } from '@kizuna/core';
import { createAuthority, createVerifier } from '@kizuna/jpki';
import {
  addShelter,
  addZone,
  migrateConsole,
  registerDevice,
  seedResidents,
  type ResidentInput,
} from '../src/index.ts';
import { buildRoster, recordRosterDisclosure } from '../src/shelters/roster.ts';
import { BindingService } from '../src/register/binding.ts';

const PEOPLE = Number(process.env.PEOPLE ?? 15_000);
const BATCH = Number(process.env.BATCH ?? 200);
const CARDS = Number(process.env.CARDS ?? 20);
const logger = createLogger({
  name: 'bench',
  level: 'warn',
  destination: new Writable({
    write(_c, _e, cb) {
      cb();
    },
  }),
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(n: number, f: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return median(out);
}

const db = await openDb({});
await migrateConsole(db);
await addZone(db, {
  id: 'z1',
  name: '中央地区',
  polygon: [
    [139.6, 35.4],
    [139.7, 35.4],
    [139.7, 35.5],
    [139.6, 35.5],
    [139.6, 35.4],
  ],
});
await addShelter(db, {
  id: 'sh1',
  name: '中央小学校',
  address: '中央1-1',
  lat: 35.45,
  lon: 139.65,
  capacity: 2000,
  hazards: ['flood'],
  welfare: false,
  serves: ['z1'],
});
const residents: ResidentInput[] = Array.from({ length: PEOPLE }, (_, i) => ({
  id: `R${i}`,
  familyName: '山田',
  givenName: `太郎${i}`,
  familyKana: 'ヤマダ',
  givenKana: 'タロウ',
  address: `中央${i}`,
  birthDate: '1950-01-01',
  sex: 1,
  language: 'ja',
  needsHelp: i % 10 === 0,
  household: `H${Math.floor(i / 3)}`,
  zone: 'z1',
  careNeeds: i % 10 === 0 ? ['mobility'] : [],
}));
await seedResidents(db, residents);
await registerDevice(
  db,
  Array.from({ length: Math.ceil(PEOPLE / 3) }, (_, h) => ({ id: `tv${h}`, zone: 'z1', household: `H${h}` })),
);
await db.query(
  `INSERT INTO bindings (resident_id, device_id, auth_serial, sign_serial)
  SELECT 'R' || i, 'tv' || (i / 3), lpad(to_hex(i), 32, '0'), lpad(to_hex(i + 1000000), 32, '0') FROM generate_series(0, $1::int - 1, 2) AS i`,
  [PEOPLE],
);

const now = new Date();
const build = () => buildRoster(db, { muni: '999997', shelter: 'sh1', now, windowMs: 7 * 86_400_000 });
await build();
const tBuild = await time(5, build);
const built = await build();
let t = performance.now();
const changed = await recordRosterDisclosure(db, built, { terminal: 'bench', now });
const tFirst = performance.now() - t;
t = performance.now();
const unchanged = await recordRosterDisclosure(db, built, { terminal: 'bench', now });
const tAgain = performance.now() - t;
const tBase = await time(5, () =>
  db.query(
    `SELECT id, family_name, given_name, family_kana, given_kana, household_id, birth_date, needs_help, care_needs FROM residents WHERE zone_id = ANY($1::text[])`,
    [['z1']],
  ),
);
const bytes = Buffer.byteLength(JSON.stringify(built.roster));
console.log(
  `roster of ${built.roster.people.length} people (${(bytes / 1e6).toFixed(1)} MB JSON): build ${tBuild.toFixed(0)} ms (median of 5); baseline plain SELECT ${tBase.toFixed(0)} ms; ratio ${(tBuild / tBase).toFixed(1)}×`,
);
console.log(
  `disclosure log: first fetch ${changed} entries in ${tFirst.toFixed(0)} ms; re-fetch ${unchanged} entries in ${tAgain.toFixed(0)} ms`,
);

const authority = await createAuthority();
const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
const ders: string[] = [];
for (let i = 0; i < CARDS; i++) {
  const c = await authority.issueCard(
    { name: '山田　太郎', address: '中央1', birthDate: '1950-01-01', sex: 1 },
    { authPin: '1234', signPassword: 'ABC123' },
  );
  ders.push(Buffer.from(authority.certificate(c.signSerial)).toString('base64'));
}
await db.query(
  `UPDATE bindings SET cert_der = (($2::text[])[1 + (id % $3)]), status_checked_at = NULL WHERE id IN (SELECT id FROM bindings ORDER BY id LIMIT $1)`,
  [BATCH, ders, CARDS],
);
const svc = new BindingService({
  db,
  muni: '999997',
  logger,
  clock: { now: () => new Date() },
  verifier,
  nonceTtlMs: 300_000,
  watchEveryMs: 0,
  watchBatch: BATCH,
});
await svc.watch(); // warm the verifier's certificate cache, as a running console has
t = performance.now();
const w = await svc.watch();
const tWatch = performance.now() - t;
const rawDers = Array.from({ length: BATCH }, (_, i) => new Uint8Array(Buffer.from(ders[i % CARDS]!, 'base64')));
t = performance.now();
for (const d of rawDers) await verifier.verifyCertificate(d, { purpose: 'sign' });
const tRaw = performance.now() - t;
console.log(
  `revocation watch: ${w.checked} cards in ${tWatch.toFixed(0)} ms (${(tWatch / w.checked).toFixed(1)} ms/card, ≈ ${Math.round(3_600_000 / (tWatch / w.checked)).toLocaleString('en')} cards/hour if run back to back); baseline verifier alone ${tRaw.toFixed(0)} ms; ratio ${(tWatch / tRaw).toFixed(2)}×`,
);
await db.close();
