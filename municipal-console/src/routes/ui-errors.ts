/** Coded errors of the staff web UI's own endpoints (routes/ui-routes.ts, web-plugin.ts). */
import { defineErrors } from '@kizuna/core';

export const uiErrors = defineErrors({
  KZ_CONSOLE_CSRF: {
    message: 'a request made with the session cookie must carry the X-KZ-CSRF header (cross-site request refused)',
    status: 403,
  },
  KZ_CONSOLE_CSV_INVALID: {
    message: 'the register extract CSV has bad rows; nothing was imported (details.rows lists each)',
    status: 400,
  },
  KZ_CONSOLE_NOT_IN_RESCUE_LIST: { message: 'this person is not a recipient of the alert who needs help', status: 404 },
  KZ_CONSOLE_NOT_BOUND: { message: 'the resident has no active binding to this TV', status: 404 },
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
  KZ_CONSOLE_WEB_NOT_BUILT: { message: 'the staff web UI has not been built (run buildConsoleWeb())', status: 503 },
});
