/**
 * Revocation status of one certificate from one source, checked here rather than trusted:
 * OCSP (RFC 6960) responses must be signed by the certificate's issuing CA, answer for exactly
 * this CertID, echo our nonce (RFC 8954) and be current (thisUpdate ≤ now < nextUpdate); CRLs
 * (RFC 5280 §5) must be signed by the issuer and current. Anything else is "unknown", never "good".
 */
import { createHash, randomBytes, verify as rsaVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extension } from '@peculiar/asn1-x509';
import { CertID, OCSPRequest, Request, TBSRequest, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { pkijs, x509 } from './engine.ts';
import { OID } from './constants.ts';
import { equalBytes, normalizeSerial, toArrayBuffer, toBytes } from './bytes.ts';
import type { Anchor, CertInfo } from './certificate-check.ts';
import { reasonFromCode, type RevocationReason } from './revocation-reason.ts';
import type { CrlStatusSource, OcspStatusSource } from './status-source.ts';
import { children, expectOne, readTlv } from './der.ts';

export type StatusAnswer =
  | { status: 'good'; source: 'ocsp' | 'crl'; evidence: Uint8Array; thisUpdate: Date; nextUpdate: Date | undefined }
  | { status: 'revoked'; source: 'ocsp' | 'crl'; evidence: Uint8Array; thisUpdate: Date; nextUpdate: Date | undefined; reason: RevocationReason; revokedAt: Date }
  | { status: 'unknown'; detail: string };

export interface FreshnessOptions {
  /** Allowed clock difference with the status source, ms. */
  skewMs: number;
  /** Without nextUpdate, an answer is current for this long after thisUpdate, ms. */
  maxAgeMs: number;
}

const HASH_BY_SIG: Record<string, string> = {
  [OID.sha256WithRSA]: 'sha256', [OID.sha384WithRSA]: 'sha384', [OID.sha512WithRSA]: 'sha512', '1.2.840.113549.1.1.5': 'sha1',
};

const unknown = (detail: string): StatusAnswer => ({ status: 'unknown', detail });

function freshness(thisUpdate: Date, nextUpdate: Date | undefined, now: Date, f: FreshnessOptions, what: string): string | null {
  if (thisUpdate.getTime() > now.getTime() + f.skewMs) return `${what} is dated in the future (${thisUpdate.toISOString()})`;
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

export interface OcspQuery { certId: CertID; issuerKeyHash: Uint8Array; issuerNameHash: Uint8Array }

/** The CertID (SHA-1, as RFC 5019 clients use) of a certificate: cacheable per certificate. */
export function ocspQuery(cert: CertInfo, issuer: Anchor): OcspQuery {
  const issuerNameHash = createHash('sha1').update(issuer.subjectDer).digest();
  const issuerKeyHash = createHash('sha1').update(keyBits(issuer.der)).digest();
  return {
    issuerNameHash, issuerKeyHash,
    certId: new CertID({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha1, parameters: null }),
      issuerNameHash: new OctetString(toArrayBuffer(issuerNameHash)), issuerKeyHash: new OctetString(toArrayBuffer(issuerKeyHash)),
      serialNumber: toArrayBuffer(cert.serialValue),
    }),
  };
}

export async function ocspStatus(
  source: OcspStatusSource, cert: CertInfo, issuer: Anchor, query: OcspQuery, now: Date, f: FreshnessOptions & { nonce: boolean },
): Promise<StatusAnswer> {
  const nonce = f.nonce ? randomBytes(16) : undefined;
  const nonceValue = nonce ? new Uint8Array(AsnConvert.serialize(new OctetString(toArrayBuffer(nonce)))) : undefined;
  const request = new Uint8Array(AsnConvert.serialize(new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: query.certId })],
      ...(nonceValue ? { requestExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(toArrayBuffer(nonceValue)) })] } : {}),
    }),
  })));
  let der: Uint8Array;
  try {
    der = await source.send(request);
  } catch (e) {
    return unknown(`${source.name} cannot be reached: ${(e as Error).message}`);
  }
  const evidence = toBytes(der);
  let basic: pkijs.BasicOCSPResponse;
  try {
    const resp = pkijs.OCSPResponse.fromBER(toArrayBuffer(evidence));
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) {
      const names: Record<number, string> = { 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized' };
      return unknown(`${source.name} answered ${names[code] ?? `status ${code}`}`);
    }
    if (resp.responseBytes?.responseType !== OID.ocspBasic) return unknown('OCSP response is not a basic response');
    basic = pkijs.BasicOCSPResponse.fromBER(toArrayBuffer(resp.responseBytes.response.valueBlock.valueHexView));
  } catch (e) {
    return unknown(`OCSP response is malformed: ${(e as Error).message}`);
  }
  const hash = HASH_BY_SIG[basic.signatureAlgorithm.algorithmId];
  if (!hash) return unknown(`OCSP response signed with an unsupported algorithm ${basic.signatureAlgorithm.algorithmId}`);
  let signedByIssuer = false;
  try {
    signedByIssuer = rsaVerify(hash, basic.tbsResponseData.tbsView, issuer.key, basic.signature.valueBlock.valueHexView);
  } catch { /* a key of another type, or garbage */ }
  // §4.2.2.2: only the issuing CA's own signature is accepted (no delegated responders here)
  if (!signedByIssuer) return unknown("OCSP response is not signed by the certificate's issuing CA");

  const data = basic.tbsResponseData;
  if (nonceValue) {
    const echoed = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
    if (!echoed || !equalBytes(toBytes(echoed.extnValue.valueBlock.valueHexView), nonceValue)) return unknown('OCSP response does not echo our nonce (replayed?)');
  }
  const single = data.responses.find((r) =>
    r.certID.hashAlgorithm.algorithmId === OID.sha1
    && equalBytes(toBytes(r.certID.issuerNameHash.valueBlock.valueHexView), query.issuerNameHash)
    && equalBytes(toBytes(r.certID.issuerKeyHash.valueBlock.valueHexView), query.issuerKeyHash)
    && normalizeSerial(Buffer.from(r.certID.serialNumber.valueBlock.valueHexView).toString('hex')) === cert.serial);
  if (!single) return unknown('OCSP response does not answer for this certificate');
  const stale = freshness(single.thisUpdate, single.nextUpdate, now, f, 'OCSP response');
  if (stale) return unknown(stale);

  const status = single.certStatus as asn1js.BaseBlock;
  const tag = status.idBlock.tagClass === 3 ? status.idBlock.tagNumber : -1;
  const common = { source: 'ocsp' as const, evidence, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
  if (tag === 0) return { status: 'good', ...common };
  if (tag === 1) {
    const parts = (status as asn1js.Constructed).valueBlock.value;
    const time = parts[0] as asn1js.GeneralizedTime;
    const reasonEl = parts[1] as asn1js.Constructed | undefined;
    const code = reasonEl ? (reasonEl.valueBlock.value[0] as asn1js.Enumerated)?.valueBlock.valueDec : undefined;
    return { status: 'revoked', ...common, revokedAt: time.toDate(), reason: reasonFromCode(code) };
  }
  if (tag === 2) return unknown('the OCSP responder does not know this certificate');
  return unknown('OCSP certStatus is malformed');
}

interface ParsedCrl { crl: x509.X509Crl; issuerDer: Uint8Array; verifiedWith: Set<string> }

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
  source: CrlStatusSource, cert: CertInfo, issuer: Anchor, now: Date, f: FreshnessOptions, cache: CrlCache,
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
    if (!p) { problems.push('a CRL is malformed'); continue; }
    if (!equalBytes(p.issuerDer, issuer.subjectDer)) continue;
    if (!p.verifiedWith.has(issuer.hash)) {
      const ok = await p.crl.verify({ publicKey: new x509.X509Certificate(toArrayBuffer(issuer.der)) }).catch(() => false);
      if (!ok) { problems.push("a CRL is not signed by the certificate's issuing CA"); continue; }
      p.verifiedWith.add(issuer.hash);
    }
    if (p.crl.extensions.some((e) => e.critical && e.type !== '2.5.29.20' && e.type !== '2.5.29.35')) {
      problems.push('a CRL has a critical extension this verifier does not process (delta or partitioned CRL)');
      continue;
    }
    const stale = freshness(p.crl.thisUpdate, p.crl.nextUpdate ?? undefined, now, f, 'CRL');
    if (stale) { problems.push(stale); continue; }
    if (!best || p.crl.thisUpdate > best.p.crl.thisUpdate) best = { p, der: toBytes(der) };
  }
  if (!best) return unknown(problems.length ? problems.join('; ') : `no CRL from "${issuer.subject}"`);
  const { crl } = best.p;
  const common = { source: 'crl' as const, evidence: best.der, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate ?? undefined };
  const entry = crl.entries.find((e) => normalizeSerial(e.serialNumber) === cert.serial);
  if (!entry) return { status: 'good', ...common };
  return { status: 'revoked', ...common, revokedAt: entry.revocationDate, reason: reasonFromCode(entry.reason) };
}
