/**
 * The verifier: certificates for a purpose ('auth' to log in, 'sign' to sign) and CMS
 * SignedData from the card or any RFC 5652 signer. It fails closed: "ok" needs a chain to a
 * configured CA, the right certificate type, validity at the given time AND a current,
 * signature-checked revocation answer. Every refusal carries one named reason (verify-result.ts).
 *
 * Speed (docs/BENCHMARKS.md): what depends only on the bytes of a certificate (parsing, chain,
 * purpose) is cached per certificate (certificate-cache.ts); status answers are cached only when
 * `statusCacheMs` > 0, and never past their nextUpdate; failures to get a status are never cached
 * (status-lookup.ts).
 */
import { JPKI_POLICIES, type Purpose, type PurposePolicies } from './certificate-check.ts';
import type { StatusSource } from './status-source.ts';
import { loadAnchors, type TrustAnchorsInput } from './trust-anchor-input.ts';
import { createCertificateCache, type CertificateEntry } from './certificate-cache.ts';
import { createStatusLookup } from './status-lookup.ts';
import { checkCertificate } from './verify-certificate.ts';
import { verifyCmsMessage } from './verify-cms.ts';
import { fail, type CertificateResult, type CmsResult } from './verify-result.ts';

export {
  FAILURE_REASONS,
  fail,
  verificationError,
  type FailureReason,
  type VerifyFailure,
  type Evidence,
  type CertificateOk,
  type CmsOk,
  type CertificateResult,
  type CmsResult,
} from './verify-result.ts';
export type { TrustAnchorsInput } from './trust-anchor-input.ts';

export interface VerifierOptions {
  /** The CAs to trust: DER or PEM certificates, a PEM bundle, or `authority.trustAnchors()`. */
  trustAnchors: TrustAnchorsInput;
  /** Revocation status sources, asked in order until one gives a definite answer. */
  status: StatusSource | StatusSource[];
  clock?: () => Date;
  /** Policy OIDs that make a certificate a signing / user-authentication certificate (default: JPKI's). */
  policies?: Partial<PurposePolicies>;
  /** Keep a good/revoked answer for reuse this long (ms), never past its nextUpdate. Default 0: ask every time. */
  statusCacheMs?: number;
  /** Send and require an OCSP nonce (default true; turn off for responders that pre-sign). */
  ocspNonce?: boolean;
  /** Tolerated clock difference with status sources, ms (default 5 min). */
  clockSkewMs?: number;
  /** Answers without nextUpdate count as current this long, ms (default 5 min). */
  statusMaxAgeMs?: number;
  /** Certificates remembered (parsed, chain checked), default 10 000. */
  certificateCacheSize?: number;
}

export interface VerifyCertificateOptions {
  purpose: Purpose;
  at?: Date;
}
export interface VerifyCmsOptions {
  purpose?: Purpose;
  detachedContent?: Uint8Array;
  at?: Date;
}

export interface Verifier {
  verifyCertificate(certDer: Uint8Array, opts: VerifyCertificateOptions): Promise<CertificateResult>;
  verifyCms(cmsDer: Uint8Array, opts?: VerifyCmsOptions): Promise<CmsResult>;
  /** Drops cached status answers (all, or one serial's). */
  forgetStatus(serial?: string): void;
  readonly anchors: ReadonlyArray<{ subject: string; notAfter: Date }>;
}

export function createVerifier(opts: VerifierOptions): Verifier {
  const clock = opts.clock ?? (() => new Date());
  const sources = Array.isArray(opts.status) ? opts.status : [opts.status];
  if (sources.length === 0) throw new Error('createVerifier: at least one status source is required (fail closed)');
  const policies: PurposePolicies = { ...JPKI_POLICIES, ...opts.policies };
  const anchors = loadAnchors(opts.trustAnchors);

  const certificates = createCertificateCache(anchors, opts.certificateCacheSize ?? 10_000);
  const status = createStatusLookup({
    sources,
    statusCacheMs: opts.statusCacheMs ?? 0,
    fresh: { skewMs: opts.clockSkewMs ?? 5 * 60_000, maxAgeMs: opts.statusMaxAgeMs ?? 5 * 60_000 },
    ocspNonce: opts.ocspNonce ?? true,
    clock,
  });
  const check = { policies, status, clock };
  const cms = {
    entryFor: certificates.entryFor,
    checkCertificate: (e: CertificateEntry, purpose: Purpose, at: Date) => checkCertificate(check, e, purpose, at),
    clock,
  };

  return {
    anchors: anchors.map((a) => ({ subject: a.subject, notAfter: a.notAfter })),

    async verifyCertificate(certDer, o) {
      if (!(certDer instanceof Uint8Array) || certDer.length === 0) return fail('malformed', 'no certificate given');
      if (o?.purpose !== 'auth' && o?.purpose !== 'sign') return fail('malformed', "purpose must be 'auth' or 'sign'");
      return await checkCertificate(check, await certificates.entryFor(certDer), o.purpose, o.at ?? clock());
    },

    verifyCms: (cmsDer, o = {}) => verifyCmsMessage(cms, cmsDer, o),

    forgetStatus(serial) {
      status.forget(serial, (hash) => certificates.get(hash)?.info?.serial);
    },
  };
}
