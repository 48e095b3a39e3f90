/**
 * Revocation reasons: the life events that end a JPKI certificate (moved, renamed, died, card
 * lost, renewed) and the RFC 5280 §5.3.1 CRLReason codes they map to. The exact event travels
 * beside the code in Kizuna's detail extension, because several events share one code.
 */
export const AUTHORITY_REASONS = ['moved', 'renamed', 'died', 'card-lost', 'renewed', 'unspecified'] as const;
export type AuthorityReason = (typeof AUTHORITY_REASONS)[number];

/** What a verifier can report: the authority's events, or a plain RFC 5280 reason from another CA. */
export type RevocationReason =
  | AuthorityReason
  | 'key-compromise' | 'ca-compromise' | 'affiliation-changed' | 'superseded'
  | 'cessation-of-operation' | 'certificate-hold' | 'privilege-withdrawn' | 'aa-compromise';

export const REASON_CODE: Record<AuthorityReason, number> = {
  moved: 3, // affiliationChanged: an item of the certificate no longer holds
  renamed: 3,
  died: 5, // cessationOfOperation
  'card-lost': 1, // keyCompromise: the key may be in someone else's hands
  renewed: 4, // superseded
  unspecified: 0,
};

const BY_CODE: Record<number, RevocationReason> = {
  0: 'unspecified', 1: 'key-compromise', 2: 'ca-compromise', 3: 'affiliation-changed', 4: 'superseded',
  5: 'cessation-of-operation', 6: 'certificate-hold', 9: 'privilege-withdrawn', 10: 'aa-compromise',
};

/** The reason to report: the detail when it is one of ours and agrees with the code, else the code's name. */
export function reasonFrom(code: number | undefined, detail: string | undefined): RevocationReason {
  if (detail && (AUTHORITY_REASONS as readonly string[]).includes(detail) && (code === undefined || REASON_CODE[detail as AuthorityReason] === code)) {
    return detail as AuthorityReason;
  }
  return code === undefined ? 'unspecified' : BY_CODE[code] ?? 'unspecified';
}

export const isAuthorityReason = (r: unknown): r is AuthorityReason => (AUTHORITY_REASONS as readonly unknown[]).includes(r);
