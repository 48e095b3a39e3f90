/**
 * The jpki parts seen through the gateway's ports: card login through jpki's challenge service,
 * the authority's renewal links over its HTTP API (`GET /links/renewal/:serial`), and the links
 * between one card's certificates (`GET /links/auth/:serial`, card-binding.ts).
 */
import type { ChallengeService } from '@kizuna/jpki';
import { nullIfUnknownSerial } from '@kizuna/jpki';
import { gatewayErrors as E } from './errors.ts';
import type { LoginChallenges } from './ports.ts';
import type { RenewalLinks } from './watch-source.ts';
import type { CardLinks } from './card-binding.ts';

export function challengeLogin(service: ChallengeService): LoginChallenges {
  return {
    async issue() {
      const c = service.issue();
      return { id: c.challengeId, challenge: c.nonceBase64, expiresAt: c.expiresAt.toISOString() };
    },
    async verify(input) {
      const r = await service.verifyResponse({
        challengeId: input.id,
        certificate: input.certificate,
        signature: input.signature,
      });
      if (r.ok) return { serial: r.serial.toLowerCase() };
      // Fail closed, naming the check; an unreachable status source is "try again", not "wrong card".
      if (r.reason === 'status-unknown')
        throw E.KZ_GW_STATUS_UNAVAILABLE(r.detail, { reason: r.reason, detail: r.detail });
      throw E.KZ_GW_LOGIN_FAILED(`${r.reason}: ${r.detail}`, { reason: r.reason, detail: r.detail });
    },
  };
}

/**
 * Renewal links from the authority's HTTP API (`GET /links/renewal/:serial`): old → new with the
 * new certificate, and new → old. The new certificate is kept (a bounded map) for the status
 * check of a renewal the gateway has not seen yet; the authority publishes no certificate by serial.
 */
export function httpRenewalLinks(authorityUrl: string, timeoutMs = 5000): RenewalLinks {
  const certs = new Map<string, Uint8Array>();
  type Link = { renewedTo: string | null; renewedFrom?: string | null; renewedToCertificate?: string | null };
  const get = async (serial: string): Promise<Link | null> => {
    const res = await fetch(new URL(`/links/renewal/${encodeURIComponent(serial)}`, authorityUrl), {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`authority answered HTTP ${res.status}`);
    const link = (await res.json()) as Link;
    if (link.renewedTo && link.renewedToCertificate) {
      if (certs.size >= 1000) certs.delete(certs.keys().next().value!);
      certs.set(link.renewedTo.toLowerCase(), Buffer.from(link.renewedToCertificate, 'base64'));
    }
    return link;
  };
  return {
    renewedTo: async (serial) => (await get(serial))?.renewedTo ?? null,
    renewedFrom: async (serial) => (await get(serial))?.renewedFrom ?? null,
    certificate: (serial) => certs.get(serial.toLowerCase()) ?? null,
  };
}

/** In-process links straight from a jpki Authority (the embedded default and the tests). */
export function authorityLinks(authority: {
  renewedTo(s: string): string | null;
  status(s: string): { renewedFrom?: string };
  certificate(s: string): Uint8Array;
}): RenewalLinks {
  const safe = <T>(f: () => T): T | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  return {
    renewedTo: (s) => safe(() => authority.renewedTo(s)),
    renewedFrom: (s) => safe(() => authority.status(s).renewedFrom ?? null),
    certificate: (s) => safe(() => authority.certificate(s)),
  };
}

/**
 * A card's links over the authority's HTTP API: signing → authentication certificate
 * (`/links/auth/:serial`) and renewals (`/links/renewal/:serial`). 404 is "no link"; anything
 * else but 200 throws (the caller refuses, fail closed).
 */
export function httpCardLinks(authorityUrl: string, timeoutMs = 5000): CardLinks {
  const get = async <T>(path: string): Promise<T | null> => {
    const res = await fetch(new URL(path, authorityUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`authority answered HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  type Renewal = { renewedTo: string | null; renewedFrom: string | null };
  const renewal = (s: string) => get<Renewal>(`/links/renewal/${encodeURIComponent(s)}`);
  return {
    authSerialOf: async (s) =>
      (await get<{ authSerial: string }>(`/links/auth/${encodeURIComponent(s)}`))?.authSerial ?? null,
    renewedTo: async (s) => (await renewal(s))?.renewedTo ?? null,
    renewedFrom: async (s) => (await renewal(s))?.renewedFrom ?? null,
  };
}

/** A card's links straight from an in-process jpki Authority (the embedded default and the tests). */
export function authorityCardLinks(authority: {
  linkedAuthSerial(s: string): string | null;
  renewedTo(s: string): string | null;
  status(s: string): { renewedFrom?: string };
}): CardLinks {
  // a serial the authority never issued is "no link", not an outage
  const known = nullIfUnknownSerial;
  return {
    authSerialOf: (s) => known(() => authority.linkedAuthSerial(s)),
    renewedTo: (s) => known(() => authority.renewedTo(s)),
    renewedFrom: (s) => known(() => authority.status(s).renewedFrom ?? null),
  };
}
