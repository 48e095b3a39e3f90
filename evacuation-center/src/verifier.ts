/**
 * How the terminal checks a tapped card: the jpki verifier (chain, key usage, validity and
 * revocation, fail closed) behind one function, so the result's reason becomes a coded error.
 */
import { shelterErrors } from './errors.ts';

export type CardCheck = { ok: true; serial: string } | { ok: false; reason: string };
/** Verify a user-authentication certificate (DER); `serial` is lower-case hex. */
export type CardVerifier = (der: Uint8Array) => Promise<CardCheck>;

/** Turn a verifier's named reason into the terminal's error, so staff see what to do. */
export function cardError(reason: string) {
  if (reason === 'revoked') return shelterErrors.KZ_SHELTER_CARD_REVOKED();
  if (/malformed|parse|unreadable|decode|asn1/i.test(reason)) return shelterErrors.KZ_SHELTER_CARD_UNREADABLE(reason);
  if (/unknown|unavailable|unreachable|stale|no-crl|no-ocsp|offline|status/i.test(reason)) return shelterErrors.KZ_SHELTER_CARD_STATUS_UNKNOWN(reason);
  return shelterErrors.KZ_SHELTER_CARD_INVALID(reason);
}

/** A serial in the contract's form (as jpki reports it): lower-case hex, whole bytes, no leading zero bytes. */
export function normaliseSerial(serial: string): string {
  let s = serial.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (s.length % 2) s = `0${s}`;
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}
