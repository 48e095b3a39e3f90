/** Challenge–response login with the card's authentication key. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthority, type Authority } from '../src/authority.ts';
import { JpkiClient } from '../src/jpki-client.ts';
import { createVerifier, type Verifier } from '../src/verifier.ts';
import { createChallengeService } from '../src/challenge.ts';
import { HANAKO, SECRETS } from './fixtures.ts';

let authority: Authority;
let verifier: Verifier;
let client: JpkiClient;
let authSerial: string;

beforeAll(async () => {
  authority = await createAuthority();
  const issued = await authority.issueCard(HANAKO, SECRETS);
  ({ authSerial } = issued);
  client = new JpkiClient(issued.card);
  verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
});

async function answer(c: JpkiClient, nonce: Uint8Array) {
  return { certificate: await c.readAuthCertificate(), signature: await c.authSign(SECRETS.authPin, nonce) };
}

describe('challenge–response login', () => {
  it('logs in with the card and yields the certificate serial only', async () => {
    const svc = createChallengeService({ verifier });
    const ch = svc.issue();
    expect(ch.nonce).toHaveLength(32);
    expect(Buffer.from(ch.nonceBase64, 'base64').equals(Buffer.from(ch.nonce))).toBe(true);
    const r = await svc.verifyResponse({ challengeId: ch.challengeId, ...(await answer(client, ch.nonce)) });
    expect(r).toMatchObject({ ok: true, serial: authSerial });
    expect(Object.keys(r).sort()).toEqual(['evidence', 'notAfter', 'ok', 'serial']);
    // base64 works too (JSON bodies)
    const ch2 = svc.issue();
    const a2 = await answer(client, ch2.nonce);
    expect(
      (
        await svc.verifyResponse({
          challengeId: ch2.challengeId,
          certificate: Buffer.from(a2.certificate).toString('base64'),
          signature: Buffer.from(a2.signature).toString('base64'),
        })
      ).ok,
    ).toBe(true);
  });

  it('answers each challenge once', async () => {
    const svc = createChallengeService({ verifier });
    const ch = svc.issue();
    const a = await answer(client, ch.nonce);
    expect((await svc.verifyResponse({ challengeId: ch.challengeId, ...a })).ok).toBe(true);
    expect(await svc.verifyResponse({ challengeId: ch.challengeId, ...a })).toMatchObject({
      ok: false,
      reason: 'challenge-replayed',
    });
  });

  it('refuses an expired or unknown challenge', async () => {
    let now = Date.now();
    const svc = createChallengeService({ verifier, ttlMs: 1000, clock: () => new Date(now) });
    const ch = svc.issue();
    const a = await answer(client, ch.nonce);
    now += 1001;
    expect(await svc.verifyResponse({ challengeId: ch.challengeId, ...a })).toMatchObject({
      ok: false,
      reason: 'challenge-expired',
    });
    expect(await svc.verifyResponse({ challengeId: 'made-up', ...a })).toMatchObject({
      ok: false,
      reason: 'challenge-expired',
    });
    expect(svc.size).toBe(0);
  });

  it('refuses a signature over something else, a signing certificate, a revoked card, and garbage', async () => {
    const svc = createChallengeService({ verifier });
    const ch1 = svc.issue();
    expect(
      await svc.verifyResponse({ challengeId: ch1.challengeId, ...(await answer(client, new Uint8Array(32))) }),
    ).toMatchObject({ reason: 'bad-signature' });

    const ch2 = svc.issue();
    const signCert = await client.readSigningCertificate(SECRETS.signPassword);
    expect(
      await svc.verifyResponse({
        challengeId: ch2.challengeId,
        certificate: signCert,
        signature: await client.sign(SECRETS.signPassword, ch2.nonce),
      }),
    ).toMatchObject({ reason: 'wrong-certificate-type' });

    const lost = await authority.issueCard(HANAKO, SECRETS);
    const lostClient = new JpkiClient(lost.card);
    authority.revoke(lost.authSerial, 'card-lost');
    const ch3 = svc.issue();
    expect(
      await svc.verifyResponse({ challengeId: ch3.challengeId, ...(await answer(lostClient, ch3.nonce)) }),
    ).toMatchObject({ reason: 'revoked', lifeEvent: 'card-lost' });

    const ch4 = svc.issue();
    expect(
      await svc.verifyResponse({
        challengeId: ch4.challengeId,
        certificate: 'not base64!',
        signature: new Uint8Array(256),
      }),
    ).toMatchObject({ reason: 'malformed' });
    const ch5 = svc.issue();
    expect(
      await svc.verifyResponse({
        challengeId: ch5.challengeId,
        certificate: new Uint8Array([1, 2, 3]),
        signature: new Uint8Array(256),
      }),
    ).toMatchObject({ reason: 'malformed' });
    expect(await svc.verifyResponse(null as never)).toMatchObject({ reason: 'challenge-expired' });
  });

  it('bounds the number of open challenges', () => {
    const svc = createChallengeService({ verifier, maxOpen: 2 });
    svc.issue();
    svc.issue();
    expect(() => svc.issue()).toThrow(expect.objectContaining({ code: 'KZ_JPKI_CHALLENGE_CAPACITY' }));
  });
});
