/**
 * Run the municipal console alone: `npx tsx municipal-console/src/server.ts`.
 * Reads KZ_CONSOLE_* (see README), opens its own database, logs in to the broker with the
 * municipality's identity, listens, and closes cleanly on SIGINT/SIGTERM.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { createLogger, openDb } from '@kizuna/core';
import { createVerifier, ocspStatusSource } from '@kizuna/jpki';
import { createCredentialStore } from '@kizuna/broker';
import { loadConsoleConfig } from './config.ts';
import { consoleTuning } from './config-options.ts';
import { startConsole } from './app.ts';
import { loadAuditKey } from './staff/audit-head.ts';
import { httpAuthorityLinks } from './authority-links.ts';
import { parkIncoming } from './live/mqtt-park.ts';
import { dropOutgoingOnReconnect } from './live/mqtt-outgoing.ts';
import { consoleMqttOptions } from './live/mqtt-connect.ts';
import { connectPublishers } from './live/mqtt-publishers.ts';

const cfg = loadConsoleConfig();
const logger = createLogger({ name: 'municipal-console', level: cfg.KZ_CONSOLE_LOG_LEVEL });
const db = await openDb({ url: cfg.KZ_CONSOLE_DATABASE_URL, dataDir: cfg.KZ_CONSOLE_DATA_DIR });

// Card binding: the authority's published trust anchors, its OCSP responder (fail closed) and its links.
let binding = {};
if (cfg.KZ_CONSOLE_AUTHORITY_URL) {
  const base = cfg.KZ_CONSOLE_AUTHORITY_URL;
  const res = await fetch(new URL('/ca/anchors.pem', base)).catch((e: Error) => {
    throw new Error(`cannot reach the authority at ${base}: ${e.message}`);
  });
  if (!res.ok) throw new Error(`the authority answered HTTP ${res.status} for its trust anchors`);
  const verifier = createVerifier({
    trustAnchors: await res.text(),
    status: ocspStatusSource(new URL('/ocsp', base).toString()),
  });
  binding = { verifier, authorityLinks: httpAuthorityLinks(base) };
} else {
  logger.warn('KZ_CONSOLE_AUTHORITY_URL is not set: card binding is off');
}
// The audit key and head live beside the data, never in the database (a file per deployment, or the env).
const inData = (name: string) =>
  cfg.KZ_CONSOLE_DATA_DIR === 'memory' ? undefined : join(cfg.KZ_CONSOLE_DATA_DIR, name);
const auditKey = await loadAuditKey({
  value: cfg.KZ_CONSOLE_AUDIT_KEY,
  file: cfg.KZ_CONSOLE_AUDIT_KEY_FILE ?? inData('audit.key'),
});
const auditHeadFile = cfg.KZ_CONSOLE_AUDIT_HEAD_FILE ?? inData('audit-heads.jsonl');
const credDb = cfg.KZ_CONSOLE_CREDENTIALS_DATABASE_URL
  ? await openDb({ url: cfg.KZ_CONSOLE_CREDENTIALS_DATABASE_URL })
  : null;
const credentials = credDb ? await createCredentialStore(credDb, { logger }) : undefined;
if (!credentials)
  logger.warn(
    'KZ_CONSOLE_CREDENTIALS_DATABASE_URL is not set: device credentials, TV binding and shelter rosters are off',
  );
const client = mqtt.connect(
  cfg.KZ_CONSOLE_MQTT_URL,
  consoleMqttOptions({
    username: cfg.KZ_CONSOLE_MQTT_USERNAME,
    password: cfg.KZ_CONSOLE_MQTT_PASSWORD,
    instance: cfg.KZ_CONSOLE_MQTT_INSTANCE,
  }),
);
const parked = parkIncoming(client);
dropOutgoingOnReconnect(client);
await new Promise<void>((resolve, reject) => {
  // only the first connection's failure stops the start: once connected, a later error (a refused
  // CONNECT while the broker's auth backend is away) must not end the client, which reconnects
  const failed = (e: Error) => {
    client.end(true);
    reject(new Error(`cannot connect to the broker at ${cfg.KZ_CONSOLE_MQTT_URL}: ${e.message}`));
  };
  client.once('error', failed);
  client.once('connect', () => {
    client.off('error', failed);
    resolve();
  });
});
client.on('error', (e) => logger.warn({ err: e }, 'broker connection error'));
const publishers = await connectPublishers(
  cfg.KZ_CONSOLE_MQTT_URL,
  {
    username: cfg.KZ_CONSOLE_MQTT_USERNAME,
    password: cfg.KZ_CONSOLE_MQTT_PASSWORD,
    instance: cfg.KZ_CONSOLE_MQTT_INSTANCE,
  },
  cfg.KZ_CONSOLE_MQTT_PUBLISHERS,
  logger,
).catch((e: Error) => {
  client.end(true);
  throw new Error(
    `cannot connect the publishing connections to the broker at ${cfg.KZ_CONSOLE_MQTT_URL}: ${e.message}`,
  );
});
const started = await startConsole({
  db,
  logger,
  mqtt: client,
  publishers,
  muni: cfg.KZ_CONSOLE_MUNI,
  host: cfg.KZ_CONSOLE_HOST,
  port: cfg.KZ_CONSOLE_PORT,
  ...consoleTuning(cfg),
  ...binding,
  ...(credentials ? { credentials } : {}),
  auditKey,
  ...(auditHeadFile ? { auditHeadFile } : {}),
  ...(cfg.KZ_CONSOLE_TLS_CERT_FILE && cfg.KZ_CONSOLE_TLS_KEY_FILE
    ? { tls: { certFile: cfg.KZ_CONSOLE_TLS_CERT_FILE, keyFile: cfg.KZ_CONSOLE_TLS_KEY_FILE } }
    : {}),
  ...(cfg.KZ_CONSOLE_ADMIN_USERNAME && cfg.KZ_CONSOLE_ADMIN_PASSWORD
    ? { bootstrapAdmin: { username: cfg.KZ_CONSOLE_ADMIN_USERNAME, password: cfg.KZ_CONSOLE_ADMIN_PASSWORD } }
    : {}),
});
const redelivered = parked.count;
parked.release();
logger.info({ url: started.url, docs: `${started.url}/docs`, redelivered }, 'municipal console listening');

/**
 * Longest an orderly stop may take. A stop that waits on the broker or the database (a PUBACK
 * that never comes: after the fault suite a console ignored SIGTERM for two minutes) would keep a
 * service manager's restart or a takeover waiting; what is not written stays unacknowledged at the
 * broker, and what was not published is sent by the re-sender of whichever console runs next.
 */
const STOP_WITHIN_MS = 10_000;

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      logger.error({ withinMs: STOP_WITHIN_MS }, 'orderly stop did not finish in time: exiting');
      process.exit(1);
    }, STOP_WITHIN_MS).unref();
    await started.close();
    // An orderly end waits for every outstanding PUBACK: with publishes in flight, end at once
    // (the persistent session keeps what the broker holds for the console).
    await client.endAsync(Object.keys(client.outgoing).length > 0);
    await Promise.all(publishers.map((p) => p.endAsync(Object.keys(p.outgoing).length > 0)));
    await db.close();
    await credDb?.close();
    process.exit(0);
  });
}
