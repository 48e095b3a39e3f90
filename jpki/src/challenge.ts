/**
 * Challenge–response login with the card's user-authentication key: the server issues a random
 * nonce, the card signs it (RSASSA-PKCS1-v1_5, SHA-256), the server checks the signature and the
 * certificate (purpose 'auth', chain, validity, revocation) and learns the certificate serial —
 * never personal data. Each challenge answers once, within its time to live.
 */
import { X509Certificate, randomBytes, randomUUID, verify as rsaVerify } from 'node:crypto';
import { fail, type CertificateOk, type Verifier, type VerifyFailure } from './verifier.ts';
import { jpkiErrors } from './errors.ts';

export interface Challenge {
  challengeId: string;
  /** 32 random bytes: the card signs exactly these. */
  nonce: Uint8Array;
  /** The same bytes, base64, for JSON. */
  nonceBase64: string;
  expiresAt: Date;
}

export interface ChallengeResponse {
  challengeId: string;
  /** The user-authentication certificate read from the card (DER, or base64 of it). */
  certificate: Uint8Array | string;
  /** The card's signature over the nonce (bytes, or base64). */
  signature: Uint8Array | string;
}

export interface LoginOk {
  ok: true;
  serial: string;
  notAfter: Date;
  evidence: CertificateOk['evidence'];
}
export type LoginResult = LoginOk | VerifyFailure;

export interface ChallengeServiceOptions {
  verifier: Verifier;
  /** How long a challenge can be answered, ms (default 2 minutes). */
  ttlMs?: number;
  /** At most this many open challenges (default 100 000); more is KZ_JPKI_CHALLENGE_CAPACITY. */
  maxOpen?: number;
  clock?: () => Date;
}

export interface ChallengeService {
  issue(): Challenge;
  verifyResponse(r: ChallengeResponse): Promise<LoginResult>;
  /** Open (unexpired) challenges, answered or not. */
  readonly size: number;
}

function bytes(x: Uint8Array | string): Uint8Array | null {
  if (x instanceof Uint8Array) return x;
  if (typeof x !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(x)) return null;
  return new Uint8Array(Buffer.from(x, x.includes('-') || x.includes('_') ? 'base64url' : 'base64'));
}

export function createChallengeService(opts: ChallengeServiceOptions): ChallengeService {
  const ttlMs = opts.ttlMs ?? 120_000;
  const maxOpen = opts.maxOpen ?? 100_000;
  const clock = opts.clock ?? (() => new Date());
  // answered challenges stay until they expire, so that a replay is told apart from a stranger
  const open = new Map<string, { nonce: Uint8Array; expiresAt: number; used: boolean }>();

  function purge(now: number): void {
    for (const [id, c] of open) if (c.expiresAt <= now) open.delete(id);
  }

  return {
    get size() {
      purge(clock().getTime());
      return open.size;
    },

    issue() {
      const now = clock().getTime();
      if (open.size >= maxOpen) purge(now);
      if (open.size >= maxOpen) throw jpkiErrors.KZ_JPKI_CHALLENGE_CAPACITY(`${open.size} open`);
      const challengeId = randomUUID();
      const nonce = new Uint8Array(randomBytes(32));
      open.set(challengeId, { nonce, expiresAt: now + ttlMs, used: false });
      return {
        challengeId,
        nonce,
        nonceBase64: Buffer.from(nonce).toString('base64'),
        expiresAt: new Date(now + ttlMs),
      };
    },

    async verifyResponse(r) {
      const c = typeof r?.challengeId === 'string' ? open.get(r.challengeId) : undefined;
      if (!c) return fail('challenge-expired', 'unknown or expired challenge');
      if (c.used) return fail('challenge-replayed', 'this challenge was already answered');
      c.used = true;
      if (clock().getTime() >= c.expiresAt)
        return fail('challenge-expired', `the challenge expired ${new Date(c.expiresAt).toISOString()}`);
      const cert = bytes(r.certificate);
      const sig = bytes(r.signature);
      if (!cert || cert.length === 0) return fail('malformed', 'certificate is not DER bytes or base64');
      if (!sig || sig.length === 0) return fail('malformed', 'signature is not bytes or base64');
      let key;
      try {
        key = new X509Certificate(cert).publicKey;
      } catch (e) {
        return fail('malformed', `certificate: ${(e as Error).message}`);
      }
      let good = false;
      try {
        good = rsaVerify('sha256', c.nonce, key, sig);
      } catch {
        /* wrong key type or size */
      }
      if (!good) return fail('bad-signature', 'the signature over the challenge does not verify with the certificate');
      const v = await opts.verifier.verifyCertificate(cert, { purpose: 'auth' });
      if (!v.ok) return v;
      return { ok: true, serial: v.serial, notAfter: v.notAfter, evidence: v.evidence };
    },
  };
}
