/** What the test authority offers (the Authority interface) and the shapes it takes and answers. */
import type { CertKind } from './profile.ts';
import type { EmulatedCard } from './emulated-card.ts';
import type { Person } from './personal.ts';
import type { AuthorityReason } from './revocation-reason.ts';
import type { CrlStatusSource, OcspStatusSource } from './status-source.ts';
import type { AuthorityChanges } from './authority-feed.ts';

export interface AuthorityOptions {
  /** Keep keys and the register under this directory; in memory when omitted. */
  dataDir?: string;
  /** Base URL written into certificates (OCSP in AIA, CRL distribution points). */
  publicUrl?: string;
  /** Validity of each OCSP answer (nextUpdate − thisUpdate), ms. Default 5 minutes. */
  ocspValidityMs?: number;
  /**
   * Answers to OCSP requests without a nonce (RFC 5019) come from pre-produced responses, one per
   * certificate, re-signed at once when its status changes and at the first request once this old
   * (ms; default half the validity, at most 60 s). 0 signs every answer at request time.
   */
  ocspPresignRefreshMs?: number;
  /** Validity of each CRL (nextUpdate − thisUpdate), ms. Default 1 hour. */
  crlValidityMs?: number;
  clock?: () => Date;
}

export interface CardSecrets {
  /** 4 digits. */
  authPin: string;
  /** 6–16 upper-case letters and digits. */
  signPassword: string;
}

export interface IssueOptions {
  /** Shown by card-reader bridges and the CLI; never personal data. */
  label?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedCard {
  card: EmulatedCard;
  authSerial: string;
  signSerial: string;
  notAfter: Date;
}

export interface CertStatusInfo {
  serial: string;
  kind: CertKind;
  label: string;
  status: 'good' | 'revoked';
  reason?: AuthorityReason;
  revokedAt?: Date;
  notBefore: Date;
  notAfter: Date;
  expired: boolean;
  /** The other certificate of the same card. */
  pairSerial: string;
  renewedTo?: string;
  renewedFrom?: string;
}

export interface RevokedEntry {
  serial: string;
  kind: CertKind;
  reason: AuthorityReason;
}

export interface TrustAnchors {
  root: Uint8Array;
  sign: Uint8Array;
  auth: Uint8Array;
  /** Root first, then the two issuing CAs. */
  certificates: Uint8Array[];
  /** The same three as one PEM bundle. */
  pem: string;
}

export interface RenewOptions extends IssueOptions {
  /** Items that changed (a move changes the address, a marriage the name). */
  person?: Partial<Omit<Person, 'nameKana'>>;
  /** Why the old certificates end: 'renewed' (default), 'moved' or 'renamed'. */
  reason?: 'renewed' | 'moved' | 'renamed';
}

export interface Authority {
  issueCard(person: Person, secrets: CardSecrets, opts?: IssueOptions): Promise<IssuedCard>;
  /** Revokes a certificate; 'card-lost' and 'died' also revoke the other certificate of the card. */
  revoke(serial: string, reason: AuthorityReason, opts?: { at?: Date }): RevokedEntry[];
  /** A new card for the holder of `oldSignSerial`; the old certificates are revoked and linked to the new ones. */
  renew(
    oldSignSerial: string,
    secrets: CardSecrets,
    opts?: RenewOptions,
  ): Promise<IssuedCard & { renewedFrom: { signSerial: string; authSerial: string } }>;
  status(serial: string): CertStatusInfo;
  list(): CertStatusInfo[];
  certificate(serial: string): Uint8Array;
  /** The authentication certificate of the card that holds this signing certificate. */
  linkedAuthSerial(signSerial: string): string | null;
  /** The certificate that replaced this one at renewal, or null. */
  renewedTo(oldSerial: string): string | null;
  /** Revocations (renewals included) numbered after `after`, oldest first (at most `limit`, default 500). */
  changes(after: number, limit?: number): AuthorityChanges;
  /** Resolves once there is a change after `after`, or after `ms`, or when `signal` aborts. */
  waitForChanges(after: number, ms: number, signal?: AbortSignal): Promise<void>;
  trustAnchors(): TrustAnchors;
  crl(kind: CertKind): Promise<Uint8Array>;
  /** Answers a DER OCSP request (RFC 6960) with a signed DER response: made now when it carries a nonce, else pre-produced (RFC 5019). */
  ocsp(request: Uint8Array): Promise<Uint8Array>;
  /** In-process OCSP source for a verifier: real signed responses, no network. */
  statusSource(): OcspStatusSource;
  /** In-process CRL source for a verifier. */
  crlSource(): CrlStatusSource;
  readonly publicUrl: string;
}
