/**
 * What the verifier remembers per certificate (by the sha256 of its DER): the parse, the chain to
 * a trust anchor, the purpose checks, the personal items and the OCSP query. None of it changes
 * with time; the oldest entry goes when the cache is full.
 */
import { createHash } from 'node:crypto';
import {
  certInfo,
  checkChain,
  type Anchor,
  type CertInfo,
  type ChainResult,
  type Purpose,
} from './certificate-check.ts';
import type { OcspQuery } from './status-check.ts';
import type { JpkiPersonal } from './personal.ts';

export interface CertificateEntry {
  info: CertInfo | null;
  malformed?: string;
  chain?: ChainResult;
  purpose: Partial<Record<Purpose, string | null>>;
  personal?: JpkiPersonal | null;
  query?: OcspQuery;
}

export interface CertificateCache {
  /** The entry of this DER certificate, parsed and chain-checked on a miss. */
  entryFor(der: Uint8Array): Promise<CertificateEntry>;
  /** The entry cached under this hash (CertInfo.hash), if any. */
  get(hash: string): CertificateEntry | undefined;
}

export function createCertificateCache(anchors: Anchor[], maxEntries: number): CertificateCache {
  const entries = new Map<string, CertificateEntry>();
  return {
    async entryFor(der) {
      const hash = createHash('sha256').update(der).digest('hex');
      let e = entries.get(hash);
      if (e) return e;
      try {
        e = { info: certInfo(der), purpose: {} };
      } catch (err) {
        e = { info: null, malformed: `certificate: ${(err as Error).message}`, purpose: {} };
      }
      if (e.info) {
        try {
          e.chain = await checkChain(e.info, anchors);
        } catch (err) {
          e.chain = { ok: false, detail: `path validation failed: ${(err as Error).message}` };
        }
      }
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(hash, e);
      return e;
    },
    get: (hash) => entries.get(hash),
  };
}
