/** Configuration of the TV applet's file server when it runs alone (`npx tsx tv-app/server/main.ts`). */
import Type from 'typebox';
import { coreErrors, loadConfig, type TlsFiles } from '@kizuna/core';

export const TvServerConfigSchema = Type.Object({
  KZ_TV_HOST: Type.String({ default: '127.0.0.1', description: 'Address the TV applet server listens on' }),
  KZ_TV_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18810,
    description: 'TV applet server port (TCP; 0 picks a free one)',
  }),
  KZ_TV_DIST: Type.Optional(Type.String({ description: 'Directory of the built bundle (default: tv-app/dist)' })),
  KZ_TV_BUILD: Type.Boolean({
    default: true,
    description: 'Build the bundle before serving (false: serve what is in KZ_TV_DIST)',
  }),
  KZ_TV_CONSOLE_URL: Type.Optional(
    Type.String({
      description:
        'Municipal console base URL; its card-binding API is forwarded at /console/api/bind (TV: console=/console)',
    }),
  ),
  KZ_TV_GATEWAY_URL: Type.Optional(
    Type.String({
      description:
        'Insurer gateway base URL; its post-box API is forwarded at /gateway/postbox/v1 (TV: postbox=/gateway)',
    }),
  ),
  KZ_TV_TLS_CERT_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'PEM certificate chain: the TV applet server serves HTTPS with HSTS (falls back to KZ_TLS_CERT_FILE)',
    }),
  ),
  KZ_TV_TLS_KEY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM private key of KZ_TV_TLS_CERT_FILE (falls back to KZ_TLS_KEY_FILE)',
    }),
  ),
  KZ_TLS_CERT_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'One certificate for every Kizuna server (used when KZ_TV_TLS_CERT_FILE is not set)',
    }),
  ),
  KZ_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of KZ_TLS_CERT_FILE' })),
  KZ_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export const loadTvServerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(TvServerConfigSchema, env);

/**
 * The TLS files of the TV server: its own pair, else the one certificate every server uses, else
 * plain HTTP. Half a pair is a configuration error, never a silent fall back to HTTP.
 */
export function tvTlsFrom(cfg: {
  KZ_TV_TLS_CERT_FILE?: string | undefined;
  KZ_TV_TLS_KEY_FILE?: string | undefined;
  KZ_TLS_CERT_FILE?: string | undefined;
  KZ_TLS_KEY_FILE?: string | undefined;
}): TlsFiles | undefined {
  for (const [cert, key, names] of [
    [cfg.KZ_TV_TLS_CERT_FILE, cfg.KZ_TV_TLS_KEY_FILE, 'KZ_TV_TLS_CERT_FILE and KZ_TV_TLS_KEY_FILE'],
    [cfg.KZ_TLS_CERT_FILE, cfg.KZ_TLS_KEY_FILE, 'KZ_TLS_CERT_FILE and KZ_TLS_KEY_FILE'],
  ] as const) {
    if (!!cert !== !!key) throw coreErrors.KZ_CONFIG_INVALID(`${names} go together: set both or neither`);
    if (cert && key) return { certFile: cert, keyFile: key };
  }
  return undefined;
}
