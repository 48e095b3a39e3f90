/**
 * What the kiosk page needs beyond web/: jpki's browser client of the card-reader bridge, built
 * once per process from its TypeScript source with esbuild (the kiosk stays plain ES modules,
 * no build step), and the page's Content-Security-Policy, which must let it reach the bridge.
 */
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);

let bridgeClient: Promise<string> | null = null;

/** jpki/src/bridge-client.ts as one browser ES module (connectCardBridge, CardBridgeError, toBase64, fromBase64). */
export function bridgeClientModule(): Promise<string> {
  bridgeClient ??= build({
    entryPoints: [require.resolve('@kizuna/jpki/bridge-client')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
  })
    .then((r) => r.outputFiles[0]!.text)
    .catch((e: unknown) => {
      bridgeClient = null; // let a later start try again
      throw e;
    });
  return bridgeClient;
}

/**
 * helmet's default policy, minus upgrade-insecure-requests (the kiosk is plain HTTP on the
 * laptop's loopback), plus the bridge's WebSocket origin in connect-src.
 */
export function kioskCsp(cardBridgeUrl: string | null | undefined): string {
  let bridge = '';
  if (cardBridgeUrl) {
    const u = new URL(cardBridgeUrl);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
      throw new TypeError(`card bridge URL must be ws:// or wss://, not ${u.protocol}`);
    bridge = ` ${u.protocol}//${u.host}`;
  }
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self'${bridge}`,
  ].join(';');
}
