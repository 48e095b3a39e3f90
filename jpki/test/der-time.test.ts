/**
 * DER times (der.ts readTime), used for CMS signingTime and OCSP's times: UTCTime's two-digit year
 * window, GeneralizedTime, a fraction of a second only where allowed, UTC only, real dates only,
 * and the field's name in every refusal.
 */
import { describe, expect, it } from 'vitest';
import { DerError, derTlv, readTime, readTlv } from '../src/der.ts';

const time = (tag: 0x17 | 0x18, s: string) => readTlv(derTlv(tag, Buffer.from(s, 'latin1')), 0);

describe('readTime', () => {
  it("reads UTCTime with RFC 5280's year window and GeneralizedTime", () => {
    expect(readTime(time(0x17, '491231235959Z')).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(readTime(time(0x17, '500101000000Z')).toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(readTime(time(0x18, '20261124053000Z')).toISOString()).toBe('2026-11-24T05:30:00.000Z');
  });
  it('takes a fraction of a second only when told to (OCSP), to the millisecond', () => {
    expect(() => readTime(time(0x18, '20261124053000.5Z'), 'signingTime')).toThrow(
      /signingTime is not a DER UTCTime or GeneralizedTime in UTC/,
    );
    expect(readTime(time(0x18, '20261124053000.5Z'), 'thisUpdate', { fractions: true }).toISOString()).toBe(
      '2026-11-24T05:30:00.500Z',
    );
    expect(readTime(time(0x18, '20261124053000.123456Z'), 'thisUpdate', { fractions: true }).toISOString()).toBe(
      '2026-11-24T05:30:00.123Z',
    );
    // UTCTime has no fractions at all
    expect(() => readTime(time(0x17, '261124053000.5Z'), 'x', { fractions: true })).toThrow(DerError);
  });
  it('refuses local times, offsets, impossible dates and other tags, naming the field', () => {
    expect(() => readTime(time(0x18, '20261124053000'), 'producedAt')).toThrow(/producedAt is not a DER UTCTime/);
    expect(() => readTime(time(0x18, '20261124053000+0900'), 'producedAt', { fractions: true })).toThrow(
      /producedAt is not/,
    );
    expect(() => readTime(time(0x18, '20260230000000Z'), 'nextUpdate')).toThrow(/nextUpdate is not a calendar date/);
    expect(() => readTime(readTlv(derTlv(0x04, Buffer.from('20261124053000Z')), 0), 'revocationTime')).toThrow(
      /revocationTime is not a DER/,
    );
  });
});
