/**
 * One webhook POST over node:http(s): the connection goes only to addresses the destination
 * rules allow (checked on the DNS answers of this connection), and redirects are never followed
 * (node's client does not; a 3xx is a failed attempt). The body is drained and dropped.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { WebhookFetch } from './ports.ts';
import type { WebhookDestinations } from './webhook-destinations.ts';

export function webhookSender(destinations: WebhookDestinations): WebhookFetch {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      // An address literal never reaches the lookup: judge it here.
      const why = isIP(host) ? destinations.refusal(host, u.protocol) : null;
      if (why) return reject(new Error(`destination refused: ${why}`));
      const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = request(
        u,
        {
          method: init.method,
          headers: { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
          lookup: destinations.lookup(u.protocol),
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.resume();
        },
      );
      req.on('error', reject);
      req.end(init.body);
    });
}
