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

// A 0.02° square per zone (≈ 2 km), laid out west to east.
function square(lon0: number, lat0: number): [number, number][] {
  const d = 0.02;
  return [
    [lon0, lat0],
    [lon0 + d, lat0],
    [lon0 + d, lat0 + d],
    [lon0, lat0 + d],
    [lon0, lat0],
  ];
}

export const DEMO_ZONES: DemoZone[] = [
  { id: 'z-kawabe', name: '川辺地区', nameEn: 'Kawabe (riverside)', polygon: square(140.0, 36.0) },
  { id: 'z-ekimae', name: '駅前地区', nameEn: 'Ekimae (station)', polygon: square(140.02, 36.0) },
  { id: 'z-yamate', name: '山手地区', nameEn: 'Yamate (hillside)', polygon: square(140.04, 36.0) },
  { id: 'z-minato', name: '港地区', nameEn: 'Minato (harbour)', polygon: square(140.06, 36.0) },
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
    const zone = DEMO_ZONES.find((z) => z.id === r.zone)!;
    const [lon0, lat0] = zone.polygon[0]!;
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
