/**
 * Coded errors of staff accounts and their card login: thrown by staff.ts and the session routes,
 * listed among the staff web UI's codes (routes/ui-errors.ts) so the UI words them.
 */
import { defineErrors } from '@kizuna/core';

export const staffErrors = defineErrors({
  KZ_CONSOLE_CARD_UNKNOWN: { message: 'this card is not linked to a staff member', status: 401 },
  KZ_CONSOLE_CARD_REVOKED: {
    message:
      'this card has been revoked (lost, or its holder is no longer its holder); it cannot be used to log in or be linked',
    status: 403,
  },
  KZ_CONSOLE_CARD_REFUSED: {
    message: 'the card login was refused (details.reason names the check that failed)',
    status: 401,
  },
  KZ_CONSOLE_CARD_STATUS_UNAVAILABLE: {
    message: 'the card’s revocation status could not be checked; nobody was logged in (try again, or use the password)',
    status: 503,
  },
  KZ_CONSOLE_CARD_LOGIN_OFF: {
    message: 'card login is not configured on this server (no certificate verifier)',
    status: 503,
  },
  KZ_CONSOLE_CARD_TAKEN: { message: 'this card is already linked to another staff member', status: 409 },
  KZ_CONSOLE_UNKNOWN_STAFF: { message: 'staff member does not exist', status: 404 },
  // Issue 24: passwords, account lifecycle, two-admin changes, re-authentication.
  KZ_CONSOLE_PASSWORD_TOO_SHORT: { message: 'the password is too short', status: 400 },
  KZ_CONSOLE_PASSWORD_TOO_LONG: { message: 'the password is too long', status: 400 },
  KZ_CONSOLE_PASSWORD_WEAK: {
    message: 'the password is too easy to guess (details.reason: whitespace, repetitive, common or username)',
    status: 400,
  },
  KZ_CONSOLE_PASSWORD_WRONG: { message: 'the current password is wrong', status: 401 },
  KZ_CONSOLE_PASSWORD_CHANGE_REQUIRED: {
    message: 'the password was reset by an administrator: change it before doing anything else',
    status: 403,
  },
  KZ_CONSOLE_REAUTH_REQUIRED: {
    message: 'this action needs a recent authentication: enter your password again (POST /api/session/reauth)',
    status: 401,
  },
  KZ_CONSOLE_SAME_ADMIN: {
    message: 'a change proposed by an administrator must be confirmed by another administrator',
    status: 403,
  },
  KZ_CONSOLE_CHANGE_UNKNOWN: { message: 'no such pending administrative change', status: 404 },
  KZ_CONSOLE_CHANGE_CONFLICT: {
    message: 'the change no longer applies (the account changed since it was proposed); propose it again',
    status: 409,
  },
  KZ_CONSOLE_SESSION_UNKNOWN: { message: 'no such session', status: 404 },
  KZ_CONSOLE_LAST_ADMIN: { message: 'the last enabled administrator cannot be disabled', status: 409 },
});
