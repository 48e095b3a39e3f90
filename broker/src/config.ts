/**
 * Configuration of the broker run alone (`npx tsx broker/src/server.ts`). The system launcher
 * builds the broker from the same options without reading these.
 */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';
import { BROKER_LIMIT_DEFAULTS, type BrokerLimits } from './aedes-guards.ts';

const Port = (def: number, what: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: def, description: `${what} (TCP port; 0 picks a free one)` });

export const BrokerConfigSchema = Type.Object({
  KZ_BROKER_MODE: Type.Union(
    [Type.Literal('embedded'), Type.Literal('mosquitto'), Type.Literal('rabbitmq'), Type.Literal('rabbitmq-cluster')],
    {
      default: 'embedded',
      description:
        'Which broker runs: embedded aedes, a private Mosquitto child, a private RabbitMQ node, or a private 3-node RabbitMQ cluster (the first node on KZ_BROKER_PORT)',
    },
  ),
  KZ_BROKER_HOST: Type.String({ default: '127.0.0.1', description: 'Address the listeners bind to' }),
  KZ_BROKER_PORT: Port(18830, 'MQTT (MQTTS when TLS files are set)'),
  KZ_BROKER_WS_PORT: Port(18831, 'MQTT over WebSocket (WSS with TLS); embedded and mosquitto modes'),
  KZ_BROKER_AUTH_PORT: Port(18832, "HTTP auth service for RabbitMQ's auth backend and EMQX's HTTP authn/authz hooks"),
  KZ_BROKER_DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'Credential database on PostgreSQL (default: embedded PGlite in KZ_BROKER_DATA_DIR)',
    }),
  ),
  KZ_BROKER_DATA_DIR: Type.String({
    default: '.data/broker-db',
    description: "PGlite data directory; 'memory' keeps nothing",
  }),
  KZ_BROKER_TLS_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM certificate chain for mqtts:// and wss:// (embedded mode)' }),
  ),
  KZ_BROKER_TLS_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM private key for the certificate' }),
  ),
  KZ_BROKER_LOGIN_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    default: 60_000,
    description: 'How long a verified device password is remembered (milliseconds); revocation is still immediate',
  }),
  KZ_BROKER_BALANCER: Type.Union([Type.Literal('none'), Type.Literal('haproxy')], {
    default: 'none',
    description:
      "rabbitmq-cluster mode: 'haproxy' puts Debian's HAProxy in front of the nodes (TCP, least connections, health-checked): it takes KZ_BROKER_PORT and KZ_BROKER_WS_PORT, and the nodes get free ports",
  }),
  KZ_BROKER_RABBITMQ_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    default: 5_000,
    description:
      'RabbitMQ auth cache TTL (milliseconds): how long vhost, queue and topic answers are kept (logins are never cached)',
  }),
  KZ_BROKER_MAX_PACKET_BEFORE_LOGIN: Type.Integer({
    minimum: 256,
    maximum: 65_536,
    default: BROKER_LIMIT_DEFAULTS.maxPacketBeforeLogin,
    description: 'Largest MQTT packet (bytes) a socket may send before its login is accepted (embedded mode)',
  }),
  KZ_BROKER_MAX_PACKET_DEVICE: Type.Integer({
    minimum: 1024,
    maximum: 268_435_455,
    default: BROKER_LIMIT_DEFAULTS.maxPacketDevice,
    description:
      'Largest MQTT packet (bytes) a logged-in TV or terminal may send; larger closes its connection (embedded mode)',
  }),
  KZ_BROKER_MAX_PACKET_SERVER: Type.Integer({
    minimum: 1024,
    maximum: 268_435_455,
    default: BROKER_LIMIT_DEFAULTS.maxPacketServer,
    description:
      "Largest MQTT packet (bytes) a logged-in server (console, post-box) may send; Mosquitto's max_packet_size",
  }),
  KZ_BROKER_CONNECT_TIMEOUT_MS: Type.Integer({
    minimum: 500,
    maximum: 120_000,
    default: BROKER_LIMIT_DEFAULTS.connectTimeoutMs,
    description:
      'A socket (or TLS handshake) that has not completed its CONNECT in this time is closed (milliseconds; embedded mode)',
  }),
  KZ_BROKER_MAX_PENDING_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: BROKER_LIMIT_DEFAULTS.maxPendingPerAddress,
    description:
      'Sockets not yet logged in from one IP address; more are closed at once (raise it behind carrier-grade NAT; embedded mode)',
  }),
  KZ_BROKER_MAX_PENDING_TOTAL: Type.Integer({
    minimum: 1,
    default: BROKER_LIMIT_DEFAULTS.maxPendingTotal,
    description:
      'Sockets not yet logged in, in total; more are closed at once. After a restart all TVs wait for their login together: keep it above the number of TVs (embedded mode)',
  }),
  KZ_BROKER_MAX_QUEUED_MESSAGES: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: BROKER_LIMIT_DEFAULTS.maxQueuedMessages,
    description:
      "QoS 1 messages queued for one offline TV; the oldest are dropped above it (Mosquitto's max_queued_messages, for every client)",
  }),
  KZ_BROKER_MAX_QUEUED_BYTES: Type.Integer({
    minimum: 65_536,
    maximum: 1_073_741_824,
    default: BROKER_LIMIT_DEFAULTS.maxQueuedBytes,
    description:
      "Bytes (topic + payload) queued for one offline TV; the oldest are dropped above it (Mosquitto's max_queued_bytes, for every client)",
  }),
  KZ_BROKER_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export type BrokerConfig = ReturnType<typeof loadBrokerConfig>;
export const loadBrokerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(BrokerConfigSchema, env);

/** The limits the KZ_BROKER_* variables set (docs/OPERATIONS.md "Broker limits"). */
export function brokerLimitsOf(cfg: BrokerConfig): BrokerLimits {
  return {
    maxPacketBeforeLogin: cfg.KZ_BROKER_MAX_PACKET_BEFORE_LOGIN,
    maxPacketDevice: cfg.KZ_BROKER_MAX_PACKET_DEVICE,
    maxPacketServer: cfg.KZ_BROKER_MAX_PACKET_SERVER,
    connectTimeoutMs: cfg.KZ_BROKER_CONNECT_TIMEOUT_MS,
    maxPendingPerAddress: cfg.KZ_BROKER_MAX_PENDING_PER_ADDRESS,
    maxPendingTotal: cfg.KZ_BROKER_MAX_PENDING_TOTAL,
    maxQueuedMessages: cfg.KZ_BROKER_MAX_QUEUED_MESSAGES,
    maxQueuedBytes: cfg.KZ_BROKER_MAX_QUEUED_BYTES,
  };
}
