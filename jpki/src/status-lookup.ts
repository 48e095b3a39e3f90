/**
 * A certificate's revocation status for the verifier: the sources asked in order until one gives
 * a definite answer, good/revoked answers kept when `statusCacheMs` > 0 (never past their
 * nextUpdate), failures to get a status never kept.
 */
import type { Anchor, CertInfo } from './certificate-check.ts';
import { CrlCache, crlStatus, ocspQuery, ocspStatus, type OcspQuery, type StatusAnswer } from './status-check.ts';
import type { StatusSource } from './status-source.ts';

export interface StatusLookupOptions {
  sources: StatusSource[];
  /** Keep a good/revoked answer this long, ms; 0: ask every time. */
  statusCacheMs: number;
  /** Tolerated clock difference and the age of answers without nextUpdate, ms. */
  fresh: { skewMs: number; maxAgeMs: number };
  /** Send and require an OCSP nonce. */
  ocspNonce: boolean;
  clock: () => Date;
}

export interface StatusLookup {
  /** The status of `info`; `holder` keeps the certificate's OCSP query for the next lookup. */
  statusOf(info: CertInfo, issuer: Anchor, holder: { query?: OcspQuery }, now: Date): Promise<StatusAnswer>;
  /** Drops kept answers (all, or one serial's) and lookups in flight; `serialOf` names the certificate of a hash. */
  forget(serial: string | undefined, serialOf: (hash: string) => string | undefined): void;
}

export function createStatusLookup(o: StatusLookupOptions): StatusLookup {
  const { sources, statusCacheMs, fresh, clock } = o;
  const statusCache = new Map<
    string,
    { answer: StatusAnswer & { status: 'good' | 'revoked' }; until: number; serial: string }
  >();
  const crlCache = new CrlCache();

  /**
   * With a status cache, concurrent verifications of one certificate share the lookup already in
   * flight (its answer would be cached for them anyway): a burst of reports by one signer costs
   * one OCSP request, not one each. Without a cache (statusCacheMs 0) every verification asks on
   * its own. A shared lookup that fails is not kept: the next verification asks again.
   */
  const inFlight = new Map<string, Promise<StatusAnswer>>();

  async function statusOf(info: CertInfo, issuer: Anchor, e: { query?: OcspQuery }, now: Date): Promise<StatusAnswer> {
    const cached = statusCache.get(info.hash);
    if (cached && now.getTime() < cached.until && now >= cached.answer.thisUpdate) return cached.answer;
    if (statusCacheMs <= 0) return await lookUp(info, issuer, e, now);
    const pending = inFlight.get(info.hash);
    if (pending) {
      const a = await pending;
      // the shared answer was made after this verification began (so its thisUpdate may be later
      // than `now`, within the tolerated skew); it must not be stale by now
      if (a.status === 'unknown') return a;
      const t = clock().getTime();
      if (a.thisUpdate.getTime() <= t + fresh.skewMs && !(a.nextUpdate && t >= a.nextUpdate.getTime())) return a;
    }
    const p = lookUp(info, issuer, e, now);
    inFlight.set(info.hash, p);
    try {
      return await p;
    } finally {
      if (inFlight.get(info.hash) === p) inFlight.delete(info.hash);
    }
  }

  async function lookUp(info: CertInfo, issuer: Anchor, e: { query?: OcspQuery }, now: Date): Promise<StatusAnswer> {
    const problems: string[] = [];
    for (const s of sources) {
      let a: StatusAnswer;
      if (s.kind === 'ocsp') {
        e.query ??= ocspQuery(info, issuer);
        a = await ocspStatus(s, info, issuer, e.query, now, { ...fresh, nonce: o.ocspNonce });
      } else {
        a = await crlStatus(s, info, issuer, now, fresh, crlCache);
      }
      if (a.status === 'unknown') {
        problems.push(a.detail);
        continue;
      }
      if (statusCacheMs > 0) {
        const until = Math.min(
          now.getTime() + statusCacheMs,
          a.nextUpdate?.getTime() ?? now.getTime() + fresh.maxAgeMs,
        );
        statusCache.set(info.hash, { answer: a, until, serial: info.serial });
      }
      return a;
    }
    return { status: 'unknown', detail: problems.join('; ') };
  }

  return {
    statusOf,
    forget(serial, serialOf) {
      // a lookup in flight may have started before the revocation: later verifications ask anew
      if (serial === undefined) {
        statusCache.clear();
        inFlight.clear();
        return;
      }
      for (const [k, v] of statusCache) if (v.serial === serial) statusCache.delete(k);
      for (const k of inFlight.keys()) if (serialOf(k) === serial) inFlight.delete(k);
    },
  };
}
