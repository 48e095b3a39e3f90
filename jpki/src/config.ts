/** Configuration of `jpki/src/server.ts` (the authority and the card-reader bridge run alone). */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';

export const JpkiConfigSchema = Type.Object({
  KZ_JPKI_HOST: Type.String({ default: '127.0.0.1', description: 'Address the authority and the bridge listen on' }),
  KZ_JPKI_AUTHORITY_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18840,
    description: 'Authority HTTP port: OCSP, CRLs, CA certificates, links (TCP port; 0 picks a free one)',
  }),
  KZ_JPKI_BRIDGE_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18860,
    description: 'Card-reader bridge WebSocket port (TCP port; 0 picks a free one)',
  }),
  KZ_JPKI_DATA_DIR: Type.String({
    default: '.data/jpki',
    description: "Directory of the authority's keys and register ('memory' keeps them in memory)",
  }),
  KZ_JPKI_PUBLIC_URL: Type.Optional(
    Type.String({
      description: 'Base URL written into new certificates (OCSP, CRL); default http://HOST:AUTHORITY_PORT',
    }),
  ),
  KZ_JPKI_CARDS_DIR: Type.Optional(
    Type.String({ description: 'Directory of *.card files that the bridge offers (none when unset)' }),
  ),
  KZ_JPKI_CARD_KEY: Type.Optional(Type.String({ description: 'Key that opens the card files in KZ_JPKI_CARDS_DIR' })),
  KZ_JPKI_OCSP_VALIDITY: Type.Integer({
    minimum: 1,
    default: 300,
    description: 'Validity of each OCSP answer (seconds)',
  }),
  KZ_JPKI_CRL_VALIDITY: Type.Integer({ minimum: 1, default: 3600, description: 'Validity of each CRL (seconds)' }),
  KZ_JPKI_TLS_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM certificate chain: the authority serves HTTPS' }),
  ),
  KZ_JPKI_TLS_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM private key of KZ_JPKI_TLS_CERT_FILE' }),
  ),
  KZ_JPKI_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export type JpkiConfig = ReturnType<typeof loadJpkiConfig>;
export const loadJpkiConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(JpkiConfigSchema, env);
