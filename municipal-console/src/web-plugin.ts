/**
 * The staff web UI (municipal-console/web, Preact + htm built with Vite) served at /, the TV
 * applet's bundle at /tv-preview/ (the compose screen's preview runs the applet itself, same
 * origin so the TV's own frame-ancestors rule stays strict), the UI's extra endpoints
 * (routes/ui-routes.ts), and CSRF protection for cookie sessions: a state-changing request that
 * authenticates with the cookie must carry the X-KZ-CSRF header, which a cross-site form cannot
 * set (OWASP "custom request header"); bearer-token clients are unaffected.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';
import { SESSION_COOKIE, type ConsoleContext } from './context.ts';
import { uiRoutes } from './routes/ui-routes.ts';
import { uiErrors } from './routes/ui-errors.ts';
import { mapRoutes } from './routes/map-routes.ts';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web');
export const DEFAULT_WEB_DIST = join(WEB_DIR, 'dist');
const DEFAULT_TV_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tv-app', 'dist');

export const WebConfigSchema = Type.Object({
  KZ_CONSOLE_WEB_DIST_DIR: Type.String({
    default: DEFAULT_WEB_DIST,
    description: 'built staff UI (buildConsoleWeb writes it)',
  }),
  KZ_CONSOLE_TV_DIST_DIR: Type.String({
    default: DEFAULT_TV_DIST,
    description: 'built TV applet, served at /tv-preview/ for the alert preview',
  }),
  KZ_CONSOLE_CARD_BRIDGE_URL: Type.String({
    pattern: '^wss?://',
    default: 'ws://127.0.0.1:18860',
    description: 'the card-reader bridge on each staff PC (jpki startCardBridge), for staff card login',
  }),
  KZ_CONSOLE_MAP_STYLE_URL: Type.String({
    pattern: '^(https?://.+)?$',
    default: '',
    description:
      'a base map for the staff UI map (a MapLibre style URL, e.g. GSI vector tiles); empty: no base map, a plain background (works with no internet)',
  }),
  KZ_CONSOLE_MAP_ORIGINS: Type.String({
    pattern: '^(https?://[^\\s,/]+(,https?://[^\\s,/]+)*)?$',
    default: '',
    description:
      "origins besides the style's own that the base map loads tiles, glyphs or sprites from (comma-separated), allowed by the UI's content security policy",
  }),
});

/**
 * The staff UI's own policy: helmet's, plus the card-reader bridge's origin in connect-src, the
 * map's web worker (MapLibre starts it from a blob), and a configured base map's origins.
 */
export function consoleCsp(bridgeUrl: string, mapOrigins: string[] = []): string {
  const u = new URL(bridgeUrl);
  const map = mapOrigins.map((o) => ` ${o}`).join('');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${map}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self' ${u.protocol}//${u.host}${map}`,
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export const CSRF_HEADER = 'x-kz-csrf';

/** `vite build` of municipal-console/web into outDir (default web/dist). */
export async function buildConsoleWeb(opts: { outDir?: string; minify?: boolean } = {}): Promise<{ outDir: string }> {
  const outDir = resolve(opts.outDir ?? DEFAULT_WEB_DIST);
  const { build } = await import('vite');
  await build({
    root: WEB_DIR,
    base: '/',
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2020',
      minify: opts.minify ?? true,
      sourcemap: false,
      reportCompressedSize: false,
      // maplibre-gl is one ≈ 1 MB chunk (≈ 270 KB gzip), fetched only when a map is first shown
      chunkSizeWarningLimit: 1100,
    },
  });
  return { outDir };
}

export interface WebPluginOptions {
  webDistDir?: string;
  tvDistDir?: string;
  cardBridgeUrl?: string;
}

/** Register on the console app after its API routes: `await consoleWebPlugin(app, ctx)`. */
export async function consoleWebPlugin(
  app: FastifyInstance,
  ctx: ConsoleContext,
  opts: WebPluginOptions = {},
): Promise<void> {
  const cfg = loadConfig(WebConfigSchema);
  const webDist = resolve(opts.webDistDir ?? cfg.KZ_CONSOLE_WEB_DIST_DIR);
  const tvDist = resolve(opts.tvDistDir ?? cfg.KZ_CONSOLE_TV_DIST_DIR);
  const bridgeUrl = opts.cardBridgeUrl ?? cfg.KZ_CONSOLE_CARD_BRIDGE_URL;
  const mapStyleUrl = cfg.KZ_CONSOLE_MAP_STYLE_URL;
  const mapOrigins = [
    ...new Set([
      ...(mapStyleUrl ? [new URL(mapStyleUrl).origin] : []),
      ...cfg.KZ_CONSOLE_MAP_ORIGINS.split(',').filter(Boolean),
    ]),
  ];
  const csp = consoleCsp(bridgeUrl, mapOrigins);

  app.addHook('onRequest', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    if (req.headers.authorization?.startsWith('Bearer ')) return;
    // Cookie parsers trim names ("kz_console_session =…" is the session cookie too): compare trimmed names.
    const hasCookie = (req.headers.cookie ?? '').split(';').some((c) => c.split('=')[0]!.trim() === SESSION_COOKIE);
    if (hasCookie && req.headers[CSRF_HEADER] !== '1')
      throw uiErrors.KZ_CONSOLE_CSRF(`${req.method} ${req.url.split('?')[0]}`);
  });

  await app.register(async (a) => {
    a.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    await uiRoutes(a, ctx);
    await mapRoutes(a, ctx);
    a.withTypeProvider<TypeBoxTypeProvider>().get(
      '/api/ui-config',
      {
        schema: {
          tags: ['session'],
          summary:
            'What the login screen needs before anyone is logged in: whether card login is on, and the card-reader bridge to use',
          response: {
            200: Type.Object({
              cardLogin: Type.Boolean(),
              cardBridgeUrl: Type.String(),
              mapStyleUrl: Type.Union([Type.String(), Type.Null()], {
                description: 'the base map style (KZ_CONSOLE_MAP_STYLE_URL); null: none, a plain background',
              }),
            }),
          },
        },
      },
      async () => ({ cardLogin: !!ctx.verifier, cardBridgeUrl: bridgeUrl, mapStyleUrl: mapStyleUrl || null }),
    );
  });

  // Both bundles are looked up per request: the launcher may build them after the server starts.
  await app.register(async (a) => {
    // The applet's own policy (tv-app/server), except that this origin may frame it.
    a.addHook('onSend', async (_req, reply, payload) => {
      reply.header(
        'content-security-policy',
        [
          "default-src 'self'",
          "script-src 'self' 'unsafe-eval'",
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data: blob:",
          "worker-src 'self' blob:",
          "connect-src 'self'",
          "font-src 'self'",
          "object-src 'none'",
          "base-uri 'none'",
          "frame-ancestors 'self'",
        ].join('; '),
      );
      return payload;
    });
    await a.register(fastifyStatic, {
      root: tvDist,
      prefix: '/tv-preview/',
      decorateReply: false,
      index: ['index.html'],
    });
  });
  await app.register(async (a) => {
    a.addHook('onSend', async (_req, reply, payload) => {
      reply.header('content-security-policy', csp);
      return payload;
    });
    a.addHook('onRequest', async (req) => {
      if ((req.url === '/' || req.url.startsWith('/index.html')) && !existsSync(join(webDist, 'index.html')))
        throw uiErrors.KZ_CONSOLE_WEB_NOT_BUILT(webDist);
    });
    await a.register(fastifyStatic, { root: webDist, prefix: '/', decorateReply: false, index: ['index.html'] });
  });
}
