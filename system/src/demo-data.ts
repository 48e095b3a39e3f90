/**
 * The demo municipality that `npm start` creates on first start: a fictional city with a
 * format-valid local-government code outside the real prefecture range (99), four zones,
 * three shelters, a few dozen residents in several languages (some needing help to evacuate,
 * households of two), their TVs, and one life insurer. Deterministic, so the demo guide
 * (docs/DEMO.md) can list the cards' PINs; PINs are never logged.
 */
import type { Hazard, Language } from '@kizuna/contract';

export const DEMO_MUNI = { code: '999997', name: '絆市（デモ）', nameEn: 'Kizuna City (demo)' } as const;

export interface DemoZone {
  id: string;
  name: string;
  nameEn: string;
  polygon: [number, number][];
}
export interface DemoShelter {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  hazards: Hazard[];
  welfare: boolean;
  /** Name and address for non-Japanese screens (issue 18). */
  nameLatin: string;
  addressLatin: string;
}
export interface DemoResident {
  id: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  address: string;
  birthDate: string;
  sex: 1 | 2 | 3;
  language: Language;
  needsHelp: boolean;
  supporter?: string;
  phone?: string;
  household: string;
  zone: string;
  lat: number;
  lon: number;
  /** The name in alphabet as the residence record has it (foreign residents). */
  familyNameLatin?: string;
  givenNameLatin?: string;
  /** The emulated card's PIN (4 digits) and signing password (6–16 upper-case letters/digits). */
  authPin: string;
  signPassword: string;
}
export interface DemoTv {
  id: string;
  household: string;
  zone: string;
}

// Four neighbouring zones, west to east (≈ 2 km each), with the shapes of real districts: a river
// bend on the west, a coast on the east, borders along streets. Neighbours share their borders
// point for point, so the zones tile the city without gaps or overlaps.
type Line = [number, number][];
const SOUTH: Line[] = [
  [
    [139.997, 35.994],
    [140.006, 35.992],
    [140.012, 35.995],
    [140.018, 35.996],
  ],
  [
    [140.018, 35.996],
    [140.026, 35.993],
    [140.033, 35.995],
    [140.04, 35.997],
  ],
  [
    [140.04, 35.997],
    [140.047, 35.993],
    [140.053, 35.996],
    [140.06, 35.998],
  ],
  [
    [140.06, 35.998],
    [140.068, 35.995],
    [140.078, 35.997],
  ],
];
const NORTH: Line[] = [
  [
    [139.996, 36.02],
    [140.005, 36.024],
    [140.011, 36.022],
    [140.0175, 36.021],
  ],
  [
    [140.0175, 36.021],
    [140.025, 36.025],
    [140.031, 36.023],
    [140.039, 36.022],
  ],
  [
    [140.039, 36.022],
    [140.046, 36.027],
    [140.052, 36.024],
    [140.058, 36.023],
  ],
  [
    [140.058, 36.023],
    [140.066, 36.026],
    [140.075, 36.021],
  ],
];
/** South to north: the river on the west, three borders, the coast on the east. */
const SIDES: Line[] = [
  [
    [139.997, 35.994],
    [139.999, 36.0],
    [139.995, 36.006],
    [139.9985, 36.012],
    [139.994, 36.016],
    [139.996, 36.02],
  ],
  [
    [140.018, 35.996],
    [140.0195, 36.003],
    [140.016, 36.009],
    [140.0205, 36.014],
    [140.0175, 36.021],
  ],
  [
    [140.04, 35.997],
    [140.0365, 36.005],
    [140.0405, 36.011],
    [140.037, 36.017],
    [140.039, 36.022],
  ],
  [
    [140.06, 35.998],
    [140.056, 36.006],
    [140.0605, 36.012],
    [140.058, 36.023],
  ],
  [
    [140.078, 35.997],
    [140.081, 36.004],
    [140.077, 36.009],
    [140.083, 36.015],
    [140.079, 36.019],
    [140.075, 36.021],
  ],
];
/** Zone i's closed ring: its south edge west to east, east side up, north edge back west, west side down. */
function district(i: number): [number, number][] {
  return [
    ...SOUTH[i]!,
    ...SIDES[i + 1]!.slice(1),
    ...NORTH[i]!.slice(0, -1).reverse(),
    ...SIDES[i]!.slice(0, -1).reverse(),
  ];
}
/** Where zone i's homes are laid out from (a grid of 0.002° × 0.004° steps inside the zone). */
const HOMES_ORIGIN = (i: number): [number, number] => [140.0 + 0.02 * i, 36.0];

export const DEMO_ZONES: DemoZone[] = [
  { id: 'z-kawabe', name: '川辺地区', nameEn: 'Kawabe (riverside)', polygon: district(0) },
  { id: 'z-ekimae', name: '駅前地区', nameEn: 'Ekimae (station)', polygon: district(1) },
  { id: 'z-yamate', name: '山手地区', nameEn: 'Yamate (hillside)', polygon: district(2) },
  { id: 'z-minato', name: '港地区', nameEn: 'Minato (harbour)', polygon: district(3) },
];

/**
 * The demo city's JMA area code (市町村等: the local-government code's first five digits and 00, as
 * JMA's area code table builds them) and which zones each hazard concerns (issue 20): floods the
 * riverside and the station below it, landslides the hillside, storm surge and tsunami the harbour.
 */
export const DEMO_JMA: { areas: { code: string; name: string }[]; zoneHazards: { zone: string; hazard: Hazard }[] } = {
  areas: [{ code: `${DEMO_MUNI.code.slice(0, 5)}00`, name: '絆市' }],
  zoneHazards: [
    { zone: 'z-kawabe', hazard: 'flood' },
    { zone: 'z-ekimae', hazard: 'flood' },
    { zone: 'z-yamate', hazard: 'landslide' },
    { zone: 'z-minato', hazard: 'storm-surge' },
    { zone: 'z-minato', hazard: 'tsunami' },
  ],
};

export const DEMO_SHELTERS: DemoShelter[] = [
  {
    id: 'sh-daiichi',
    name: '絆市立第一小学校',
    address: '絆市山手一丁目2番3号',
    lat: 36.012,
    lon: 140.045,
    capacity: 300,
    hazards: ['flood', 'storm-surge', 'tsunami', 'earthquake', 'fire'],
    welfare: false,
    nameLatin: 'Kizuna City Daiichi Elementary School',
    addressLatin: '1-2-3 Yamate, Kizuna City',
  },
  {
    id: 'sh-kominkan',
    name: '絆市中央公民館',
    address: '絆市駅前二丁目5番1号',
    lat: 36.01,
    lon: 140.03,
    capacity: 150,
    hazards: ['landslide', 'earthquake', 'fire'],
    welfare: false,
    nameLatin: 'Kizuna City Central Community Hall',
    addressLatin: '2-5-1 Ekimae, Kizuna City',
  },
  {
    id: 'sh-sakura',
    name: '福祉センターさくら',
    address: '絆市山手三丁目8番10号',
    lat: 36.015,
    lon: 140.05,
    capacity: 40,
    hazards: ['flood', 'storm-surge', 'earthquake', 'landslide'],
    welfare: true,
    nameLatin: 'Sakura Welfare Centre',
    addressLatin: '3-8-10 Yamate, Kizuna City',
  },
];

export const DEMO_INSURER = { id: 'ins-sakura', name: 'さくら生命保険（デモ）', nameEn: 'Sakura Life (demo)' } as const;

const FAMILIES: [string, string][] = [
  ['山田', 'ヤマダ'],
  ['佐藤', 'サトウ'],
  ['鈴木', 'スズキ'],
  ['高橋', 'タカハシ'],
  ['田中', 'タナカ'],
  ['伊藤', 'イトウ'],
  ['渡辺', 'ワタナベ'],
  ['中村', 'ナカムラ'],
  ['小林', 'コバヤシ'],
  ['加藤', 'カトウ'],
  ['吉田', 'ヨシダ'],
  ['松本', 'マツモト'],
];
const GIVEN_F: [string, string][] = [
  ['花子', 'ハナコ'],
  ['良子', 'ヨシコ'],
  ['幸子', 'サチコ'],
  ['美咲', 'ミサキ'],
  ['和子', 'カズコ'],
  ['陽菜', 'ヒナ'],
];
const GIVEN_M: [string, string][] = [
  ['太郎', 'タロウ'],
  ['一郎', 'イチロウ'],
  ['健', 'ケン'],
  ['茂', 'シゲル'],
  ['翔太', 'ショウタ'],
  ['清', 'キヨシ'],
];
// Foreign residents: names in katakana (or kanji) as registered, their name in alphabet as the
// residence record has it, and their language.
const FOREIGN: {
  family: [string, string];
  given: [string, string];
  latin: [family: string, given: string];
  language: Language;
  sex: 1 | 2;
}[] = [
  {
    family: ['グエン', 'グエン'],
    given: ['ティ・ラン', 'ティ・ラン'],
    latin: ['Nguyen', 'Thi Lan'],
    language: 'vi',
    sex: 2,
  },
  { family: ['シルバ', 'シルバ'], given: ['マリア', 'マリア'], latin: ['Silva', 'Maria'], language: 'pt', sex: 2 },
  { family: ['王', 'オウ'], given: ['偉', 'ウェイ'], latin: ['Wang', 'Wei'], language: 'zh', sex: 1 },
  { family: ['キム', 'キム'], given: ['ミンジュン', 'ミンジュン'], latin: ['Kim', 'Minjun'], language: 'ko', sex: 1 },
  { family: ['スミス', 'スミス'], given: ['ジョン', 'ジョン'], latin: ['Smith', 'John'], language: 'en', sex: 1 },
  {
    family: ['サントス', 'サントス'],
    given: ['アナ', 'アナ'],
    latin: ['Santos', 'Ana'],
    language: 'ja-x-easy',
    sex: 2,
  },
];

/** 36 residents in 24 households; the first household (山田) has two residents on one TV. */
export function demoResidents(): DemoResident[] {
  const out: DemoResident[] = [];
  let n = 0;
  const add = (
    r: Omit<DemoResident, 'id' | 'authPin' | 'signPassword' | 'lat' | 'lon' | 'address'>,
    houseNo: number,
  ) => {
    n += 1;
    const zi = DEMO_ZONES.findIndex((z) => z.id === r.zone);
    const zone = DEMO_ZONES[zi]!;
    const [lon0, lat0] = HOMES_ORIGIN(zi);
    const lat = +(lat0 + 0.002 + (houseNo % 8) * 0.002).toFixed(5);
    const lon = +(lon0 + 0.002 + (Math.floor(houseNo / 8) % 4) * 0.004).toFixed(5);
    out.push({
      ...r,
      id: `R${String(n).padStart(5, '0')}`,
      address: `絆市${zone.name.replace('地区', '')}${(houseNo % 4) + 1}丁目${houseNo + 1}番${(n % 9) + 1}号`,
      lat,
      lon,
      authPin: String(1000 + ((n * 7919) % 9000)).padStart(4, '0'),
      signPassword: `KIZUNA${String(n).padStart(2, '0')}`,
    });
  };
  const zones = DEMO_ZONES.map((z) => z.id);
  // Household H001: an elderly couple who need help, on one TV in the riverside zone.
  add(
    {
      familyName: '山田',
      givenName: '太郎',
      familyKana: 'ヤマダ',
      givenKana: 'タロウ',
      birthDate: '1941-04-12',
      sex: 1,
      language: 'ja',
      needsHelp: true,
      supporter: '民生委員 佐々木',
      phone: '0299-00-0001',
      household: 'H001',
      zone: 'z-kawabe',
    },
    0,
  );
  add(
    {
      familyName: '山田',
      givenName: '花子',
      familyKana: 'ヤマダ',
      givenKana: 'ハナコ',
      birthDate: '1944-09-30',
      sex: 2,
      language: 'ja',
      needsHelp: true,
      supporter: '民生委員 佐々木',
      phone: '0299-00-0001',
      household: 'H001',
      zone: 'z-kawabe',
    },
    0,
  );
  let house = 1;
  for (let i = 0; i < 28; i++) {
    const [fam, famKana] = FAMILIES[i % FAMILIES.length]!;
    const female = i % 2 === 0;
    const [giv, givKana] = (female ? GIVEN_F : GIVEN_M)[i % 6]!;
    const elderly = i % 5 === 0;
    const year = elderly ? 1935 + (i % 10) : 1960 + ((i * 3) % 40);
    const household = `H${String(house + 1).padStart(3, '0')}`;
    add(
      {
        familyName: fam,
        givenName: giv,
        familyKana: famKana,
        givenKana: givKana,
        birthDate: `${year}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
        sex: female ? 2 : 1,
        language: 'ja',
        needsHelp: elderly || i % 9 === 4,
        ...(elderly
          ? {
              supporter: `近所の${FAMILIES[(i + 3) % 12]![0]}さん`,
              phone: `0299-00-${String(100 + i).padStart(4, '0')}`,
            }
          : {}),
        household,
        zone: zones[i % zones.length]!,
      },
      house,
    );
    // every seventh household has a second resident
    if (i % 7 === 3) {
      const [g2, g2k] = (female ? GIVEN_M : GIVEN_F)[(i + 1) % 6]!;
      add(
        {
          familyName: fam,
          givenName: g2,
          familyKana: famKana,
          givenKana: g2k,
          birthDate: `${year + 2}-03-15`,
          sex: female ? 1 : 2,
          language: 'ja',
          needsHelp: false,
          household,
          zone: zones[i % zones.length]!,
        },
        house,
      );
    }
    house += 1;
  }
  for (const [i, f] of FOREIGN.entries()) {
    const household = `H${String(house + 1).padStart(3, '0')}`;
    add(
      {
        familyName: f.family[0],
        givenName: f.given[0],
        familyKana: f.family[1],
        givenKana: f.given[1],
        familyNameLatin: f.latin[0],
        givenNameLatin: f.latin[1],
        birthDate: `${1975 + i * 4}-0${(i % 9) + 1}-1${i}`,
        sex: f.sex,
        language: f.language,
        needsHelp: i === 5,
        household,
        zone: zones[(i + 1) % zones.length]!,
      },
      house,
    );
    house += 1;
  }
  return out;
}

/** One TV per household, plus one TV in the harbour zone with nobody bound (gets area alerts only). */
export function demoTvs(residents: DemoResident[]): DemoTv[] {
  const seen = new Map<string, DemoTv>();
  for (const r of residents) {
    if (!seen.has(r.household))
      seen.set(r.household, {
        id: `tv-${String(seen.size + 1).padStart(4, '0')}`,
        household: r.household,
        zone: r.zone,
      });
  }
  const tvs = [...seen.values()];
  tvs.push({ id: `tv-${String(tvs.length + 1).padStart(4, '0')}`, household: '', zone: 'z-minato' });
  return tvs;
}
