/**
 * Malformed webhook URLs refused with a named 400 before anything else looks at them (the
 * destination policy, which addresses may be called, is checkWebhookUrl's). The URL must be
 * written out whole: `http(s)://host/…`, no spaces or control characters, no fragment, no broken
 * Unicode; WHATWG URL parsing would otherwise quietly repair `https:example.com` or drop `#…`.
 */
import { gatewayErrors as E } from './errors.ts';

export function checkWebhookSyntax(url: string | null | undefined): void {
  if (url === null || url === undefined) return;
  const shown = JSON.stringify(url.slice(0, 100));
  if (url.trim() === '') throw E.KZ_GW_WEBHOOK_URL('empty; send null to remove the webhook');
  if (/\p{Cs}/u.test(url)) throw E.KZ_GW_WEBHOOK_URL(`${shown} holds broken Unicode (a lone surrogate)`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/u.test(url)) throw E.KZ_GW_WEBHOOK_URL(`${shown} holds a space or control character`);
  if (!/^https?:\/\/[^/?#]+/i.test(url))
    throw E.KZ_GW_WEBHOOK_URL(`${shown} must start http:// or https:// and a host`);
  if (url.includes('#')) throw E.KZ_GW_WEBHOOK_URL(`${shown} has a fragment (#…), which is never sent`);
}
