/**
 * Receipt numbers a resident can read over the phone: 15 random digits and a Damm check digit, in
 * four groups of four ("4821-0937-5512-0648"). Damm catches every single wrong digit and every swap
 * of two neighbouring digits, the two mistakes people make reading numbers aloud; Luhn misses 09↔90.
 * 10^15 numbers: a random clash is retried by the store's primary key, not expected in practice.
 */
import { randomInt } from 'node:crypto';

// The Damm quasigroup of order 10 (Damm 2004), as published: row = interim digit, column = next digit.
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

const dammInterim = (digits: string): number => {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![Number(ch)]!;
  return interim;
};

/** The check digit that makes `digits` + it verify. */
export const dammCheckDigit = (digits: string): number => dammInterim(digits);

const group = (digits: string): string => digits.match(/.{1,4}/g)!.join('-');

export function newReceiptNumber(): string {
  let body = '';
  for (let i = 0; i < 15; i++) body += String(randomInt(10));
  return group(body + String(dammCheckDigit(body)));
}

/** Looks like a receipt number (16 digits, grouped or not): the caller meant one, so a bad check digit is a typo. */
export const looksLikeReceiptNumber = (s: string): boolean => /^(\d{4}-?){3}\d{4}$/.test(s);

/**
 * The stored form of what someone typed, or `null` when its check digit is wrong (a digit misread or two
 * swapped). Input that is not a receipt number (older `rpt_…` ids) is returned as given.
 */
export function normaliseReceiptNumber(s: string): string | null {
  if (!looksLikeReceiptNumber(s)) return s;
  const digits = s.replace(/-/g, '');
  return dammInterim(digits) === 0 ? group(digits) : null;
}
