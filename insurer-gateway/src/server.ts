/**
 * Runs the insurer gateway alone: `npx tsx insurer-gateway/src/server.ts`. It trusts the CAs the
 * authority publishes (KZ_GATEWAY_AUTHORITY_URL/ca/anchors.pem), asks its OCSP responder for
 * every verification (with a nonce unless KZ_GATEWAY_OCSP_NONCE=false), and follows its renewal links. Config: src/config.ts (KZ_GATEWAY_*).
 */
import mqtt from 'mqtt';
import { createLogger, openDb } from '@kizuna/core';
import { createChallengeService, createVerifier, ocspStatusSource } from '@kizuna/jpki';
import { allowPrivateRanges, loadGatewayConfig } from './config.ts';
import { startGateway } from './app.ts';
import { challengeLogin, httpCardLinks, httpRenewalLinks } from './jpki-adapters.ts';
import { consoleDeviceBindings, parseConsoleList } from './device-links.ts';
import { createWatchSource } from './watch-source.ts';
import { httpRevocationFeed } from './watch-feed.ts';
import { createEvidenceVerifier } from './evidence.ts';

const cfg = loadGatewayConfig();
const logger = createLogger({ name: 'insurer-gateway', level: cfg.KZ_GATEWAY_LOG_LEVEL });
const anchorsRes = await fetch(new URL('/ca/anchors.pem', cfg.KZ_GATEWAY_AUTHORITY_URL)).catch((e: Error) => {
  throw new Error(`cannot reach the authority at ${cfg.KZ_GATEWAY_AUTHORITY_URL}: ${e.message}`);
});
if (!anchorsRes.ok) throw new Error(`the authority answered HTTP ${anchorsRes.status} for its trust anchors`);
const trustAnchors = await anchorsRes.text();
const verifier = createVerifier({
  trustAnchors,
  status: ocspStatusSource(new URL('/ocsp', cfg.KZ_GATEWAY_AUTHORITY_URL).toString()),
  statusCacheMs: cfg.KZ_GATEWAY_STATUS_CACHE_MS,
  ocspNonce: cfg.KZ_GATEWAY_OCSP_NONCE,
});
const db = await openDb({ url: cfg.KZ_GATEWAY_DATABASE_URL, dataDir: cfg.KZ_GATEWAY_DATA_DIR });
const client = cfg.KZ_GATEWAY_MQTT_URL
  ? await mqtt.connectAsync(cfg.KZ_GATEWAY_MQTT_URL, {
      protocolVersion: 4,
      username: cfg.KZ_GATEWAY_MQTT_USERNAME,
      password: cfg.KZ_GATEWAY_MQTT_PASSWORD,
      clientId: cfg.KZ_GATEWAY_MQTT_USERNAME,
    })
  : undefined;

const gw = await startGateway({
  db,
  logger,
  verifier,
  mqtt: client,
  operatorToken: cfg.KZ_GATEWAY_OPERATOR_TOKEN,
  challenges: challengeLogin(createChallengeService({ verifier })),
  status: createWatchSource({ db, verifier, links: httpRenewalLinks(cfg.KZ_GATEWAY_AUTHORITY_URL) }),
  evidenceVerifier: createEvidenceVerifier({ trustAnchors }),
  cardLinks: httpCardLinks(cfg.KZ_GATEWAY_AUTHORITY_URL),
  cardStatus: verifier,
  devices:
    cfg.KZ_GATEWAY_CONSOLES && cfg.KZ_GATEWAY_MQTT_USERNAME && cfg.KZ_GATEWAY_MQTT_PASSWORD
      ? consoleDeviceBindings({
          consoles: parseConsoleList(cfg.KZ_GATEWAY_CONSOLES),
          username: cfg.KZ_GATEWAY_MQTT_USERNAME,
          password: cfg.KZ_GATEWAY_MQTT_PASSWORD,
        })
      : undefined,
  host: cfg.KZ_GATEWAY_HOST,
  port: cfg.KZ_GATEWAY_PORT,
  signatureWindowS: cfg.KZ_GATEWAY_SIGNATURE_WINDOW_S,
  sessionTtlS: cfg.KZ_GATEWAY_SESSION_TTL_S,
  watchIntervalS: cfg.KZ_GATEWAY_WATCH_INTERVAL_S,
  revocationFeed: cfg.KZ_GATEWAY_REVOCATION_FEED ? httpRevocationFeed(cfg.KZ_GATEWAY_AUTHORITY_URL) : undefined,
  webhookAllowPrivate: allowPrivateRanges(cfg.KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE),
  webhookTickMs: cfg.KZ_GATEWAY_WEBHOOK_INTERVAL_S * 1000,
  idempotencyDays: cfg.KZ_GATEWAY_IDEMPOTENCY_DAYS,
  retention: {
    noticeDays: cfg.KZ_GATEWAY_NOTICE_RETENTION_DAYS,
    reportDays: cfg.KZ_GATEWAY_REPORT_RETENTION_DAYS,
    eventDays: cfg.KZ_GATEWAY_EVENT_RETENTION_DAYS,
  },
  tls:
    cfg.KZ_GATEWAY_TLS_CERT_FILE && cfg.KZ_GATEWAY_TLS_KEY_FILE
      ? {
          certFile: cfg.KZ_GATEWAY_TLS_CERT_FILE,
          keyFile: cfg.KZ_GATEWAY_TLS_KEY_FILE,
          caFile: cfg.KZ_GATEWAY_TLS_CLIENT_CA_FILE,
          requestClientCert: !!cfg.KZ_GATEWAY_TLS_CLIENT_CA_FILE,
        }
      : undefined,
});
logger.info({ url: gw.url }, 'insurer gateway listening');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await gw.close();
    await client?.endAsync();
    await db.close();
    process.exit(0);
  });
}
