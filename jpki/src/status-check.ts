/**
 * Revocation status of one certificate from one source, checked here rather than trusted:
 * OCSP (RFC 6960) responses must be signed by the certificate's issuing CA, answer for exactly
 * this CertID, echo our nonce (RFC 8954) and be current (thisUpdate ≤ now < nextUpdate); CRLs
 * (RFC 5280 §5) must be signed by the issuer and current. Anything else is "unknown", never "good".
 */
import { createHash, randomBytes, verify as rsaVerify } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { CertID, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { x509 } from './engine.ts';
import { OID } from './constants.ts';
import { equalBytes, normalizeSerial, toArrayBuffer, toBytes, toHex } from './bytes.ts';
import type { Anchor, CertInfo } from './certificate-check.ts';
import { reasonFromCode, type RevocationReason } from './revocation-reason.ts';
import type { CrlStatusSource, OcspStatusSource } from './status-source.ts';
import { DerError, children, derTlv, expectOne, expectTag, oidBytes, readTime, readTlv, type Tlv } from './der.ts';

export type StatusAnswer =
  | { status: 'good'; source: 'ocsp' | 'crl'; evidence: Uint8Array; thisUpdate: Date; nextUpdate: Date | undefined }
  | {
      status: 'revoked';
      source: 'ocsp' | 'crl';
      evidence: Uint8Array;
      thisUpdate: Date;
      nextUpdate: Date | undefined;
      reason: RevocationReason;
      revokedAt: Date;
    }
  | { status: 'unknown'; detail: string };

export interface FreshnessOptions {
  /** Allowed clock difference with the status source, ms. */
  skewMs: number;
  /** Without nextUpdate, an answer is current for this long after thisUpdate, ms. */
  maxAgeMs: number;
}

const HASH_BY_SIG: Record<string, string> = {
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
};

const unknown = (detail: string): StatusAnswer => ({ status: 'unknown', detail });

function freshness(
  thisUpdate: Date,
  nextUpdate: Date | undefined,
  now: Date,
  f: FreshnessOptions,
  what: string,
): string | null {
  if (thisUpdate.getTime() > now.getTime() + f.skewMs)
    return `${what} is dated in the future (${thisUpdate.toISOString()})`;
  if (nextUpdate ? now >= nextUpdate : now.getTime() - thisUpdate.getTime() > f.maxAgeMs) {
    return `${what} is stale (next update was due ${(nextUpdate ?? new Date(thisUpdate.getTime() + f.maxAgeMs)).toISOString()})`;
  }
  return null;
}

/** The subjectPublicKey bits of a certificate: what OCSP's issuerKeyHash is computed over. */
function keyBits(der: Uint8Array): Uint8Array {
  const tbs = children(readTlv(expectOne(der, 0x30, 'Certificate').value, 0).value);
  const spki = tbs[tbs[0]?.tag === 0xa0 ? 6 : 5]!;
  const bits = children(spki.value)[1]!.value;
  return bits.subarray(1); // skip the unused-bits octet
}

export interface OcspQuery {
  certId: CertID;
  issuerKeyHash: Uint8Array;
  issuerNameHash: Uint8Array;
  /** The DER CertID, built once: requests are assembled around it without an ASN.1 library. */
  certIdDer: Uint8Array;
  /** The whole request without a nonce (RFC 5019: the form a pre-producing responder answers from its store). */
  plainRequest: Uint8Array;
}

/** The CertID (SHA-1, as RFC 5019 clients use) of a certificate: cacheable per certificate. */
export function ocspQuery(cert: CertInfo, issuer: Anchor): OcspQuery {
  const issuerNameHash = createHash('sha1').update(issuer.subjectDer).digest();
  const issuerKeyHash = createHash('sha1').update(keyBits(issuer.der)).digest();
  const certId = new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha1, parameters: null }),
    issuerNameHash: new OctetString(toArrayBuffer(issuerNameHash)),
    issuerKeyHash: new OctetString(toArrayBuffer(issuerKeyHash)),
    serialNumber: toArrayBuffer(cert.serialValue),
  });
  const certIdDer = new Uint8Array(AsnConvert.serialize(certId));
  return { issuerNameHash, issuerKeyHash, certId, certIdDer, plainRequest: ocspRequestDer(certIdDer) };
}

const tlv = derTlv;
const NONCE_OID_TLV = tlv(0x06, oidBytes(id_pkix_ocsp_nonce));

/**
 * OCSPRequest ::= SEQUENCE { tbsRequest SEQUENCE { requestList SEQUENCE OF Request { reqCert CertID },
 * requestExtensions [2] EXPLICIT Extensions OPTIONAL } } (RFC 6960 §4.1.1), one CertID, and the
 * nonce extension (RFC 8954: extnValue holds the DER OCTET STRING of the nonce) when given.
 */
export function ocspRequestDer(certIdDer: Uint8Array, nonceValue?: Uint8Array): Uint8Array {
  const requestList = tlv(0x30, tlv(0x30, certIdDer));
  const ext = nonceValue ? [tlv(0xa2, tlv(0x30, tlv(0x30, NONCE_OID_TLV, tlv(0x04, nonceValue))))] : [];
  return tlv(0x30, tlv(0x30, requestList, ...ext));
}

const SIG_HASH_BY_DER = new Map(
  Object.entries(HASH_BY_SIG).map(([oid, h]) => [toHex(oidBytes(oid)), { oid, hash: h }]),
);
const OCSP_BASIC_DER = oidBytes(OID.ocspBasic);
const SHA1_DER = oidBytes(OID.sha1);
const NONCE_DER = oidBytes(id_pkix_ocsp_nonce);
const RESPONSE_STATUS: Record<number, string> = {
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

/** A GeneralizedTime (OCSP's times are; RFC 5280 §4.1.2.5.2: Z, seconds), a fraction of a second tolerated. */
const readGeneralizedTime = (t: Tlv | undefined, what: string): Date =>
  readTime(expectTag(t, 0x18, what), what, { fractions: true });

interface ParsedSingle {
  certId: Tlv[];
  status: Tlv;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
}
interface ParsedBasic {
  tbs: Uint8Array;
  sigHash: string | undefined;
  sigOid: string;
  signature: Uint8Array;
  responses: ParsedSingle[];
  nonce: Uint8Array | undefined;
}

/**
 * Walks an OCSPResponse (RFC 6960 §4.2.1) with the strict DER reader: status code, or the basic
 * response's signed part, signature and single responses. Views into the input, no objects from
 * an ASN.1 library (pkijs took about as long to parse an answer as the responder took to sign it).
 */
function parseOcspResponse(
  der: Uint8Array,
): { code: number } | { code: 0; basic: ParsedBasic } | { code: 0; notBasic: true } {
  const top = children(expectOne(der, 0x30, 'OCSPResponse').value);
  const status = expectTag(top[0], 0x0a, 'responseStatus');
  if (status.value.length !== 1) throw new DerError('responseStatus is not one octet');
  const code = status.value[0]!;
  if (code !== 0) return { code };
  const rb = children(expectTag(top[1], 0xa0, 'responseBytes').value);
  const rbSeq = children(expectTag(rb[0], 0x30, 'ResponseBytes').value);
  if (!equalBytes(expectTag(rbSeq[0], 0x06, 'responseType').value, OCSP_BASIC_DER)) return { code: 0, notBasic: true };
  const basicDer = expectTag(rbSeq[1], 0x04, 'response').value;
  const basic = children(expectOne(basicDer, 0x30, 'BasicOCSPResponse').value);
  const tbs = expectTag(basic[0], 0x30, 'tbsResponseData');
  const sigAlg = children(expectTag(basic[1], 0x30, 'signatureAlgorithm').value);
  const sigOidDer = expectTag(sigAlg[0], 0x06, 'signature algorithm').value;
  // RFC 4055 §5: the parameters of the RSA PKCS #1 v1.5 algorithms are NULL or absent (not signed, so checked here)
  if (sigAlg.length > 2 || (sigAlg[1] && (sigAlg[1].tag !== 0x05 || sigAlg[1].value.length !== 0))) {
    throw new DerError('signatureAlgorithm parameters are not NULL');
  }
  const sigBits = expectTag(basic[2], 0x03, 'signature').value;
  if (sigBits[0] !== 0) throw new DerError('signature has unused bits');
  const known = SIG_HASH_BY_DER.get(toHex(sigOidDer));

  const fields = children(tbs.value);
  let i = 0;
  if (fields[i]?.tag === 0xa0) i++; // version
  if (fields[i]?.tag !== 0xa1 && fields[i]?.tag !== 0xa2) throw new DerError('responderID is missing');
  i++;
  readGeneralizedTime(fields[i++], 'producedAt');
  const responses = children(expectTag(fields[i++], 0x30, 'responses').value).map((r): ParsedSingle => {
    const f = children(expectTag(r, 0x30, 'SingleResponse').value);
    const certId = children(expectTag(f[0], 0x30, 'certID').value);
    const st = f[1];
    if (!st) throw new DerError('certStatus is missing');
    const thisUpdate = readGeneralizedTime(f[2], 'thisUpdate');
    const nextUpdate = f[3]?.tag === 0xa0 ? readGeneralizedTime(readTlv(f[3].value, 0), 'nextUpdate') : undefined;
    return { certId, status: st, thisUpdate, nextUpdate };
  });
  let nonce: Uint8Array | undefined;
  const ext = fields[i];
  if (ext?.tag === 0xa1) {
    for (const e of children(expectTag(readTlv(ext.value, 0), 0x30, 'responseExtensions').value)) {
      const parts = children(expectTag(e, 0x30, 'Extension').value);
      if (equalBytes(expectTag(parts[0], 0x06, 'extnID').value, NONCE_DER))
        nonce = expectTag(parts[parts.length - 1], 0x04, 'extnValue').value;
    }
  }
  return {
    code: 0,
    basic: {
      tbs: tbs.raw,
      sigHash: known?.hash,
      sigOid: known?.oid ?? toHex(sigOidDer),
      signature: sigBits.subarray(1),
      responses,
      nonce,
    },
  };
}

export async function ocspStatus(
  source: OcspStatusSource,
  cert: CertInfo,
  issuer: Anchor,
  query: OcspQuery,
  now: Date,
  f: FreshnessOptions & { nonce: boolean },
): Promise<StatusAnswer> {
  const nonceValue = f.nonce ? tlv(0x04, randomBytes(16)) : undefined;
  const request = nonceValue ? ocspRequestDer(query.certIdDer, nonceValue) : query.plainRequest;
  let der: Uint8Array;
  try {
    der = await source.send(request);
  } catch (e) {
    return unknown(`${source.name} cannot be reached: ${(e as Error).message}`);
  }
  const evidence = toBytes(der);
  let parsed: ReturnType<typeof parseOcspResponse>;
  try {
    parsed = parseOcspResponse(evidence);
  } catch (e) {
    return unknown(`OCSP response is malformed: ${(e as Error).message}`);
  }
  if (parsed.code !== 0)
    return unknown(`${source.name} answered ${RESPONSE_STATUS[parsed.code] ?? `status ${parsed.code}`}`);
  if (!('basic' in parsed)) return unknown('OCSP response is not a basic response');
  const basic = parsed.basic;
  if (!basic.sigHash) return unknown(`OCSP response signed with an unsupported algorithm ${basic.sigOid}`);
  let signedByIssuer = false;
  try {
    signedByIssuer = rsaVerify(basic.sigHash, basic.tbs, issuer.key, basic.signature);
  } catch {
    /* a key of another type, or garbage */
  }
  // §4.2.2.2: only the issuing CA's own signature is accepted (no delegated responders here)
  if (!signedByIssuer) return unknown("OCSP response is not signed by the certificate's issuing CA");

  if (nonceValue && (!basic.nonce || !equalBytes(basic.nonce, nonceValue)))
    return unknown('OCSP response does not echo our nonce (replayed?)');
  const single = basic.responses.find((r) => {
    const alg = r.certId[0] ? children(r.certId[0].value)[0] : undefined;
    return (
      alg?.tag === 0x06 &&
      equalBytes(alg.value, SHA1_DER) &&
      r.certId[1]?.tag === 0x04 &&
      equalBytes(r.certId[1].value, query.issuerNameHash) &&
      r.certId[2]?.tag === 0x04 &&
      equalBytes(r.certId[2].value, query.issuerKeyHash) &&
      r.certId[3]?.tag === 0x02 &&
      normalizeSerial(toHex(r.certId[3].value)) === cert.serial
    );
  });
  if (!single) return unknown('OCSP response does not answer for this certificate');
  const stale = freshness(single.thisUpdate, single.nextUpdate, now, f, 'OCSP response');
  if (stale) return unknown(stale);
  // Without a nonce the answer may have been produced before this request (RFC 5019 §2.2.4:
  // pre-produced responses): it must not be older than maxAgeMs, whatever its nextUpdate says.
  if (!nonceValue && now.getTime() - single.thisUpdate.getTime() > f.maxAgeMs) {
    return unknown(
      `OCSP response is older than ${Math.round(f.maxAgeMs / 1000)} s (produced ${single.thisUpdate.toISOString()}, no nonce)`,
    );
  }

  const common = { source: 'ocsp' as const, evidence, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
  try {
    const st = single.status;
    if (st.tag === 0x80) return { status: 'good', ...common };
    if (st.tag === 0xa1) {
      const parts = children(st.value);
      const revokedAt = readGeneralizedTime(parts[0], 'revocationTime');
      let code: number | undefined;
      if (parts[1]?.tag === 0xa0) {
        const e = expectOne(parts[1].value, 0x0a, 'revocationReason');
        code = e.value.length === 1 ? e.value[0] : undefined;
      }
      return { status: 'revoked', ...common, revokedAt, reason: reasonFromCode(code) };
    }
    if (st.tag === 0x82) return unknown('the OCSP responder does not know this certificate');
  } catch (e) {
    return unknown(`OCSP certStatus is malformed: ${(e as Error).message}`);
  }
  return unknown('OCSP certStatus is malformed');
}

interface ParsedCrl {
  crl: x509.X509Crl;
  issuerDer: Uint8Array;
  verifiedWith: Set<string>;
}

/** Parsed CRLs by the sha256 of their DER; bounded. */
export class CrlCache {
  readonly #byHash = new Map<string, ParsedCrl | null>();
  constructor(readonly max = 64) {}
  get(der: Uint8Array): ParsedCrl | null {
    const h = createHash('sha256').update(der).digest('hex');
    let p = this.#byHash.get(h);
    if (p === undefined) {
      try {
        const crl = new x509.X509Crl(toArrayBuffer(der));
        p = { crl, issuerDer: new Uint8Array(crl.issuerName.toArrayBuffer()), verifiedWith: new Set() };
      } catch {
        p = null;
      }
      if (this.#byHash.size >= this.max) this.#byHash.delete(this.#byHash.keys().next().value!);
      this.#byHash.set(h, p);
    }
    return p;
  }
}

export async function crlStatus(
  source: CrlStatusSource,
  cert: CertInfo,
  issuer: Anchor,
  now: Date,
  f: FreshnessOptions,
  cache: CrlCache,
): Promise<StatusAnswer> {
  let list: Uint8Array[];
  try {
    list = await source.crls();
  } catch (e) {
    return unknown(`${source.name} cannot be fetched: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  let best: { p: ParsedCrl; der: Uint8Array } | undefined;
  for (const der of list) {
    const p = cache.get(toBytes(der));
    if (!p) {
      problems.push('a CRL is malformed');
      continue;
    }
    if (!equalBytes(p.issuerDer, issuer.subjectDer)) continue;
    if (!p.verifiedWith.has(issuer.hash)) {
      const ok = await p.crl
        .verify({ publicKey: new x509.X509Certificate(toArrayBuffer(issuer.der)) })
        .catch(() => false);
      if (!ok) {
        problems.push("a CRL is not signed by the certificate's issuing CA");
        continue;
      }
      p.verifiedWith.add(issuer.hash);
    }
    if (p.crl.extensions.some((e) => e.critical && e.type !== '2.5.29.20' && e.type !== '2.5.29.35')) {
      problems.push('a CRL has a critical extension this verifier does not process (delta or partitioned CRL)');
      continue;
    }
    const stale = freshness(p.crl.thisUpdate, p.crl.nextUpdate ?? undefined, now, f, 'CRL');
    if (stale) {
      problems.push(stale);
      continue;
    }
    if (!best || p.crl.thisUpdate > best.p.crl.thisUpdate) best = { p, der: toBytes(der) };
  }
  if (!best) return unknown(problems.length ? problems.join('; ') : `no CRL from "${issuer.subject}"`);
  const { crl } = best.p;
  const common = {
    source: 'crl' as const,
    evidence: best.der,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate ?? undefined,
  };
  const entry = crl.entries.find((e) => normalizeSerial(e.serialNumber) === cert.serial);
  if (!entry) return { status: 'good', ...common };
  return { status: 'revoked', ...common, revokedAt: entry.revocationDate, reason: reasonFromCode(entry.reason) };
}
