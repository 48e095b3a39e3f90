/**
 * How the terminal checks a tapped card: the jpki verifier (chain, key usage, validity and
 * revocation, fail closed) behind one function, so the result's reason becomes a coded error.
 */
import { shelterErrors } from './errors.ts';

export type CardCheck = { ok: true; serial: string } | { ok: false; reason: string };
/** Verify a user-authentication certificate (DER); `serial` is lower-case hex. */
export type CardVerifier = (der: Uint8Array) => Promise<CardCheck>;

/** jpki's verifier as the terminal needs it (structural, so this part does not pin jpki's internals). */
export interface AuthCertificateVerifier {
  verifyCertificate(
    der: Uint8Array,
    opts: { purpose: 'auth' },
  ): Promise<{ ok: true; serial: string } | { ok: false; reason: string }>;
}

/** The terminal's CardVerifier over jpki's `createVerifier(...)`: user-authentication purpose, revocation checked. */
export function jpkiCardVerifier(v: AuthCertificateVerifier): CardVerifier {
  return async (der) => {
    const r = await v.verifyCertificate(der, { purpose: 'auth' });
    return r.ok ? { ok: true, serial: r.serial } : { ok: false, reason: r.reason };
  };
}

/** Turn a verifier's named reason (jpki FAILURE_REASONS) into the terminal's error, so staff see what to do. */
export function cardError(reason: string) {
  switch (reason) {
    case 'revoked':
      return shelterErrors.KZ_SHELTER_CARD_REVOKED();
    case 'malformed':
      return shelterErrors.KZ_SHELTER_CARD_UNREADABLE(reason);
    case 'status-unknown':
      return shelterErrors.KZ_SHELTER_CARD_STATUS_UNKNOWN(reason);
    default:
      return shelterErrors.KZ_SHELTER_CARD_INVALID(reason); // expired, unknown-issuer, wrong-certificate-type, bad-signature…
  }
}

/** A serial in the contract's form (as jpki reports it): lower-case hex, whole bytes, no leading zero bytes. */
export function normaliseSerial(serial: string): string {
  let s = serial.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (s.length % 2) s = `0${s}`;
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}
