/** The one registry of coded errors of jpki/ (card, client, authority, verifier helpers, bridge). */
import { defineErrors, type KzError } from '@kizuna/core';

export const jpkiErrors = defineErrors({
  // card and client
  KZ_CARD_PIN_WRONG: { message: 'the PIN or password is wrong', status: 401 },
  KZ_CARD_LOCKED: {
    message: 'the PIN or password is locked after too many wrong tries; the municipality can reset it',
    status: 423,
  },
  KZ_CARD_PIN_FORMAT: {
    message: 'the PIN or password has the wrong format (nothing was sent to the card)',
    status: 400,
  },
  KZ_CARD_SECURITY_STATUS: { message: 'the card refused: the PIN or password has not been verified', status: 403 },
  KZ_CARD_NOT_JPKI: { message: 'this card has no JPKI application (not a My Number card?)', status: 422 },
  KZ_CARD_APDU_FAILED: { message: 'the card answered with an error status', status: 502 },
  KZ_CARD_APDU_INVALID: { message: 'the APDU is malformed', status: 400 },
  KZ_CARD_TRANSPORT: { message: 'the card could not be reached (removed from the reader?)', status: 503 },
  KZ_CARD_FILE_INVALID: { message: 'the card file cannot be opened (wrong key or damaged file)', status: 400 },
  // authority
  KZ_JPKI_PERSON_INVALID: { message: 'the resident data is invalid', status: 400 },
  KZ_JPKI_CERT_UNKNOWN: { message: 'no certificate with this serial was issued by this authority', status: 404 },
  KZ_JPKI_ALREADY_REVOKED: { message: 'the certificate is already revoked', status: 409 },
  KZ_JPKI_REASON_INVALID: { message: 'the revocation reason is not one of the known reasons', status: 400 },
  KZ_JPKI_NOT_SIGNING_CERT: { message: 'this operation needs the serial of a signing certificate', status: 400 },
  KZ_JPKI_STORE_CORRUPT: { message: 'the authority data directory is damaged', status: 500 },
  KZ_JPKI_STORE_BUSY: { message: 'the authority data directory is locked by another process', status: 503 },
  // verification results turned into errors by callers (verificationError)
  KZ_JPKI_BAD_SIGNATURE: { message: 'the signature does not verify', status: 400 },
  KZ_JPKI_CONTENT_TAMPERED: { message: 'the signed content was changed after signing', status: 400 },
  KZ_JPKI_UNKNOWN_ISSUER: { message: 'the certificate was not issued by a trusted authority', status: 400 },
  KZ_JPKI_WRONG_CERTIFICATE_TYPE: { message: 'the certificate is of the wrong type for this purpose', status: 400 },
  KZ_JPKI_EXPIRED: { message: 'the certificate has expired', status: 400 },
  KZ_JPKI_NOT_YET_VALID: { message: 'the certificate is not yet valid', status: 400 },
  KZ_JPKI_REVOKED: { message: 'the certificate is revoked', status: 400 },
  KZ_JPKI_STATUS_UNKNOWN: { message: 'the revocation status could not be established; try again later', status: 503 },
  KZ_JPKI_MALFORMED: { message: 'the input is not a well-formed certificate or signature', status: 400 },
  KZ_JPKI_CHALLENGE_REPLAYED: { message: 'the login challenge was already used', status: 401 },
  KZ_JPKI_CHALLENGE_EXPIRED: { message: 'the login challenge is unknown or expired', status: 401 },
  KZ_JPKI_CHALLENGE_CAPACITY: { message: 'too many open login challenges', status: 503 },
  // card-reader bridge
  KZ_BRIDGE_ORIGIN_REFUSED: { message: 'this web page may not use the card reader', status: 403 },
  KZ_BRIDGE_BAD_REQUEST: { message: 'the bridge request is invalid', status: 400 },
  KZ_BRIDGE_NO_CARD: { message: 'no card is inserted', status: 409 },
  KZ_BRIDGE_UNKNOWN_CARD: { message: 'no such card on offer', status: 404 },
  // raised by the browser client (bridge-client.ts) with the same codes
  KZ_BRIDGE_UNAVAILABLE: { message: 'the card reader bridge is not running, or refused this page', status: 503 },
  KZ_BRIDGE_TIMEOUT: { message: 'the card reader bridge did not answer in time', status: 504 },
  KZ_BRIDGE_CLOSED: { message: 'the connection to the card reader bridge closed', status: 503 },
});

export type JpkiErrorCode = keyof typeof jpkiErrors;
export type { KzError };

/**
 * For callers asking the in-process authority about a serial: one it never issued is "no such
 * certificate" (null), not an outage; every other error is thrown on.
 */
export function nullIfUnknownSerial<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if ((e as { code?: string }).code === 'KZ_JPKI_CERT_UNKNOWN') return null;
    throw e;
  }
}
