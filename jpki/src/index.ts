/**
 * @kizuna/jpki — the emulated My Number card (JPKI application over APDUs), the client that
 * speaks to any card through a transport, the test authority standing in for J-LIS (CAs, CRL,
 * OCSP, renewal links), the fail-closed verifier, challenge–response login and the card-reader
 * bridge. docs/JPKI.md explains what is emulated and how faithfully.
 */
export { jpkiErrors, nullIfUnknownSerial, type JpkiErrorCode } from './errors.ts';
export {
  JPKI_AID,
  EF,
  SW,
  POLICY,
  PERSONAL_OID,
  CA_SUBJECT,
  AUTH_PIN_TRIES,
  SIGN_PASSWORD_TRIES,
  AUTH_PIN_PATTERN,
  SIGN_PASSWORD_PATTERN,
} from './constants.ts';
export { ERAS, eraOf, isoToEraDate, eraDateToIso, formatJapaneseDate } from './era.ts';
export { parseJpkiPersonal, validatePerson, type Person, type JpkiPersonal, type Sex } from './personal.ts';
export { EmulatedCard, type CardContents } from './emulated-card.ts';
export {
  parseCommand,
  parseResponse,
  buildCommand,
  jpkiApdu,
  swHex,
  type CommandApdu,
  type ResponseApdu,
} from './apdu.ts';
export { JpkiClient, type CardTransport, type PinKind } from './jpki-client.ts';
export {
  createAuthority,
  type Authority,
  type AuthorityOptions,
  type CardSecrets,
  type IssueOptions,
  type IssuedCard,
  type CertStatusInfo,
  type RevokedEntry,
  type TrustAnchors,
  type RenewOptions,
} from './authority.ts';
export {
  AUTHORITY_REASONS,
  REASON_CODE,
  lifeEventOf,
  type AuthorityReason,
  type RevocationReason,
  type LifeEvent,
} from './revocation-reason.ts';
export type { AuthorityChange, AuthorityChanges } from './authority-feed.ts';
export {
  authorityRoutes,
  buildAuthorityApp,
  startAuthorityServer,
  type AuthorityServerOptions,
  type RunningAuthority,
} from './authority-http.ts';
export {
  ocspStatusSource,
  crlStatusSource,
  type StatusSource,
  type OcspStatusSource,
  type CrlStatusSource,
} from './status-source.ts';
export {
  createVerifier,
  verificationError,
  FAILURE_REASONS,
  type Verifier,
  type VerifierOptions,
  type VerifyFailure,
  type FailureReason,
  type CertificateOk,
  type CmsOk,
  type CertificateResult,
  type CmsResult,
  type Evidence,
  type TrustAnchorsInput,
  type VerifyCertificateOptions,
  type VerifyCmsOptions,
} from './verifier.ts';
export type { Purpose } from './certificate-check.ts';
export {
  createChallengeService,
  type ChallengeService,
  type Challenge,
  type ChallengeResponse,
  type LoginResult,
  type LoginOk,
  type ChallengeServiceOptions,
} from './challenge.ts';
export { startCardBridge, type BridgeCard, type CardBridgeOptions, type RunningBridge } from './bridge-server.ts';
export { connectCardBridge, CardBridgeError, type CardBridge, type CardBridgeClientOptions } from './bridge-client.ts';
export type { BridgeCardInfo } from './bridge-protocol.ts';
export { unseal } from './card-file.ts';
export { JpkiConfigSchema, loadJpkiConfig, type JpkiConfig } from './config.ts';
