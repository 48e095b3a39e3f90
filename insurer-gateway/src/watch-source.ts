/**
 * The status source the watcher and the renewal checks use: each enrolled signing certificate
 * (kept as DER) is checked with the jpki verifier — i.e. by a signed, fresh OCSP or CRL answer
 * from the authority — and the authority's renewal links say where a renewed certificate went.
 */
import type { Queryable } from '@kizuna/core';
import type { CertStatus, StatusSource } from './ports.ts';

/** The part of jpki's Verifier the watcher needs. */
export interface CertificateVerifier {
  verifyCertificate(
    der: Uint8Array,
    opts: { purpose: 'sign' | 'auth'; at?: Date },
  ): Promise<{ ok: true } | { ok: false; reason: string; detail: string; revocationReason?: string; revokedAt?: Date }>;
}

/** The authority's old ↔ new links (in-process: `authority.renewedTo`; remotely its links endpoint). */
export interface RenewalLinks {
  renewedTo(serial: string): Promise<string | null> | string | null;
  renewedFrom?(serial: string): Promise<string | null> | string | null;
  /** The authority's copy of a certificate (DER), for a renewal the gateway has not seen yet. */
  certificate?(serial: string): Promise<Uint8Array | null> | Uint8Array | null;
}

export function createWatchSource(opts: {
  db: Queryable;
  verifier: CertificateVerifier;
  links: RenewalLinks;
  clock?: () => Date;
}): StatusSource {
  return {
    async status(serial: string): Promise<CertStatus> {
      const s = serial.toLowerCase();
      const [to, from] = await Promise.all([opts.links.renewedTo(s), opts.links.renewedFrom?.(s) ?? null]);
      const links = {
        ...(to ? { renewedTo: to.toLowerCase() } : {}),
        ...(from ? { renewedFrom: from.toLowerCase() } : {}),
      };
      const { rows } = await opts.db.query<{ der: Uint8Array | null }>(
        'SELECT der FROM gw_enrolment_certs WHERE serial = $1 AND der IS NOT NULL LIMIT 1',
        [s],
      );
      let der: Uint8Array | null = rows[0]?.der ? Buffer.from(rows[0].der) : null;
      if (!der) der = await Promise.resolve(opts.links.certificate?.(s) ?? null).catch(() => null);
      if (!der) return { status: 'unknown', ...links };
      const r = await opts.verifier.verifyCertificate(der, {
        purpose: 'sign',
        ...(opts.clock ? { at: opts.clock() } : {}),
      });
      if (r.ok) return { status: 'good', ...links };
      if (r.reason === 'revoked')
        return { status: 'revoked', reason: r.revocationReason ?? 'unspecified', revokedAt: r.revokedAt, ...links };
      if (r.reason === 'expired') return { status: 'expired', ...links };
      return { status: 'unknown', ...links };
    },
  };
}
