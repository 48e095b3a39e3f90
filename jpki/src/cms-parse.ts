/**
 * Takes a CMS SignedData (RFC 5652 §5) apart with the strict DER reader: the content, the
 * embedded certificates, and the one signer's identifier, algorithms, signed attributes and
 * signature, as views into the input. Structure only: nothing here decides validity.
 */
import { DerError, children, expectOne, expectTag, oidBytes, readTime, type Tlv } from './der.ts';
import { OID } from './constants.ts';
import { equalBytes } from './bytes.ts';

const SEQ = 0x30,
  SET = 0x31,
  OID_TAG = 0x06,
  OCTETS = 0x04,
  INT = 0x02;
const CTX0 = 0xa0,
  CTX1 = 0xa1,
  CTX0_PRIM = 0x80;

const O = {
  signedData: oidBytes(OID.signedData),
  contentType: oidBytes(OID.contentType),
  messageDigest: oidBytes(OID.messageDigest),
  signingTime: oidBytes(OID.signingTime),
};

export const DIGESTS: Array<{ oid: Uint8Array; name: string }> = [
  { oid: oidBytes(OID.sha256), name: 'sha256' },
  { oid: oidBytes(OID.sha384), name: 'sha384' },
  { oid: oidBytes(OID.sha512), name: 'sha512' },
];

/** RSA PKCS#1 v1.5 signature algorithms a signer may name (rsaEncryption takes the digest algorithm). */
export const SIGNATURE_ALGS: Array<{ oid: Uint8Array; hash: string | null }> = [
  { oid: oidBytes(OID.rsaEncryption), hash: null },
  { oid: oidBytes(OID.sha256WithRSA), hash: 'sha256' },
  { oid: oidBytes(OID.sha384WithRSA), hash: 'sha384' },
  { oid: oidBytes(OID.sha512WithRSA), hash: 'sha512' },
];

export interface ParsedCms {
  eContentType: Uint8Array;
  /** undefined when detached. */
  eContent: Uint8Array | undefined;
  certificates: Uint8Array[];
  sid: { issuer: Uint8Array; serial: Uint8Array } | { ski: Uint8Array };
  digestOid: Uint8Array;
  signatureOid: Uint8Array;
  /** The signed attributes re-tagged as SET OF (what the signature covers), or undefined. */
  signedAttrs: Uint8Array | undefined;
  attrs: { contentType?: Uint8Array; messageDigest?: Uint8Array; signingTime?: Date };
  signature: Uint8Array;
}

function octets(t: Tlv, what: string): Uint8Array {
  if (t.tag === OCTETS) return t.value;
  // a constructed OCTET STRING of primitive segments (BER allows it; some encoders use it for content)
  if (t.tag === 0x24) return Buffer.concat(children(t.value).map((s) => expectTag(s, OCTETS, what).value));
  throw new DerError(`${what}: not an OCTET STRING`);
}

function algorithmOid(t: Tlv | undefined, what: string): Uint8Array {
  const parts = children(expectTag(t, SEQ, what).value);
  return expectTag(parts[0], OID_TAG, what).value;
}

function parseAttrs(raw: Tlv): ParsedCms['attrs'] {
  const attrs: ParsedCms['attrs'] = {};
  for (const a of children(raw.value)) {
    const [type, values] = children(expectTag(a, SEQ, 'attribute').value);
    const oid = expectTag(type, OID_TAG, 'attribute type').value;
    const vals = children(expectTag(values, SET, 'attribute values').value);
    const once = (name: keyof ParsedCms['attrs']) => {
      // RFC 5652 §11: each of these attributes has exactly one value and appears once
      if (attrs[name] !== undefined || vals.length !== 1)
        throw new DerError(`${name} attribute must have exactly one value`);
      return vals[0]!;
    };
    if (equalBytes(oid, O.contentType))
      attrs.contentType = expectTag(once('contentType'), OID_TAG, 'content-type').value;
    else if (equalBytes(oid, O.messageDigest))
      attrs.messageDigest = expectTag(once('messageDigest'), OCTETS, 'message-digest').value;
    else if (equalBytes(oid, O.signingTime)) attrs.signingTime = readTime(once('signingTime'));
  }
  return attrs;
}

/** Throws DerError naming the first structural fault. */
export function parseCms(der: Uint8Array): ParsedCms {
  const ci = children(expectOne(der, SEQ, 'ContentInfo').value);
  if (!equalBytes(expectTag(ci[0], OID_TAG, 'contentType').value, O.signedData)) throw new DerError('not a SignedData');
  const explicit = children(expectTag(ci[1], CTX0, 'content').value);
  if (explicit.length !== 1) throw new DerError('content: expected one SignedData');
  const sd = children(expectTag(explicit[0], SEQ, 'SignedData').value);
  let i = 0;
  expectTag(sd[i++], INT, 'SignedData version');
  expectTag(sd[i++], SET, 'digestAlgorithms');
  const eci = children(expectTag(sd[i++], SEQ, 'encapContentInfo').value);
  const eContentType = expectTag(eci[0], OID_TAG, 'eContentType').value;
  let eContent: Uint8Array | undefined;
  if (eci[1]) {
    const inner = children(expectTag(eci[1], CTX0, 'eContent').value);
    if (inner.length !== 1) throw new DerError('eContent: expected one OCTET STRING');
    eContent = octets(inner[0]!, 'eContent');
  }
  const certificates: Uint8Array[] = [];
  if (sd[i]?.tag === CTX0) {
    for (const c of children(sd[i++]!.value)) if (c.tag === SEQ) certificates.push(c.raw);
  }
  if (sd[i]?.tag === CTX1) i++; // CRLs in the message are not trusted: status comes from our own source
  const signers = children(expectTag(sd[i++], SET, 'signerInfos').value);
  if (i !== sd.length) throw new DerError('SignedData: unexpected trailing fields');
  if (signers.length !== 1) throw new DerError(`expected exactly one signer, found ${signers.length}`);

  const si = children(expectTag(signers[0], SEQ, 'SignerInfo').value);
  let j = 0;
  expectTag(si[j++], INT, 'SignerInfo version');
  const sidTlv = si[j++];
  let sid: ParsedCms['sid'];
  if (sidTlv?.tag === SEQ) {
    const [issuer, serial] = children(sidTlv.value);
    sid = { issuer: expectTag(issuer, SEQ, 'sid issuer').raw, serial: expectTag(serial, INT, 'sid serial').value };
  } else if (sidTlv?.tag === CTX0_PRIM) {
    sid = { ski: sidTlv.value };
  } else throw new DerError('signer identifier is missing');
  const digestOid = algorithmOid(si[j++], 'digestAlgorithm');
  let signedAttrs: Uint8Array | undefined;
  let attrs: ParsedCms['attrs'] = {};
  if (si[j]?.tag === CTX0) {
    const t = si[j++]!;
    attrs = parseAttrs(t);
    signedAttrs = Uint8Array.from(t.raw);
    signedAttrs[0] = SET; // §5.4: the signature is over the explicit SET OF encoding
  }
  const signatureOid = algorithmOid(si[j++], 'signatureAlgorithm');
  const signature = expectTag(si[j++], OCTETS, 'signature').value;
  if (si[j] && si[j]!.tag !== CTX1) throw new DerError('SignerInfo: unexpected trailing fields');
  return { eContentType, eContent, certificates, sid, digestOid, signatureOid, signedAttrs, attrs, signature };
}
