/** Configuration of the TV applet's file server when it runs alone (`npx tsx tv-app/server/main.ts`). */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';

export const TvServerConfigSchema = Type.Object({
  KZ_TV_HOST: Type.String({ default: '127.0.0.1', description: 'Address the TV applet server listens on' }),
  KZ_TV_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 18810, description: 'TV applet server port (TCP; 0 picks a free one)' }),
  KZ_TV_DIST: Type.Optional(Type.String({ description: 'Directory of the built bundle (default: tv-app/dist)' })),
  KZ_TV_BUILD: Type.Boolean({ default: true, description: 'Build the bundle before serving (false: serve what is in KZ_TV_DIST)' }),
  KZ_TV_CONSOLE_URL: Type.Optional(Type.String({ description: 'Municipal console base URL; its card-binding API is forwarded at /console/api/bind (TV: console=/console)' })),
  KZ_TV_GATEWAY_URL: Type.Optional(Type.String({ description: 'Insurer gateway base URL; its post-box API is forwarded at /gateway/postbox/v1 (TV: postbox=/gateway)' })),
  KZ_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export const loadTvServerConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(TvServerConfigSchema, env);
