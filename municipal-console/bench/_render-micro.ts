/**
 * A fan-out's rendering alone, for a town of N residents (the fan-out bench's town, PGlite in
 * memory): every TV's message made as an object, encoded to JSON and written as UTF-8 into chunk
 * buffers (as the fan-out did before), against AlertPlan.encode (as it does now); the median of
 * R rounds, alternating. The file name starts with `_`: `npm run bench` does not run it.
 *
 *   npx tsx municipal-console/bench/_render-micro.ts [residents=10000] [rounds=15]
 */
import { openDb } from '@kizuna/core';
import { encodeMessage } from '@kizuna/contract';
import { listShelters } from '../src/shelters/shelter-register.ts';
import { listZones } from '../src/register/zones.ts';
import { ShelterPool, shelterOccupancy } from '../src/shelters/shelter-pool.ts';
import { planAlert, type AlertHead } from '../src/alerts/personalise.ts';
import { resolveRecipients } from '../src/alerts/targeting.ts';
import { PayloadWriter } from '../src/alerts/packed-fields.ts';

/** As the fan-out wrote a chunk before AlertPlan.encode: whole texts into one buffer. */
const encodeTexts = (texts: string[]) => {
  const w = new PayloadWriter();
  for (const t of texts) {
    w.begin();
    w.str(t);
    w.end();
  }
  return w.payloads();
};
import { seedTown } from './_fanout-town.ts';

const [n = 10000, rounds = 15] = process.argv.slice(2).map(Number);
const db = await openDb({});
const town = await seedTown(db, n);
const zones = await listZones(db);
const now = new Date();
const spec = {
  level: 4 as const,
  hazard: 'flood' as const,
  status: 'Exercise' as const,
  expires: new Date(now.getTime() + 3600_000).toISOString(),
  target: { zones: town.zones },
};
const head: AlertHead = {
  alertId: 'A1',
  revision: 1,
  msgType: 'Alert',
  status: 'Exercise',
  level: 4,
  hazard: 'flood',
  sent: now.toISOString(),
  expires: spec.expires,
};
const candidates = await resolveRecipients(db, spec.target, zones, now);
const shelters = await listShelters(db);
const occ = await shelterOccupancy(db);
const zonesById = new Map(zones.map((z) => [z.id, z]));
const CHUNK = 2000;
const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};
const obj: number[] = [];
const txt: number[] = [];
const plans: number[] = [];
for (let r = 0; r < rounds; r++) {
  let plan!: ReturnType<typeof planAlert>;
  plans.push(
    time(() => {
      plan = planAlert(head, spec, candidates, new ShelterPool(shelters, occ, 'flood'), zonesById, new Map());
    }),
  );
  const runObj = () => {
    for (let i = 0; i < plan.devices.length; i += CHUNK)
      encodeTexts(plan.devices.slice(i, i + CHUNK).map((d) => encodeMessage(plan.message(d))));
  };
  const runTxt = () => {
    for (let i = 0; i < plan.devices.length; i += CHUNK) plan.encode(plan.devices.slice(i, i + CHUNK));
  };
  if (r % 2) {
    obj.push(time(runObj));
    txt.push(time(runTxt));
  } else {
    txt.push(time(runTxt));
    obj.push(time(runObj));
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(
  `${n} residents, median of ${rounds}: plan ${med(plans).toFixed(1)} ms; objects + encode ${med(obj).toFixed(1)} ms; AlertPlan.encode ${med(txt).toFixed(1)} ms (${(med(txt) / med(obj)).toFixed(2)}×)`,
);
await db.close();
