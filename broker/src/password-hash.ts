/**
 * Device passwords: random, never chosen by a person (2^144 candidates): their entropy, not a
 * hash's cost, is what protects them. Each credential row holds two hashes of the password:
 * scrypt (parameters stored with it so they can be raised) and Mosquitto's PBKDF2-SHA512 with
 * 101 iterations, which Mosquitto's dynamic-security file is rebuilt from. Logins are checked
 * against the PBKDF2 one (`verifyMosquittoHash`, ≈ 0.1 ms against scrypt's ≈ 2 ms) on every
 * broker: Mosquitto can only ever check that one, and a stolen table costs
 * an attacker the cheaper of the two whichever a broker checks, so no stored hash got weaker.
 * After a restart every TV of a city logs in at once (issue 21): scrypt per login made that
 * minutes on the embedded broker.
 */
import { pbkdf2, pbkdf2Sync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
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

/**
 * Up to this many iterations (Mosquitto's 101 is ≈ 0.05 ms) the hash is computed on the calling
 * thread: handing so short a job to libuv's pool cost the broker's event loop more than the hash
 * itself (the job's submission, the pool thread's wake-up taking the core, the callback).
 */
const SYNC_MAX_ITERATIONS = 1000;

/**
 * Constant-time check of `password` against a Mosquitto-format hash (the JSON the credential
 * table stores, or its parsed form). A malformed hash verifies nothing.
 */
export async function verifyMosquittoHash(password: string, stored: string | MosquittoHash): Promise<boolean> {
  let h: Partial<MosquittoHash>;
  try {
    h = typeof stored === 'string' ? (JSON.parse(stored) as Partial<MosquittoHash>) : stored;
  } catch {
    return false;
  }
  if (typeof h.password !== 'string' || typeof h.salt !== 'string') return false;
  if (!Number.isInteger(h.iterations) || h.iterations! < 1 || h.iterations! > 1_000_000) return false;
  const expected = Buffer.from(h.password, 'base64');
  if (expected.length !== 64) return false;
  const salt = Buffer.from(h.salt, 'base64');
  const actual =
    h.iterations! <= SYNC_MAX_ITERATIONS
      ? pbkdf2Sync(password, salt, h.iterations!, 64, 'sha512')
      : await pbkdf2Async(password, salt, h.iterations!, 64, 'sha512');
  return timingSafeEqual(actual, expected);
}
