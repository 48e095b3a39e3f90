import { describe, expect, it } from 'vitest';
import { decodeMessage, PersonalAlertSchema, type PersonalAlert } from '../src/index.ts';

// Guards the static types of enum-like schemas (a TypeBox Union over a mapped array is `never`):
// this file only type-checks if `hazard` and `language` accept their values.
describe('static types of message schemas', () => {
  it('types hazard and language as their string unions and still validates them', () => {
    const msg: PersonalAlert = {
      v: 1,
      kind: 'personal-alert',
      alertId: 'a1',
      revision: 1,
      msgType: 'Alert',
      status: 'Exercise',
      level: 4,
      hazard: 'flood',
      sent: '2026-11-23T10:00:00Z',
      expires: '2026-11-23T12:00:00Z',
      zone: { id: 'z1', name: 'Z' },
      recipients: [
        { ref: 'r1', displayName: 'X さん', language: 'ja-x-easy', needsHelp: false, headline: 'h', instruction: 'i' },
      ],
    };
    expect(decodeMessage(PersonalAlertSchema, JSON.stringify(msg))).toEqual(msg);
    expect(() => decodeMessage(PersonalAlertSchema, JSON.stringify({ ...msg, hazard: 'meteor' }))).toThrow(/hazard/);
  });
});
