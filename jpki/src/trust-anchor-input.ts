/** The CAs a verifier trusts, as callers give them: DER or PEM certificates, a PEM bundle, or `authority.trustAnchors()`. */
import { anchorFrom, type Anchor } from './certificate-check.ts';
import { toBytes } from './bytes.ts';

export type TrustAnchorsInput = string | Array<Uint8Array | string> | { certificates: Uint8Array[] };

function pemToDer(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

function anchorDers(input: TrustAnchorsInput): Uint8Array[] {
  if (typeof input === 'string') return pemToDer(input);
  if (Array.isArray(input)) return input.flatMap((x) => (typeof x === 'string' ? pemToDer(x) : [toBytes(x)]));
  return input.certificates.map(toBytes);
}

/** The anchors parsed; throws (as createVerifier) when one is not a certificate or there are none. */
export function loadAnchors(input: TrustAnchorsInput): Anchor[] {
  const anchors: Anchor[] = anchorDers(input).map((der) => {
    try {
      return anchorFrom(der);
    } catch (e) {
      throw new Error(`createVerifier: a trust anchor is not a certificate (${(e as Error).message})`);
    }
  });
  if (anchors.length === 0) throw new Error('createVerifier: no trust anchors given');
  return anchors;
}
