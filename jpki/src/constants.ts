/**
 * Constants of the JPKI card application and certificate profile, as listed in
 * docs/PLATFORM.md, "The JPKI card's APDUs" and "The JPKI certificate profile"
 * (from OpenSC card-jpki.c / jpki.h and jpki/myna).
 */

/** AID of the JPKI application (公的個人認証AP). */
export const JPKI_AID = Uint8Array.of(0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);

/** Elementary files of the JPKI application. */
export const EF = {
  SIGN_CERT: 0x0001,
  SIGN_CA_CERT: 0x0002,
  TOKEN: 0x0006,
  AUTH_CERT: 0x000a,
  AUTH_CA_CERT: 0x000b,
  AUTH_KEY: 0x0017,
  AUTH_PIN: 0x0018,
  SIGN_KEY: 0x001a,
  SIGN_PIN: 0x001b,
} as const;

/** Token EF 0006 of a My Number card: 32 bytes ASCII, space padded. */
export const JPKI_TOKEN = 'JPKIAPICCTOKEN2';

export const AUTH_PIN_TRIES = 3;
export const SIGN_PASSWORD_TRIES = 5;
export const AUTH_PIN_PATTERN = /^[0-9]{4}$/;
export const SIGN_PASSWORD_PATTERN = /^[A-Z0-9]{6,16}$/;

/** ISO 7816-4 status words used by the card. */
export const SW = {
  OK: 0x9000,
  EOF_BEFORE_LE: 0x6282,
  WRONG_LENGTH: 0x6700,
  INCOMPATIBLE_FILE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTH_BLOCKED: 0x6983,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FUNC_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** DigestInfo prefixes (RFC 8017 §9.2 note 1): the card signs DigestInfo with PKCS#1 v1.5. */
export const DIGEST_INFO_PREFIX = {
  'SHA-256': Uint8Array.of(
    0x30,
    0x31,
    0x30,
    0x0d,
    0x06,
    0x09,
    0x60,
    0x86,
    0x48,
    0x01,
    0x65,
    0x03,
    0x04,
    0x02,
    0x01,
    0x05,
    0x00,
    0x04,
    0x20,
  ),
} as const;

/** Certificate policy OIDs of the two JPKI certificates. */
export const POLICY = {
  sign: '1.2.392.200149.8.5.1.1.20',
  auth: '1.2.392.200149.8.5.1.3.30',
} as const;

/** subjectAltName otherName OIDs carrying the four personal items (基本4情報) in the signing certificate. */
export const PERSONAL_OID = {
  name: '1.2.392.200149.8.5.5.1',
  nameSubstitute: '1.2.392.200149.8.5.5.2',
  sex: '1.2.392.200149.8.5.5.3',
  birthDate: '1.2.392.200149.8.5.5.4',
  address: '1.2.392.200149.8.5.5.5',
  addressSubstitute: '1.2.392.200149.8.5.5.6',
} as const;

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  crlReason: '2.5.29.21',
  keyUsage: '2.5.29.15',
  certificatePolicies: '2.5.29.32',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
} as const;

/** CA distinguished names of the profile (the test authority adds "(Kizuna test)" to stay distinguishable from J-LIS). */
export const CA_SUBJECT = {
  root: 'C=JP, O=JPKI, OU=JPKI Root CA (Kizuna test), OU=Japan Agency for Local Authority Information Systems',
  sign: 'C=JP, O=JPKI, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems',
  auth: 'C=JP, O=JPKI, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems',
} as const;
