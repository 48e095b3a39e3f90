import { describe, expect, it } from 'vitest';
import { bindRegistrationBytes, BindRegistrationSchema, BindNonceSchema, decodeMessage } from '../src/index.ts';

const nonce = 'n'.repeat(43);

describe('card binding messages', () => {
  it('builds the registration a card signs, and it decodes against the schema', () => {
    const bytes = bindRegistrationBytes({ nonce, device: 'tv-0001', muni: '999997' });
    expect(decodeMessage(BindRegistrationSchema, bytes, 'bind-registration')).toEqual({
      v: 1,
      kind: 'bind-registration',
      nonce,
      device: 'tv-0001',
      muni: '999997',
    });
  });
  it('refuses a registration for an unsafe device id or a short nonce, naming the field', () => {
    const reg = { v: 1, kind: 'bind-registration', nonce, device: 'tv/+', muni: '999997' };
    expect(() => decodeMessage(BindRegistrationSchema, JSON.stringify(reg), 'bind-registration')).toThrow(/device/);
    expect(() =>
      decodeMessage(BindRegistrationSchema, JSON.stringify({ ...reg, device: 'tv1', nonce: 'abc' })),
    ).toThrow(/nonce/);
  });
  it('accepts a nonce answer and refuses one without expiry', () => {
    const ok = { nonce, device: 'tv1', muni: '999997', expiresAt: '2026-11-23T10:05:00.000Z' };
    expect(decodeMessage(BindNonceSchema, JSON.stringify(ok))).toEqual(ok);
    expect(() => decodeMessage(BindNonceSchema, JSON.stringify({ ...ok, expiresAt: undefined }))).toThrow(/expiresAt/);
  });
});
