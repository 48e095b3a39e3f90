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
  KZ_CONSOLE_APPROVAL_REQUIRED: {
    message: 'an Actual alert at level 4 or 5 needs a second staff member’s approval',
    status: 409,
  },
  KZ_CONSOLE_SELF_APPROVAL: { message: 'the issuer of an alert cannot approve it', status: 403 },
  KZ_CONSOLE_APPROVAL_STALE: {
    message:
      'what is waiting for approval is not what you were shown (another revision or other content; details.revision and details.digest name what waits now); nothing was published',
    status: 409,
  },
  KZ_CONSOLE_CONFIRMATION_REQUIRED: {
    message:
      'nothing reaches TVs unless its confirmation was shown: store an alert or an update with draft: true, read GET /api/alerts/{id}/confirmation, then POST /api/alerts/{id}/send with its revision and digest; lift or cancel an active alert with the revision and digest of GET /api/alerts/{id}/ending; nothing was stored or published',
    status: 400,
  },
  KZ_CONSOLE_CONFIRMATION_STALE: {
    message:
      'the alert or whom it reaches is not what the confirmation showed (of a send, a lift or a cancel; details.revision and details.digest name what it is now); nothing was sent',
    status: 409,
  },
  KZ_CONSOLE_RULE_NOT_PROPOSED: { message: 'no admin has proposed this approval rule', status: 409 },
  KZ_CONSOLE_RULE_SELF_CONFIRM: {
    message: 'the admin who proposed an approval rule cannot confirm it; another admin must',
    status: 403,
  },
  KZ_CONSOLE_BROKER_UNAVAILABLE: { message: 'the MQTT broker is not connected; nothing was published', status: 503 },
  KZ_CONSOLE_CAP_INVALID: { message: 'CAP 1.2 document is invalid', status: 400 },
  KZ_CONSOLE_CAP_SENDER: {
    message: 'a CAP Update or Cancel may come only from the alert’s own sender or a trusted one',
    status: 403,
  },
  KZ_CONSOLE_JMA_INVALID: { message: 'JMA disaster XML document is refused (details.reason)', status: 400 },
  KZ_CONSOLE_JMA_WITHDRAWN: {
    message: 'the JMA suggestion was withdrawn or superseded; draft from the current one',
    status: 409,
  },
  KZ_CONSOLE_LEVEL_UNKNOWN: {
    message: 'the imported CAP document says no evacuation level; staff must answer it before the draft is sent',
    status: 409,
  },
  KZ_CONSOLE_WARNING_UNCONFIRMED: {
    message:
      'the draft carries a warning the send did not confirm (details.warnings, e.g. reaches-no-one); nothing was sent',
    status: 409,
  },
  KZ_CONSOLE_BIND_NONCE: { message: 'registration nonce is unknown, used or expired', status: 400 },
  KZ_CONSOLE_BIND_SIGNATURE: { message: 'registration signature did not verify', status: 400 },
  KZ_CONSOLE_BIND_PAYLOAD: { message: 'registration content is invalid', status: 400 },
  KZ_CONSOLE_BIND_NO_MATCH: {
    message: 'the card’s four personal items match no resident of this municipality',
    status: 404,
  },
  KZ_CONSOLE_BIND_UNAVAILABLE: { message: 'card binding is not configured on this server', status: 503 },
  KZ_CONSOLE_BIND_NONCE_REPLAYED: { message: 'registration nonce was already used; ask for a new one', status: 409 },
  KZ_CONSOLE_BIND_NONCE_EXPIRED: { message: 'registration nonce has expired; ask for a new one', status: 410 },
  KZ_CONSOLE_BIND_DEVICE_MISMATCH: {
    message: 'the signed registration is for another TV or municipality',
    status: 400,
  },
  KZ_CONSOLE_BIND_CERT_REVOKED: { message: 'the card’s signing certificate is revoked', status: 403 },
  KZ_CONSOLE_BIND_CERT_INVALID: { message: 'the card’s signing certificate is not acceptable', status: 400 },
  KZ_CONSOLE_BIND_STATUS_UNAVAILABLE: {
    message: 'the certificate’s revocation status could not be checked; nothing was bound (try again)',
    status: 503,
  },
  KZ_CONSOLE_BIND_LINK_UNAVAILABLE: {
    message: 'the authority’s certificate links could not be read; nothing was bound (try again)',
    status: 503,
  },
  KZ_CONSOLE_BIND_ITEMS_MISMATCH: {
    message: 'a resident has this name and birth date but the address or sex differ from the card',
    status: 409,
  },
  KZ_CONSOLE_BIND_AMBIGUOUS: {
    message: 'the card’s four personal items match more than one resident; staff must bind at the counter',
    status: 409,
  },
  KZ_CONSOLE_UNKNOWN_BINDING: { message: 'binding does not exist or is not active on this TV', status: 404 },
  KZ_CONSOLE_DEVICE_REVOKED: { message: 'this TV is revoked', status: 403 },
  KZ_CONSOLE_CLIENT_AUTH: {
    message: 'device credentials are missing or wrong (HTTP Basic with the broker username and password)',
    status: 401,
  },
  KZ_CONSOLE_CLIENT_FORBIDDEN: {
    message: 'these credentials are not for this TV, shelter or municipality',
    status: 403,
  },
  KZ_CONSOLE_CREDENTIALS_UNAVAILABLE: {
    message: 'device credentials are not configured on this server (no credential store)',
    status: 503,
  },
  // a finding about the stored log, not a server fault: the message names the first bad entry
  KZ_CONSOLE_AUDIT_BROKEN: { message: 'audit log hash chain is broken', status: 409 },
  KZ_CONSOLE_AUDIT_KEY: { message: 'the audit log key is missing or unusable', status: 503 },
});

export type ConsoleErrorCode = keyof typeof consoleErrors;
