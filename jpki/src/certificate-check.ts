/**
 * What a verifier learns once per certificate and may cache: its identity (serial, issuer,
 * subject as exact DER), its key, its purpose (key usage and JPKI policy), and whether it chains
 * to a trusted CA. Validity at a time and revocation are NOT cached here: they change with time.
 * RFC 5280 §6 (path validation), done twice on a cache miss: by our own named checks, then by
 * pkijs' chain engine as a second opinion.
 */
import { X509Certificate as NodeX509, createHash, type KeyObject } from 'node:crypto';
import { x509, pkijs } from './engine.ts';
import { children, expectOne, expectTag, readTlv } from './der.ts';
import { POLICY } from './constants.ts';
import { equalBytes, normalizeSerial, toArrayBuffer, toHex } from './bytes.ts';
import { parseJpkiPersonal, type JpkiPersonal } from './personal.ts';

export type Purpose = 'auth' | 'sign';

export interface CertInfo {
  der: Uint8Array;
  /** sha256 of the DER, hex: the cache key. */
  hash: string;
  serial: string;
  serialValue: Uint8Array;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  subject: string;
  issuer: string;
  ski: Uint8Array | undefined;
  notBefore: Date;
  notAfter: Date;
  key: KeyObject;
  node: NodeX509;
  isCa: boolean;
  keyUsage: number | undefined;
  policies: string[];
}

/** Parses a certificate; throws with a reason when it is not a certificate. */
export function certInfo(der: Uint8Array): CertInfo {
  const cert = expectOne(der, 0x30, 'Certificate');
  const tbs = children(expectTag(readTlv(cert.value, 0), 0x30, 'tbsCertificate').value);
  let i = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const serialValue = expectTag(tbs[i++], 0x02, 'serialNumber').value;
  i++; // signature algorithm
  const issuerDer = expectTag(tbs[i++], 0x30, 'issuer').raw;
  i++; // validity
  const subjectDer = expectTag(tbs[i++], 0x30, 'subject').raw;
  const node = new NodeX509(der);
  const px = new x509.X509Certificate(toArrayBuffer(der));
  const bc = px.getExtension(x509.BasicConstraintsExtension);
  const ku = px.getExtension(x509.KeyUsagesExtension);
  const cp = px.getExtension(x509.CertificatePolicyExtension);
  const skiExt = px.getExtension(x509.SubjectKeyIdentifierExtension);
  return {
    der,
    hash: createHash('sha256').update(der).digest('hex'),
    serial: normalizeSerial(toHex(serialValue)),
    serialValue,
    issuerDer,
    subjectDer,
    subject: px.subject,
    issuer: px.issuer,
    ski: skiExt ? Buffer.from(skiExt.keyId, 'hex') : undefined,
    notBefore: px.notBefore,
    notAfter: px.notAfter,
    key: node.publicKey,
    node,
    isCa: bc?.ca === true,
    keyUsage: ku?.usages,
    policies: [...(cp?.policies ?? [])],
  };
}

export interface Anchor extends CertInfo {
  pkijs: pkijs.Certificate;
  selfSigned: boolean;
}

export function anchorFrom(der: Uint8Array): Anchor {
  const info = certInfo(der);
  return {
    ...info,
    pkijs: pkijs.Certificate.fromBER(toArrayBuffer(der)),
    selfSigned: equalBytes(info.issuerDer, info.subjectDer),
  };
}

export type ChainResult = { ok: true; issuer: Anchor } | { ok: false; detail: string };

/**
 * Finds the trusted CA that signed `c`. The configured anchors are trusted as given (root and
 * issuing CAs alike); certificates that arrive with a message are never trusted.
 */
export async function checkChain(c: CertInfo, anchors: Anchor[]): Promise<ChainResult> {
  const named = anchors.filter((a) => equalBytes(a.subjectDer, c.issuerDer));
  if (named.length === 0) return { ok: false, detail: `no trusted CA named "${c.issuer}"` };
  const issuer = named.find((a) => {
    try {
      return c.node.verify(a.key);
    } catch {
      return false;
    }
  });
  if (!issuer)
    return {
      ok: false,
      detail: `the signature on the certificate does not verify with the trusted CA "${c.issuer}" (a different CA using its name?)`,
    };
  if (!issuer.isCa || (issuer.keyUsage !== undefined && !(issuer.keyUsage & x509.KeyUsageFlags.keyCertSign))) {
    return { ok: false, detail: `"${issuer.subject}" is not allowed to issue certificates` };
  }
  // second opinion from pkijs' RFC 5280 path validation, at a time when every certificate is valid
  const start = Math.max(c.notBefore.getTime(), issuer.notBefore.getTime());
  const end = Math.min(c.notAfter.getTime(), issuer.notAfter.getTime());
  if (start <= end) {
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: anchors.map((a) => a.pkijs),
      certs: [pkijs.Certificate.fromBER(toArrayBuffer(c.der))],
      checkDate: new Date(start + (end - start) / 2),
    });
    const r = await engine.verify();
    if (!r.result) return { ok: false, detail: `path validation failed: ${r.resultMessage}` };
  }
  return { ok: true, issuer };
}

export interface PurposePolicies {
  sign: string[];
  auth: string[];
}
export const JPKI_POLICIES: PurposePolicies = { sign: [POLICY.sign], auth: [POLICY.auth] };

/** null when the certificate suits the purpose, else why not. */
export function purposeProblem(c: CertInfo, purpose: Purpose, policies: PurposePolicies): string | null {
  const other: Purpose = purpose === 'sign' ? 'auth' : 'sign';
  const has = (p: Purpose) => c.policies.some((oid) => policies[p].includes(oid));
  if (c.isCa) return 'a CA certificate cannot sign for a resident';
  if (!has(purpose)) {
    return has(other)
      ? `this is a ${other === 'sign' ? 'signing' : 'user-authentication'} certificate; ${purpose === 'sign' ? 'signing needs the signing certificate' : 'login needs the user-authentication certificate'}`
      : `the certificate has no ${purpose === 'sign' ? 'signing' : 'user-authentication'} policy (${policies[purpose].join(', ')})`;
  }
  const need = purpose === 'sign' ? x509.KeyUsageFlags.nonRepudiation : x509.KeyUsageFlags.digitalSignature;
  if (c.keyUsage === undefined || !(c.keyUsage & need)) {
    return `key usage lacks ${purpose === 'sign' ? 'nonRepudiation' : 'digitalSignature'}`;
  }
  return null;
}

/** The four items for a signing certificate; undefined when it has none (e.g. a foreign CA's profile). */
export function personalOf(c: CertInfo): JpkiPersonal | undefined {
  return parseJpkiPersonal(c.der) ?? undefined;
}
