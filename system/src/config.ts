/**
 * Configuration of `npm start`: the whole system in one process. Embedded engines by default
 * (PGlite under KZ_DATA_DIR, embedded aedes); set a URL to use a real server instead.
 */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';
import { GatewayConfigSchema } from '@kizuna/insurer-gateway';

const Port = (def: number, what: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: def, description: `${what} (TCP port; 0 picks a free one)` });
const Url = (what: string) => Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: what }));

export const SystemConfigSchema = Type.Object({
  KZ_HOST: Type.String({
    default: '127.0.0.1',
    description: 'Address every server listens on (loopback for the demo)',
  }),
  KZ_DATA_DIR: Type.String({
    default: '.data',
    description:
      "Where embedded databases, the authority's keys and demo cards live; 'memory' keeps everything in memory",
  }),
  KZ_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level' },
  ),
  KZ_CONSOLE_PORT: Port(18800, 'Municipal console (staff UI and API)'),
  KZ_TV_PORT: Port(18810, 'TV applet'),
  KZ_SHELTER_PORT: Port(18820, 'Shelter terminal kiosk'),
  KZ_BROKER_PORT: Port(18830, 'Embedded MQTT broker'),
  KZ_BROKER_WS_PORT: Port(18831, 'Embedded MQTT broker over WebSocket (TVs and kiosks in browsers)'),
  KZ_AUTHORITY_PORT: Port(18840, 'Test certificate authority: OCSP responder and CRLs'),
  KZ_GATEWAY_PORT: Port(18850, 'Insurer gateway and post-box'),
  KZ_BRIDGE_PORT: Port(18860, 'Card-reader bridge (WebSocket) for the browser apps'),
  KZ_TLS_CERT_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'PEM certificate chain: the console, gateway, shelter terminal and authority serve HTTPS, the broker mqtts:// and wss:// (loopback demo: plain)',
    }),
  ),
  KZ_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of KZ_TLS_CERT_FILE' })),
  KZ_CONSOLE_DATABASE_URL: Url('Municipality database on PostgreSQL (default: embedded PGlite under KZ_DATA_DIR)'),
  KZ_GATEWAY_DATABASE_URL: Url('Post-box/gateway database on PostgreSQL (default: embedded PGlite)'),
  KZ_BROKER_DATABASE_URL: Url('Broker credential database on PostgreSQL (default: embedded PGlite)'),
  KZ_GATEWAY_WATCH_INTERVAL_S: GatewayConfigSchema.properties.KZ_GATEWAY_WATCH_INTERVAL_S,
  KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE: GatewayConfigSchema.properties.KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE,
});

export type SystemConfig = ReturnType<typeof loadSystemConfig>;
export const loadSystemConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(SystemConfigSchema, env);
