/**
 * Signed API keys for insurers. A request carries
 *
 *   Authorization: KZ-HMAC-SHA256 keyId=<key id>, ts=<unix seconds>, nonce=<16–64 chars>, sig=<base64url>
 *
 * where sig = HMAC-SHA256(secret, METHOD "\n" path-with-query "\n" ts "\n" nonce "\n" hex(SHA-256(body))).
 * The timestamp must lie within the window and each signature is accepted once (replay refused).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { gatewayErrors as E } from './errors.ts';

export const AUTH_SCHEME = 'KZ-HMAC-SHA256';

export function stringToSign(
  method: string,
  pathWithQuery: string,
  ts: string,
  nonce: string,
  body: Uint8Array | string,
): string {
  const digest = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${pathWithQuery}\n${ts}\n${nonce}\n${digest}`;
}

export function hmac(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

/** The Authorization header for one request (what an insurer's client does). */
export function signRequest(
  key: { keyId: string; secret: string },
  method: string,
  pathWithQuery: string,
  body: Uint8Array | string = '',
  now = new Date(),
): string {
  const ts = String(Math.floor(now.getTime() / 1000));
  const nonce = randomBytes(12).toString('base64url');
  const sig = hmac(key.secret, stringToSign(method, pathWithQuery, ts, nonce, body));
  return `${AUTH_SCHEME} keyId=${key.keyId}, ts=${ts}, nonce=${nonce}, sig=${sig}`;
}

export interface ParsedAuth {
  keyId: string;
  ts: number;
  nonce: string;
  sig: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuth {
  if (!header) throw E.KZ_GW_AUTH_MISSING();
  const [scheme, ...rest] = header.trim().split(/\s+/);
  if (scheme !== AUTH_SCHEME) throw E.KZ_GW_AUTH_MALFORMED(`scheme must be ${AUTH_SCHEME}`);
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const m = /^\s*(\w+)=([A-Za-z0-9_-]{1,128})\s*$/.exec(part);
    if (!m) throw E.KZ_GW_AUTH_MALFORMED(`bad field "${part.trim().slice(0, 40)}"`);
    fields.set(m[1]!, m[2]!);
  }
  for (const f of ['keyId', 'ts', 'nonce', 'sig']) if (!fields.has(f)) throw E.KZ_GW_AUTH_MALFORMED(`missing ${f}`);
  const ts = Number(fields.get('ts'));
  if (!Number.isInteger(ts)) throw E.KZ_GW_AUTH_MALFORMED('ts must be unix seconds');
  const nonce = fields.get('nonce')!;
  if (nonce.length < 16) throw E.KZ_GW_AUTH_MALFORMED('nonce must be 16–64 characters');
  return { keyId: fields.get('keyId')!, ts, nonce, sig: fields.get('sig')! };
}

/** The timestamp lies within `windowS` of the gateway's clock. */
export function checkWindow(p: ParsedAuth, now: Date, windowS: number): void {
  if (Math.abs(now.getTime() / 1000 - p.ts) > windowS)
    throw E.KZ_GW_AUTH_CLOCK_SKEW(`timestamp ${p.ts} is more than ${windowS} s from the gateway's clock`);
}

/** Checks the signature and the window; the caller records `sig` to refuse replays. */
export function checkSignature(
  p: ParsedAuth,
  secret: string,
  method: string,
  pathWithQuery: string,
  body: Uint8Array | string,
  now: Date,
  windowS: number,
): void {
  checkWindow(p, now, windowS);
  const expected = Buffer.from(hmac(secret, stringToSign(method, pathWithQuery, String(p.ts), p.nonce, body)));
  const given = Buffer.from(p.sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw E.KZ_GW_AUTH_SIGNATURE();
}

/** Webhook signature header: `t=<unix seconds>,v1=<base64url HMAC-SHA256(secret, t "." body)>`. */
export function webhookSignature(secret: string, body: string, now: Date): string {
  const t = String(Math.floor(now.getTime() / 1000));
  return `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
}

/** For receivers: true when the header signs this body with this secret within `windowS`. */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string,
  now = new Date(),
  windowS = 300,
): boolean {
  const m = /^t=(\d+),v1=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) return false;
  if (Math.abs(now.getTime() / 1000 - Number(m[1])) > windowS) return false;
  const expected = Buffer.from(hmac(secret, `${m[1]}.${body}`));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
