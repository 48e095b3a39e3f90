/** The test authority: certificate profile, revocation, renewal links, persistence, HTTP, OCSP and CRL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@kizuna/core';
import { createAuthority, type Authority } from '../src/authority.ts';
import { buildAuthorityApp, startAuthorityServer, type RunningAuthority } from '../src/authority-http.ts';
import { x509 } from '../src/engine.ts';
import { toArrayBuffer } from '../src/bytes.ts';
import { POLICY } from '../src/constants.ts';
import { parseJpkiPersonal } from '../src/personal.ts';
import { HANAKO, SECRETS, TARO, openssl, opensslAsync, tempDir } from './fixtures.ts';

const silent = createLogger({ name: 'test', level: 'silent' });
let authority: Authority;

beforeAll(async () => {
  authority = await createAuthority();
});

describe('certificate profile', () => {
  it('issues RSA-2048 sha256WithRSA certificates with the JPKI key usages and policies', async () => {
    const { authSerial, signSerial } = await authority.issueCard(HANAKO, SECRETS);
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'sign.der'), authority.certificate(signSerial));
      writeFileSync(join(t.dir, 'auth.der'), authority.certificate(authSerial));
      const sign = openssl(['x509', '-inform', 'DER', '-in', 'sign.der', '-noout', '-text'], { cwd: t.dir });
      const auth = openssl(['x509', '-inform', 'DER', '-in', 'auth.der', '-noout', '-text'], { cwd: t.dir });
      for (const text of [sign, auth]) {
        expect(text).toContain('Public-Key: (2048 bit)');
        expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
        expect(text).toMatch(/Subject: C = JP, CN = [0-9A-F]{20}\n/);
      }
      expect(sign).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
      expect(sign).toContain(`Policy: ${POLICY.sign}`);
      expect(sign).toContain('othername: 1.2.392.200149.8.5.5.1::山田　花子');
      expect(sign).toContain('othername: 1.2.392.200149.8.5.5.4::319500401');
      expect(sign).toContain('OCSP - URI:http://127.0.0.1:18840/ocsp');
      expect(auth).toMatch(/Key Usage: critical\s+Digital Signature\n/);
      expect(auth).toContain(`Policy: ${POLICY.auth}`);
      expect(auth).not.toContain('Subject Alternative Name');
      expect(auth).toContain('Issuer: C = JP, O = JPKI, OU = JPKI for user authentication');
    } finally {
      t.cleanup();
    }
  });

  it('puts the four items in the signing certificate and none in the authentication certificate', async () => {
    const { authSerial, signSerial } = await authority.issueCard(TARO, SECRETS);
    expect(parseJpkiPersonal(authority.certificate(signSerial))).toEqual({
      name: '佐藤　太郎',
      address: '絆市駅前二丁目5番1号',
      birthDate: '1989-01-08',
      birthDateEra: '419890108',
      sex: 1,
    });
    expect(parseJpkiPersonal(authority.certificate(authSerial))).toBeNull();
  });

  it('is valid until the fifth birthday after issue, end of day in Japan', async () => {
    const now = new Date('2026-06-15T00:00:00Z');
    const a = await createAuthority({ clock: () => now });
    const early = await a.issueCard({ ...HANAKO, birthDate: '1950-04-01' }, SECRETS);
    expect(early.notAfter.toISOString()).toBe('2031-04-01T14:59:59.000Z');
    const late = await a.issueCard({ ...HANAKO, birthDate: '1950-12-24' }, SECRETS);
    expect(late.notAfter.toISOString()).toBe('2030-12-24T14:59:59.000Z');
  });

  it('refuses bad resident data and bad secrets with the field named', async () => {
    await expect(authority.issueCard({ ...HANAKO, birthDate: '1950-02-30' }, SECRETS)).rejects.toThrow(
      /not a calendar date/,
    );
    await expect(authority.issueCard({ ...HANAKO, sex: 4 as never }, SECRETS)).rejects.toThrow(/sex must be/);
    await expect(authority.issueCard({ ...HANAKO, name: '' }, SECRETS)).rejects.toThrow(/name must be/);
    await expect(authority.issueCard({ ...HANAKO, birthDate: '2999-01-01' }, SECRETS)).rejects.toThrow(/in the future/);
    await expect(authority.issueCard(HANAKO, { authPin: '12a4', signPassword: 'ABC123' })).rejects.toMatchObject({
      code: 'KZ_CARD_PIN_FORMAT',
    });
    await expect(authority.issueCard(HANAKO, { authPin: '1234', signPassword: 'abc12' })).rejects.toMatchObject({
      code: 'KZ_CARD_PIN_FORMAT',
    });
  });
});

describe('revocation and renewal', () => {
  it('revokes the signing certificate only for a move; both for a lost card or a death', async () => {
    const moved = await authority.issueCard(HANAKO, SECRETS);
    expect(authority.revoke(moved.signSerial, 'moved')).toEqual([
      { serial: moved.signSerial, kind: 'sign', reason: 'moved' },
    ]);
    expect(authority.status(moved.authSerial).status).toBe('good');

    const lost = await authority.issueCard(HANAKO, SECRETS);
    expect(
      authority
        .revoke(lost.authSerial, 'card-lost')
        .map((r) => r.serial)
        .sort(),
    ).toEqual([lost.authSerial, lost.signSerial].sort());
    const died = await authority.issueCard(HANAKO, SECRETS);
    expect(authority.revoke(died.signSerial, 'died')).toHaveLength(2);
    expect(authority.status(died.authSerial)).toMatchObject({ status: 'revoked', reason: 'died' });

    expect(() => authority.revoke(moved.signSerial, 'died')).toThrow(
      expect.objectContaining({ code: 'KZ_JPKI_ALREADY_REVOKED' }),
    );
    expect(() => authority.revoke('deadbeef', 'moved')).toThrow(
      expect.objectContaining({ code: 'KZ_JPKI_CERT_UNKNOWN' }),
    );
    expect(() => authority.revoke(moved.authSerial, 'stolen' as never)).toThrow(
      expect.objectContaining({ code: 'KZ_JPKI_REASON_INVALID' }),
    );
  });

  it('renews a card: old certificates revoked, linked to the new ones, changed items in the new certificate', async () => {
    const old = await authority.issueCard(HANAKO, SECRETS);
    expect(authority.linkedAuthSerial(old.signSerial)).toBe(old.authSerial);
    expect(authority.linkedAuthSerial(old.authSerial)).toBeNull();
    const renewed = await authority.renew(
      old.signSerial,
      { authPin: '4321', signPassword: 'NEWPASS1' },
      { reason: 'moved', person: { address: '絆市港二丁目1番' } },
    );
    expect(renewed.renewedFrom).toEqual({ signSerial: old.signSerial, authSerial: old.authSerial });
    expect(authority.renewedTo(old.signSerial)).toBe(renewed.signSerial);
    expect(authority.renewedTo(old.authSerial)).toBe(renewed.authSerial);
    expect(authority.renewedTo(renewed.signSerial)).toBeNull();
    expect(authority.status(old.signSerial)).toMatchObject({
      status: 'revoked',
      reason: 'moved',
      renewedTo: renewed.signSerial,
    });
    expect(authority.status(old.authSerial)).toMatchObject({ status: 'revoked', reason: 'renewed' });
    expect(authority.status(renewed.signSerial)).toMatchObject({ status: 'good', renewedFrom: old.signSerial });
    expect(parseJpkiPersonal(authority.certificate(renewed.signSerial))).toMatchObject({
      name: HANAKO.name,
      address: '絆市港二丁目1番',
    });
    expect(authority.linkedAuthSerial(renewed.signSerial)).toBe(renewed.authSerial);
    await expect(authority.renew(old.authSerial, SECRETS)).rejects.toMatchObject({ code: 'KZ_JPKI_NOT_SIGNING_CERT' });
    await expect(authority.renew(old.signSerial, SECRETS)).rejects.toMatchObject({ code: 'KZ_JPKI_ALREADY_REVOKED' });
  });

  it('lists revoked certificates in a signed CRL of the right issuing CA', async () => {
    const a = await authority.issueCard(HANAKO, SECRETS);
    authority.revoke(a.signSerial, 'renamed');
    const crl = new x509.X509Crl(toArrayBuffer(await authority.crl('sign')));
    const anchors = authority.trustAnchors();
    expect(await crl.verify({ publicKey: new x509.X509Certificate(toArrayBuffer(anchors.sign)) })).toBe(true);
    const entry = crl.entries.find((e) => e.serialNumber.toLowerCase() === a.signSerial);
    expect(entry?.reason).toBe(x509.X509CrlReason.affiliationChanged);
    expect(crl.nextUpdate!.getTime()).toBeGreaterThan(crl.thisUpdate.getTime());
    const authCrl = new x509.X509Crl(toArrayBuffer(await authority.crl('auth')));
    expect(authCrl.entries.find((e) => e.serialNumber.toLowerCase() === a.signSerial)).toBeUndefined();
  });
});

describe('persistence', () => {
  it('keeps CAs and the register in dataDir, seen by a second instance (another process, e.g. the CLI)', async () => {
    const t = tempDir();
    try {
      const first = await createAuthority({ dataDir: t.dir });
      const issued = await first.issueCard(HANAKO, SECRETS);
      const second = await createAuthority({ dataDir: t.dir });
      expect(Buffer.from(second.trustAnchors().root).equals(Buffer.from(first.trustAnchors().root))).toBe(true);
      expect(second.status(issued.signSerial).status).toBe('good');
      second.revoke(issued.signSerial, 'moved');
      expect(first.status(issued.signSerial)).toMatchObject({ status: 'revoked', reason: 'moved' });
      writeFileSync(join(t.dir, 'authority.json'), '{ broken');
      await expect(createAuthority({ dataDir: t.dir })).rejects.toMatchObject({ code: 'KZ_JPKI_STORE_CORRUPT' });
    } finally {
      t.cleanup();
    }
  });
});

describe('authority over HTTP', () => {
  let server: RunningAuthority;
  let serials: { authSerial: string; signSerial: string };

  beforeAll(async () => {
    server = await startAuthorityServer({ authority, port: 0, logger: silent });
    const issued = await authority.issueCard(HANAKO, SECRETS);
    serials = { authSerial: issued.authSerial, signSerial: issued.signSerial };
  });
  afterAll(() => server.close());

  it('serves CRLs, CA certificates and the links', async () => {
    const app = await buildAuthorityApp(authority, silent);
    const crl = await app.inject({ method: 'GET', url: '/crl/sign.crl' });
    expect(crl.statusCode).toBe(200);
    expect(crl.headers['content-type']).toBe('application/pkix-crl');
    expect(new x509.X509Crl(toArrayBuffer(crl.rawPayload)).issuer).toContain('JPKI for digital signature');
    const root = await app.inject({ method: 'GET', url: '/ca/root.cer' });
    expect(Buffer.from(root.rawPayload).equals(Buffer.from(authority.trustAnchors().root))).toBe(true);
    expect((await app.inject({ method: 'GET', url: '/ca/anchors.pem' })).body).toContain('BEGIN CERTIFICATE');
    expect((await app.inject({ method: 'GET', url: '/ca/other.cer' })).json()).toMatchObject({
      code: 'KZ_JPKI_CERT_UNKNOWN',
    });
    expect((await app.inject({ method: 'GET', url: '/crl/x.crl' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/links/auth/${serials.signSerial}` })).json()).toEqual({
      signSerial: serials.signSerial,
      authSerial: serials.authSerial,
    });
    expect((await app.inject({ method: 'GET', url: `/links/auth/${serials.authSerial}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/links/renewal/${serials.signSerial}` })).json()).toEqual({
      serial: serials.signSerial,
      renewedTo: null,
      renewedFrom: null,
      renewedToCertificate: null,
    });
    expect((await app.inject({ method: 'GET', url: '/links/renewal/zz' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/links/renewal/abcdef0123' })).statusCode).toBe(404);
    await app.close();
  });

  it('answers at / with an index whose every download link works (the URL the start-up banner prints)', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    const body = (await index.json()) as {
      crls: Record<string, string>;
      trustAnchors: Record<string, string>;
      ocsp: { post: string };
    };
    const links = [...Object.values(body.crls), ...Object.values(body.trustAnchors)];
    expect(links).toHaveLength(6);
    for (const link of links) {
      expect(link.startsWith(server.url), link).toBe(true);
      expect((await fetch(link)).status, link).toBe(200);
    }
    expect(body.ocsp.post).toBe(`${server.url}/ocsp`);
  });

  it('publishes a renewal both ways over HTTP, the new certificate with the old → new link', async () => {
    const old = await authority.issueCard(TARO, SECRETS);
    const renewed = await authority.renew(old.signSerial, SECRETS);
    const get = async (serial: string) => {
      const res = await fetch(new URL(`/links/renewal/${serial}`, server.url));
      expect(res.status).toBe(200);
      return (await res.json()) as {
        serial: string;
        renewedTo: string | null;
        renewedFrom: string | null;
        renewedToCertificate: string | null;
      };
    };
    const fwd = await get(old.signSerial);
    expect(fwd).toMatchObject({ serial: old.signSerial, renewedTo: renewed.signSerial, renewedFrom: null });
    const cert = new x509.X509Certificate(toArrayBuffer(Buffer.from(fwd.renewedToCertificate!, 'base64')));
    expect(cert.serialNumber.toLowerCase().replace(/^(00)+/, '')).toBe(renewed.signSerial);
    expect(
      Buffer.from(fwd.renewedToCertificate!, 'base64').equals(Buffer.from(authority.certificate(renewed.signSerial))),
    ).toBe(true);
    expect(await get(renewed.signSerial)).toEqual({
      serial: renewed.signSerial,
      renewedTo: null,
      renewedFrom: old.signSerial,
      renewedToCertificate: null,
    });
    expect((await get(old.authSerial)).renewedTo).toBe(renewed.authSerial);
  });

  it("answers OpenSSL's OCSP client: good, then revoked at once", async () => {
    const t = tempDir();
    try {
      const anchors = authority.trustAnchors();
      writeFileSync(join(t.dir, 'anchors.pem'), anchors.pem);
      writeFileSync(join(t.dir, 'issuer.der'), anchors.sign);
      writeFileSync(join(t.dir, 'cert.der'), authority.certificate(serials.signSerial));
      openssl(['x509', '-inform', 'DER', '-in', 'issuer.der', '-out', 'issuer.pem'], { cwd: t.dir });
      openssl(['x509', '-inform', 'DER', '-in', 'cert.der', '-out', 'cert.pem'], { cwd: t.dir });
      const ask = () =>
        opensslAsync(
          [
            'ocsp',
            '-issuer',
            'issuer.pem',
            '-cert',
            'cert.pem',
            '-url',
            `${server.url}/ocsp`,
            '-CAfile',
            'anchors.pem',
          ],
          { cwd: t.dir },
        );
      expect(await ask()).toMatch(/cert\.pem: good/);
      authority.revoke(serials.signSerial, 'died');
      const out = await ask();
      expect(out).toMatch(/cert\.pem: revoked/);
      expect(out).toMatch(/Reason: cessationOfOperation/);
    } finally {
      t.cleanup();
    }
  });

  it('answers malformed and foreign OCSP requests with an OCSP error status, not a crash', async () => {
    const post = (body: Uint8Array) =>
      fetch(`${server.url}/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: body as Uint8Array<ArrayBuffer>,
      });
    const bad = await post(Uint8Array.of(1, 2, 3));
    expect(bad.status).toBe(200);
    expect(Buffer.from(await bad.arrayBuffer()).toString('hex')).toBe('30030a0101'); // malformedRequest
    const other = await createAuthority();
    const { signSerial } = await other.issueCard(HANAKO, SECRETS);
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'issuer.der'), other.trustAnchors().sign);
      writeFileSync(join(t.dir, 'cert.der'), other.certificate(signSerial));
      openssl(['x509', '-inform', 'DER', '-in', 'issuer.der', '-out', 'issuer.pem'], { cwd: t.dir });
      openssl(['x509', '-inform', 'DER', '-in', 'cert.der', '-out', 'cert.pem'], { cwd: t.dir });
      openssl(['ocsp', '-issuer', 'issuer.pem', '-cert', 'cert.pem', '-reqout', 'req.der'], { cwd: t.dir });
      const { readFileSync } = await import('node:fs');
      const res = await post(readFileSync(join(t.dir, 'req.der')));
      expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe('30030a0106'); // unauthorized
    } finally {
      t.cleanup();
    }
    const wrongType = await fetch(`${server.url}/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ code: 'KZ_JPKI_MALFORMED' });
  });
});
