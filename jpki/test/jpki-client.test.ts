/** The client library over the in-process transport: certificates, PIN handling, signatures, CMS. */
import { beforeAll, describe, expect, it } from 'vitest';
import { verify, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthority, type Authority } from '../src/authority.ts';
import { JpkiClient, type CardTransport } from '../src/jpki-client.ts';
import { HANAKO, SECRETS, openssl, tempDir, utf8 } from './fixtures.ts';

let authority: Authority;
let client: JpkiClient;
let authSerial: string;
let signSerial: string;

beforeAll(async () => {
  authority = await createAuthority();
  const issued = await authority.issueCard(HANAKO, SECRETS);
  client = new JpkiClient(issued.card);
  ({ authSerial, signSerial } = issued);
});

const serialOf = (der: Uint8Array) => new X509Certificate(der).serialNumber.toLowerCase();

describe('JpkiClient', () => {
  it('reads the authentication certificate and both CA certificates', async () => {
    expect(serialOf(await client.readAuthCertificate())).toBe(authSerial);
    const anchors = authority.trustAnchors();
    expect(Buffer.from(await client.readAuthCaCertificate()).equals(Buffer.from(anchors.auth))).toBe(true);
    expect(Buffer.from(await client.readSigningCaCertificate()).equals(Buffer.from(anchors.sign))).toBe(true);
  });

  it('reads the signing certificate with the password only', async () => {
    expect(serialOf(await client.readSigningCertificate(SECRETS.signPassword))).toBe(signSerial);
  });

  it('signs a challenge with the authentication key (RSASSA-PKCS1-v1_5, SHA-256)', async () => {
    const challenge = utf8('nonce-123');
    const sig = await client.authSign(SECRETS.authPin, challenge);
    const key = new X509Certificate(await client.readAuthCertificate()).publicKey;
    expect(verify('sha256', challenge, key, sig)).toBe(true);
    expect(verify('sha256', utf8('other'), key, sig)).toBe(false);
  });

  it('refuses a badly formed PIN before it reaches the card (no try spent)', async () => {
    await expect(client.authSign('12345', utf8('x'))).rejects.toMatchObject({ code: 'KZ_CARD_PIN_FORMAT' });
    await expect(client.signCms('abc123', utf8('x'))).rejects.toMatchObject({ code: 'KZ_CARD_PIN_FORMAT' });
    expect(await client.triesLeft('auth')).toBe(3);
    expect(await client.triesLeft('sign')).toBe(5);
  });

  it('reports a wrong PIN with the tries left, then the lock', async () => {
    const a = await authority.issueCard(HANAKO, SECRETS);
    const c = new JpkiClient(a.card);
    await expect(c.readSigningCertificate('WRONG1')).rejects.toMatchObject({
      code: 'KZ_CARD_PIN_WRONG',
      details: { triesLeft: 4 },
    });
    await expect(c.authSign('0000', utf8('x'))).rejects.toMatchObject({
      code: 'KZ_CARD_PIN_WRONG',
      details: { triesLeft: 2 },
    });
    await expect(c.authSign('0000', utf8('x'))).rejects.toMatchObject({
      code: 'KZ_CARD_PIN_WRONG',
      details: { triesLeft: 1 },
    });
    await expect(c.authSign('0000', utf8('x'))).rejects.toMatchObject({
      code: 'KZ_CARD_LOCKED',
      details: { triesLeft: 0 },
    });
    await expect(c.authSign(SECRETS.authPin, utf8('x'))).rejects.toMatchObject({ code: 'KZ_CARD_LOCKED' });
    expect(await c.triesLeft('auth')).toBe(0);
    // the signing password is separate and still works
    expect(await c.sign(SECRETS.signPassword, utf8('x'))).toHaveLength(256);
  });

  it('names a card without the JPKI application and a transport that fails', async () => {
    const notJpki: CardTransport = { transmit: async () => Uint8Array.of(0x6a, 0x82) };
    await expect(new JpkiClient(notJpki).readAuthCertificate()).rejects.toMatchObject({ code: 'KZ_CARD_NOT_JPKI' });
    const pulled: CardTransport = {
      transmit: async () => {
        throw new Error('card removed');
      },
    };
    await expect(new JpkiClient(pulled).readAuthCertificate()).rejects.toMatchObject({ code: 'KZ_CARD_TRANSPORT' });
    const mute: CardTransport = { transmit: async () => new Uint8Array(0) };
    await expect(new JpkiClient(mute).readAuthCertificate()).rejects.toMatchObject({ code: 'KZ_CARD_TRANSPORT' });
  });

  it('keeps concurrent operations from interleaving their APDUs', async () => {
    const [cert, sig, signCert] = await Promise.all([
      client.readAuthCertificate(),
      client.authSign(SECRETS.authPin, utf8('a')),
      client.readSigningCertificate(SECRETS.signPassword),
    ]);
    expect(serialOf(cert)).toBe(authSerial);
    expect(sig).toHaveLength(256);
    expect(serialOf(signCert)).toBe(signSerial);
  });

  it('makes CMS SignedData that OpenSSL verifies, attached and detached', async () => {
    const t = tempDir();
    try {
      const content = utf8('現況届: 生存しています\r\nbinary \x00 ok');
      writeFileSync(join(t.dir, 'anchors.pem'), authority.trustAnchors().pem);
      writeFileSync(join(t.dir, 'content.bin'), content);
      writeFileSync(join(t.dir, 'att.der'), await client.signCms(SECRETS.signPassword, content));
      writeFileSync(join(t.dir, 'det.der'), await client.signCms(SECRETS.signPassword, content, { detached: true }));
      const common = ['-inform', 'DER', '-CAfile', 'anchors.pem', '-purpose', 'any', '-binary', '-out', 'out.bin'];
      openssl(['cms', '-verify', '-in', 'att.der', ...common], { cwd: t.dir });
      expect(readFileSync(join(t.dir, 'out.bin')).equals(Buffer.from(content))).toBe(true);
      openssl(['cms', '-verify', '-in', 'det.der', '-content', 'content.bin', ...common], { cwd: t.dir });
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'att.der'], { cwd: t.dir });
      expect(printed).toContain('signingTime');
      expect(printed).toContain('messageDigest');
      expect(printed).toContain('contentType');
    } finally {
      t.cleanup();
    }
  });
});
