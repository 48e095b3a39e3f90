/**
 * The JPKI certificate profile (docs/PLATFORM.md): RSA-2048 with sha256WithRSAEncryption, a root
 * and two issuing CAs, and the two end-entity certificates of a card: signing (digitalSignature +
 * nonRepudiation, signing policy, the four personal items in subjectAltName) and user
 * authentication (digitalSignature, authentication policy, no personal data). The subject CN is
 * an opaque id. RFC 5280 for the extensions.
 */
import { randomBytes } from 'node:crypto';
import { x509, RSA_ALG } from './engine.ts';
import { CA_SUBJECT, OID, POLICY } from './constants.ts';
import { personalSanValue, type Person } from './personal.ts';

export type CertKind = 'auth' | 'sign';

/** A positive 16-byte serial, lower-case hex without a leading zero byte. */
export function newSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

/**
 * The opaque subject CN: no personal data, no My Number. A random hex id can hold twelve digits in
 * a row (about once in 70), which reads like a My Number to anyone checking: draw again then.
 */
export function newOpaqueId(): string {
  for (;;) {
    const id = randomBytes(10).toString('hex').toUpperCase();
    if (!/\d{12}/.test(id)) return id;
  }
}

/** The fifth birthday after `issued`, at 23:59:59 JST (certificates expire at the end of that day). */
export function fifthBirthdayAfter(birthDate: string, issued: Date): Date {
  const [, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const jst = new Date(issued.getTime() + 9 * 3600_000);
  const y = jst.getUTCFullYear();
  const thisYear = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const first = thisYear > jst.toISOString().slice(0, 10) ? y : y + 1;
  const year = first + 4;
  // 29 February outside a leap year: the day before 1 March
  const day = new Date(Date.UTC(year, m - 1, d)).getUTCMonth() === m - 1 ? d : 28;
  return new Date(Date.UTC(year, m - 1, day, 23 - 9, 59, 59));
}

export interface CaMaterial {
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

const YEAR = 365.25 * 24 * 3600_000;

export async function createRootCa(keys: CryptoKeyPair, now: Date): Promise<x509.X509Certificate> {
  return await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: CA_SUBJECT.root,
    keys,
    signingAlgorithm: RSA_ALG,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 20 * YEAR),
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

export async function createIssuingCa(
  kind: CertKind,
  publicKey: CryptoKey,
  root: CaMaterial,
  now: Date,
): Promise<x509.X509Certificate> {
  return await x509.X509CertificateGenerator.create({
    serialNumber: newSerial(),
    subject: CA_SUBJECT[kind],
    issuer: root.cert.subjectName,
    publicKey,
    signingKey: root.privateKey,
    signingAlgorithm: RSA_ALG,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 12 * YEAR),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.CertificatePolicyExtension([POLICY[kind]], false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.cert.publicKey),
    ],
  });
}

export interface EndEntityParams {
  kind: CertKind;
  serial: string;
  opaqueId: string;
  publicKey: CryptoKey;
  issuer: CaMaterial;
  notBefore: Date;
  notAfter: Date;
  /** Only for the signing certificate. */
  person?: Person;
  /** Base URL of the authority (OCSP responder and CRLs), put in AIA and CRL distribution points. */
  publicUrl?: string;
}

export async function createEndEntity(p: EndEntityParams): Promise<x509.X509Certificate> {
  const usage =
    p.kind === 'sign'
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation
      : x509.KeyUsageFlags.digitalSignature;
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(usage, true),
    new x509.CertificatePolicyExtension([POLICY[p.kind]], true),
    await x509.SubjectKeyIdentifierExtension.create(p.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(p.issuer.cert.publicKey),
  ];
  if (p.kind === 'sign') {
    if (!p.person) throw new Error('signing certificate needs the person');
    extensions.push(new x509.Extension(OID.subjectAltName, false, personalSanValue(p.person)));
  }
  if (p.publicUrl) {
    extensions.push(new x509.CRLDistributionPointsExtension([`${p.publicUrl}/crl/${p.kind}.crl`], false));
    extensions.push(
      new x509.AuthorityInfoAccessExtension(
        { ocsp: [`${p.publicUrl}/ocsp`], caIssuers: [`${p.publicUrl}/ca/${p.kind}.cer`] },
        false,
      ),
    );
  }
  return await x509.X509CertificateGenerator.create({
    serialNumber: p.serial,
    subject: `C=JP, CN=${p.opaqueId}`,
    issuer: p.issuer.cert.subjectName,
    publicKey: p.publicKey,
    signingKey: p.issuer.privateKey,
    signingAlgorithm: RSA_ALG,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    extensions,
  });
}
