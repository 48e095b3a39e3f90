/**
 * The authority's side of OCSP: the register as the responder reads it, and the pre-produced
 * answers (RFC 5019) made at issue and re-signed as soon as a certificate's status changes.
 */
import type { CaMaterial, CertKind } from './profile.ts';
import type { AuthorityStore } from './authority-store.ts';
import { PresignedResponses, answerOcsp, type RegisterEntry, type ResponderCa } from './ocsp-responder.ts';

export interface AuthorityOcspOptions {
  store: AuthorityStore;
  issuers: Record<CertKind, CaMaterial>;
  clock: () => Date;
  /** nextUpdate − thisUpdate of each answer, ms. */
  validityMs: number;
  /** Age (ms) at which a pre-produced answer is signed again; 0: no pre-produced answers. */
  presignRefreshMs: number;
}

export interface AuthorityOcsp {
  /** A DER OCSP request answered with a signed DER response. */
  answer(request: Uint8Array): Promise<Uint8Array>;
  /** Pre-produces the answers of certificates just issued, so the first request need not wait for a signature. */
  presignIssued(certs: { serial: string; kind: CertKind }[], now: Date): Promise<void>;
  /** Re-signs the pre-produced answers of these certificates now (their status changed; lookups check it anyway). */
  represign(certs: { serial: string; kind: CertKind }[]): void;
}

export function createAuthorityOcsp(o: AuthorityOcspOptions): AuthorityOcsp {
  const responderCas: ResponderCa[] = (['sign', 'auth'] as const).map((kind) => ({ kind, ...o.issuers[kind] }));
  const presigned = o.presignRefreshMs > 0 ? new PresignedResponses(o.presignRefreshMs) : undefined;
  const registerEntry = (kind: CertKind, serial: string): RegisterEntry | undefined => {
    const r = o.store.read()!.certs[serial];
    if (!r || r.kind !== kind) return undefined;
    return {
      status: r.status,
      ...(r.revokedAt ? { revokedAt: new Date(r.revokedAt) } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    };
  };

  return {
    answer: (request) =>
      answerOcsp(request, responderCas, registerEntry, { now: o.clock(), validityMs: o.validityMs, presigned }),

    async presignIssued(certs, now) {
      if (!presigned) return;
      await Promise.all(
        certs.map(({ serial, kind }) => {
          const ca = responderCas.find((c) => c.kind === kind)!;
          return presigned.get(
            ca,
            PresignedResponses.certId(ca, serial),
            serial,
            registerEntry(kind, serial)!,
            now,
            o.validityMs,
          );
        }),
      );
    },

    represign(certs) {
      if (!presigned) return;
      const now = o.clock();
      for (const { serial, kind } of certs) {
        const e = registerEntry(kind, serial);
        if (e)
          void presigned.refresh(kind, serial, e, now, o.validityMs).catch(() => {
            /* the next lookup signs */
          });
      }
    },
  };
}
