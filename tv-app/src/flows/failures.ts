/**
 * What went wrong, sorted into the few cases a resident must tell apart: a wrong PIN or password
 * (with tries left), a locked card, a revoked certificate, a certificate the server cannot check
 * now, the reader or the network gone, no matching resident, a refusal. Sources: the card-reader
 * bridge's codes (jpki/src/errors.ts), the console's (KZ_CONSOLE_BIND_…), the gateway's
 * (details.reason of a refused document or login).
 */
import { ApiError } from '../net/http.ts';

export type FailureKind =
  | 'wrong-secret'
  | 'locked'
  | 'format'
  | 'revoked'
  | 'cert-invalid'
  | 'status-unknown'
  | 'reader'
  | 'no-card'
  | 'network'
  | 'session'
  | 'no-match'
  | 'not-configured'
  | 'refused'
  | 'already-linked'
  | 'policy-taken'
  | 'other-card';

export interface Failure {
  kind: FailureKind;
  code: string;
  triesLeft?: number | undefined;
  detail?: string | undefined;
}

const READER = new Set([
  'KZ_BRIDGE_UNAVAILABLE',
  'KZ_BRIDGE_CLOSED',
  'KZ_BRIDGE_TIMEOUT',
  'KZ_BRIDGE_ORIGIN_REFUSED',
  'KZ_CARD_TRANSPORT',
]);
const NO_CARD = new Set(['KZ_BRIDGE_NO_CARD', 'KZ_BRIDGE_UNKNOWN_CARD', 'KZ_CARD_NOT_JPKI']);
const STATUS = new Set([
  'KZ_CONSOLE_BIND_STATUS_UNAVAILABLE',
  'KZ_CONSOLE_BIND_LINK_UNAVAILABLE',
  'KZ_GW_STATUS_UNAVAILABLE',
]);
const NO_MATCH = new Set(['KZ_CONSOLE_BIND_NO_MATCH', 'KZ_CONSOLE_BIND_ITEMS_MISMATCH', 'KZ_CONSOLE_BIND_AMBIGUOUS']);
const SESSION = new Set([
  'KZ_GW_SESSION_MISSING',
  'KZ_GW_SESSION_EXPIRED',
  'KZ_CONSOLE_BIND_NONCE_EXPIRED',
  'KZ_CONSOLE_BIND_NONCE_REPLAYED',
  'KZ_CONSOLE_BIND_NONCE',
]);

export function classify(e: unknown): Failure {
  const err = e as { code?: unknown; message?: unknown; triesLeft?: unknown; details?: Record<string, unknown> };
  const code = typeof err?.code === 'string' ? err.code : 'KZ_TV_UNEXPECTED';
  const reason = typeof err?.details?.reason === 'string' ? err.details.reason : undefined;
  const detail = reason ?? (typeof err?.message === 'string' ? err.message : undefined);
  const f = (kind: FailureKind, extra: Partial<Failure> = {}): Failure => ({ kind, code, detail, ...extra });
  if (code === 'KZ_CARD_PIN_WRONG')
    return f('wrong-secret', { triesLeft: typeof err.triesLeft === 'number' ? err.triesLeft : undefined });
  if (code === 'KZ_CARD_LOCKED') return f('locked', { triesLeft: 0 });
  if (code === 'KZ_CARD_PIN_FORMAT') return f('format');
  if (READER.has(code)) return f('reader');
  if (NO_CARD.has(code)) return f('no-card');
  if (code === 'KZ_TV_SERVER_UNREACHABLE' || code === 'KZ_TV_SERVER_TIMEOUT') return f('network');
  if (code === 'KZ_TV_NOT_CONFIGURED' || code === 'KZ_CONSOLE_BIND_UNAVAILABLE' || code === 'KZ_GW_LOGIN_UNAVAILABLE')
    return f('not-configured');
  if (code === 'KZ_CONSOLE_BIND_CERT_REVOKED' || code === 'KZ_GW_SESSION_CARD_REVOKED' || reason === 'revoked')
    return f('revoked');
  if (STATUS.has(code) || reason === 'status-unknown') return f('status-unknown');
  if (NO_MATCH.has(code)) return f('no-match');
  if (SESSION.has(code) || reason === 'nonce-invalid') return f('session');
  if (code === 'KZ_GW_ALREADY_ENROLLED') return f('already-linked');
  if (code === 'KZ_GW_POLICY_TAKEN') return f('policy-taken');
  if (code === 'KZ_GW_SIGNER_NOT_SESSION_CARD') return f('other-card');
  if (
    code === 'KZ_CONSOLE_BIND_CERT_INVALID' ||
    code === 'KZ_GW_LOGIN_FAILED' ||
    (reason &&
      ['expired', 'not-yet-valid', 'unknown-issuer', 'wrong-certificate-type', 'bad-signature'].includes(reason))
  )
    return f('cert-invalid');
  return e instanceof ApiError || code.startsWith('KZ_') ? f('refused') : f('refused', { code: 'KZ_TV_UNEXPECTED' });
}
