/**
 * The verifier with real certificates, real signed OCSP responses and real CRLs: every named
 * reason, fail-closed status handling, caching limits, and hostile input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger } from '@kizuna/core';
import { createAuthority, type Authority } from '../src/authority.ts';
import { startAuthorityServer } from '../src/authority-http.ts';
import { JpkiClient } from '../src/jpki-client.ts';
import { buildSignedData } from '../src/cms-build.ts';
import { parseCms } from '../src/cms-parse.ts';
import { createVerifier, verificationError, FAILURE_REASONS, type Verifier } from '../src/verifier.ts';
import { crlStatusSource, ocspStatusSource, type OcspStatusSource } from '../src/status-source.ts';
import { pkijs } from '../src/engine.ts';
import { toArrayBuffer } from '../src/bytes.ts';
import { HANAKO, SECRETS, TARO, utf8 } from './fixtures.ts';

let authority: Authority;
let client: JpkiClient;
let verifier: Verifier;
let serials: { authSerial: string; signSerial: string };
let cms: Uint8Array;
let detached: Uint8Array;
const report = utf8('現況届 2026: 受給者は生存しています。');

beforeAll(async () => {
  authority = await createAuthority();
  const issued = await authority.issueCard(HANAKO, SECRETS);
  serials = { authSerial: issued.authSerial, signSerial: issued.signSerial };
  client = new JpkiClient(issued.card);
  verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
  cms = await client.signCms(SECRETS.signPassword, report);
  detached = await client.signCms(SECRETS.signPassword, report, { detached: true });
});

/** A copy of `der` with the byte at `offset` changed. */
const flip = (der: Uint8Array, offset: number) => {
  const c = Uint8Array.from(der);
  c[offset]! ^= 0x01;
  return c;
};
const offsetOf = (outer: Uint8Array, inner: Uint8Array) => inner.byteOffset - outer.byteOffset;

describe('valid signatures and certificates', () => {
  it("verifies the card's attached CMS: serial, content, signing time, the four items and the OCSP evidence", async () => {
    const r = await verifier.verifyCms(cms, { purpose: 'sign' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.serial).toBe(serials.signSerial);
    expect(Buffer.from(r.content).toString()).toBe(Buffer.from(report).toString());
    expect(Math.abs(r.signingTime!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(r.personal).toEqual({
      name: '山田　花子',
      address: '絆市山手一丁目2番3号',
      birthDate: '1950-04-01',
      birthDateEra: '319500401',
      sex: 2,
    });
    const ocsp = pkijs.OCSPResponse.fromBER(toArrayBuffer(r.evidence.ocspResponse!));
    expect(ocsp.responseStatus.valueBlock.valueDec).toBe(0);
  });

  it('verifies a detached CMS with its content', async () => {
    const r = await verifier.verifyCms(detached, { detachedContent: report });
    expect(r).toMatchObject({ ok: true, serial: serials.signSerial });
  });

  it('verifies the authentication certificate for login, without personal data', async () => {
    const r = await verifier.verifyCertificate(await client.readAuthCertificate(), { purpose: 'auth' });
    expect(r).toMatchObject({ ok: true, serial: serials.authSerial, purpose: 'auth' });
    expect(r.ok && r.personal).toBeFalsy();
  });

  it('gets the status from a current CRL instead of OCSP, and over HTTP from the running authority', async () => {
    const byCrl = createVerifier({ trustAnchors: authority.trustAnchors().pem, status: authority.crlSource() });
    const r = await byCrl.verifyCms(cms);
    expect(r.ok && r.evidence.crl).toBeTruthy();
    const server = await startAuthorityServer({
      authority,
      port: 0,
      logger: createLogger({ name: 't', level: 'silent' }),
    });
    try {
      const overHttp = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: ocspStatusSource(`${server.url}/ocsp`),
      });
      expect((await overHttp.verifyCms(cms)).ok).toBe(true);
      const crlHttp = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: crlStatusSource([`${server.url}/crl/sign.crl`]),
      });
      expect((await crlHttp.verifyCms(cms)).ok).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('named refusals', () => {
  it('bad-signature: a changed signature or changed signed attributes', async () => {
    const parsed = parseCms(cms);
    const sigAt = offsetOf(cms, parsed.signature) + 100;
    expect(await verifier.verifyCms(flip(cms, sigAt))).toMatchObject({
      ok: false,
      reason: 'bad-signature',
      serial: serials.signSerial,
    });
    // the signing-time attribute: the last UTCTime in the message (signer infos follow the certificates)
    const t = parsed.attrs.signingTime!.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    // flip the low bit of the seconds' last digit (YYMMDDHHMMSS: index 11): still a valid date
    // whatever the day, so only the signature can fail (a month digit made December month 13)
    const timeAt = Buffer.from(cms).lastIndexOf(Buffer.concat([Buffer.of(0x17, 0x0d), Buffer.from(t)])) + 2 + 11;
    expect(timeAt).toBeGreaterThan(13);
    expect(await verifier.verifyCms(flip(cms, timeAt))).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('content-tampered: changed attached content, or other detached content', async () => {
    const parsed = parseCms(cms);
    expect(await verifier.verifyCms(flip(cms, offsetOf(cms, parsed.eContent!) + 3))).toMatchObject({
      ok: false,
      reason: 'content-tampered',
    });
    expect(
      await verifier.verifyCms(detached, { detachedContent: utf8('現況届 2026: 受給者は死亡しました。') }),
    ).toMatchObject({ ok: false, reason: 'content-tampered' });
    expect(await verifier.verifyCms(cms, { detachedContent: utf8('something else') })).toMatchObject({
      ok: false,
      reason: 'content-tampered',
    });
  });

  it('unknown-issuer: a card from another authority using the same CA names (where checkChain:false would pass)', async () => {
    const foreign = await createAuthority();
    const { card } = await foreign.issueCard(TARO, SECRETS);
    const foreignCms = await new JpkiClient(card).signCms(SECRETS.signPassword, report);
    const r = await verifier.verifyCms(foreignCms);
    expect(r).toMatchObject({ ok: false, reason: 'unknown-issuer' });
    expect(!r.ok && r.detail).toMatch(/does not verify with the trusted CA/);
    // the pitfall in docs/PLATFORM.md ("pkijs fails open on revocation"), reproduced:
    // pkijs without chain checking says "valid"
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(toArrayBuffer(foreignCms)).content });
    expect(await sd.verify({ signer: 0, checkChain: false })).toBe(true);
    // and a CA not configured at all
    const onlyRoot = createVerifier({
      trustAnchors: [authority.trustAnchors().auth],
      status: authority.statusSource(),
    });
    expect(await onlyRoot.verifyCms(cms)).toMatchObject({
      ok: false,
      reason: 'unknown-issuer',
      detail: expect.stringMatching(/no trusted CA named/),
    });
  });

  it('wrong-certificate-type: a report signed with the authentication key, a login with the signing certificate', async () => {
    const authCert = await client.readAuthCertificate();
    const authSigned = await buildSignedData({
      content: report,
      certificate: authCert,
      detached: false,
      signingTime: new Date(),
      sign: (attrs) => client.authSign(SECRETS.authPin, attrs),
    });
    expect(await verifier.verifyCms(authSigned, { purpose: 'sign' })).toMatchObject({
      ok: false,
      reason: 'wrong-certificate-type',
      detail: expect.stringMatching(/user-authentication certificate/),
    });
    const signCert = await client.readSigningCertificate(SECRETS.signPassword);
    expect(await verifier.verifyCertificate(signCert, { purpose: 'auth' })).toMatchObject({
      ok: false,
      reason: 'wrong-certificate-type',
      detail: expect.stringMatching(/signing certificate/),
    });
    expect(await verifier.verifyCertificate(authority.trustAnchors().sign, { purpose: 'sign' })).toMatchObject({
      ok: false,
      reason: 'unknown-issuer',
    });
  });

  it('expired and not-yet-valid, at a given time and for a certificate past its end', async () => {
    const r = await verifier.verifyCms(cms, { at: new Date('2040-01-01T00:00:00Z') });
    expect(r).toMatchObject({ ok: false, reason: 'expired' });
    expect(await verifier.verifyCms(cms, { at: new Date('2001-01-01T00:00:00Z') })).toMatchObject({
      ok: false,
      reason: 'not-yet-valid',
    });
    const old = await authority.issueCard(TARO, SECRETS, {
      notBefore: new Date(Date.now() - 10 * 86400_000),
      notAfter: new Date(Date.now() - 86400_000),
    });
    const oldCms = await new JpkiClient(old.card).signCms(SECRETS.signPassword, report);
    expect(await verifier.verifyCms(oldCms)).toMatchObject({ ok: false, reason: 'expired', serial: old.signSerial });
    const future = await authority.issueCard(TARO, SECRETS, {
      notBefore: new Date(Date.now() + 86400_000),
      notAfter: new Date(Date.now() + 10 * 86400_000),
    });
    expect(
      await verifier.verifyCertificate(authority.certificate(future.authSerial), { purpose: 'auth' }),
    ).toMatchObject({ ok: false, reason: 'not-yet-valid' });
  });

  it('revoked, with the reason, by OCSP at once and by the next CRL', async () => {
    const a = await authority.issueCard(TARO, SECRETS);
    const c = new JpkiClient(a.card);
    const signed = await c.signCms(SECRETS.signPassword, report);
    expect((await verifier.verifyCms(signed)).ok).toBe(true);
    authority.revoke(a.signSerial, 'moved');
    expect(await verifier.verifyCms(signed)).toMatchObject({
      ok: false,
      reason: 'revoked',
      revocationReason: 'affiliation-changed',
      lifeEvent: 'moved-or-renamed',
      serial: a.signSerial,
    });
    const byCrl = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.crlSource() });
    expect(await byCrl.verifyCms(signed)).toMatchObject({
      ok: false,
      reason: 'revoked',
      lifeEvent: 'moved-or-renamed',
    });
    // a move leaves the authentication certificate in force; a death ends it
    expect((await verifier.verifyCertificate(await c.readAuthCertificate(), { purpose: 'auth' })).ok).toBe(true);
    authority.revoke(a.authSerial, 'died');
    expect(await verifier.verifyCertificate(await c.readAuthCertificate(), { purpose: 'auth' })).toMatchObject({
      reason: 'revoked',
      lifeEvent: 'died',
      revocationReason: 'cessation-of-operation',
    });
  });

  it('malformed: nothing, garbage, a certificate where CMS is expected, a detached signature without content', async () => {
    expect(await verifier.verifyCms(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifier.verifyCms(utf8('hello'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifier.verifyCms(authority.trustAnchors().root)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await verifier.verifyCms(detached)).toMatchObject({
      ok: false,
      reason: 'malformed',
      detail: expect.stringMatching(/detachedContent/),
    });
    expect(await verifier.verifyCertificate(utf8('not a certificate'), { purpose: 'auth' })).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(await verifier.verifyCertificate(null as never, { purpose: 'auth' })).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(await verifier.verifyCms(cms, { purpose: 'login' as never })).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('turns a refusal into a coded error for HTTP handlers', () => {
    const e = verificationError({ ok: false, reason: 'status-unknown', detail: 'responder down', serial: 'ab' });
    expect(e).toMatchObject({
      code: 'KZ_JPKI_STATUS_UNKNOWN',
      statusCode: 503,
      details: { reason: 'status-unknown', serial: 'ab' },
    });
    expect(
      verificationError({ ok: false, reason: 'revoked', detail: 'x', revocationReason: 'superseded' }),
    ).toMatchObject({ code: 'KZ_JPKI_REVOKED', statusCode: 400 });
  });
});

describe('fail closed: status unknown is never "good"', () => {
  const source = (name: string, send: OcspStatusSource['send']): OcspStatusSource => ({ kind: 'ocsp', name, send });
  const withSource = (status: Parameters<typeof createVerifier>[0]['status'], extra = {}) =>
    createVerifier({ trustAnchors: authority.trustAnchors(), status, ...extra });

  it('when the responder is down', async () => {
    const v = withSource(ocspStatusSource('http://127.0.0.1:9/ocsp', { timeoutMs: 2000 }));
    expect(await v.verifyCms(cms)).toMatchObject({
      ok: false,
      reason: 'status-unknown',
      detail: expect.stringMatching(/cannot be reached/),
    });
    const crlDown = withSource(crlStatusSource(['http://127.0.0.1:9/crl/sign.crl'], { timeoutMs: 2000 }));
    expect(await crlDown.verifyCms(cms)).toMatchObject({
      ok: false,
      reason: 'status-unknown',
      detail: expect.stringMatching(/cannot be fetched/),
    });
  });

  it('when the response is garbage, an OCSP error status, or signed by someone else', async () => {
    expect(await withSource(source('garbage', async () => utf8('<html>'))).verifyCms(cms)).toMatchObject({
      reason: 'status-unknown',
      detail: expect.stringMatching(/malformed/),
    });
    expect(
      await withSource(source('busy', async () => Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03))).verifyCms(cms),
    ).toMatchObject({ reason: 'status-unknown', detail: expect.stringMatching(/tryLater/) });
    const other = await createAuthority();
    expect(await withSource(other.statusSource()).verifyCms(cms)).toMatchObject({ reason: 'status-unknown' });
  });

  it('when an old response is replayed (nonce), or the answer is stale', async () => {
    let first: Uint8Array | undefined;
    const replaying = source('replay', async (req) => (first ??= await authority.ocsp(req)));
    const v = withSource(replaying);
    expect((await v.verifyCms(cms)).ok).toBe(true);
    expect(await v.verifyCms(cms)).toMatchObject({ reason: 'status-unknown', detail: expect.stringMatching(/nonce/) });
    // a verifier whose clock is past the answer's nextUpdate
    const later = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: authority.statusSource(),
      clock: () => new Date(Date.now() + 10 * 60_000),
    });
    expect(await later.verifyCms(cms)).toMatchObject({
      reason: 'status-unknown',
      detail: expect.stringMatching(/stale/),
    });
    const crl = await authority.crl('sign');
    const staleCrl = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: crlStatusSource([crl]),
      clock: () => new Date(Date.now() + 2 * 3600_000),
    });
    expect(await staleCrl.verifyCms(cms)).toMatchObject({
      reason: 'status-unknown',
      detail: expect.stringMatching(/CRL is stale/),
    });
  });

  it('when the responder does not know the certificate', async () => {
    const t = await import('./fixtures.ts').then((f) => f.tempDir());
    try {
      const a = await createAuthority({ dataDir: t.dir });
      const { cpSync } = await import('node:fs');
      cpSync(t.dir, `${t.dir}-copy`, { recursive: true }); // same CAs, register without the card below
      const issued = await a.issueCard(TARO, SECRETS);
      const amnesiac = await createAuthority({ dataDir: `${t.dir}-copy` });
      const v = createVerifier({ trustAnchors: a.trustAnchors(), status: amnesiac.statusSource() });
      expect(await v.verifyCertificate(a.certificate(issued.authSerial), { purpose: 'auth' })).toMatchObject({
        reason: 'status-unknown',
        detail: expect.stringMatching(/does not know/),
      });
      // a second source with a definite answer is used
      const both = createVerifier({ trustAnchors: a.trustAnchors(), status: [amnesiac.statusSource(), a.crlSource()] });
      expect((await both.verifyCertificate(a.certificate(issued.authSerial), { purpose: 'auth' })).ok).toBe(true);
      const { rmSync } = await import('node:fs');
      rmSync(`${t.dir}-copy`, { recursive: true, force: true });
    } finally {
      t.cleanup();
    }
  });

  it('refuses to be built without a status source or trust anchors', () => {
    expect(() => createVerifier({ trustAnchors: authority.trustAnchors(), status: [] })).toThrow(/status source/);
    expect(() => createVerifier({ trustAnchors: [], status: authority.statusSource() })).toThrow(/trust anchors/);
  });
});

describe('caching', () => {
  it('reuses a status answer within statusCacheMs but never past nextUpdate', async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const a = await createAuthority({ clock, ocspValidityMs: 60_000 });
    const issued = await a.issueCard(TARO, SECRETS);
    const signed = await new JpkiClient(issued.card).signCms(SECRETS.signPassword, report);
    let asked = 0;
    const counting: OcspStatusSource = {
      kind: 'ocsp',
      name: 'counting',
      send: (r) => {
        asked++;
        return a.ocsp(r);
      },
    };
    const v = createVerifier({ trustAnchors: a.trustAnchors(), status: counting, statusCacheMs: 3600_000, clock });
    expect((await v.verifyCms(signed)).ok).toBe(true);
    expect((await v.verifyCms(signed)).ok).toBe(true);
    expect(asked).toBe(1);
    a.revoke(issued.signSerial, 'card-lost');
    expect((await v.verifyCms(signed)).ok).toBe(true); // the cached answer is still current (documented trade-off)
    offset = 61_000; // past nextUpdate: asked again
    expect(await v.verifyCms(signed)).toMatchObject({ ok: false, reason: 'revoked', lifeEvent: 'card-lost' });
    expect(asked).toBe(2);
  });

  it('never caches a failure to get the status', async () => {
    let down = true;
    const flaky: OcspStatusSource = {
      kind: 'ocsp',
      name: 'flaky',
      send: async (r) => {
        if (down) throw new Error('ECONNREFUSED');
        return authority.ocsp(r);
      },
    };
    const v = createVerifier({ trustAnchors: authority.trustAnchors(), status: flaky, statusCacheMs: 3600_000 });
    expect(await v.verifyCms(cms)).toMatchObject({ reason: 'status-unknown' });
    down = false;
    expect((await v.verifyCms(cms)).ok).toBe(true);
  });

  it('with a cache, concurrent verifications of one signer share the lookup in flight; without one, each asks', async () => {
    const a = await authority.issueCard(TARO, SECRETS);
    const signed = await new JpkiClient(a.card).signCms(SECRETS.signPassword, report);
    let asked = 0;
    const slow: OcspStatusSource = {
      kind: 'ocsp',
      name: 'slow',
      send: async (r) => {
        asked++;
        await new Promise((ok) => setTimeout(ok, 20));
        return authority.ocsp(r);
      },
    };
    const cached = createVerifier({ trustAnchors: authority.trustAnchors(), status: slow, statusCacheMs: 60_000 });
    const shared = await Promise.all(Array.from({ length: 8 }, () => cached.verifyCms(signed)));
    expect(shared.map((r) => r.ok)).toEqual(Array(8).fill(true));
    expect(asked).toBe(1);
    asked = 0;
    const strict = createVerifier({ trustAnchors: authority.trustAnchors(), status: slow });
    const each = await Promise.all(Array.from({ length: 8 }, () => strict.verifyCms(signed)));
    expect(each.map((r) => r.ok)).toEqual(Array(8).fill(true));
    expect(asked).toBe(8);
  });

  it('a shared lookup that fails is not kept: the next verification asks again', async () => {
    let down = true;
    let asked = 0;
    const flaky: OcspStatusSource = {
      kind: 'ocsp',
      name: 'flaky',
      send: async (r) => {
        asked++;
        await new Promise((ok) => setTimeout(ok, 10));
        if (down) throw new Error('ECONNREFUSED');
        return authority.ocsp(r);
      },
    };
    const v = createVerifier({ trustAnchors: authority.trustAnchors(), status: flaky, statusCacheMs: 3600_000 });
    // a first verification parses and chain-checks the certificate, so the burst reaches the
    // status lookup at once (on a loaded machine the chain checks could otherwise outlast it)
    expect(await v.verifyCms(cms)).toMatchObject({ reason: 'status-unknown' });
    expect(asked).toBe(1);
    const burst = await Promise.all(Array.from({ length: 4 }, () => v.verifyCms(cms)));
    expect(burst.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(Array(4).fill('status-unknown'));
    expect(asked).toBe(2);
    down = false;
    expect((await v.verifyCms(cms)).ok).toBe(true);
    expect(asked).toBe(3);
  });

  it('forgets cached answers on request', async () => {
    const a = await authority.issueCard(TARO, SECRETS);
    const signed = await new JpkiClient(a.card).signCms(SECRETS.signPassword, report);
    const v = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: authority.statusSource(),
      statusCacheMs: 3600_000,
    });
    expect((await v.verifyCms(signed)).ok).toBe(true);
    authority.revoke(a.signSerial, 'renamed');
    v.forgetStatus(a.signSerial);
    expect(await v.verifyCms(signed)).toMatchObject({ reason: 'revoked' });
  });
});

describe('hostile input (property-based)', () => {
  const reasons = new Set<string>(FAILURE_REASONS);

  it('random bytes are malformed, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const r = await verifier.verifyCms(bytes);
        expect(r).toMatchObject({ ok: false, reason: 'malformed' });
        const c = await verifier.verifyCertificate(bytes, { purpose: 'sign' });
        expect(c).toMatchObject({ ok: false, reason: 'malformed' });
      }),
      { numRuns: 300 },
    );
  });

  it('every truncation of a valid CMS is malformed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: cms.length - 1 }), async (n) => {
        expect(await verifier.verifyCms(cms.subarray(0, n))).toMatchObject({ ok: false, reason: 'malformed' });
      }),
      { numRuns: 300 },
    );
  });

  it('any changed byte gives a named refusal or, outside what is signed, a result for the same signer; never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: cms.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
        const bad = Uint8Array.from(cms);
        bad[at]! ^= x;
        const r = await verifier.verifyCms(bad);
        if (r.ok) {
          expect(r.serial).toBe(serials.signSerial);
          expect(Buffer.from(r.content).equals(Buffer.from(report))).toBe(true);
        } else {
          expect(reasons.has(r.reason)).toBe(true);
          expect(r.detail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('DER-shaped nonsense (nested sequences of random bytes) is refused with a reason', async () => {
    const tlv: fc.Arbitrary<Uint8Array> = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc
          .tuple(fc.constantFrom(0x02, 0x04, 0x06, 0x17, 0x80), fc.uint8Array({ maxLength: 40 }))
          .map(([t, v]) => Uint8Array.from([t, v.length, ...v])),
        fc
          .tuple(
            fc.constantFrom(0x30, 0x31, 0xa0, 0xa1),
            fc.array(tie('node') as fc.Arbitrary<Uint8Array>, { maxLength: 4 }),
          )
          .map(([t, kids]) => {
            const body = Buffer.concat(kids);
            return body.length < 128
              ? Uint8Array.from([t, body.length, ...body])
              : Uint8Array.from([t, 0x82, body.length >> 8, body.length & 0xff, ...body]);
          }),
      ),
    })).node;
    await fc.assert(
      fc.asyncProperty(tlv, async (der) => {
        const r = await verifier.verifyCms(der);
        expect(r.ok).toBe(false);
        expect(reasons.has((r as { reason: string }).reason)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

afterAll(() => undefined);

describe('pre-produced OCSP answers (RFC 5019) and requests without a nonce', () => {
  const source = (name: string, send: OcspStatusSource['send']): OcspStatusSource => ({ kind: 'ocsp', name, send });
  it('builds the same request bytes as the ASN.1 library, with and without a nonce', async () => {
    const { AsnConvert, OctetString } = await import('@peculiar/asn1-schema');
    const { Extension } = await import('@peculiar/asn1-x509');
    const { OCSPRequest, Request, TBSRequest, id_pkix_ocsp_nonce } = await import('@peculiar/asn1-ocsp');
    const { ocspQuery, ocspRequestDer } = await import('../src/status-check.ts');
    const { certInfo, anchorFrom } = await import('../src/certificate-check.ts');
    const anchors = authority.trustAnchors();
    const q = ocspQuery(certInfo(authority.certificate(serials.signSerial)), anchorFrom(anchors.sign));
    const nonce = new Uint8Array(AsnConvert.serialize(new OctetString(new Uint8Array(16).fill(7))));
    const lib = (withNonce: boolean) =>
      new Uint8Array(
        AsnConvert.serialize(
          new OCSPRequest({
            tbsRequest: new TBSRequest({
              requestList: [new Request({ reqCert: q.certId })],
              ...(withNonce
                ? {
                    requestExtensions: [
                      new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(nonce) }),
                    ],
                  }
                : {}),
            }),
          }),
        ),
      );
    expect(Buffer.from(q.plainRequest).toString('hex')).toBe(Buffer.from(lib(false)).toString('hex'));
    expect(Buffer.from(ocspRequestDer(q.certIdDer, nonce)).toString('hex')).toBe(
      Buffer.from(lib(true)).toString('hex'),
    );
  });

  it('serves one signed answer to requests without a nonce, signs each nonce request, and shows a revocation at the very next lookup', async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const a = await createAuthority({ clock, ocspValidityMs: 5 * 60_000 });
    const issued = await a.issueCard(TARO, SECRETS);
    const signed = await new JpkiClient(issued.card).signCms(SECRETS.signPassword, report);
    const answers: Uint8Array[] = [];
    const recording: OcspStatusSource = {
      kind: 'ocsp',
      name: 'recording',
      send: async (r) => {
        const x = await a.ocsp(r);
        answers.push(x);
        return x;
      },
    };
    const plain = createVerifier({ trustAnchors: a.trustAnchors(), status: recording, ocspNonce: false, clock });
    const withNonce = createVerifier({ trustAnchors: a.trustAnchors(), status: recording, clock });
    for (let i = 0; i < 3; i++) expect((await plain.verifyCms(signed)).ok).toBe(true);
    expect(answers).toHaveLength(3);
    // the same pre-produced bytes each time, no signature per request
    expect(new Set(answers.map((x) => Buffer.from(x).toString('hex'))).size).toBe(1);
    for (let i = 0; i < 2; i++) expect((await withNonce.verifyCms(signed)).ok).toBe(true);
    expect(new Set(answers.map((x) => Buffer.from(x).toString('hex'))).size).toBe(3);

    a.revoke(issued.signSerial, 'died');
    expect(await plain.verifyCms(signed)).toMatchObject({ ok: false, reason: 'revoked', lifeEvent: 'died' });
    expect(await withNonce.verifyCms(signed)).toMatchObject({ ok: false, reason: 'revoked' });

    // refreshed once 60 s old (half the validity, at most 60 s): never served older than that
    const before = answers.length;
    expect(await plain.verifyCms(signed)).toMatchObject({ reason: 'revoked' });
    const kept = answers[before]!;
    offset = 61_000;
    expect(await plain.verifyCms(signed)).toMatchObject({ reason: 'revoked' });
    expect(Buffer.from(answers[before + 1]!).equals(Buffer.from(kept))).toBe(false);
  });

  it('a revocation written by another process (same register on disk) shows at the next lookup', async () => {
    const t = await import('./fixtures.ts').then((f) => f.tempDir());
    try {
      const serving = await createAuthority({ dataDir: t.dir });
      const issued = await serving.issueCard(TARO, SECRETS);
      const signed = await new JpkiClient(issued.card).signCms(SECRETS.signPassword, report);
      const v = createVerifier({
        trustAnchors: serving.trustAnchors(),
        status: serving.statusSource(),
        ocspNonce: false,
      });
      expect((await v.verifyCms(signed)).ok).toBe(true);
      const cli = await createAuthority({ dataDir: t.dir }); // e.g. the CLI's `revoke`
      cli.revoke(issued.signSerial, 'moved');
      expect(await v.verifyCms(signed)).toMatchObject({ ok: false, reason: 'revoked', lifeEvent: 'moved-or-renamed' });
    } finally {
      t.cleanup();
    }
  });

  it('without a nonce, an answer older than statusMaxAgeMs is refused even before its nextUpdate', async () => {
    let first: Uint8Array | undefined;
    const replaying = source('replay', async (req) => (first ??= await authority.ocsp(req)));
    let offset = 0;
    const v = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: replaying,
      ocspNonce: false,
      statusMaxAgeMs: 60_000,
      clock: () => new Date(Date.now() + offset),
    });
    expect((await v.verifyCms(cms)).ok).toBe(true);
    offset = 90_000; // the replayed answer's nextUpdate (5 min) is still ahead
    expect(await v.verifyCms(cms)).toMatchObject({
      reason: 'status-unknown',
      detail: expect.stringMatching(/older than 60 s.*no nonce/),
    });
  });
});
