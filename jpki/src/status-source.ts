/**
 * Where a verifier gets revocation status: an OCSP responder (RFC 6960) or current CRLs
 * (RFC 5280). A source only carries bytes; the verifier checks every answer itself (signature,
 * issuer, freshness), so a source cannot make a certificate "good" by itself.
 */

export interface OcspStatusSource {
  kind: 'ocsp';
  name: string;
  /** Sends a DER OCSPRequest, resolves to the DER OCSPResponse; rejects when the responder cannot be reached. */
  send(request: Uint8Array): Promise<Uint8Array>;
}

export interface CrlStatusSource {
  kind: 'crl';
  name: string;
  /** The CRLs to consult (DER); the verifier picks the one of the certificate's issuer. */
  crls(): Promise<Uint8Array[]>;
}

export type StatusSource = OcspStatusSource | CrlStatusSource;

export interface HttpSourceOptions {
  /** Give up after this many milliseconds (default 5000). */
  timeoutMs?: number;
}

async function fetchBytes(url: string, init: RequestInit, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** OCSP over HTTP POST (RFC 6960 appendix A.1), e.g. the authority's `http://127.0.0.1:18840/ocsp`. */
export function ocspStatusSource(url: string, opts: HttpSourceOptions = {}): OcspStatusSource {
  return {
    kind: 'ocsp',
    name: `OCSP ${url}`,
    send: (request) =>
      fetchBytes(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          body: request as Uint8Array<ArrayBuffer>,
        },
        opts.timeoutMs ?? 5000,
      ),
  };
}

/**
 * CRLs from URLs (fetched on every call; the verifier caches them within their validity when
 * allowed), from fixed DER bytes, or from a function.
 */
export function crlStatusSource(
  from: string[] | Uint8Array[] | (() => Promise<Uint8Array[]>),
  opts: HttpSourceOptions = {},
): CrlStatusSource {
  if (typeof from === 'function') return { kind: 'crl', name: 'CRL (function)', crls: from };
  if (from.every((x) => typeof x === 'string')) {
    const urls = from as string[];
    return {
      kind: 'crl',
      name: `CRL ${urls.join(', ')}`,
      crls: () => Promise.all(urls.map((u) => fetchBytes(u, {}, opts.timeoutMs ?? 5000))),
    };
  }
  const fixed = from as Uint8Array[];
  return { kind: 'crl', name: 'CRL (fixed)', crls: async () => fixed };
}
