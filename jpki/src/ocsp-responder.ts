/**
 * An OCSP responder (RFC 6960) answering for the two issuing CAs with responses signed by the
 * issuing CA itself (§4.2.2.2: the CA that issued the certificate may sign). A request with a
 * nonce (§4.4.1) gets an answer made and signed at request time from the register, echoing the
 * nonce. A request without one (RFC 5019 lightweight profile) gets the certificate's pre-produced
 * answer when a PresignedResponses store is given, re-signed whenever the register's entry no
 * longer matches it, so a revocation shows in the very next response either way. Requests and
 * responses are read and written with the strict DER reader and a few encoding helpers: the
 * ASN.1 libraries cost as much CPU per answer as the RSA signature.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { OCSPResponseStatus, id_pkix_ocsp_basic, id_pkix_ocsp_nonce } from '@peculiar/asn1-ocsp';
import { RSA_ALG, subtle, type x509 } from './engine.ts';
import { OID } from './constants.ts';
import { normalizeSerial, toHex, toBytes, equalBytes } from './bytes.ts';
import { children, derTlv, expectOne, expectTag, oidBytes, readTlv } from './der.ts';
import type { CertKind } from './profile.ts';
import { REASON_CODE, type AuthorityReason } from './revocation-reason.ts';

export interface ResponderCa {
  kind: CertKind;
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

export interface RegisterEntry {
  status: 'good' | 'revoked';
  revokedAt?: Date;
  reason?: AuthorityReason;
}

const HASHES: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

const hashCache = new WeakMap<x509.X509Certificate, Map<string, { name: Uint8Array; key: Uint8Array }>>();

/** The CertID parts of a CA: hash of its DER subject name and of its public key bits. */
export function issuerHashes(cert: x509.X509Certificate, hash: string): { name: Uint8Array; key: Uint8Array } {
  let byHash = hashCache.get(cert);
  if (!byHash) hashCache.set(cert, (byHash = new Map()));
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

const STATUS_CODES: Record<number, true> = { 1: true, 2: true, 3: true, 5: true, 6: true };
export const ocspError = (status: OCSPResponseStatus): Uint8Array => {
  if (!STATUS_CODES[status]) throw new Error(`not an OCSP error status: ${status}`);
  return tlv(0x30, tlv(0x0a, Uint8Array.of(status)));
};

export interface AnswerOptions {
  now: Date;
  validityMs: number;
  /** Pre-produced answers for requests without a nonce (RFC 5019 §2.2.4); none when omitted. */
  presigned?: PresignedResponses;
}

const tlv = derTlv;
/** GeneralizedTime, whole seconds, Z (RFC 5280 §4.1.2.5.2). */
function generalizedTime(d: Date): Uint8Array {
  const s = d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:T]/g, '');
  return tlv(0x18, new Uint8Array(Buffer.from(s, 'latin1')));
}
const NULL = Uint8Array.of(0x05, 0x00);
const oidTlv = (oid: string) => tlv(0x06, oidBytes(oid));
const SHA256_RSA = tlv(0x30, oidTlv(OID.sha256WithRSA), NULL);
const BASIC_OID = oidTlv(id_pkix_ocsp_basic);
const NONCE_OID_DER = oidBytes(id_pkix_ocsp_nonce);
const HASH_BY_DER = new Map(Object.entries(HASHES).map(([oid, h]) => [toHex(oidBytes(oid)), h]));

interface ParsedRequest {
  certId: Uint8Array;
  hash: string | undefined;
  nameHash: Uint8Array;
  keyHash: Uint8Array;
  serial: Uint8Array;
}

/** Walks an OCSPRequest (RFC 6960 §4.1.1): the CertIDs and the nonce extension's value. Throws DerError. */
function parseRequest(der: Uint8Array): { list: ParsedRequest[]; nonce: Uint8Array | undefined } {
  const top = children(expectOne(der, 0x30, 'OCSPRequest').value);
  const tbs = children(expectTag(top[0], 0x30, 'tbsRequest').value);
  let i = 0;
  if (tbs[i]?.tag === 0xa0) i++; // version
  if (tbs[i]?.tag === 0xa1) i++; // requestorName
  const list = children(expectTag(tbs[i++], 0x30, 'requestList').value).map((r): ParsedRequest => {
    const req = children(expectTag(r, 0x30, 'Request').value);
    const certId = expectTag(req[0], 0x30, 'reqCert');
    const f = children(certId.value);
    const alg = children(expectTag(f[0], 0x30, 'hashAlgorithm').value);
    return {
      certId: certId.raw,
      hash: HASH_BY_DER.get(toHex(expectTag(alg[0], 0x06, 'hash OID').value)),
      nameHash: expectTag(f[1], 0x04, 'issuerNameHash').value,
      keyHash: expectTag(f[2], 0x04, 'issuerKeyHash').value,
      serial: expectTag(f[3], 0x02, 'serialNumber').value,
    };
  });
  let nonce: Uint8Array | undefined;
  const ext = tbs[i];
  if (ext?.tag === 0xa2) {
    for (const e of children(expectTag(readTlv(ext.value, 0), 0x30, 'requestExtensions').value)) {
      const parts = children(expectTag(e, 0x30, 'Extension').value);
      if (equalBytes(expectTag(parts[0], 0x06, 'extnID').value, NONCE_OID_DER))
        nonce = expectTag(parts[parts.length - 1], 0x04, 'extnValue').value;
    }
  }
  return { list, nonce };
}

interface Single {
  certId: Uint8Array;
  entry: RegisterEntry | undefined;
}

/** Builds and signs one BasicOCSPResponse, wrapped as a successful OCSPResponse. */
async function signResponse(
  ca: ResponderCa,
  singles: Single[],
  now: Date,
  validityMs: number,
  nonce: Uint8Array | undefined,
): Promise<Uint8Array> {
  const thisUpdate = generalizedTime(now);
  const nextUpdate = tlv(0xa0, generalizedTime(new Date(now.getTime() + validityMs)));
  const responses = singles.map(({ certId, entry }) =>
    tlv(
      0x30,
      certId,
      entry === undefined
        ? Uint8Array.of(0x82, 0x00)
        : entry.status === 'good'
          ? Uint8Array.of(0x80, 0x00)
          : tlv(
              0xa1,
              generalizedTime(entry.revokedAt ?? now),
              tlv(0xa0, tlv(0x0a, Uint8Array.of(REASON_CODE[entry.reason ?? 'unspecified']))),
            ),
      thisUpdate,
      nextUpdate,
    ),
  );
  const tbs = tlv(
    0x30,
    tlv(0xa2, tlv(0x04, issuerHashes(ca.cert, 'sha1').key)), // responderID byKey
    thisUpdate, // producedAt
    tlv(0x30, ...responses),
    ...(nonce ? [tlv(0xa1, tlv(0x30, tlv(0x30, tlv(0x06, NONCE_OID_DER), tlv(0x04, nonce))))] : []),
  );
  const signature = new Uint8Array(await subtle.sign(RSA_ALG, ca.privateKey, tbs as Uint8Array<ArrayBuffer>));
  const basic = tlv(0x30, tbs, SHA256_RSA, tlv(0x03, Uint8Array.of(0), signature));
  return tlv(0x30, tlv(0x0a, Uint8Array.of(0)), tlv(0xa0, tlv(0x30, BASIC_OID, tlv(0x04, basic))));
}

const fingerprint = (e: RegisterEntry) => `${e.status}|${e.revokedAt?.getTime() ?? ''}|${e.reason ?? ''}`;

/**
 * Pre-produced OCSP responses (RFC 5019 §2.2.4), as production responders serve them: one signed
 * response per certificate and CertID, returned as-is to requests without a nonce. A response is
 * replaced when the register's entry for its certificate differs from what it states (so a
 * revocation shows in the very next response, even when the register was changed by another
 * process) and once it is `refreshMs` old (so it is never served older than that, well before its
 * nextUpdate). Concurrent requests for a response being (re)signed share that signature.
 */
export class PresignedResponses {
  readonly #byKey = new Map<
    string,
    { der: Uint8Array; fp: string; producedAt: number; ca: ResponderCa; certId: Uint8Array; serial: string }
  >();
  readonly #signing = new Map<string, Promise<Uint8Array>>();
  signatures = 0;
  constructor(
    readonly refreshMs: number,
    readonly max = 100_000,
  ) {}

  async get(
    ca: ResponderCa,
    certId: Uint8Array,
    serial: string,
    entry: RegisterEntry,
    now: Date,
    validityMs: number,
  ): Promise<Uint8Array> {
    const key = `${ca.kind}:${toHex(certId)}`;
    const fp = fingerprint(entry);
    const have = this.#byKey.get(key);
    const t = now.getTime();
    if (have && have.fp === fp && t >= have.producedAt && t - have.producedAt < this.refreshMs) return have.der;
    const pending = this.#signing.get(key);
    if (pending) return pending;
    const p = (async () => {
      this.signatures += 1;
      const der = await signResponse(ca, [{ certId, entry }], now, validityMs, undefined);
      if (!this.#byKey.has(key) && this.#byKey.size >= this.max) this.#byKey.delete(this.#byKey.keys().next().value!);
      // now rounds down to the second in the response: age from what the response says
      this.#byKey.set(key, { der, fp, producedAt: Math.floor(t / 1000) * 1000, ca, certId, serial });
      return der;
    })();
    this.#signing.set(key, p);
    try {
      return await p;
    } finally {
      this.#signing.delete(key);
    }
  }

  /** Re-signs at once every response held for this certificate (after its status changed). */
  async refresh(kind: string, serial: string, entry: RegisterEntry, now: Date, validityMs: number): Promise<void> {
    const mine = [...this.#byKey.values()].filter((v) => v.ca.kind === kind && v.serial === serial);
    await Promise.all(mine.map((v) => this.get(v.ca, v.certId, serial, entry, now, validityMs)));
  }

  /** The SHA-1 CertID an RFC 5019 client sends for this certificate (hash algorithm with NULL parameters). */
  static certId(ca: ResponderCa, serialHex: string): Uint8Array {
    const h = issuerHashes(ca.cert, 'sha1');
    let serial = Buffer.from(normalizeSerial(serialHex), 'hex');
    if (serial[0]! & 0x80) serial = Buffer.concat([Buffer.of(0), serial]);
    return tlv(
      0x30,
      tlv(0x30, oidTlv(OID.sha1), NULL),
      tlv(0x04, h.name),
      tlv(0x04, h.key),
      tlv(0x02, new Uint8Array(serial)),
    );
  }
}

/** Answers one DER OCSPRequest with a DER OCSPResponse; never throws on bad input. */
export async function answerOcsp(
  der: Uint8Array,
  cas: ResponderCa[],
  lookup: (kind: CertKind, serial: string) => RegisterEntry | undefined,
  opts: AnswerOptions,
): Promise<Uint8Array> {
  let req: ReturnType<typeof parseRequest>;
  try {
    req = parseRequest(toBytes(der));
  } catch {
    return ocspError(OCSPResponseStatus.malformedRequest);
  }
  if (req.list.length === 0 || req.list.length > 20) return ocspError(OCSPResponseStatus.malformedRequest);

  let signer: ResponderCa | undefined;
  const singles: (Single & { serial: string })[] = [];
  for (const r of req.list) {
    const hash = r.hash;
    if (!hash) return ocspError(OCSPResponseStatus.malformedRequest);
    const ca = cas.find((c) => {
      const h = issuerHashes(c.cert, hash);
      return equalBytes(h.name, r.nameHash) && equalBytes(h.key, r.keyHash);
    });
    // one response is signed by one CA: every request must be for the same issuer
    if (!ca || (signer && signer !== ca)) return ocspError(OCSPResponseStatus.unauthorized);
    signer = ca;
    const serial = normalizeSerial(toHex(r.serial));
    singles.push({ certId: r.certId, serial, entry: lookup(ca.kind, serial) });
  }
  const only = singles[0]!;
  if (!req.nonce && opts.presigned && singles.length === 1 && only.entry) {
    return opts.presigned.get(signer!, only.certId, only.serial, only.entry, opts.now, opts.validityMs);
  }
  return signResponse(signer!, singles, opts.now, opts.validityMs, req.nonce);
}

/** The subjectPublicKey bits of a certificate (what KeyHash and issuerKeyHash are computed over). */
export function issuerHashesKeyBits(cert: x509.X509Certificate): Uint8Array {
  const spki = asn1js.fromBER(cert.publicKey.rawData).result as asn1js.Sequence;
  return (spki.valueBlock.value[1] as asn1js.BitString).valueBlock.valueHexView;
}
