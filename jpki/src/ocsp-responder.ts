/**
 * An OCSP responder (RFC 6960) answering for the two issuing CAs with responses signed by the
 * issuing CA itself (§4.2.2.2: the CA that issued the certificate may sign). Each answer is made
 * at request time from the register, so a revocation shows in the very next response. A request
 * nonce (§4.4.1) is echoed.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, CRLReason, Extension } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse, CertStatus, OCSPRequest, OCSPResponse, OCSPResponseStatus, ResponderID, ResponseBytes,
  ResponseData, RevokedInfo, SingleResponse, id_pkix_ocsp_basic, id_pkix_ocsp_nonce,
} from '@peculiar/asn1-ocsp';
import { RSA_ALG, subtle, type x509 } from './engine.ts';
import { OID } from './constants.ts';
import { normalizeSerial, toHex, toBytes, equalBytes } from './bytes.ts';
import type { CertKind } from './profile.ts';
import { REASON_CODE, type AuthorityReason } from './revocation-reason.ts';

export interface ResponderCa {
  kind: CertKind;
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

export interface RegisterEntry { status: 'good' | 'revoked'; revokedAt?: Date; reason?: AuthorityReason }

const HASHES: Record<string, string> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

const hashCache = new WeakMap<x509.X509Certificate, Map<string, { name: Uint8Array; key: Uint8Array }>>();

/** The CertID parts of a CA: hash of its DER subject name and of its public key bits. */
export function issuerHashes(cert: x509.X509Certificate, hash: string): { name: Uint8Array; key: Uint8Array } {
  let byHash = hashCache.get(cert);
  if (!byHash) hashCache.set(cert, byHash = new Map());
  let h = byHash.get(hash);
  if (!h) {
    h = {
      name: createHash(hash).update(new Uint8Array(cert.subjectName.toArrayBuffer())).digest(),
      key: createHash(hash).update(issuerHashesKeyBits(cert)).digest(),
    };
    byHash.set(hash, h);
  }
  return h;
}

export const ocspError = (status: OCSPResponseStatus): Uint8Array =>
  new Uint8Array(AsnConvert.serialize(new OCSPResponse({ responseStatus: status })));

export interface AnswerOptions { now: Date; validityMs: number }

/** Answers one DER OCSPRequest with a DER OCSPResponse; never throws on bad input. */
export async function answerOcsp(
  der: Uint8Array, cas: ResponderCa[], lookup: (kind: CertKind, serial: string) => RegisterEntry | undefined, opts: AnswerOptions,
): Promise<Uint8Array> {
  let req: OCSPRequest;
  try {
    req = AsnConvert.parse(toBytes(der), OCSPRequest);
  } catch {
    return ocspError(OCSPResponseStatus.malformedRequest);
  }
  const list = req.tbsRequest.requestList;
  if (!list || list.length === 0 || list.length > 20) return ocspError(OCSPResponseStatus.malformedRequest);

  let signer: ResponderCa | undefined;
  const singles: SingleResponse[] = [];
  for (const r of list) {
    const hash = HASHES[r.reqCert.hashAlgorithm.algorithm];
    if (!hash) return ocspError(OCSPResponseStatus.malformedRequest);
    const nameHash = toBytes(r.reqCert.issuerNameHash.buffer);
    const keyHash = toBytes(r.reqCert.issuerKeyHash.buffer);
    const ca = cas.find((c) => {
      const h = issuerHashes(c.cert, hash);
      return equalBytes(h.name, nameHash) && equalBytes(h.key, keyHash);
    });
    // one response is signed by one CA: every request must be for the same issuer
    if (!ca || (signer && signer !== ca)) return ocspError(OCSPResponseStatus.unauthorized);
    signer = ca;
    const entry = lookup(ca.kind, normalizeSerial(toHex(r.reqCert.serialNumber)));
    const single = new SingleResponse({
      certID: r.reqCert, thisUpdate: opts.now, nextUpdate: new Date(opts.now.getTime() + opts.validityMs),
      certStatus: new CertStatus(entry === undefined ? { unknown: null } : entry.status === 'good' ? { good: null } : {
        revoked: new RevokedInfo({ revocationTime: entry.revokedAt ?? opts.now, revocationReason: new CRLReason(REASON_CODE[entry.reason ?? 'unspecified']) }),
      }),
    });
    singles.push(single);
  }
  const ca = signer!;
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(issuerHashes(ca.cert, 'sha1').key) }),
    producedAt: opts.now,
    responses: singles,
  });
  const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  if (nonce) data.responseExtensions = [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: nonce.extnValue })];
  const tbs = AsnConvert.serialize(data);
  const signature = await subtle.sign(RSA_ALG, ca.privateKey, tbs);
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha256WithRSA, parameters: null }),
    signature,
  });
  return new Uint8Array(AsnConvert.serialize(new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  })));
}

/** The subjectPublicKey bits of a certificate (what KeyHash and issuerKeyHash are computed over). */
export function issuerHashesKeyBits(cert: x509.X509Certificate): Uint8Array {
  const spki = asn1js.fromBER(cert.publicKey.rawData).result as asn1js.Sequence;
  return (spki.valueBlock.value[1] as asn1js.BitString).valueBlock.valueHexView;
}
