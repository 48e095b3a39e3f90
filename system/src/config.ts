/**
 * Configuration of `npm start`: the whole system in one process. Embedded engines by default
 * (PGlite under KZ_DATA_DIR, embedded aedes); set a URL to use a real server instead.
 */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';

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
  KZ_SYSTEM_BROKER: Type.Union(
    ['embedded', 'rabbitmq-cluster', 'external'].map((l) => Type.Literal(l)),
    {
      default: 'embedded',
      description:
        "Which broker the console, terminal, gateway and TVs use: 'embedded' (aedes in this process), 'rabbitmq-cluster' (private RabbitMQ nodes on this machine, MQTT and Web MQTT on each, asking this process's credential store), or 'external' (your cluster: KZ_SYSTEM_MQTT_URLS, KZ_SYSTEM_MQTT_WS_URLS; its nodes ask an auth service over KZ_BROKER_DATABASE_URL or this process's on KZ_BROKER_AUTH_PORT)",
    },
  ),
  KZ_SYSTEM_BROKER_NODES: Type.Integer({
    minimum: 1,
    maximum: 9,
    default: 3,
    description:
      'RabbitMQ nodes KZ_SYSTEM_BROKER=rabbitmq-cluster starts (the first on KZ_BROKER_PORT / KZ_BROKER_WS_PORT)',
  }),
  KZ_SYSTEM_BROKER_SESSIONS: Type.Union(
    ['quorum', 'classic'].map((l) => Type.Literal(l)),
    {
      default: 'quorum',
      description:
        "KZ_SYSTEM_BROKER=rabbitmq-cluster: where the console's and terminal's persistent sessions live: 'quorum' (replicated: a client whose node is lost goes on on another node) or 'classic' (on one node: until it is back, the client cannot subscribe on any node). TVs use clean sessions on a cluster",
    },
  ),
  KZ_SYSTEM_MQTT_URLS: Type.Optional(
    Type.String({
      pattern: '^mqtts?://[^,\\s]+(,mqtts?://[^,\\s]+)*$',
      description: "KZ_SYSTEM_BROKER=external: every node's MQTT URL, comma-separated (console, terminal, gateway)",
    }),
  ),
  KZ_SYSTEM_MQTT_WS_URLS: Type.Optional(
    Type.String({
      pattern: '^wss?://[^,\\s]+(,wss?://[^,\\s]+)*$',
      description:
        "KZ_SYSTEM_BROKER=external: every node's MQTT-over-WebSocket URL, comma-separated (TVs; RabbitMQ Web MQTT: ws://host:15675/ws)",
    }),
  ),
});

export type SystemConfig = ReturnType<typeof loadSystemConfig>;
export const loadSystemConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(SystemConfigSchema, env);
