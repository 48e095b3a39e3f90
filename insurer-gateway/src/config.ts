/** Configuration of the insurer gateway when run alone (`src/server.ts`); units in each description. */
import Type, { type Static } from 'typebox';
import { loadConfig } from '@kizuna/core';

export const GatewayConfigSchema = Type.Object({
  KZ_GATEWAY_HOST: Type.String({ default: '127.0.0.1', description: 'Address to listen on' }),
  KZ_GATEWAY_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18850,
    description: 'TCP port (0 picks a free one)',
  }),
  KZ_GATEWAY_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL; empty for embedded PGlite' }),
  ),
  KZ_GATEWAY_DATA_DIR: Type.String({
    default: '.data/insurer-gateway',
    description: "PGlite data directory ('memory' keeps nothing)",
  }),
  KZ_GATEWAY_OPERATOR_TOKEN: Type.Optional(
    Type.String({ minLength: 24, description: 'Bearer token for the operator API (/operator/v1); unset disables it' }),
  ),
  KZ_GATEWAY_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
  KZ_GATEWAY_AUTHORITY_URL: Type.String({
    default: 'http://127.0.0.1:18840',
    description: 'Certificate authority (OCSP/CRL, trust anchors, renewal links)',
  }),
  KZ_GATEWAY_MQTT_URL: Type.Optional(
    Type.String({ description: 'MQTT broker URL for "mail waiting" notices (post-box identity)' }),
  ),
  KZ_GATEWAY_MQTT_USERNAME: Type.Optional(Type.String({ description: 'MQTT username of the post-box service' })),
  KZ_GATEWAY_MQTT_PASSWORD: Type.Optional(Type.String({ description: 'MQTT password of the post-box service' })),
  KZ_GATEWAY_CONSOLES: Type.Optional(
    Type.String({
      description:
        'Municipal consoles asked whether a TV is bound to the resident before it gets "mail waiting": muni=url pairs, comma-separated (the MQTT credentials above authenticate); unset links no TV',
    }),
  ),
  KZ_GATEWAY_TLS_CERT_FILE: Type.Optional(Type.String({ description: 'PEM server certificate chain; enables HTTPS' })),
  KZ_GATEWAY_TLS_KEY_FILE: Type.Optional(Type.String({ description: 'PEM server key' })),
  KZ_GATEWAY_TLS_CLIENT_CA_FILE: Type.Optional(
    Type.String({ description: 'PEM CA bundle for insurer client certificates (mutual TLS)' }),
  ),
  KZ_GATEWAY_SESSION_TTL_S: Type.Integer({
    minimum: 60,
    default: 1800,
    description: 'Post-box login session lifetime (seconds)',
  }),
  KZ_GATEWAY_SIGNATURE_WINDOW_S: Type.Integer({
    minimum: 5,
    maximum: 3600,
    default: 300,
    description: 'Allowed clock skew of signed insurer requests (seconds)',
  }),
  KZ_GATEWAY_STATUS_CACHE_MS: Type.Integer({
    minimum: 0,
    maximum: 300_000,
    default: 0,
    description:
      'Reuse a revocation answer (OCSP) for this long (ms, never past its nextUpdate) when verifying reports and logins; 0 asks the authority at every use',
  }),
  KZ_GATEWAY_OCSP_NONCE: Type.Boolean({
    default: true,
    description:
      "Send a nonce with every OCSP request and require it echoed (true: each answer made for this request). false accepts the responder's pre-produced answers (RFC 5019), no older than 5 min by their thisUpdate; much cheaper for the responder",
  }),
  KZ_GATEWAY_WATCH_INTERVAL_S: Type.Integer({
    minimum: 1,
    default: 240,
    description:
      "How often enrolled signing certificates are re-checked with the authority (seconds); a revocation reaches the insurer within about 9/8 of this, or within seconds through the authority's change feed",
  }),
  KZ_GATEWAY_REVOCATION_FEED: Type.Boolean({
    default: true,
    description:
      "Follow the authority's change feed (GET /events, a long poll) so revocations reach insurers within seconds; the periodic re-check stays the safety net",
  }),
  KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE: Type.String({
    default: '',
    description:
      'Comma-separated CIDR ranges webhooks may reach besides HTTPS on public addresses, over HTTP too (e.g. 127.0.0.0/8 for a receiver on this machine); empty: none',
  }),
  KZ_GATEWAY_WEBHOOK_INTERVAL_S: Type.Integer({
    minimum: 1,
    default: 2,
    description: 'How often due webhook deliveries are attempted (seconds)',
  }),
  KZ_GATEWAY_NOTICE_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 90,
    description: 'Days a closed notice (answered, withdrawn or past due) stays in the post-box before deletion',
  }),
  KZ_GATEWAY_REPORT_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 3653,
    description: 'Days signed reports and their evidence are kept for audit (default 10 years)',
  }),
  KZ_GATEWAY_IDEMPOTENCY_DAYS: Type.Integer({
    minimum: 1,
    default: 90,
    description:
      "Days a notice's externalRef (idempotency key) is kept after first use, even if the notice is deleted; the same key with another request is refused meanwhile",
  }),
  KZ_GATEWAY_EVENT_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Days an acknowledged insurer event is kept',
  }),
});

/** KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE as a list (each range is checked when the gateway is built). */
export const allowPrivateRanges = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export type GatewayConfig = Readonly<Static<typeof GatewayConfigSchema>>;
export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  loadConfig(GatewayConfigSchema, env);
