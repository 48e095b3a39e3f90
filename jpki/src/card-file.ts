/**
 * Cards at rest: the whole card state (keys, certificates, PIN, password, try counters) sealed
 * with AES-256-GCM under a key derived from the file key by scrypt. A wrong key or any change
 * to the file fails the GCM tag check.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { jpkiErrors } from './errors.ts';

export const CARD_FILE_FORMAT = 'kizuna-jpki-card/1';
const SCRYPT = { N: 1 << 14, r: 8, p: 1 };

export interface SealedCard {
  format: typeof CARD_FILE_FORMAT;
  /** A label chosen by whoever created the card (never personal data). */
  label: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  data: string;
}

export interface SealKey {
  key: Buffer;
  salt: Buffer;
}

export function deriveSealKey(fileKey: string | Uint8Array, salt: Buffer = randomBytes(16), params = SCRYPT): SealKey {
  if (typeof fileKey === 'string' ? fileKey.length === 0 : fileKey.length === 0) {
    throw jpkiErrors.KZ_CARD_FILE_INVALID('the card file key is empty');
  }
  return { key: scryptSync(fileKey, salt, 32, { ...params, maxmem: 64 * 1024 * 1024 }), salt };
}

export function seal(plain: Uint8Array, label: string, k: SealKey): SealedCard {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  c.setAAD(Buffer.from(CARD_FILE_FORMAT + label));
  const data = Buffer.concat([c.update(plain), c.final()]);
  return {
    format: CARD_FILE_FORMAT,
    label,
    kdf: { name: 'scrypt', ...SCRYPT, salt: k.salt.toString('base64') },
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Opens a sealed card; every failure is KZ_CARD_FILE_INVALID with the reason. */
export function unseal(text: string, fileKey: string | Uint8Array): { plain: Buffer; label: string; sealKey: SealKey } {
  let s: SealedCard;
  try {
    s = JSON.parse(text) as SealedCard;
  } catch {
    throw jpkiErrors.KZ_CARD_FILE_INVALID('not a card file (not JSON)');
  }
  if (s?.format !== CARD_FILE_FORMAT || s.kdf?.name !== 'scrypt' || typeof s.data !== 'string') {
    throw jpkiErrors.KZ_CARD_FILE_INVALID(`not a ${CARD_FILE_FORMAT} file`);
  }
  const { N, r, p } = s.kdf;
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) {
    throw jpkiErrors.KZ_CARD_FILE_INVALID('key derivation parameters out of range');
  }
  const sealKey = deriveSealKey(fileKey, Buffer.from(s.kdf.salt, 'base64'), { N, r, p });
  try {
    const d = createDecipheriv('aes-256-gcm', sealKey.key, Buffer.from(s.iv, 'base64'));
    d.setAAD(Buffer.from(CARD_FILE_FORMAT + s.label));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    const plain = Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]);
    return { plain, label: s.label, sealKey };
  } catch {
    throw jpkiErrors.KZ_CARD_FILE_INVALID('wrong key, or the file was changed');
  }
}
