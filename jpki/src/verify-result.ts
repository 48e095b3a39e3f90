/**
 * What a verification answers: an "ok" with the evidence, or a refusal with one named reason;
 * and the refusal as a coded error for HTTP handlers.
 */
import type { Purpose } from './certificate-check.ts';
import type { LifeEvent, RevocationReason } from './revocation-reason.ts';
import type { JpkiPersonal } from './personal.ts';
import { jpkiErrors, type KzError } from './errors.ts';

export const FAILURE_REASONS = [
  'bad-signature',
  'content-tampered',
  'unknown-issuer',
  'wrong-certificate-type',
  'expired',
  'not-yet-valid',
  'revoked',
  'status-unknown',
  'malformed',
  'challenge-replayed',
  'challenge-expired',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export interface VerifyFailure {
  ok: false;
  reason: FailureReason;
  /** One sentence for logs and operators (no personal data). */
  detail: string;
  /** The certificate's serial, when it could be read. */
  serial?: string;
  /** With reason 'revoked'. */
  revocationReason?: RevocationReason;
  /** With reason 'revoked': what it means for the resident (moved-or-renamed, died, card-lost, renewed). */
  lifeEvent?: LifeEvent;
  revokedAt?: Date;
}

export interface Evidence {
  signerCertificate: Uint8Array;
  /** The signed OCSP response that said "good" (when the answer came from OCSP). */
  ocspResponse?: Uint8Array;
  /** The CRL that did not list the certificate (when the answer came from a CRL). */
  crl?: Uint8Array;
  statusCheckedAt: Date;
}

export interface CertificateOk {
  ok: true;
  serial: string;
  purpose: Purpose;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** The four items, for signing certificates that carry them. */
  personal?: JpkiPersonal;
  evidence: Evidence;
}

export interface CmsOk extends CertificateOk {
  content: Uint8Array;
  /** The signer's claimed time (signing-time attribute); not a trusted timestamp. */
  signingTime?: Date;
}

export type CertificateResult = CertificateOk | VerifyFailure;
export type CmsResult = CmsOk | VerifyFailure;

export const fail = (reason: FailureReason, detail: string, extra: Partial<VerifyFailure> = {}): VerifyFailure => ({
  ok: false,
  reason,
  detail,
  ...extra,
});

const FAILURE_ERROR: Record<FailureReason, keyof typeof jpkiErrors> = {
  'bad-signature': 'KZ_JPKI_BAD_SIGNATURE',
  'content-tampered': 'KZ_JPKI_CONTENT_TAMPERED',
  'unknown-issuer': 'KZ_JPKI_UNKNOWN_ISSUER',
  'wrong-certificate-type': 'KZ_JPKI_WRONG_CERTIFICATE_TYPE',
  expired: 'KZ_JPKI_EXPIRED',
  'not-yet-valid': 'KZ_JPKI_NOT_YET_VALID',
  revoked: 'KZ_JPKI_REVOKED',
  'status-unknown': 'KZ_JPKI_STATUS_UNKNOWN',
  malformed: 'KZ_JPKI_MALFORMED',
  'challenge-replayed': 'KZ_JPKI_CHALLENGE_REPLAYED',
  'challenge-expired': 'KZ_JPKI_CHALLENGE_EXPIRED',
};

/** A refusal as a coded error for an HTTP handler (status-unknown → 503, the rest 4xx). */
export function verificationError(f: VerifyFailure): KzError {
  return jpkiErrors[FAILURE_ERROR[f.reason]](f.detail, {
    reason: f.reason,
    ...(f.serial ? { serial: f.serial } : {}),
    ...(f.revocationReason ? { revocationReason: f.revocationReason } : {}),
  });
}
