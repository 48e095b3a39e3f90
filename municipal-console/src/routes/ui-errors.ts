/** Coded errors of the staff web UI's own endpoints (routes/ui-routes.ts, web-plugin.ts). */
import { defineErrors } from '@kizuna/core';
import { staffErrors } from '../staff/staff-errors.ts';

const webErrors = defineErrors({
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
});

/** The staff and card-login codes come from the staff domain; the order here is the documented order. */
export const uiErrors = {
  ...webErrors,
  ...staffErrors,
  ...defineErrors({
    KZ_CONSOLE_WEB_NOT_BUILT: { message: 'the staff web UI has not been built (run buildConsoleWeb())', status: 503 },
  }),
};
