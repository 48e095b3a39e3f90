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
});
