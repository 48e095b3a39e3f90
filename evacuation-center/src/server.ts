/**
 * Run one shelter terminal alone: `npx tsx evacuation-center/src/server.ts` with KZ_SHELTER_*
 * variables (README.md). Cards are verified against the authority (trust anchors pinned or
 * fetched, OCSP, fail closed); the kiosk reads them through the card-reader bridge. Closes
 * gracefully on SIGINT/SIGTERM; a kill -9 loses nothing either (every event is in the local
 * store before it is shown as done).
 */
import { createLogger } from '@kizuna/core';
import { startTerminal } from './app.ts';
import { authorityCardVerifier } from './authority-verifier.ts';
import { loadTerminalConfig } from './config.ts';

const cfg = loadTerminalConfig();
const logger = createLogger({ name: 'evacuation-center', level: cfg.KZ_SHELTER_LOG_LEVEL });
const verifier = authorityCardVerifier({
  authorityUrl: cfg.KZ_SHELTER_AUTHORITY_URL,
  trustAnchorsFile: cfg.KZ_SHELTER_TRUST_ANCHORS_FILE,
  logger,
});
// A pinned anchors file must be good at start; fetched anchors may come later (no network yet).
if (cfg.KZ_SHELTER_TRUST_ANCHORS_FILE && !(await verifier.prepare())) {
  logger.fatal(
    { code: 'KZ_SHELTER_ANCHORS_UNAVAILABLE', file: cfg.KZ_SHELTER_TRUST_ANCHORS_FILE },
    'cannot read the pinned trust anchors',
  );
  process.exit(1);
}
if (!cfg.KZ_SHELTER_TRUST_ANCHORS_FILE) void verifier.prepare();
const t = await startTerminal({
  logger,
  muni: cfg.KZ_SHELTER_MUNI,
  shelter: cfg.KZ_SHELTER_ID,
  terminal: cfg.KZ_SHELTER_TERMINAL,
  mqttUrl: cfg.KZ_SHELTER_MQTT_URL,
  mqttCredentials: { username: cfg.KZ_SHELTER_MQTT_USERNAME, password: cfg.KZ_SHELTER_MQTT_PASSWORD },
  consoleUrl: cfg.KZ_SHELTER_CONSOLE_URL,
  cardBridgeUrl: cfg.KZ_SHELTER_CARD_BRIDGE_URL || undefined,
  verifier,
  dataDir: cfg.KZ_SHELTER_DATA_DIR,
  host: cfg.KZ_SHELTER_HOST,
  port: cfg.KZ_SHELTER_PORT,
  tls:
    cfg.KZ_SHELTER_TLS_CERT_FILE && cfg.KZ_SHELTER_TLS_KEY_FILE
      ? { certFile: cfg.KZ_SHELTER_TLS_CERT_FILE, keyFile: cfg.KZ_SHELTER_TLS_KEY_FILE }
      : undefined,
  capacity: cfg.KZ_SHELTER_CAPACITY,
  warnRatio: cfg.KZ_SHELTER_WARN_RATIO,
  rosterRefreshMs: cfg.KZ_SHELTER_ROSTER_REFRESH_S * 1000,
  reconnect: { baseMs: cfg.KZ_SHELTER_RECONNECT_BASE_MS, capMs: cfg.KZ_SHELTER_RECONNECT_CAP_MS },
});
logger.info({ url: t.url, shelter: cfg.KZ_SHELTER_ID, terminal: cfg.KZ_SHELTER_TERMINAL }, 'terminal ready');
let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    t.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'close failed');
        process.exit(1);
      },
    );
  });
}
