/** The console's configuration (KZ_CONSOLE_*), validated once at start. Units are in each description. */
import Type from 'typebox';
import { loadConfig } from '@kizuna/core';

export const ConsoleConfigSchema = Type.Object({
  KZ_CONSOLE_HOST: Type.String({ default: '127.0.0.1', description: 'Address to listen on' }),
  KZ_CONSOLE_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 18800,
    description: 'HTTP port (0 picks a free one)',
  }),
  KZ_CONSOLE_MUNI: Type.String({
    pattern: '^\\d{6}$',
    default: '999997',
    description: "The municipality's local-government code (6 digits with check digit)",
  }),
  KZ_CONSOLE_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL; unset uses embedded PGlite' }),
  ),
  KZ_CONSOLE_DATA_DIR: Type.String({
    default: '.data/console',
    description: "PGlite data directory ('memory' keeps nothing)",
  }),
  KZ_CONSOLE_MQTT_URL: Type.String({
    default: 'mqtt://127.0.0.1:18830',
    description: 'MQTT broker URL (mqtt:// or mqtts://)',
  }),
  KZ_CONSOLE_MQTT_USERNAME: Type.String({
    default: 'muni-999997',
    description: "The municipal service's broker username (also its client id)",
  }),
  KZ_CONSOLE_MQTT_PASSWORD: Type.Optional(Type.String({ description: "The municipal service's broker password" })),
  KZ_CONSOLE_MQTT_INSTANCE: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{1,28}$',
      description:
        "This console process's name when several run for one municipality on one database: its broker session is then '<username>~<instance>' (default: one process, client id = username)",
    }),
  ),
  KZ_CONSOLE_MQTT_PUBLISHERS: Type.Integer({
    minimum: 0,
    maximum: 32,
    default: 0,
    description:
      "Extra broker connections that only publish alert messages, each TV's always on the same one ('<username>~p<k>', clean sessions). For a broker that asks an outside service about each topic before taking a connection's next publish (RabbitMQ's HTTP auth backend: 8 in the fault suite); not for Mosquitto",
  }),
  KZ_CONSOLE_RESEND_AFTER_S: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Seconds a TV has to confirm delivery before the alert is sent to it again',
  }),
  KZ_CONSOLE_FANOUT_STALE_S: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      "Seconds without a heartbeat after which another console process takes over an alert's fan-out (its owner died)",
  }),
  KZ_CONSOLE_FANOUT_CHUNK_FIRST: Type.Integer({
    minimum: 1,
    default: 250,
    description: "TVs in an alert fan-out's first chunk (each next chunk twice the last, up to the maximum)",
  }),
  KZ_CONSOLE_FANOUT_CHUNK_MAX: Type.Integer({
    minimum: 1,
    default: 4000,
    description: 'Most TVs in one chunk of an alert fan-out (one journal row, one transaction)',
  }),
  KZ_CONSOLE_WAKE_BOXES: Type.Union([Type.Literal('off'), Type.Literal('on')], {
    default: 'off',
    description:
      "'on': publish a wake (kz/{muni}/tv/{device}/wake, no personal data) just before each TV's personal alert, for boxes whose launcher hook turns the TV on and opens the applet",
  }),
  KZ_CONSOLE_TICK_S: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Seconds between passes of the re-sender and expiry timer',
  }),
  KZ_CONSOLE_RESCUE_AFTER_S: Type.Integer({
    minimum: 0,
    default: 900,
    description: 'Seconds after an alert before people needing help who have not answered join the rescue list',
  }),
  KZ_CONSOLE_SESSION_TTL_S: Type.Integer({
    minimum: 60,
    default: 43_200,
    description: 'Staff session lifetime, seconds',
  }),
  KZ_CONSOLE_SESSION_IDLE_S: Type.Integer({
    minimum: 60,
    default: 1800,
    description: 'Seconds without a request after which a staff session ends (idle timeout)',
  }),
  KZ_CONSOLE_REAUTH_S: Type.Integer({
    minimum: 30,
    default: 300,
    description:
      'Seconds a login or re-authentication counts as fresh: approving a real alert later asks for the password',
  }),
  KZ_CONSOLE_LOGIN_LOCK_AFTER: Type.Integer({
    minimum: 3,
    default: 5,
    description:
      'Failed logins in a row before an account is locked (30 s, doubling per further failure, at most 15 min)',
  }),
  KZ_CONSOLE_LOGIN_FAILURES_PER_ADDRESS: Type.Integer({
    minimum: 10,
    default: 50,
    description: 'Failed logins one client address may make per 15 minutes (successes do not count)',
  }),
  KZ_CONSOLE_TRUST_PROXY: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Reverse proxy addresses or CIDRs (comma-separated) whose X-Forwarded-For names the client; unset trusts none',
    }),
  ),
  KZ_CONSOLE_LIVE_THROTTLE_MS: Type.Integer({
    minimum: 50,
    default: 500,
    description: 'Minimum milliseconds between live status updates of one alert',
  }),
  KZ_CONSOLE_ADMIN_USERNAME: Type.Optional(
    Type.String({ description: 'First administrator, created at start if there is no staff yet' }),
  ),
  KZ_CONSOLE_ADMIN_PASSWORD: Type.Optional(
    Type.String({ minLength: 12, description: "First administrator's password (12–128 characters, not a common one)" }),
  ),
  KZ_CONSOLE_AUTHORITY_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'Certificate authority (trust anchors, OCSP, sign→auth and renewal links); unset disables card binding',
    }),
  ),
  KZ_CONSOLE_CREDENTIALS_DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description:
        "PostgreSQL of the broker's credential store; unset disables device credentials and the TV/terminal login (binding, rosters)",
    }),
  ),
  KZ_CONSOLE_BIND_NONCE_TTL_S: Type.Integer({
    minimum: 30,
    default: 300,
    description: 'Seconds a binding nonce stays usable',
  }),
  KZ_CONSOLE_REVOCATION_CHECK_S: Type.Integer({
    minimum: 0,
    default: 3600,
    description: 'Seconds between two revocation-status checks of one bound card',
  }),
  KZ_CONSOLE_REVOCATION_BATCH: Type.Integer({
    minimum: 1,
    default: 200,
    description: 'Bound cards checked per timer pass',
  }),
  KZ_CONSOLE_ROSTER_WINDOW_DAYS: Type.Integer({
    minimum: 1,
    default: 7,
    description: "Days of check-ins that keep people (and events) on a shelter's roster",
  }),
  KZ_CONSOLE_TLS_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM certificate chain: the console serves HTTPS' }),
  ),
  KZ_CONSOLE_TLS_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM private key of KZ_CONSOLE_TLS_CERT_FILE' }),
  ),
  KZ_CONSOLE_AUDIT_KEY: Type.Optional(
    Type.String({
      minLength: 44,
      description:
        "The audit log's HMAC key, base64 of ≥ 32 random bytes, kept outside the database (default: the key file)",
    }),
  ),
  KZ_CONSOLE_AUDIT_KEY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "File holding the audit log's key, created on first start (default: audit.key in the data directory)",
    }),
  ),
  KZ_CONSOLE_AUDIT_HEAD_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "File the audit log's head is appended to; keep a copy elsewhere (default: audit-heads.jsonl in the data directory)",
    }),
  ),
  KZ_CONSOLE_AUDIT_HEAD_S: Type.Integer({
    minimum: 0,
    default: 300,
    description: "Seconds between two exports of the audit log's head to the log and the head file (0: only at stop)",
  }),
  KZ_CONSOLE_CAP_MAX_BYTES: Type.Integer({
    minimum: 4096,
    maximum: 8 * 1024 * 1024,
    default: 512 * 1024,
    description: 'Bytes a CAP document sent to POST /api/alerts/cap may have (larger: 413 KZ_BODY_TOO_LARGE)',
  }),
  KZ_CONSOLE_CAP_MAX_INFOS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 16,
    description: '<info> blocks (one per language) a CAP document may have',
  }),
  KZ_CONSOLE_CAP_MAX_AREAS: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 64,
    description: '<area> blocks a CAP document may have, over all its <info>s',
  }),
  KZ_CONSOLE_CAP_MAX_POLYGON_POINTS: Type.Integer({
    minimum: 4,
    maximum: 2000,
    default: 2000,
    description: 'Points one CAP <polygon> may have (at most the 2,000 an alert polygon may have)',
  }),
  KZ_CONSOLE_CAP_MAX_POINTS: Type.Integer({
    minimum: 4,
    maximum: 50_000,
    default: 10_000,
    description: 'Points all <polygon>s of one CAP document may have together',
  }),
  KZ_CONSOLE_CAP_MAX_TEXT: Type.Integer({
    minimum: 100,
    maximum: 100_000,
    default: 8000,
    description: 'Characters one text element of a CAP document (description, instruction, …) may have',
  }),
  KZ_CONSOLE_CAP_TRUSTED_SENDERS: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "CAP <sender>s (comma-separated) that may update or cancel alerts of another sender; unset: only an alert's own sender",
    }),
  ),
  KZ_CONSOLE_JMA_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Folder a JMA receiver drops disaster XML files (*.xml) into; read every 5 s, each file moved to done/ or refused/ (docs/OPERATIONS.md). Unset: only POST /api/jma',
    }),
  ),
  KZ_CONSOLE_LOG_LEVEL: Type.String({ default: 'info', description: 'pino log level' }),
});

export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;
export const loadConsoleConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(ConsoleConfigSchema, env);
