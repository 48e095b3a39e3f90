/**
 * Run one shelter terminal alone: `npx tsx evacuation-center/src/server.ts` with KZ_SHELTER_*
 * variables (README.md). Closes gracefully on SIGINT/SIGTERM; a kill -9 loses nothing either
 * (every event is in the local store before it is shown as done).
 */
import { createLogger } from '@kizuna/core';
import { startTerminal } from './app.ts';
import { loadTerminalConfig } from './config.ts';

const cfg = loadTerminalConfig();
const logger = createLogger({ name: 'evacuation-center', level: cfg.KZ_SHELTER_LOG_LEVEL });
const t = await startTerminal({
  logger, muni: cfg.KZ_SHELTER_MUNI, shelter: cfg.KZ_SHELTER_ID, terminal: cfg.KZ_SHELTER_TERMINAL,
  mqttUrl: cfg.KZ_SHELTER_MQTT_URL, mqttCredentials: { username: cfg.KZ_SHELTER_MQTT_USERNAME, password: cfg.KZ_SHELTER_MQTT_PASSWORD },
  consoleUrl: cfg.KZ_SHELTER_CONSOLE_URL, dataDir: cfg.KZ_SHELTER_DATA_DIR, host: cfg.KZ_SHELTER_HOST, port: cfg.KZ_SHELTER_PORT,
  capacity: cfg.KZ_SHELTER_CAPACITY, warnRatio: cfg.KZ_SHELTER_WARN_RATIO, rosterRefreshMs: cfg.KZ_SHELTER_ROSTER_REFRESH_S * 1000,
});
logger.info({ url: t.url, shelter: cfg.KZ_SHELTER_ID, terminal: cfg.KZ_SHELTER_TERMINAL }, 'terminal ready');
let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    t.close().then(() => process.exit(0), (e) => { logger.error({ err: e }, 'close failed'); process.exit(1); });
  });
}
