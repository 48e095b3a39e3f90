/**
 * The resident register extract: each record checked (every problem, in column order) and the
 * extract written in one transaction, batch-written since a city's register has hundreds of
 * thousands of rows.
 */
import type { Db } from '@kizuna/core';
import { CARE_NEEDS, LANGUAGES, isSafeId, type CareNeed, type Language } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { knownZones } from './zones.ts';
import { LIMITS } from '../limits.ts';

/** One row of the resident register extract. No My Number: the municipality's own resident id only. */
export interface ResidentInput {
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
  supporter?: string | undefined;
  phone?: string | undefined;
  household?: string | undefined;
  zone: string;
  lat?: number | undefined;
  lon?: number | undefined;
  /** Care needs shelter staff must know (contract CARE_NEEDS); shown on shelter rosters. */
  careNeeds?: CareNeed[] | undefined;
  /**
   * The name in alphabet as the register has it (a foreign resident's residence record: family
   * and given part, e.g. Smith / John), for the TV's non-Japanese screens (issue 18). Optional,
   * both or neither.
   */
  familyNameLatin?: string | undefined;
  givenNameLatin?: string | undefined;
}

const now = () => new Date();

/**
 * Why a row of the register extract is refused: a stable code (the staff UI words it in its own
 * language) with the column it concerns, the value found and, for some codes, what was expected.
 * The JSON import (POST /api/residents) and the CSV import share them; the CSV-only codes are
 * raised by the CSV parser (register/register-csv.ts). Documented in docs/PROTOCOL.md.
 */
export const REGISTER_ROW_PROBLEMS = {
  'csv-unreadable':
    "the file is not valid CSV (value: the parser's code, e.g. CSV_QUOTE_NOT_CLOSED; line: where it stopped)",
  'missing-column': 'the header row lacks a required column (field)',
  'no-data-rows': 'the file has a header row and nothing else',
  'field-count': 'the row has a different number of fields (value) from the header row (expected)',
  'duplicate-id': 'the resident id (value) already appeared on an earlier line (expected: that line)',
  required: 'the field is empty',
  'too-long': 'the field is longer than expected characters',
  'bad-id': 'ids may only contain letters, digits, "_" and "-" (1–64)',
  'bad-date': 'not a real date written YYYY-MM-DD',
  'bad-sex': 'sex must be 1 (male), 2 (female) or 3 (unknown)',
  'bad-language': 'not one of the TV languages (expected: the list, comma-separated)',
  'bad-boolean': 'must be true or false (also 1/0, yes/no, はい/いいえ)',
  'not-a-number': 'the field is not a number',
  'out-of-range': 'latitude beyond ±90 or longitude beyond ±180 (expected: the limit)',
  'date-out-of-range': 'a birth date before 1900-01-01 or after today (expected: the range, first..last)',
  'nul-character': 'the field contains a NUL character (U+0000), which no text may hold',
  'lat-lon-together': 'lat and lon must be given together (field: the one missing)',
  'unknown-zone': 'no zone with this id in the console',
  'bad-care-needs': "care needs must be some of the contract's CARE_NEEDS (expected: the list)",
  'latin-name-together':
    'familyNameLatin and givenNameLatin (the name in alphabet) must be given together (field: the one missing)',
} as const;
export type RegisterRowProblemCode = keyof typeof REGISTER_ROW_PROBLEMS;
export interface ResidentProblem {
  code: RegisterRowProblemCode;
  field: string;
  value?: string;
  expected?: string;
  message: string;
}

const NAME_FIELDS = ['familyName', 'givenName', 'familyKana', 'givenKana', 'address'] as const;
const MAX_TEXT = LIMITS.textLength;
const TEXT_FIELDS = [
  'id',
  ...NAME_FIELDS,
  'birthDate',
  'supporter',
  'phone',
  'household',
  'zone',
  'familyNameLatin',
  'givenNameLatin',
] as const;
const OPTIONAL_TEXT = [
  ['supporter', LIMITS.textLength],
  ['phone', LIMITS.phoneLength],
  ['familyNameLatin', LIMITS.nameLength],
  ['givenNameLatin', LIMITS.nameLength],
] as const;

/** The latest birth date the register takes: today wherever the register is (UTC+14 at most: a day ahead of UTC). */
const today = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** A real calendar date written YYYY-MM-DD (Date.parse accepts 1950-02-30, PostgreSQL does not). */
export function isIsoDate(v: unknown): boolean {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Every problem of one resident record (not only the first), in column order. */
export function residentProblems(r: ResidentInput, zones: Set<string>): ResidentProblem[] {
  const out: ResidentProblem[] = [];
  const shown = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
  const add = (code: RegisterRowProblemCode, field: string, message: string, value?: unknown, expected?: string) => {
    out.push({
      code,
      field,
      ...(value !== undefined ? { value: shown(value) } : {}),
      ...(expected !== undefined ? { expected } : {}),
      message,
    });
  };
  // A NUL makes the row unreadable to the database: name the fields and nothing else.
  for (const k of TEXT_FIELDS) {
    const v = r[k];
    if (typeof v === 'string' && v.includes('\u0000'))
      add('nul-character', k, `${k} contains a NUL character (U+0000)`);
  }
  if (out.length) return out;
  if (r.id === undefined || r.id === null || r.id === '') add('required', 'id', 'id is empty');
  else if (!isSafeId(r.id))
    add('bad-id', 'id', `id ${JSON.stringify(r.id)} may only contain letters, digits, "_" and "-" (1–64)`, r.id);
  for (const k of NAME_FIELDS) {
    const v = r[k];
    if (typeof v !== 'string' || v.trim().length === 0) add('required', k, `${k} must be a non-empty string`);
    else if (v.length > MAX_TEXT)
      add('too-long', k, `${k} is longer than ${MAX_TEXT} characters`, undefined, String(MAX_TEXT));
  }
  if (r.birthDate === undefined || r.birthDate === '') add('required', 'birthDate', 'birthDate must be YYYY-MM-DD');
  else if (!isIsoDate(r.birthDate))
    add(
      'bad-date',
      'birthDate',
      `birthDate ${JSON.stringify(r.birthDate)} must be a date written YYYY-MM-DD`,
      r.birthDate,
    );
  else if (r.birthDate < LIMITS.earliestBirthDate || r.birthDate > today())
    add(
      'date-out-of-range',
      'birthDate',
      `birthDate ${r.birthDate} is before ${LIMITS.earliestBirthDate} or after today`,
      r.birthDate,
      `${LIMITS.earliestBirthDate}..${today()}`,
    );
  for (const [k, max] of OPTIONAL_TEXT) {
    const v = r[k];
    if (typeof v === 'string' && v.length > max)
      add('too-long', k, `${k} is longer than ${max} characters`, undefined, String(max));
  }
  for (const [k, other] of [
    ['familyNameLatin', 'givenNameLatin'],
    ['givenNameLatin', 'familyNameLatin'],
  ] as const) {
    if (!r[k]?.trim() && r[other]?.trim())
      add('latin-name-together', k, `${k} is missing: familyNameLatin and givenNameLatin go together`);
  }
  if (r.sex !== 1 && r.sex !== 2 && r.sex !== 3) add('bad-sex', 'sex', 'sex must be 1, 2 or 3', r.sex);
  if (!(LANGUAGES as readonly string[]).includes(r.language))
    add(
      'bad-language',
      'language',
      `language ${JSON.stringify(r.language)} must be one of ${LANGUAGES.join(', ')}`,
      r.language,
      LANGUAGES.join(','),
    );
  if (typeof r.needsHelp !== 'boolean') add('bad-boolean', 'needsHelp', 'needsHelp must be true or false', r.needsHelp);
  if (r.household && !isSafeId(r.household))
    add(
      'bad-id',
      'household',
      `household ${JSON.stringify(r.household)} may only contain letters, digits, "_" and "-" (1–64)`,
      r.household,
    );
  if (r.zone === undefined || r.zone === '') add('required', 'zone', 'zone is empty');
  else if (!zones.has(r.zone)) add('unknown-zone', 'zone', `zone ${JSON.stringify(r.zone)} does not exist`, r.zone);
  if (r.lat !== undefined || r.lon !== undefined) {
    for (const [k, limit] of [
      ['lat', 90],
      ['lon', 180],
    ] as const) {
      const v = r[k];
      if (v === undefined) add('lat-lon-together', k, `${k} is missing: lat and lon go together`);
      else if (!Number.isFinite(v) || Math.abs(v) > limit)
        add('out-of-range', k, `${k} ${v} is out of range (±${limit})`, v, String(limit));
    }
  }
  if (
    r.careNeeds !== undefined &&
    !(Array.isArray(r.careNeeds) && r.careNeeds.every((n) => (CARE_NEEDS as readonly string[]).includes(n)))
  ) {
    add(
      'bad-care-needs',
      'careNeeds',
      `careNeeds must be some of ${CARE_NEEDS.join(', ')}`,
      r.careNeeds,
      CARE_NEEDS.join(','),
    );
  }
  return out;
}

/** Throws the first problem of a resident record as a coded error (details: index, field, code, value). */
export function checkResident(r: ResidentInput, zones: Set<string>, i = 0): void {
  const p = residentProblems(r, zones)[0];
  if (!p) return;
  const make = p.code === 'bad-id' ? consoleErrors.KZ_CONSOLE_BAD_ID : consoleErrors.KZ_CONSOLE_BAD_RESIDENT;
  throw make(`resident[${i}].${p.message}`, {
    index: i,
    field: p.field,
    problem: p.code,
    ...(p.value !== undefined ? { value: p.value } : {}),
  });
}

/** Insert or update residents (and their households) in one transaction; all or nothing. */
export async function seedResidents(db: Db, residents: ResidentInput[], actor = 'system'): Promise<{ count: number }> {
  if (residents.length === 0) return { count: 0 };
  return db.tx(async (q) => {
    const zones = await knownZones(q);
    residents.forEach((r, i) => checkResident(r, zones, i));
    const households = new Map<string, string>();
    for (const r of residents) if (r.household) households.set(r.household, r.zone);
    if (households.size) {
      await q.query(
        `INSERT INTO households (id, zone_id) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, zone_id text)
        ON CONFLICT (id) DO UPDATE SET zone_id = EXCLUDED.zone_id`,
        [JSON.stringify([...households].map(([id, zone]) => ({ id, zone_id: zone })))],
      );
    }
    const rows = residents.map((r) => ({
      id: r.id,
      family_name: r.familyName,
      given_name: r.givenName,
      family_kana: r.familyKana,
      given_kana: r.givenKana,
      address: r.address,
      birth_date: r.birthDate,
      sex: r.sex,
      language: r.language,
      needs_help: r.needsHelp,
      supporter: r.supporter ?? null,
      phone: r.phone ?? null,
      household_id: r.household || null,
      zone_id: r.zone,
      lat: r.lat ?? null,
      lon: r.lon ?? null,
      care_needs: [...new Set(r.careNeeds ?? [])],
      family_name_latin: r.familyNameLatin?.trim() || null,
      given_name_latin: r.givenNameLatin?.trim() || null,
    }));
    // chunks keep the JSON parameter a reasonable size for very large registers
    for (let i = 0; i < rows.length; i += 20_000) {
      await q.query(
        `INSERT INTO residents SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
          id text, family_name text, given_name text, family_kana text, given_kana text, address text, birth_date date,
          sex smallint, language text, needs_help boolean, supporter text, phone text, household_id text, zone_id text,
          lat double precision, lon double precision, care_needs text[], family_name_latin text, given_name_latin text)
        ON CONFLICT (id) DO UPDATE SET family_name = EXCLUDED.family_name, given_name = EXCLUDED.given_name,
          family_kana = EXCLUDED.family_kana, given_kana = EXCLUDED.given_kana, address = EXCLUDED.address,
          birth_date = EXCLUDED.birth_date, sex = EXCLUDED.sex, language = EXCLUDED.language, needs_help = EXCLUDED.needs_help,
          supporter = EXCLUDED.supporter, phone = EXCLUDED.phone, household_id = EXCLUDED.household_id,
          zone_id = EXCLUDED.zone_id, lat = EXCLUDED.lat, lon = EXCLUDED.lon, care_needs = EXCLUDED.care_needs,
          family_name_latin = EXCLUDED.family_name_latin, given_name_latin = EXCLUDED.given_name_latin`,
        [JSON.stringify(rows.slice(i, i + 20_000))],
      );
    }
    await appendAudit(q, { actor, action: 'register.import', details: { count: residents.length } }, now());
    return { count: residents.length };
  });
}
