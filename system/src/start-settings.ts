/**
 * What `npm start` takes from the parts' own variables (.env.example lists them per server): every
 * KZ_CONSOLE_*, KZ_GATEWAY_*, KZ_JPKI_*, KZ_BROKER_AUTH_PORT and the broker's limits is applied to the part npm start runs, or, where
 * npm start wires the part in-process and the value disagrees, refused with one line saying why.
 * None is silently ignored (system/test/start-settings.test.ts sets each and checks).
 */
import { coreErrors, loadMetricsConfig, type TlsFiles } from '@kizuna/core';
import { allowPrivateRanges, loadGatewayConfig, type StartOptions } from '@kizuna/insurer-gateway';
import { loadJpkiConfig } from '@kizuna/jpki';
import { brokerLimitsOf, loadBrokerConfig, type BrokerLimits } from '@kizuna/broker';
import { consoleTuning, loadConsoleConfig, type ConsoleTuning } from '@kizuna/municipal-console';
import type { SystemConfig } from './config.ts';

type Env = Record<string, string | undefined>;

export interface StartSettings {
  system: SystemConfig;
  metricsToken: string | undefined;
  console: {
    host: string;
    /** Where its embedded database goes (default KZ_DATA_DIR/municipality-db). */
    dataDir: string | undefined;
    logLevel: string;
    tls: TlsFiles | undefined;
    options: ConsoleTuning;
    /**
     * Its publishing connections (KZ_CONSOLE_MQTT_PUBLISHERS); unset: 8 on a cluster (RabbitMQ: each
     * publish waits for the auth service's answer about its topic), none on the embedded broker.
     */
    publishers: number;
    /** The audit chain's key (value or file) and head file; unset: npm start's defaults under KZ_DATA_DIR. */
    audit: { key: string | undefined; keyFile: string | undefined; headFile: string | undefined };
  };
  authority: {
    host: string;
    port: number;
    bridgePort: number;
    dataDir: string | undefined;
    publicUrl: string;
    ocspValidityMs: number;
    crlValidityMs: number;
    tls: TlsFiles | undefined;
    logLevel: string;
  };
  gateway: {
    host: string;
    dataDir: string | undefined;
    logLevel: string;
    tls: TlsFiles | undefined;
    statusCacheMs: number;
    ocspNonce: boolean;
    options: Pick<
      StartOptions,
      | 'operatorToken'
      | 'signatureWindowS'
      | 'sessionTtlS'
      | 'watchIntervalS'
      | 'webhookTickMs'
      | 'retention'
      | 'idempotencyDays'
      | 'webhookAllowPrivate'
    >;
    /** Follow the authority's change feed (KZ_GATEWAY_REVOCATION_FEED). */
    revocationFeed: boolean;
  };
  /** RabbitMQ's HTTP auth backend over npm start's credential store, when KZ_BROKER_AUTH_PORT is set. */
  brokerAuthPort: number | undefined;
  /** The embedded broker's limits before and after login (KZ_BROKER_MAX_*, KZ_BROKER_CONNECT_TIMEOUT_MS). */
  brokerLimits: BrokerLimits;
}

const refuse = (detail: string) => coreErrors.KZ_CONFIG_INVALID(detail);

function tlsPair(cert: string | undefined, key: string | undefined, what: string): TlsFiles | undefined {
  if (!!cert !== !!key) throw refuse(`${what}_CERT_FILE and ${what}_KEY_FILE go together: set both or neither`);
  return cert && key ? { certFile: cert, keyFile: key } : undefined;
}

/** The one port for a part that both npm start's and the part's own variable can name. */
function port(env: Env, own: string, ours: string, fallback: number): number {
  const a = env[own];
  const b = env[ours];
  if (a !== undefined && b !== undefined && Number(a) !== Number(b))
    throw refuse(`${own}=${a} and ${ours}=${b} name the same port under npm start; set one`);
  return a !== undefined ? Number(a) : fallback;
}

export function startSettings(system: SystemConfig, env: Env = process.env): StartSettings {
  const has = (k: string) => env[k] !== undefined && env[k] !== '';
  const con = loadConsoleConfig(env);
  const gw = loadGatewayConfig(env);
  const jp = loadJpkiConfig(env);
  const broker = loadBrokerConfig(env);
  const sharedTls = tlsPair(system.KZ_TLS_CERT_FILE, system.KZ_TLS_KEY_FILE, 'KZ_TLS');

  // The authority npm start runs in-process, on KZ_JPKI_* where given.
  const authorityHost = has('KZ_JPKI_HOST') ? jp.KZ_JPKI_HOST : system.KZ_HOST;
  const authorityPort = port(env, 'KZ_JPKI_AUTHORITY_PORT', 'KZ_AUTHORITY_PORT', system.KZ_AUTHORITY_PORT);
  const authorityTls = tlsPair(jp.KZ_JPKI_TLS_CERT_FILE, jp.KZ_JPKI_TLS_KEY_FILE, 'KZ_JPKI_TLS') ?? sharedTls;
  const authorityUrl = `${authorityTls ? 'https' : 'http'}://${authorityHost}:${authorityPort}`;
  for (const k of ['KZ_JPKI_CARDS_DIR', 'KZ_JPKI_CARD_KEY'])
    if (has(k))
      throw refuse(
        `${k}: npm start's card bridge offers the demo cards it writes under KZ_DATA_DIR/cards; ${k} is for jpki/src/server.ts alone`,
      );

  // The console: the demo municipality, on npm start's broker, authority and credential store.
  for (const [k, why] of [
    ['KZ_CONSOLE_MUNI', 'npm start runs its demo municipality'],
    ['KZ_CONSOLE_MQTT_URL', 'npm start connects the console to its embedded broker as the municipality'],
    ['KZ_CONSOLE_MQTT_USERNAME', 'npm start connects the console to its embedded broker as the municipality'],
    ['KZ_CONSOLE_MQTT_PASSWORD', 'npm start connects the console to its embedded broker as the municipality'],
    ['KZ_CONSOLE_MQTT_INSTANCE', 'npm start runs one console process'],
    ['KZ_CONSOLE_AUTHORITY_URL', "npm start's console uses npm start's own authority"],
    ['KZ_CONSOLE_CREDENTIALS_DATABASE_URL', "npm start's console shares npm start's broker credential store"],
    ['KZ_CONSOLE_ADMIN_USERNAME', 'npm start seeds the demo staff (README)'],
    ['KZ_CONSOLE_ADMIN_PASSWORD', 'npm start seeds the demo staff (README)'],
  ] as const)
    if (has(k)) throw refuse(`${k}: ${why}; ${k} is for municipal-console/src/server.ts alone`);
  const consoleData = has('KZ_CONSOLE_DATA_DIR') ? con.KZ_CONSOLE_DATA_DIR : undefined;
  const inConsoleData = (name: string) =>
    consoleData && consoleData !== 'memory' ? `${consoleData.replace(/\/$/, '')}/${name}` : undefined;

  // The gateway: wired to that authority and to the embedded broker in-process.
  if (has('KZ_GATEWAY_AUTHORITY_URL') && gw.KZ_GATEWAY_AUTHORITY_URL.replace(/\/$/, '') !== authorityUrl)
    throw refuse(
      `KZ_GATEWAY_AUTHORITY_URL=${gw.KZ_GATEWAY_AUTHORITY_URL}: npm start's gateway uses npm start's own authority (${authorityUrl}); unset it, or run the gateway alone`,
    );
  for (const k of ['KZ_GATEWAY_MQTT_URL', 'KZ_GATEWAY_MQTT_USERNAME', 'KZ_GATEWAY_MQTT_PASSWORD'])
    if (has(k))
      throw refuse(
        `${k}: npm start connects the gateway to its embedded broker as the post-box identity; ${k} is for the gateway alone`,
      );
  if (has('KZ_GATEWAY_CONSOLES'))
    throw refuse(
      "KZ_GATEWAY_CONSOLES: npm start's gateway asks npm start's own console which TVs a resident has; KZ_GATEWAY_CONSOLES is for the gateway alone",
    );
  const gatewayTls = tlsPair(gw.KZ_GATEWAY_TLS_CERT_FILE, gw.KZ_GATEWAY_TLS_KEY_FILE, 'KZ_GATEWAY_TLS') ?? sharedTls;
  if (gw.KZ_GATEWAY_TLS_CLIENT_CA_FILE && !gatewayTls)
    throw refuse('KZ_GATEWAY_TLS_CLIENT_CA_FILE (mutual TLS) needs HTTPS: set KZ_GATEWAY_TLS_* or KZ_TLS_* files too');

  return {
    system,
    metricsToken: loadMetricsConfig(env).KZ_METRICS_TOKEN,
    console: {
      host: has('KZ_CONSOLE_HOST') ? con.KZ_CONSOLE_HOST : system.KZ_HOST,
      dataDir: consoleData,
      logLevel: has('KZ_CONSOLE_LOG_LEVEL') ? con.KZ_CONSOLE_LOG_LEVEL : system.KZ_LOG_LEVEL,
      tls: tlsPair(con.KZ_CONSOLE_TLS_CERT_FILE, con.KZ_CONSOLE_TLS_KEY_FILE, 'KZ_CONSOLE_TLS') ?? sharedTls,
      options: consoleTuning(con),
      publishers: has('KZ_CONSOLE_MQTT_PUBLISHERS')
        ? con.KZ_CONSOLE_MQTT_PUBLISHERS
        : system.KZ_SYSTEM_BROKER === 'embedded'
          ? 0
          : 8,
      audit: {
        key: con.KZ_CONSOLE_AUDIT_KEY,
        keyFile: con.KZ_CONSOLE_AUDIT_KEY_FILE ?? inConsoleData('audit.key'),
        headFile: con.KZ_CONSOLE_AUDIT_HEAD_FILE ?? inConsoleData('audit-heads.jsonl'),
      },
    },
    authority: {
      host: authorityHost,
      port: authorityPort,
      bridgePort: port(env, 'KZ_JPKI_BRIDGE_PORT', 'KZ_BRIDGE_PORT', system.KZ_BRIDGE_PORT),
      dataDir: has('KZ_JPKI_DATA_DIR') ? jp.KZ_JPKI_DATA_DIR : undefined,
      publicUrl: jp.KZ_JPKI_PUBLIC_URL ?? authorityUrl,
      ocspValidityMs: jp.KZ_JPKI_OCSP_VALIDITY * 1000,
      crlValidityMs: jp.KZ_JPKI_CRL_VALIDITY * 1000,
      tls: authorityTls,
      logLevel: has('KZ_JPKI_LOG_LEVEL') ? jp.KZ_JPKI_LOG_LEVEL : system.KZ_LOG_LEVEL,
    },
    gateway: {
      host: has('KZ_GATEWAY_HOST') ? gw.KZ_GATEWAY_HOST : system.KZ_HOST,
      dataDir: has('KZ_GATEWAY_DATA_DIR') ? gw.KZ_GATEWAY_DATA_DIR : undefined,
      logLevel: has('KZ_GATEWAY_LOG_LEVEL') ? gw.KZ_GATEWAY_LOG_LEVEL : system.KZ_LOG_LEVEL,
      tls: gatewayTls && {
        ...gatewayTls,
        caFile: gw.KZ_GATEWAY_TLS_CLIENT_CA_FILE,
        requestClientCert: !!gw.KZ_GATEWAY_TLS_CLIENT_CA_FILE,
      },
      statusCacheMs: gw.KZ_GATEWAY_STATUS_CACHE_MS,
      ocspNonce: gw.KZ_GATEWAY_OCSP_NONCE,
      options: {
        operatorToken: gw.KZ_GATEWAY_OPERATOR_TOKEN,
        signatureWindowS: gw.KZ_GATEWAY_SIGNATURE_WINDOW_S,
        sessionTtlS: gw.KZ_GATEWAY_SESSION_TTL_S,
        watchIntervalS: gw.KZ_GATEWAY_WATCH_INTERVAL_S,
        webhookTickMs: gw.KZ_GATEWAY_WEBHOOK_INTERVAL_S * 1000,
        retention: {
          noticeDays: gw.KZ_GATEWAY_NOTICE_RETENTION_DAYS,
          reportDays: gw.KZ_GATEWAY_REPORT_RETENTION_DAYS,
          eventDays: gw.KZ_GATEWAY_EVENT_RETENTION_DAYS,
        },
        idempotencyDays: gw.KZ_GATEWAY_IDEMPOTENCY_DAYS,
        webhookAllowPrivate: allowPrivateRanges(gw.KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE),
      },
      revocationFeed: gw.KZ_GATEWAY_REVOCATION_FEED,
    },
    brokerAuthPort: has('KZ_BROKER_AUTH_PORT') ? broker.KZ_BROKER_AUTH_PORT : undefined,
    brokerLimits: brokerLimitsOf(broker),
  };
}
