/**
 * Revocation reasons. The authority revokes for a life event of the resident (moved, renamed,
 * died, card lost, renewed); CRLs and OCSP carry only the RFC 5280 §5.3.1 CRLReason code, so
 * the event maps to a code, and a verifier maps the code back to what it can tell apart:
 * a move and a change of name both change an item of the certificate (affiliationChanged).
 */
export const AUTHORITY_REASONS = ['moved', 'renamed', 'died', 'card-lost', 'renewed', 'unspecified'] as const;
export type AuthorityReason = (typeof AUTHORITY_REASONS)[number];

/** The RFC 5280 reason names, as a verifier reports them. */
export type RevocationReason =
  | 'unspecified'
  | 'key-compromise'
  | 'ca-compromise'
  | 'affiliation-changed'
  | 'superseded'
  | 'cessation-of-operation'
  | 'certificate-hold'
  | 'privilege-withdrawn'
  | 'aa-compromise';

/** What the revocation means for the resident's record at a relying party (現況確認). */
export type LifeEvent = 'moved-or-renamed' | 'died' | 'card-lost' | 'renewed' | 'other';

export const REASON_CODE: Record<AuthorityReason, number> = {
  moved: 3, // affiliationChanged: an item in the certificate no longer holds
  renamed: 3,
  died: 5, // cessationOfOperation
  'card-lost': 1, // keyCompromise: the key may be in someone else's hands
  renewed: 4, // superseded
  unspecified: 0,
};

const BY_CODE: Record<number, RevocationReason> = {
  0: 'unspecified',
  1: 'key-compromise',
  2: 'ca-compromise',
  3: 'affiliation-changed',
  4: 'superseded',
  5: 'cessation-of-operation',
  6: 'certificate-hold',
  9: 'privilege-withdrawn',
  10: 'aa-compromise',
};

export const reasonFromCode = (code: number | undefined): RevocationReason =>
  code === undefined ? 'unspecified' : (BY_CODE[code] ?? 'unspecified');

const EVENTS: Partial<Record<RevocationReason, LifeEvent>> = {
  'affiliation-changed': 'moved-or-renamed',
  'cessation-of-operation': 'died',
  'key-compromise': 'card-lost',
  superseded: 'renewed',
};

/** The life event behind a JPKI revocation reason. */
export const lifeEventOf = (r: RevocationReason): LifeEvent => EVENTS[r] ?? 'other';

export const isAuthorityReason = (r: unknown): r is AuthorityReason =>
  (AUTHORITY_REASONS as readonly unknown[]).includes(r);
