/** elderlyOn (one string comparison per resident) against ageOn (a Date per resident), for any dates. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageOn, elderlyOn, ELDERLY_AGE } from '../src/alerts/alert-spec.ts';

const day = fc.date({
  min: new Date('1900-01-01T00:00:00Z'),
  max: new Date('2100-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

describe('elderlyOn', () => {
  it('agrees with ageOn for every birth date and day', () => {
    fc.assert(
      fc.property(day, day, (birth, on) => {
        expect(elderlyOn(on)(isoDay(birth))).toBe(ageOn(isoDay(birth), on) >= ELDERLY_AGE);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts the birthday itself, and a 29 February birthday from 1 March in other years', () => {
    expect(elderlyOn(new Date('2026-11-24T23:59:00Z'))('1961-11-24')).toBe(true);
    expect(elderlyOn(new Date('2026-11-24T00:00:00Z'))('1961-11-25')).toBe(false);
    expect(elderlyOn(new Date('2025-02-28T12:00:00Z'))('1960-02-29')).toBe(false);
    expect(elderlyOn(new Date('2025-03-01T00:00:00Z'))('1960-02-29')).toBe(true);
  });

  it('reads another form of date as ageOn does', () => {
    const on = new Date('2026-11-24T00:00:00Z');
    expect(elderlyOn(on)('1950-1-5')).toBe(ageOn('1950-1-5', on) >= ELDERLY_AGE);
  });
});
