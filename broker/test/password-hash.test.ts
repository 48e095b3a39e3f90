/**
 * Mosquitto-format password hashes (PBKDF2-SHA512) as every broker's login checks them: the right
 * password passes and nothing else does, whether the hash is computed on the caller's thread
 * (Mosquitto's 101 iterations) or in libuv's pool (a hash whose iterations were raised).
 */
import { describe, expect, it } from 'vitest';
import { mosquittoHash, verifyMosquittoHash } from '../src/password-hash.ts';

describe('verifyMosquittoHash', () => {
  it('agrees with a published PBKDF2-HMAC-SHA512 vector ("password", "salt", 1 iteration)', async () => {
    const known = {
      password: Buffer.from(
        '867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce',
        'hex',
      ).toString('base64'),
      salt: Buffer.from('salt').toString('base64'),
      iterations: 1,
    };
    expect(await verifyMosquittoHash('password', known)).toBe(true);
    expect(await verifyMosquittoHash('passwore', known)).toBe(false);
  });

  it.each([101, 5000])('accepts the right password and refuses others at %i iterations', async (iterations) => {
    const h = await mosquittoHash('the-right-password', iterations);
    expect(await verifyMosquittoHash('the-right-password', h)).toBe(true);
    expect(await verifyMosquittoHash('the-right-password', JSON.stringify(h))).toBe(true);
    expect(await verifyMosquittoHash('the-wrong-password', h)).toBe(false);
    expect(await verifyMosquittoHash('', h)).toBe(false);
  });

  it('verifies nothing against a malformed hash', async () => {
    const h = await mosquittoHash('pw');
    for (const bad of [
      'not json',
      '{}',
      JSON.stringify({ ...h, iterations: 0 }),
      JSON.stringify({ ...h, iterations: 1.5 }),
      JSON.stringify({ ...h, iterations: 2_000_000 }),
      JSON.stringify({ ...h, password: Buffer.alloc(32).toString('base64') }),
      JSON.stringify({ ...h, salt: 7 }),
    ])
      expect(await verifyMosquittoHash('pw', bad), bad).toBe(false);
  });
});
