import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { decodeMessage, rosterCardKey, rosterPath, ShelterRosterSchema, topics, parseTopic } from '../src/index.ts';

const salt = 'a'.repeat(32);
const roster = {
  v: 1,
  kind: 'shelter-roster',
  muni: '999997',
  shelter: 'sh-daiichi',
  version: 'r1',
  generatedAt: '2026-11-23T10:00:00Z',
  shelterName: '第一小学校',
  capacity: 300,
  cardKeySalt: salt,
  people: [
    {
      rosterKey: 'p-1',
      displayName: '山田 花子',
      household: 'h-1',
      needsCare: true,
      needs: ['mobility'],
      cardKeys: ['0'.repeat(64)],
    },
  ],
};

describe('shelter roster', () => {
  it('accepts a valid roster', () => {
    expect(decodeMessage(ShelterRosterSchema, JSON.stringify(roster))).toEqual(roster);
  });
  it('refuses an unknown needs flag, naming the field', () => {
    const bad = { ...roster, people: [{ ...roster.people[0], needs: ['vip'] }] };
    expect(() => decodeMessage(ShelterRosterSchema, JSON.stringify(bad), 'roster')).toThrow(/needs/);
  });
  it('refuses a card key that is not a SHA-256 hex digest', () => {
    const bad = { ...roster, people: [{ ...roster.people[0], cardKeys: ['1234'] }] };
    expect(() => decodeMessage(ShelterRosterSchema, JSON.stringify(bad))).toThrow(/cardKeys/);
  });
  it('derives card keys as SHA-256 of salt:serial, case-insensitive in the serial', async () => {
    const expected = createHash('sha256').update(`${salt}:0a1b`).digest('hex');
    expect(await rosterCardKey(salt, '0A1B')).toBe(expected);
    expect(await rosterCardKey('b'.repeat(32), '0a1b')).not.toBe(expected);
  });
  it('builds the roster path and refuses unsafe shelter ids', () => {
    expect(rosterPath('sh-daiichi')).toBe('/api/shelters/sh-daiichi/roster');
    expect(() => rosterPath('../x')).toThrow(/safe id/);
  });
  it('gives terminals a filter over their own shelter only', () => {
    const f = topics.shelterEventsAt('999997', 'sh1');
    expect(f).toBe('kz/999997/shelter/sh1/terminal/+/event');
    expect(parseTopic(f)).toBeNull();
    expect(() => topics.shelterEventsAt('999997', '+')).toThrow(/safe id/);
  });
});

describe('care needs', () => {
  it('accepts every listed need and nothing else', async () => {
    const { CARE_NEEDS } = await import('../src/roster.ts');
    const people = [{ ...roster.people[0], needs: [...CARE_NEEDS] }];
    expect(decodeMessage(ShelterRosterSchema, JSON.stringify({ ...roster, people })).people[0]!.needs).toEqual([
      ...CARE_NEEDS,
    ]);
  });
});
