import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { topics, parseTopic, isSafeId, isMunicipalityCode, municipalityCodeCheckDigit } from '../src/index.ts';

describe('topic scheme', () => {
  it('builds and parses a TV alert topic', () => {
    const t = topics.tvAlert('999997', 'tv-0001');
    expect(t).toBe('kz/999997/tv/tv-0001/alert');
    expect(parseTopic(t)).toEqual({ kind: 'tv-alert', muni: '999997', device: 'tv-0001' });
  });

  it('parses shelter event topics', () => {
    expect(parseTopic(topics.shelterEvent('999997', 'sh1', 'term-a'))).toEqual({
      kind: 'shelter-event',
      muni: '999997',
      shelter: 'sh1',
      terminal: 'term-a',
    });
  });

  it.each(['tvA.x', 'a/b', '+', '#', 'a*', '', 'x'.repeat(65)])('refuses the unsafe id %j in a topic', (id) => {
    expect(isSafeId(id)).toBe(false);
    expect(() => topics.tvAlert('999997', id)).toThrow(/not a safe id/);
  });

  it('never parses a wildcard or foreign topic as ours', () => {
    expect(parseTopic('kz/999997/tv/+/alert')).toBeNull();
    expect(parseTopic('kz/999997/tv/#')).toBeNull();
    expect(parseTopic('$SYS/broker/uptime')).toBeNull();
    expect(parseTopic('kz/999997/tv/a/other')).toBeNull();
  });

  it("builds the senders' grant filters", () => {
    expect(topics.allTvAlerts('999997')).toBe('kz/999997/tv/+/alert');
    expect(topics.allTvMail()).toBe('kz/+/tv/+/mail');
    expect(() => topics.allTvAlerts('+')).toThrow(/not a safe id/);
  });

  it('round-trips any safe ids (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(id, id, (m, d) => {
        expect(parseTopic(topics.tvReceipt(m, d))).toEqual({ kind: 'tv-receipt', muni: m, device: d });
      }),
    );
  });
});

describe('municipality codes', () => {
  it.each(['131016', '141003', '155861', '999997'])('accepts the valid code %s', (c) =>
    expect(isMunicipalityCode(c)).toBe(true),
  );
  it.each(['131017', '14100', 'abcdef', '1410030'])('refuses %s', (c) => expect(isMunicipalityCode(c)).toBe(false));
  it('computes the check digit', () => expect(municipalityCodeCheckDigit('13101')).toBe(6));
});
