/**
 * Birth dates in the JPKI signing certificate are `EYYYYMMDD`: the era digit (1 Meiji,
 * 2 Taishō, 3 Shōwa, 4 Heisei, 5 Reiwa) followed by the Gregorian date. The era digit must
 * agree with the date, so a converted value can be checked both ways.
 */
import { jpkiErrors } from './errors.ts';

/** First day (Gregorian) of each era, by era digit. */
export const ERAS = [
  { digit: 1, name: '明治', romaji: 'Meiji', start: '1868-01-25' },
  { digit: 2, name: '大正', romaji: 'Taisho', start: '1912-07-30' },
  { digit: 3, name: '昭和', romaji: 'Showa', start: '1926-12-25' },
  { digit: 4, name: '平成', romaji: 'Heisei', start: '1989-01-08' },
  { digit: 5, name: '令和', romaji: 'Reiwa', start: '2019-05-01' },
] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ERA_DATE = /^([1-9])(\d{4})(\d{2})(\d{2})$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The era digit for an ISO date (YYYY-MM-DD), or a KZ_JPKI_PERSON_INVALID error. */
export function eraOf(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw jpkiErrors.KZ_JPKI_PERSON_INVALID(`birth date "${iso}" is not a calendar date YYYY-MM-DD`);
  }
  let digit = 0;
  for (const era of ERAS) if (iso >= era.start) digit = era.digit;
  if (digit === 0) throw jpkiErrors.KZ_JPKI_PERSON_INVALID(`birth date ${iso} is before the Meiji era`);
  return digit;
}

/** '1989-01-08' → '419890108'. */
export function isoToEraDate(iso: string): string {
  const digit = eraOf(iso);
  return `${digit}${iso.replaceAll('-', '')}`;
}

/** '419890108' → '1989-01-08'; throws when the era digit does not match the date. */
export function eraDateToIso(era: string): string {
  const m = ERA_DATE.exec(era);
  if (!m) throw jpkiErrors.KZ_JPKI_PERSON_INVALID(`"${era}" is not an era date EYYYYMMDD`);
  const iso = `${m[2]}-${m[3]}-${m[4]}`;
  const digit = eraOf(iso);
  if (String(digit) !== m[1]) {
    throw jpkiErrors.KZ_JPKI_PERSON_INVALID(`era digit ${m[1]} does not match ${iso} (era ${digit})`);
  }
  return iso;
}

/** The Japanese reading of an ISO date, e.g. '1989-01-08' → '平成1年1月8日' (元年 is written 1年). */
export function formatJapaneseDate(iso: string): string {
  const digit = eraOf(iso);
  const era = ERAS[digit - 1]!;
  const [y, mo, d] = iso.split('-').map(Number) as [number, number, number];
  return `${era.name}${y - Number(era.start.slice(0, 4)) + 1}年${mo}月${d}日`;
}
