/**
 * Device passwords: random, never chosen by a person, so the hash needs no large work factor
 * to resist guessing (2^144 candidates). scrypt keeps a stolen table useless without making
 * a reconnection storm of a whole city's TVs cost minutes of CPU; parameters are stored with
 * each hash so they can be raised later.
 */
import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

export const SCRYPT_DEFAULTS = { N: 1024, r: 8, p: 1 } as const;

/** 18 random bytes (144 bits), base64url: 24 characters that survive any config file or form body. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export async function hashPassword(password: string, params = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time comparison; a malformed stored hash verifies nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== 32) return false;
  const actual = await scryptAsync(password, salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}

/**
 * Mosquitto's own format (PBKDF2-SHA512, 12-byte salt, 101 iterations, as mosquitto_ctrl
 * writes), kept so the Mosquitto adapter can rebuild its dynamic-security file from the
 * database alone. Equally unguessable: the secret is random.
 */
export interface MosquittoHash {
  password: string;
  salt: string;
  iterations: number;
}

export async function mosquittoHash(password: string, iterations = 101): Promise<MosquittoHash> {
  const salt = randomBytes(12);
  const hash = await pbkdf2Async(password, salt, iterations, 64, 'sha512');
  return { password: hash.toString('base64'), salt: salt.toString('base64'), iterations };
}
