/**
 * What the console needs from the certificate authority besides revocation status: the link from
 * a signing certificate to the same card's user-authentication certificate (shelter taps present
 * the latter), and renewal links from an old certificate to its successor.
 */

import { nullIfUnknownSerial } from '@kizuna/jpki';

export interface AuthorityLinks {
  /** Serial of the user-authentication certificate on the card that holds this signing certificate; null if unknown. */
  authSerialOf(signSerial: string): Promise<string | null> | string | null;
  /** The certificate that replaced this one at renewal, or null. */
  renewedTo(serial: string): Promise<string | null> | string | null;
  /** DER of a certificate by serial, where the authority publishes it (lets the console follow a renewal by itself). */
  certificate?(serial: string): Promise<Uint8Array | null> | Uint8Array | null;
}

/** In-process links from a jpki Authority (the embedded default and the tests). */
export function inProcessAuthorityLinks(authority: {
  linkedAuthSerial(s: string): string | null;
  renewedTo(s: string): string | null;
  certificate(s: string): Uint8Array;
}): AuthorityLinks {
  // a serial the authority never issued is "no link", not an outage
  const known = nullIfUnknownSerial;
  return {
    authSerialOf: (s) => known(() => authority.linkedAuthSerial(s)),
    renewedTo: (s) => known(() => authority.renewedTo(s)),
    certificate: (s) => known(() => authority.certificate(s)),
  };
}

/** Links over the authority's HTTP API (`/links/auth/:serial`, `/links/renewal/:serial`); it publishes no certificates by serial. */
export function httpAuthorityLinks(authorityUrl: string, timeoutMs = 5000): AuthorityLinks {
  const get = async <T>(path: string): Promise<T | null> => {
    const res = await fetch(new URL(path, authorityUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`authority answered HTTP ${res.status} for ${path}`);
    return (await res.json()) as T;
  };
  return {
    authSerialOf: async (s) =>
      (await get<{ authSerial: string }>(`/links/auth/${encodeURIComponent(s)}`))?.authSerial ?? null,
    renewedTo: async (s) =>
      (await get<{ renewedTo: string | null }>(`/links/renewal/${encodeURIComponent(s)}`))?.renewedTo ?? null,
  };
}
