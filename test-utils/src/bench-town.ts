/**
 * A synthetic town for the benchmarks (the console's fan-out and dashboard benches, the shelter
 * check-in bench in system/): N residents, each bound to their own TV, spread over a grid of zones
 * with flood-safe shelters big enough for everyone. Written through the console's own batch
 * functions, which the caller passes in (`seedTown(consoleFunctions, db, n)`: zones, shelters,
 * register extract, TVs are checked as in production); the bindings, which have no batch
 * function, by one INSERT … SELECT generate_series.
 * Names, addresses and birth dates are made up; no My Number anywhere.
 */
import type { Db } from '@kizuna/core';
import type { Language } from '@kizuna/contract';

type ResidentInput = {
  id: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  sex: 1 | 2;
  address: string;
  birthDate: string;
  language: Language;
  needsHelp: boolean;
  household: string;
  zone: string;
  lat: number;
  lon: number;
};

/** The console's register functions the town is written through (@kizuna/municipal-console has them all). */
export interface TownConsole {
  migrateConsole(db: Db): Promise<unknown>;
  addZone(db: Db, zone: { id: string; name: string; nameEn: string; polygon: [number, number][] }): Promise<unknown>;
  addShelter(
    db: Db,
    shelter: {
      id: string;
      name: string;
      address: string;
      lat: number;
      lon: number;
      capacity: number;
      hazards: ('flood' | 'earthquake')[];
      welfare: boolean;
    },
  ): Promise<unknown>;
  seedResidents(db: Db, residents: ResidentInput[], source: string): Promise<unknown>;
  registerDevice(db: Db, devices: { id: string; zone: string; household: string }[], source: string): Promise<unknown>;
  createStaff(db: Db, staff: { username: string; password: string; roles: 'issuer'[] }): Promise<unknown>;
}

export const BENCH_MUNI = '999997';
export const ZONES = 10;
const CELL = 0.02; // degrees per zone square
const LON0 = 140.0;
const LAT0 = 36.0;

const FAMILY = [
  ['山田', 'ヤマダ'],
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
] as const;
const GIVEN = [
  ['花子', 'ハナコ', 2],
  ['太郎', 'タロウ', 1],
  ['幸子', 'サチコ', 2],
  ['健', 'ケン', 1],
  ['和子', 'カズコ', 2],
  ['誠', 'マコト', 1],
] as const;
// Mostly Japanese, with the register's other languages represented.
const LANGS: Language[] = [
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja',
  'ja-x-easy',
  'en',
  'zh',
  'ko',
  'vi',
  'pt',
];

export const zoneId = (z: number) => `z-${String(z).padStart(2, '0')}`;
export const deviceId = (i: number) => `tv-${String(i).padStart(6, '0')}`;
const residentId = (i: number) => `R${String(i).padStart(7, '0')}`;

const square = (z: number): [number, number][] => {
  const lon = LON0 + (z % 5) * CELL;
  const lat = LAT0 + Math.floor(z / 5) * CELL;
  return [
    [lon, lat],
    [lon + CELL, lat],
    [lon + CELL, lat + CELL],
    [lon, lat + CELL],
    [lon, lat],
  ];
};

export interface Town {
  devices: string[];
  zones: string[];
  staff: { username: string; password: string };
}

export async function seedTown(
  { addShelter, addZone, createStaff, migrateConsole, registerDevice, seedResidents }: TownConsole,
  db: Db,
  n: number,
): Promise<Town> {
  await migrateConsole(db);
  const zones = Array.from({ length: ZONES }, (_, z) => zoneId(z));
  for (let z = 0; z < ZONES; z++)
    await addZone(db, { id: zones[z]!, name: `第${z + 1}地区`, nameEn: `District ${z + 1}`, polygon: square(z) });
  // One ordinary shelter per zone and two welfare shelters; room for everyone.
  for (let z = 0; z < ZONES; z++) {
    const [[lon, lat]] = square(z) as [[number, number]];
    await addShelter(db, {
      id: `sh-${z}`,
      name: `第${z + 1}小学校`,
      address: `絆市第${z + 1}地区1-1`,
      lat: lat + CELL / 2,
      lon: lon + CELL / 2,
      capacity: Math.ceil(n / ZONES) + 100,
      hazards: ['flood', 'earthquake'],
      welfare: false,
    });
  }
  for (const w of [0, 1]) {
    await addShelter(db, {
      id: `sh-welfare-${w}`,
      name: `福祉センター${w + 1}`,
      address: `絆市福祉${w + 1}`,
      lat: LAT0 + CELL,
      lon: LON0 + (1 + w * 2) * CELL,
      capacity: Math.ceil(n / 20) + 50,
      hazards: ['flood', 'earthquake'],
      welfare: true,
    });
  }

  const residents: ResidentInput[] = Array.from({ length: n }, (_, i) => {
    const z = i % ZONES;
    const [[lon, lat]] = square(z) as [[number, number]];
    const f = FAMILY[i % FAMILY.length]!;
    const g = GIVEN[Math.floor(i / FAMILY.length) % GIVEN.length]!;
    return {
      id: residentId(i),
      familyName: f[0],
      givenName: g[0],
      familyKana: f[1],
      givenKana: g[1],
      sex: g[2],
      address: `絆市第${z + 1}地区${i}`,
      birthDate: `${1930 + (i % 75)}-${String(1 + (i % 12)).padStart(2, '0')}-15`,
      language: LANGS[i % LANGS.length]!,
      needsHelp: i % 25 === 0,
      household: `H${i}`,
      zone: zoneId(z),
      lat: lat + (((i * 7919) % 1000) / 1000) * CELL,
      lon: lon + (((i * 104729) % 1000) / 1000) * CELL,
    };
  });
  await seedResidents(db, residents, 'bench');
  const devices = Array.from({ length: n }, (_, i) => deviceId(i));
  await registerDevice(
    db,
    devices.map((id, i) => ({ id, zone: zoneId(i % ZONES), household: `H${i}` })),
    'bench',
  );
  await db.query(
    `INSERT INTO bindings (resident_id, device_id, auth_serial)
    SELECT 'R' || lpad(i::text, 7, '0'), 'tv-' || lpad(i::text, 6, '0'), 'bench-auth-' || i FROM generate_series(0, $1::int - 1) AS i`,
    [n],
  );

  const staff = { username: 'bench-issuer', password: 'bench-issuer-password' };
  await createStaff(db, { ...staff, roles: ['issuer'] });
  return { devices, zones, staff };
}
