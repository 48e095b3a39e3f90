/**
 * The gateway's coded errors: one registry, each documented in docs/PROTOCOL.md (a test checks).
 * Report rejections carry a named `reason` in `details` (see report-reasons.ts).
 */
import { defineErrors } from '@kizuna/core';

export const gatewayErrors = defineErrors({
  // insurer authentication and access
  KZ_GW_AUTH_MISSING: {
    message: 'insurer authentication is missing (Authorization: KZ-HMAC-SHA256 … or a client certificate)',
    status: 401,
  },
  KZ_GW_AUTH_MALFORMED: { message: 'the Authorization header is malformed', status: 401 },
  KZ_GW_AUTH_UNKNOWN_KEY: { message: 'the API key is unknown or revoked', status: 401 },
  KZ_GW_AUTH_SIGNATURE: {
    message: 'the request signature does not match (method, path, timestamp, body digest)',
    status: 401,
  },
  KZ_GW_AUTH_CLOCK_SKEW: { message: 'the request timestamp is outside the allowed window', status: 401 },
  KZ_GW_AUTH_REPLAYED: { message: 'this signed request was already used', status: 401 },
  KZ_GW_INSURER_SUSPENDED: {
    message: 'this insurer is suspended by the operator (emergency stop); nothing was done',
    status: 403,
  },
  KZ_GW_OPERATOR_AUTH: { message: 'operator token is missing or wrong', status: 401 },
  KZ_GW_UNKNOWN_INSURER: { message: 'insurer does not exist', status: 404 },
  KZ_GW_INSURER_EXISTS: { message: 'an insurer with this id already exists', status: 409 },
  KZ_GW_BAD_ID: { message: 'id may only contain letters, digits, "_" and "-" (1–64)', status: 400 },
  KZ_GW_KEY_LIMIT: {
    message: 'an insurer may hold at most two active API keys; revoke the old one first',
    status: 409,
  },
  KZ_GW_UNKNOWN_KEY: { message: 'no such API key for this insurer', status: 404 },
  KZ_GW_WEBHOOK_URL: {
    message:
      'webhook URL must be HTTPS to a public address (HTTP only to a private range the operator allows), without credentials',
    status: 400,
  },
  KZ_GW_WEBHOOK_UNSET: { message: 'no webhook URL is set; set one with PUT /insurer/v1/webhook', status: 409 },
  // post-box (TV side)
  KZ_GW_SESSION_MISSING: { message: 'post-box session is missing; log in with the card', status: 401 },
  KZ_GW_SESSION_EXPIRED: { message: 'post-box session has expired or was ended; log in again', status: 401 },
  KZ_GW_LOGIN_FAILED: { message: 'card login failed', status: 401 },
  KZ_GW_LOGIN_UNAVAILABLE: { message: 'card login is not configured on this server', status: 503 },
  KZ_GW_UNKNOWN_POSTBOX: { message: 'post-box does not exist', status: 404 },
  KZ_GW_UNKNOWN_NOTICE: { message: 'notice does not exist', status: 404 },
  KZ_GW_UNKNOWN_ATTACHMENT: { message: 'attachment does not exist', status: 404 },
  KZ_GW_UNKNOWN_REPORT: { message: 'report does not exist', status: 404 },
  KZ_GW_RECEIPT_NUMBER_CHECK: {
    message:
      'the receipt number’s check digit does not match: a digit was misread or two neighbouring digits were swapped',
    status: 400,
  },
  KZ_GW_UNKNOWN_EVENT: { message: 'event does not exist', status: 404 },
  KZ_GW_UNKNOWN_POLICYHOLDER: { message: 'no enrolled policyholder with this code', status: 404 },
  KZ_GW_SENDER_REFUSED: { message: 'the resident does not accept notices from this sender', status: 403 },
  KZ_GW_ENROLMENT_INACTIVE: { message: 'the enrolment has ended; the insurer may not send to it', status: 409 },
  KZ_GW_NOTICE_STATE: { message: 'the notice is not in a state that allows this', status: 409 },
  KZ_GW_ATTACHMENT_INVALID: { message: 'attachment refused', status: 400 },
  KZ_GW_DUE_DATE: { message: 'due date must be a real calendar date, today or later (YYYY-MM-DD)', status: 400 },
  KZ_GW_IDEMPOTENCY_MISMATCH: {
    message: 'this externalRef (idempotency key) was already used for a different request; nothing was sent',
    status: 409,
  },
  KZ_GW_ALREADY_ENROLLED: { message: 'this policy is already linked to this post-box', status: 409 },
  KZ_GW_POLICY_TAKEN: { message: 'this policy is already linked to another post-box', status: 409 },
  KZ_GW_SESSION_CARD_REVOKED: {
    message: 'the card that opened this post-box session was revoked or is no longer valid; the session has ended',
    status: 401,
  },
  KZ_GW_SIGNER_NOT_SESSION_CARD: {
    message: 'the document was signed with another card than the one that opened this session; nothing was done',
    status: 403,
  },
  KZ_GW_CARD_LINK_UNAVAILABLE: {
    message: "the authority's link from signing to authentication certificate could not be read; try again later",
    status: 503,
  },
  KZ_GW_DEVICE_NOT_BOUND: {
    message: "this TV is not bound to this resident's card at the municipality; it cannot receive mail notices",
    status: 403,
  },
  KZ_GW_DEVICE_CHECK_UNAVAILABLE: {
    message: "the municipality's console could not confirm the TV's binding; try again later",
    status: 503,
  },
  KZ_GW_UNKNOWN_DEVICE: { message: 'this TV is not linked to this post-box', status: 404 },
  KZ_GW_LOGIN_RATE_LIMITED: {
    message: 'too many login challenges from this client; try again later',
    status: 429,
  },
  // signed documents
  KZ_GW_REPORT_REJECTED: { message: 'the signed report was refused', status: 422 },
  KZ_GW_CONSENT_REJECTED: { message: 'the signed consent was refused', status: 422 },
  KZ_GW_STATUS_UNAVAILABLE: {
    message: 'revocation status could not be established; nothing was accepted, try again later',
    status: 503,
  },
  KZ_GW_REPLAYED: { message: 'this signed document was already submitted', status: 409 },
  KZ_GW_VERIFIER_UNAVAILABLE: { message: 'signature verification is not configured on this server', status: 503 },
});

export type GatewayErrorCode = keyof typeof gatewayErrors;
