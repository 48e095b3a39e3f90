/**
 * The register extract as CSV (the staff web UI's import): each line parsed and checked, every
 * problem of every bad line reported with a stable code; the domain checks are the JSON import's
 * (residentProblems).
 */
import { parse } from 'csv-parse/sync';
import { residentProblems, type RegisterRowProblemCode, type ResidentInput } from './resident-records.ts';

/** Columns of the register extract CSV, in order (header row required). */
export const REGISTER_CSV_COLUMNS = [
  'id',
  'familyName',
  'givenName',
  'familyKana',
  'givenKana',
  'address',
  'birthDate',
  'sex',
  'language',
  'needsHelp',
  'supporter',
  'phone',
  'household',
  'zone',
  'lat',
  'lon',
  'familyNameLatin',
  'givenNameLatin',
] as const;

/** One problem of one line: a stable code (REGISTER_ROW_PROBLEMS) and its parameters; `message` is English, for API users. */
export interface RowError {
  code: RegisterRowProblemCode;
  line: number;
  field?: string;
  value?: string;
  expected?: string;
  message: string;
}
/** A refused line: `row` is its line in the file as a spreadsheet numbers it (the header is 1). */
export interface RowProblem {
  row: number;
  id: string | null;
  errors: RowError[];
}

const OPTIONAL = new Set(['supporter', 'phone', 'household', 'lat', 'lon', 'familyNameLatin', 'givenNameLatin']);
const BOOL: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  はい: true,
  いいえ: false,
};
const SEX: Record<string, 1 | 2 | 3> = { '1': 1, '2': 2, '3': 3 };

/** Parse and check every row; returns residents only when every row is good (nothing half-imported). */
export function parseRegisterCsv(
  text: string,
  zones: Set<string>,
): { residents: ResidentInput[]; problems: RowProblem[] } {
  let records: string[][];
  try {
    // Empty lines are kept (and skipped below) so row numbers match what a spreadsheet or editor shows.
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
    }) as string[][];
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    const line = typeof err.lines === 'number' ? err.lines : 0;
    return {
      residents: [],
      problems: [
        {
          row: line,
          id: null,
          errors: [
            {
              code: 'csv-unreadable',
              line,
              ...(err.code ? { value: err.code } : {}),
              message: `CSV cannot be read: ${err.message}`,
            },
          ],
        },
      ],
    };
  }
  const blank = (r: string[]) => r.every((c) => c === '');
  const headerAt = records.findIndex((r) => !blank(r));
  const header = headerAt < 0 ? [] : records[headerAt]!;
  const headerLine = Math.max(headerAt, 0) + 1;
  const missing = REGISTER_CSV_COLUMNS.filter((c) => !header.includes(c) && !OPTIONAL.has(c));
  if (missing.length) {
    return {
      residents: [],
      problems: [
        {
          row: headerLine,
          id: null,
          errors: missing.map((c) => ({
            code: 'missing-column' as const,
            line: headerLine,
            field: c,
            message: `header lacks the column ${c}`,
          })),
        },
      ],
    };
  }
  const col = (r: string[], name: string) => {
    const i = header.indexOf(name);
    return i < 0 ? '' : (r[i] ?? '');
  };
  const residents: ResidentInput[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    if (i <= headerAt || blank(r)) return;
    const line = i + 1;
    const errs: RowError[] = [];
    const problem = (p: Omit<RowError, 'line'>) => errs.push({ ...p, line });
    if (r.length !== header.length) {
      problem({
        code: 'field-count',
        value: String(r.length),
        expected: String(header.length),
        message: `has ${r.length} fields, the header has ${header.length}`,
      });
    }
    const num = (name: 'lat' | 'lon') => {
      const v = col(r, name);
      if (v === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n))
        problem({ code: 'not-a-number', field: name, value: v, message: `${name} "${v}" is not a number` });
      return n;
    };
    const rawHelp = col(r, 'needsHelp');
    const needsHelp = BOOL[rawHelp.toLowerCase()];
    if (needsHelp === undefined) {
      problem(
        rawHelp === ''
          ? { code: 'required', field: 'needsHelp', message: 'needsHelp is empty' }
          : {
              code: 'bad-boolean',
              field: 'needsHelp',
              value: rawHelp,
              message: `needsHelp "${rawHelp}" must be true or false`,
            },
      );
    }
    const rawSex = col(r, 'sex');
    const sex = SEX[rawSex];
    if (sex === undefined) {
      problem(
        rawSex === ''
          ? { code: 'required', field: 'sex', message: 'sex is empty' }
          : { code: 'bad-sex', field: 'sex', value: rawSex, message: `sex "${rawSex}" must be 1, 2 or 3` },
      );
    }
    const opt = (name: string) => col(r, name) || undefined;
    const res = {
      id: col(r, 'id'),
      familyName: col(r, 'familyName'),
      givenName: col(r, 'givenName'),
      familyKana: col(r, 'familyKana'),
      givenKana: col(r, 'givenKana'),
      address: col(r, 'address'),
      birthDate: col(r, 'birthDate'),
      sex: sex ?? 1,
      language: (col(r, 'language') || 'ja') as ResidentInput['language'],
      needsHelp: needsHelp ?? false,
      supporter: opt('supporter'),
      phone: opt('phone'),
      household: opt('household'),
      zone: col(r, 'zone'),
      lat: num('lat'),
      lon: num('lon'),
      familyNameLatin: opt('familyNameLatin'),
      givenNameLatin: opt('givenNameLatin'),
    } satisfies ResidentInput;
    // The domain checks (shared with the JSON import) for the fields the CSV step has not already refused.
    const refused = new Set(errs.map((e) => e.field));
    for (const p of residentProblems(res, zones)) if (!refused.has(p.field)) problem(p);
    const dup = seen.get(res.id);
    if (res.id && dup !== undefined)
      problem({
        code: 'duplicate-id',
        field: 'id',
        value: res.id,
        expected: String(dup),
        message: `id ${res.id} repeats line ${dup}`,
      });
    else if (res.id) seen.set(res.id, line);
    // left to right, as the line reads
    const order = (e: RowError) => (e.field ? (REGISTER_CSV_COLUMNS as readonly string[]).indexOf(e.field) : -1);
    if (errs.length) problems.push({ row: line, id: res.id || null, errors: errs.sort((a, b) => order(a) - order(b)) });
    else residents.push(res);
  });
  if (residents.length === 0 && problems.length === 0)
    problems.push({
      row: headerLine,
      id: null,
      errors: [{ code: 'no-data-rows', line: headerLine, message: 'no data rows' }],
    });
  return { residents: problems.length ? [] : residents, problems };
}
