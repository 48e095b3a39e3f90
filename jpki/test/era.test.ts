import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eraDateToIso, eraOf, formatJapaneseDate, isoToEraDate } from '../src/era.ts';

describe('era dates (EYYYYMMDD in the signing certificate)', () => {
  it('changes era on the first day of each era', () => {
    expect(isoToEraDate('1912-07-29')).toBe('119120729');
    expect(isoToEraDate('1912-07-30')).toBe('219120730');
    expect(isoToEraDate('1926-12-24')).toBe('219261224');
    expect(isoToEraDate('1926-12-25')).toBe('319261225');
    expect(isoToEraDate('1989-01-07')).toBe('319890107');
    expect(isoToEraDate('1989-01-08')).toBe('419890108');
    expect(isoToEraDate('2019-04-30')).toBe('420190430');
    expect(isoToEraDate('2019-05-01')).toBe('520190501');
  });

  it('reads era dates back and names the Japanese date', () => {
    expect(eraDateToIso('319500401')).toBe('1950-04-01');
    expect(formatJapaneseDate('1950-04-01')).toBe('昭和25年4月1日');
    expect(formatJapaneseDate('2019-05-01')).toBe('令和1年5月1日');
  });

  it('refuses an era digit that disagrees with the date, and non-dates', () => {
    expect(() => eraDateToIso('319890108')).toThrow(/era digit 3 does not match 1989-01-08/);
    expect(() => eraDateToIso('41989018')).toThrow(/not an era date/);
    expect(() => eraDateToIso('419890230')).toThrow(/not a calendar date/);
    expect(() => isoToEraDate('1860-01-01')).toThrow(/before the Meiji era/);
    expect(() => eraOf('2001-02-29')).toThrow(expect.objectContaining({ code: 'KZ_JPKI_PERSON_INVALID' }));
  });

  it('round-trips every date from Meiji to today', () => {
    const start = Date.UTC(1868, 0, 25);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor((Date.now() - start) / 86400000) }), (days) => {
        const iso = new Date(start + days * 86400000).toISOString().slice(0, 10);
        const era = isoToEraDate(iso);
        expect(era).toMatch(/^[1-5]\d{8}$/);
        expect(eraDateToIso(era)).toBe(iso);
      }),
    );
  });
});
