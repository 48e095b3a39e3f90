/** The emulated card, driven only through APDUs (docs/PLATFORM.md, "The JPKI card's APDUs"). */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash, publicDecrypt, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthority } from '../src/authority.ts';
import { newOpaqueId } from '../src/profile.ts';
import { EmulatedCard } from '../src/emulated-card.ts';
import { jpkiApdu, parseResponse } from '../src/apdu.ts';
import { DIGEST_INFO_PREFIX, EF } from '../src/constants.ts';
import { concat, toArrayBuffer } from '../src/bytes.ts';
import { x509 } from '../src/engine.ts';
import { parseJpkiPersonal } from '../src/personal.ts';
import { HANAKO, SECRETS, tempDir } from './fixtures.ts';

let card: EmulatedCard;
let authCertDer: Uint8Array;
let signCertDer: Uint8Array;

beforeAll(async () => {
  const a = await createAuthority();
  const issued = await a.issueCard(HANAKO, SECRETS, { label: 'test card' });
  card = issued.card;
  authCertDer = a.certificate(issued.authSerial);
  signCertDer = a.certificate(issued.signSerial);
});

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
async function send(c: EmulatedCard, apdu: Uint8Array | string) {
  const r = parseResponse(await c.transmit(typeof apdu === 'string' ? hex(apdu) : apdu))!;
  return { data: r.data, sw: r.sw.toString(16).padStart(4, '0') };
}
async function readAll(c: EmulatedCard, fid: number): Promise<Uint8Array> {
  expect((await send(c, jpkiApdu.selectEf(fid))).sw).toBe('9000');
  const parts: Uint8Array[] = [];
  for (let off = 0; ; off += 0x100) {
    const r = await send(c, jpkiApdu.readBinary(off, 256));
    if (r.sw === '6b00') break;
    parts.push(r.data);
    if (r.sw === '6282') break;
    expect(r.sw).toBe('9000');
  }
  return concat(...parts);
}

describe('emulated card: SELECT and READ BINARY', () => {
  it('selects the JPKI application by its AID with the bytes OpenSC sends', async () => {
    expect((await send(card, '00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01')).sw).toBe('9000');
    expect((await send(card, '00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 02')).sw).toBe('6a82');
  });

  it('refuses files before the application is selected', async () => {
    card.reset();
    expect((await send(card, '00 A4 02 0C 02 00 0A')).sw).toBe('6a82');
    expect((await send(card, '00 B0 00 00 04')).sw).toBe('6986');
  });

  it('reads the token and the authentication certificate without a PIN', async () => {
    await send(card, jpkiApdu.selectAp());
    const token = await readAll(card, EF.TOKEN);
    expect(Buffer.from(token).toString('ascii')).toBe('JPKIAPICCTOKEN2'.padEnd(32, ' '));
    const cert = await readAll(card, EF.AUTH_CERT);
    expect(Buffer.from(cert).equals(Buffer.from(authCertDer))).toBe(true);
    const ca = new X509Certificate(await readAll(card, EF.AUTH_CA_CERT));
    expect(new X509Certificate(cert).checkIssued(ca)).toBe(true);
  });

  it('reads at an offset and reports a short file with 62 82', async () => {
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.AUTH_CERT));
    const r = await send(card, jpkiApdu.readBinary(10, 16));
    expect(r.sw).toBe('9000');
    expect(Buffer.from(r.data).equals(Buffer.from(authCertDer.subarray(10, 26)))).toBe(true);
    const tail = await send(card, jpkiApdu.readBinary(authCertDer.length - 5, 200));
    expect(tail.sw).toBe('6282');
    expect(tail.data.length).toBe(5);
    expect((await send(card, jpkiApdu.readBinary(authCertDer.length + 10, 4))).sw).toBe('6b00');
  });

  it('keeps the signing certificate until the signing password is verified', async () => {
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.SIGN_CERT));
    expect((await send(card, jpkiApdu.readBinary(0, 4))).sw).toBe('6982');
    await send(card, jpkiApdu.selectEf(EF.SIGN_PIN));
    expect((await send(card, jpkiApdu.verify(Buffer.from(SECRETS.signPassword)))).sw).toBe('9000');
    const cert = await readAll(card, EF.SIGN_CERT);
    expect(Buffer.from(cert).equals(Buffer.from(signCertDer))).toBe(true);
    // re-selecting the application clears the security status
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.SIGN_CERT));
    expect((await send(card, jpkiApdu.readBinary(0, 4))).sw).toBe('6982');
  });

  it('never reads a key or PIN file', async () => {
    await send(card, jpkiApdu.selectAp());
    for (const fid of [EF.AUTH_KEY, EF.SIGN_KEY, EF.AUTH_PIN, EF.SIGN_PIN]) {
      await send(card, jpkiApdu.selectEf(fid));
      expect((await send(card, jpkiApdu.readBinary(0, 16))).sw).toBe('6981');
    }
  });
});

describe('emulated card: VERIFY, retry counters and locking', () => {
  it('reports tries left with an empty VERIFY, counts down with 63 Cx and locks with 69 83', async () => {
    const a = await createAuthority();
    const { card: c } = await a.issueCard(HANAKO, SECRETS);
    await send(c, jpkiApdu.selectAp());
    await send(c, jpkiApdu.selectEf(EF.AUTH_PIN));
    expect((await send(c, '00 20 00 80')).sw).toBe('63c3');
    expect((await send(c, jpkiApdu.verify(Buffer.from('0000')))).sw).toBe('63c2');
    expect((await send(c, jpkiApdu.verify(Buffer.from('1234')))).sw).toBe('9000');
    expect((await send(c, '00 20 00 80')).sw).toBe('63c3'); // a right PIN resets the counter
    expect((await send(c, jpkiApdu.verify(Buffer.from('0000')))).sw).toBe('63c2');
    expect((await send(c, jpkiApdu.verify(Buffer.from('0001')))).sw).toBe('63c1');
    expect((await send(c, jpkiApdu.verify(Buffer.from('0002')))).sw).toBe('6983');
    // locked: even the right PIN is refused, and so is signing
    expect((await send(c, jpkiApdu.verify(Buffer.from('1234')))).sw).toBe('6983');
    expect((await send(c, '00 20 00 80')).sw).toBe('6983');
    await send(c, jpkiApdu.selectEf(EF.AUTH_KEY));
    expect((await send(c, jpkiApdu.computeSignature(new Uint8Array(51)))).sw).toBe('6983');
    // the signing password has its own counter of 5
    await send(c, jpkiApdu.selectEf(EF.SIGN_PIN));
    expect((await send(c, '00 20 00 80')).sw).toBe('63c5');
  });

  it('rejects VERIFY without a PIN file selected and with bad parameters', async () => {
    await send(card, jpkiApdu.selectAp());
    expect((await send(card, jpkiApdu.verify(Buffer.from('1234')))).sw).toBe('6986');
    await send(card, jpkiApdu.selectEf(EF.AUTH_CERT));
    expect((await send(card, jpkiApdu.verify(Buffer.from('1234')))).sw).toBe('6981');
    await send(card, jpkiApdu.selectEf(EF.AUTH_PIN));
    expect((await send(card, '00 20 00 81 04 31 32 33 34')).sw).toBe('6a86');
  });
});

describe('emulated card: COMPUTE DIGITAL SIGNATURE', () => {
  const digestInfo = (data: string) =>
    concat(DIGEST_INFO_PREFIX['SHA-256'], createHash('sha256').update(data).digest());

  it('signs a DigestInfo with PKCS#1 v1.5 after the PIN, verifiable with the certificate', async () => {
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.AUTH_KEY));
    expect((await send(card, jpkiApdu.computeSignature(digestInfo('x')))).sw).toBe('6982');
    await send(card, jpkiApdu.selectEf(EF.AUTH_PIN));
    await send(card, jpkiApdu.verify(Buffer.from(SECRETS.authPin)));
    await send(card, jpkiApdu.selectEf(EF.AUTH_KEY));
    const r = await send(card, jpkiApdu.computeSignature(digestInfo('challenge')));
    expect(r.sw).toBe('9000');
    expect(r.data.length).toBe(256);
    const recovered = publicDecrypt(new X509Certificate(authCertDer).publicKey, r.data);
    expect(Buffer.from(recovered).equals(Buffer.from(digestInfo('challenge')))).toBe(true);
  });

  it('signs with the signing key only after the signing password, not the PIN', async () => {
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.AUTH_PIN));
    await send(card, jpkiApdu.verify(Buffer.from(SECRETS.authPin)));
    await send(card, jpkiApdu.selectEf(EF.SIGN_KEY));
    expect((await send(card, jpkiApdu.computeSignature(digestInfo('report')))).sw).toBe('6982');
    await send(card, jpkiApdu.selectEf(EF.SIGN_PIN));
    await send(card, jpkiApdu.verify(Buffer.from(SECRETS.signPassword)));
    await send(card, jpkiApdu.selectEf(EF.SIGN_KEY));
    const r = await send(card, jpkiApdu.computeSignature(digestInfo('report')));
    expect(r.sw).toBe('9000');
    expect(
      Buffer.from(publicDecrypt(new X509Certificate(signCertDer).publicKey, r.data)).equals(
        Buffer.from(digestInfo('report')),
      ),
    ).toBe(true);
  });

  it('refuses signing with a certificate selected, a wrong CLA, or too much data', async () => {
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.AUTH_CERT));
    expect((await send(card, jpkiApdu.computeSignature(digestInfo('x')))).sw).toBe('6981');
    await send(card, jpkiApdu.selectEf(EF.AUTH_PIN));
    await send(card, jpkiApdu.verify(Buffer.from(SECRETS.authPin)));
    await send(card, jpkiApdu.selectEf(EF.AUTH_KEY));
    const di = digestInfo('x');
    expect((await send(card, Uint8Array.from([0x00, 0x2a, 0x00, 0x80, di.length, ...di, 0]))).sw).toBe('6e00');
    expect((await send(card, jpkiApdu.computeSignature(new Uint8Array(246)))).sw).toBe('6700');
  });
});

describe('emulated card: bad APDUs', () => {
  it('answers malformed and unknown commands with a status word', async () => {
    expect((await send(card, '00 A4')).sw).toBe('6700');
    expect((await send(card, '00 A4 04 0C 05 01 02')).sw).toBe('6700');
    expect((await send(card, '00 CA 00 00 00')).sw).toBe('6d00');
    expect((await send(card, 'FF A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01')).sw).toBe('6e00');
    expect((await send(card, '00 B0 81 00 04')).sw).toBe('6a81');
  });

  it('answers any byte string with data plus a status word and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (apdu) => {
        const r = await card.transmit(apdu);
        expect(r.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });

  it('answers random well-formed commands without leaking a key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0x00, 0x80),
        fc.constantFrom(0xa4, 0xb0, 0x20, 0x2a, 0x84, 0xca),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        async (cla, ins, p1, p2, data, le) => {
          const apdu = Uint8Array.from([
            cla,
            ins,
            p1,
            p2,
            ...(data.length ? [data.length, ...data] : []),
            ...(le === undefined ? [] : [le & 0xff]),
          ]);
          const r = parseResponse(await card.transmit(apdu))!;
          expect(r.data.length).toBeLessThanOrEqual(256);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('emulated card: files at rest', () => {
  it('saves and loads a card under a key, keeping counters; a wrong key or a changed file is refused', async () => {
    const t = tempDir();
    try {
      const a = await createAuthority();
      const { card: c } = await a.issueCard(HANAKO, SECRETS, { label: 'resident 7' });
      await send(c, jpkiApdu.selectAp());
      await send(c, jpkiApdu.selectEf(EF.AUTH_PIN));
      await send(c, jpkiApdu.verify(Buffer.from('9999')));
      const file = join(t.dir, 'r7.card');
      c.save(file, 'file key');
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('1234');
      expect(text).not.toContain(Buffer.from('山田').toString('base64'));
      const back = EmulatedCard.load(file, 'file key');
      expect(back.label).toBe('resident 7');
      await send(back, jpkiApdu.selectAp());
      await send(back, jpkiApdu.selectEf(EF.AUTH_PIN));
      expect((await send(back, '00 20 00 80')).sw).toBe('63c2');
      expect(() => EmulatedCard.load(file, 'other key')).toThrow(
        expect.objectContaining({ code: 'KZ_CARD_FILE_INVALID' }),
      );
      const j = JSON.parse(text);
      j.data = Buffer.from(
        Buffer.from(j.data, 'base64').map((b: number, i: number) => (i === 10 ? b ^ 1 : b)),
      ).toString('base64');
      writeFileSync(file, JSON.stringify(j));
      expect(() => EmulatedCard.load(file, 'file key')).toThrow(/wrong key, or the file was changed/);
      writeFileSync(file, 'not json');
      expect(() => EmulatedCard.load(file, 'file key')).toThrow(/not a card file/);
      expect(() => EmulatedCard.load(join(t.dir, 'missing.card'), 'k')).toThrow(/ENOENT/);
    } finally {
      t.cleanup();
    }
  });

  it('keeps a lock across restarts when kept in sync', async () => {
    const t = tempDir();
    try {
      const a = await createAuthority();
      const { card: c } = await a.issueCard(HANAKO, SECRETS);
      const file = join(t.dir, 'c.card');
      c.save(file, 'k', { keepInSync: true });
      await send(c, jpkiApdu.selectAp());
      await send(c, jpkiApdu.selectEf(EF.AUTH_PIN));
      for (const pin of ['0000', '0001', '0002']) await send(c, jpkiApdu.verify(Buffer.from(pin)));
      const back = EmulatedCard.load(file, 'k');
      await send(back, jpkiApdu.selectAp());
      await send(back, jpkiApdu.selectEf(EF.AUTH_PIN));
      expect((await send(back, jpkiApdu.verify(Buffer.from('1234')))).sw).toBe('6983');
    } finally {
      t.cleanup();
    }
  });
});

describe('no My Number', () => {
  it('has no My Number application, and no 12-digit number in the token, names or personal items', async () => {
    // 券面事項入力補助AP (D3 92 10 00 31 00 01 01 04 08) holds the My Number on a real card: not here
    expect((await send(card, '00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08')).sw).toBe('6a82');
    await send(card, jpkiApdu.selectAp());
    await send(card, jpkiApdu.selectEf(EF.SIGN_PIN));
    await send(card, jpkiApdu.verify(Buffer.from(SECRETS.signPassword)));
    const twelveDigits = /(?<!\d)\d{12}(?!\d)/;
    expect(Buffer.from(await readAll(card, EF.TOKEN)).toString('latin1')).not.toMatch(twelveDigits);
    for (const fid of [EF.AUTH_CERT, EF.AUTH_CA_CERT, EF.SIGN_CERT, EF.SIGN_CA_CERT]) {
      const cert = new x509.X509Certificate(toArrayBuffer(await readAll(card, fid)));
      expect(cert.subject).not.toMatch(twelveDigits);
      expect(cert.serialNumber).not.toMatch(/^\d{12}$/);
    }
    const personal = parseJpkiPersonal(await readAll(card, EF.SIGN_CERT))!;
    for (const v of [personal.name, personal.address, personal.birthDateEra, String(personal.sex)])
      expect(v).not.toMatch(twelveDigits);
    expect(parseJpkiPersonal(await readAll(card, EF.AUTH_CERT))).toBeNull();
  });

  it('never draws an opaque subject id with twelve digits in a row (it would read like a My Number)', () => {
    // about one random 20-hex-digit id in 70 has such a run: 30,000 draws would meet ~400 of them
    for (let i = 0; i < 30_000; i++) expect(newOpaqueId()).toMatch(/^[0-9A-F]{20}$/);
    for (let i = 0; i < 30_000; i++) if (/\d{12}/.test(newOpaqueId())) throw new Error('twelve digits in a row');
  });
});
