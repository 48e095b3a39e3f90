/**
 * What a staff password must be (OWASP ASVS 4.0 level 2, V2.1): at least 12 characters, at most
 * 128 (scrypt hashes anything, but a 1 MB password is a denial of service and never typed), not
 * blank, not one or two characters repeated, not the username, and not on the list of common and
 * breached passwords that zxcvbn-ts ships (@zxcvbn-ts/language-common, "passwords-common": about
 * 49,000 entries from public breach corpora). No composition rules (ASVS 2.1.9).
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { staffErrors } from './staff-errors.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

const COMMON = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/** Throws a coded 400 naming the rule the password breaks. */
export function checkPasswordPolicy(password: string, username?: string): void {
  const chars = [...password];
  if (chars.length > PASSWORD_MAX)
    throw staffErrors.KZ_CONSOLE_PASSWORD_TOO_LONG(`at most ${PASSWORD_MAX} characters`, { max: PASSWORD_MAX });
  if (password.trim().length === 0)
    throw staffErrors.KZ_CONSOLE_PASSWORD_WEAK('the password is only spaces', { reason: 'whitespace' });
  if (chars.length < PASSWORD_MIN)
    throw staffErrors.KZ_CONSOLE_PASSWORD_TOO_SHORT(`at least ${PASSWORD_MIN} characters`, { min: PASSWORD_MIN });
  if (new Set(chars).size < 4)
    throw staffErrors.KZ_CONSOLE_PASSWORD_WEAK('too few different characters', { reason: 'repetitive' });
  const lower = password.toLowerCase();
  if (username && lower.includes(username.toLowerCase()) && lower.length - username.length < 6)
    throw staffErrors.KZ_CONSOLE_PASSWORD_WEAK('the password is (mostly) the username', { reason: 'username' });
  if (COMMON.has(lower) || COMMON.has(lower.trim()))
    throw staffErrors.KZ_CONSOLE_PASSWORD_WEAK('a common or breached password', { reason: 'common' });
}
