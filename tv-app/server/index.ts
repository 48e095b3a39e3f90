/**
 * The TV applet's server side: build the Lightning bundle with Vite (programmatically, so the
 * system launcher needs no CLI) and serve it. The server holds no data and sees no
 * configuration: a TV's device id and broker credentials live in the URL hash or in the
 * box's own tv-config.json, never in a request.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import httpProxy from '@fastify/http-proxy';
import { createHttpServer, createLogger, listen, type Logger, type TlsFiles } from '@kizuna/core';
import { tvErrors } from './errors.ts';

export { tvErrors } from './errors.ts';

export const TV_APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DIST = join(TV_APP_DIR, 'dist');

export interface BuildOptions {
  /** Where to write the bundle (default tv-app/dist). */
  outDir?: string;
  /** Keep the bundle readable (for debugging on a box). */
  minify?: boolean;
  /** The applet's directory to build (default tv-app/; the bench builds another revision's copy as its baseline). */
  root?: string;
}

export interface BuildResult {
  outDir: string;
  files: { file: string; bytes: number }[];
}

/** `vite build` of tv-app/ into outDir. */
export async function buildTvBundle(opts: BuildOptions = {}): Promise<BuildResult> {
  const outDir = resolve(opts.outDir ?? DEFAULT_DIST);
  const { build } = await import('vite');
  try {
    const out = await build({
      root: opts.root ?? TV_APP_DIR,
      base: './',
      configFile: false,
      logLevel: 'warn',
      // The box's browser may be a few years old: ES2020 is what current TV platforms run.
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2020',
        minify: opts.minify ?? true,
        sourcemap: false,
        reportCompressedSize: false,
        chunkSizeWarningLimit: 1024,
      },
    });
    const outputs = (Array.isArray(out) ? out : [out]) as {
      output?: { fileName: string; code?: string; source?: string | Uint8Array }[];
    }[];
    const files = outputs
      .flatMap((o) => o.output ?? [])
      .map((f) => ({
        file: f.fileName,
        bytes:
          typeof f.code === 'string'
            ? Buffer.byteLength(f.code)
            : typeof f.source === 'string'
              ? Buffer.byteLength(f.source)
              : (f.source?.byteLength ?? 0),
      }));
    return { outDir, files };
  } catch (e) {
    throw tvErrors.KZ_TV_BUILD_FAILED((e as Error).message.split('\n')[0]);
  }
}

export interface StartOptions {
  port?: number;
  host?: string;
  /** Directory of the built bundle (default tv-app/dist). */
  distDir?: string;
  logger?: Logger;
  upstreams?: Upstreams;
  /** Serve HTTPS (with HSTS) from these PEM files; the page then needs wss:// for the broker. */
  tls?: TlsFiles | undefined;
}

export interface TvAppServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Servers the applet calls, reached through this server's own origin: the console and the
 * gateway send no CORS headers (helmet's same-origin defaults), and a packaged box's portal
 * fronts its back-ends the same way. Only the TV's own APIs pass: the console's card binding
 * (`/console/api/bind…`) and the post-box (`/gateway/postbox/v1/…`); the TV then uses
 * `console=/console` and `postbox=/gateway` in its configuration.
 */
export interface Upstreams {
  /** Municipal console base URL, e.g. http://127.0.0.1:18800. */
  console?: string | undefined;
  /** Insurer gateway base URL, e.g. http://127.0.0.1:18850. */
  gateway?: string | undefined;
}

export const UPSTREAM_PREFIXES = { console: '/console/api/bind', gateway: '/gateway/postbox/v1' } as const;

/** The fastify app serving the bundle (with the core base: /livez, /readyz, /metrics). */
export async function buildTvServer(
  opts: { distDir?: string; logger?: Logger; upstreams?: Upstreams; tls?: TlsFiles | undefined } = {},
) {
  const distDir = resolve(opts.distDir ?? DEFAULT_DIST);
  if (!existsSync(join(distDir, 'index.html'))) throw tvErrors.KZ_TV_BUNDLE_MISSING(distDir);
  const logger = opts.logger ?? createLogger({ name: 'tv-app' });
  // helmet's default CSP would block the broker WebSocket and the contract's compiled
  // validators; this one allows exactly those.
  const app = await createHttpServer({ name: 'tv-app', logger, contentSecurityPolicy: false, tls: opts.tls });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(
      'content-security-policy',
      [
        "default-src 'self'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "connect-src 'self' ws: wss: http: https:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    return payload;
  });
  const up = opts.upstreams ?? {};
  if (up.console)
    await app.register(httpProxy, {
      upstream: up.console,
      prefix: UPSTREAM_PREFIXES.console,
      rewritePrefix: '/api/bind',
      http2: false,
    });
  if (up.gateway)
    await app.register(httpProxy, {
      upstream: up.gateway,
      prefix: UPSTREAM_PREFIXES.gateway,
      rewritePrefix: '/postbox/v1',
      http2: false,
    });
  await app.register(fastifyStatic, {
    root: distDir,
    index: ['index.html'],
    // The entry page must be fresh after a rebuild; hashed assets can be cached for long.
    setHeaders: (res, path) => {
      res.setHeader(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  return app;
}

export async function startTvApp(opts: StartOptions = {}): Promise<TvAppServer> {
  const app = await buildTvServer({
    distDir: opts.distDir,
    logger: opts.logger,
    upstreams: opts.upstreams,
    tls: opts.tls,
  });
  const url = await listen(app, opts.host ?? '127.0.0.1', opts.port ?? 18810);
  return { url, close: () => app.close() };
}
