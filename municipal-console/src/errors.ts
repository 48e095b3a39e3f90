/** The console's coded errors: one registry, each documented (a test checks docs/PROTOCOL.md lists them). */
import { defineErrors } from '@kizuna/core';

export const consoleErrors = defineErrors({
  KZ_CONSOLE_LOGIN_FAILED: { message: 'username or password is wrong', status: 401 },
  KZ_CONSOLE_SESSION_EXPIRED: { message: 'session has expired or was ended; log in again', status: 401 },
  KZ_CONSOLE_ROLE_REQUIRED: { message: 'your role does not allow this', status: 403 },
  KZ_CONSOLE_UNKNOWN_ZONE: { message: 'zone does not exist', status: 400 },
  KZ_CONSOLE_UNKNOWN_RESIDENT: { message: 'resident does not exist', status: 404 },
  KZ_CONSOLE_UNKNOWN_DEVICE: { message: 'device does not exist', status: 404 },
  KZ_CONSOLE_UNKNOWN_SHELTER: { message: 'shelter does not exist', status: 404 },
  KZ_CONSOLE_UNKNOWN_ALERT: { message: 'alert does not exist', status: 404 },
  KZ_CONSOLE_DUPLICATE: { message: 'already exists', status: 409 },
  KZ_CONSOLE_BAD_ID: { message: 'id may only contain letters, digits, "_" and "-" (1–64)', status: 400 },
  KZ_CONSOLE_BAD_GEOMETRY: { message: 'geometry is invalid', status: 400 },
  KZ_CONSOLE_BAD_RESIDENT: { message: 'resident record is invalid', status: 400 },
  KZ_CONSOLE_NO_TARGET: { message: 'alert needs a target: zone ids, a polygon or a circle', status: 400 },
  KZ_CONSOLE_EXPIRES_IN_PAST: { message: 'expiry must be in the future', status: 400 },
  KZ_CONSOLE_ALERT_STATE: { message: 'the alert is not in a state that allows this', status: 409 },
  KZ_CONSOLE_APPROVAL_REQUIRED: { message: 'an Actual alert at level 4 or 5 needs a second staff member’s approval', status: 409 },
  KZ_CONSOLE_SELF_APPROVAL: { message: 'the issuer of an alert cannot approve it', status: 403 },
  KZ_CONSOLE_BROKER_UNAVAILABLE: { message: 'the MQTT broker is not connected; nothing was published', status: 503 },
  KZ_CONSOLE_CAP_INVALID: { message: 'CAP 1.2 document is invalid', status: 400 },
  KZ_CONSOLE_BIND_NONCE: { message: 'registration nonce is unknown, used or expired', status: 400 },
  KZ_CONSOLE_BIND_SIGNATURE: { message: 'registration signature did not verify', status: 400 },
  KZ_CONSOLE_BIND_PAYLOAD: { message: 'registration content is invalid', status: 400 },
  KZ_CONSOLE_BIND_NO_MATCH: { message: 'the card’s four personal items match no resident of this municipality', status: 404 },
  KZ_CONSOLE_BIND_UNAVAILABLE: { message: 'card binding is not configured on this server', status: 503 },
  KZ_CONSOLE_AUDIT_BROKEN: { message: 'audit log hash chain is broken', status: 500 },
});

export type ConsoleErrorCode = keyof typeof consoleErrors;
