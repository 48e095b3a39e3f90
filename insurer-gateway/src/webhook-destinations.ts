/**
 * Where a webhook may go: HTTPS to a public address, or (HTTP or HTTPS) to a private range the
 * operator allowed (KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE). Checked when the URL is registered and
 * again on every connection, on the addresses DNS gives at that moment (a name that pointed to a
 * public address at registration may point inside later).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { gatewayErrors as E } from './errors.ts';

/**
 * Special-purpose ranges (RFC 6890 and its IPv6 counterparts): never a public receiver. IPv4-mapped
 * addresses are not listed: `family` judges them as IPv4 (BlockList matches IPv4 against a mapped range).
 */
const NON_PUBLIC: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

function blockList(cidrs: readonly string[], what: string): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, bits, extra] = cidr.trim().split('/');
    const type = isIP(net ?? '');
    const prefix = Number(bits);
    if (!type || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 4 ? 32 : 128))
      throw new Error(`${what}: "${cidr}" is not a CIDR range (say 10.0.0.0/8 or fd00::/8)`);
    list.addSubnet(net!, prefix, type === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const nonPublic = blockList(NON_PUBLIC, 'built-in');

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function family(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, type: 'ipv4' };
  return { address, type: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

export interface WebhookDestinations {
  /** Why this address may not receive over this scheme, or null when it may. */
  refusal(address: string, protocol: string): string | null;
  /** A dns.lookup that fails when any answer is refused: used by every delivery connection. */
  lookup(protocol: string): typeof dnsLookup;
  /** Registration check: scheme, no credentials, and every current DNS answer allowed; throws KZ_GW_WEBHOOK_URL. */
  check(url: string): Promise<void>;
}

/** Every address a name has now; the system resolver (dns.lookup, as node:http uses) unless given another. */
export type ResolveAll = (host: string) => Promise<LookupAddress[]>;

const systemResolveAll: ResolveAll = (host) =>
  new Promise<LookupAddress[]>((ok, fail) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? fail(err) : ok(addrs))),
  );

/**
 * `allowPrivate`: CIDR ranges the operator lets webhooks reach (over HTTP too), e.g. a test receiver on
 * loopback. `resolveAll`: how names become addresses, at registration and on every connection.
 */
export function webhookDestinations(
  allowPrivate: readonly string[] = [],
  resolveAll: ResolveAll = systemResolveAll,
): WebhookDestinations {
  const allowed = blockList(allowPrivate, 'KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE');
  const refusal = (raw: string, protocol: string): string | null => {
    const { address, type } = family(raw);
    if (allowed.check(address, type)) return null;
    if (nonPublic.check(address, type)) return `${raw} is not a public address`;
    return protocol === 'https:' ? null : `plain HTTP to the public address ${raw}; use HTTPS`;
  };
  return {
    refusal,
    lookup(protocol) {
      const safe = (hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
        resolveAll(hostname).then(
          (addrs) => {
            const bad = addrs.map((a) => refusal(a.address, protocol)).find((r) => r !== null);
            if (bad) return callback(Object.assign(new Error(`destination refused: ${bad}`), { code: 'KZ_REFUSED' }));
            const wanted = options.family ? addrs.filter((a) => a.family === options.family) : addrs;
            if (!wanted.length)
              return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
            if (options.all) return callback(null, wanted);
            callback(null, wanted[0]!.address, wanted[0]!.family);
          },
          (err: Error) => callback(err),
        );
      };
      return safe as unknown as typeof dnsLookup;
    },
    async check(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw E.KZ_GW_WEBHOOK_URL(`not a URL: ${url.slice(0, 100)}`);
      }
      if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password) throw E.KZ_GW_WEBHOOK_URL(u.protocol);
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      const addrs = isIP(host)
        ? [host]
        : await resolveAll(host).then(
            (a) => a.map((x) => x.address),
            () => {
              throw E.KZ_GW_WEBHOOK_URL(`${host} does not resolve`);
            },
          );
      for (const a of addrs) {
        const why = refusal(a, u.protocol);
        if (why) throw E.KZ_GW_WEBHOOK_URL(why);
      }
    },
  };
}
