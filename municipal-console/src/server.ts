/**
 * Run the municipal console alone: `npx tsx municipal-console/src/server.ts`.
 * Reads KZ_CONSOLE_* (see README), opens its own database, logs in to the broker with the
 * municipality's identity, listens, and closes cleanly on SIGINT/SIGTERM.
 */
import mqtt from 'mqtt';
import { createLogger, openDb } from '@kizuna/core';
import { loadConsoleConfig } from './config.ts';
import { startConsole } from './app.ts';

const cfg = loadConsoleConfig();
const logger = createLogger({ name: 'municipal-console', level: cfg.KZ_CONSOLE_LOG_LEVEL });
const db = await openDb({ url: cfg.KZ_CONSOLE_DATABASE_URL, dataDir: cfg.KZ_CONSOLE_DATA_DIR });
// a fixed client id and a persistent session: receipts sent while the console restarts are kept by the broker
const client = await mqtt.connectAsync(cfg.KZ_CONSOLE_MQTT_URL, {
  clientId: cfg.KZ_CONSOLE_MQTT_USERNAME, username: cfg.KZ_CONSOLE_MQTT_USERNAME, password: cfg.KZ_CONSOLE_MQTT_PASSWORD,
  protocolVersion: 4, clean: false, reconnectPeriod: 2000,
});
client.on('error', (e) => logger.warn({ err: e }, 'broker connection error'));
const started = await startConsole({
  db, logger, mqtt: client, muni: cfg.KZ_CONSOLE_MUNI, host: cfg.KZ_CONSOLE_HOST, port: cfg.KZ_CONSOLE_PORT,
  resendAfterS: cfg.KZ_CONSOLE_RESEND_AFTER_S, tickS: cfg.KZ_CONSOLE_TICK_S, rescueAfterS: cfg.KZ_CONSOLE_RESCUE_AFTER_S,
  sessionTtlS: cfg.KZ_CONSOLE_SESSION_TTL_S, liveThrottleMs: cfg.KZ_CONSOLE_LIVE_THROTTLE_MS,
  ...(cfg.KZ_CONSOLE_ADMIN_USERNAME && cfg.KZ_CONSOLE_ADMIN_PASSWORD ? { bootstrapAdmin: { username: cfg.KZ_CONSOLE_ADMIN_USERNAME, password: cfg.KZ_CONSOLE_ADMIN_PASSWORD } } : {}),
});
logger.info({ url: started.url, docs: `${started.url}/docs` }, 'municipal console listening');

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    await started.close();
    await client.endAsync();
    await db.close();
    process.exit(0);
  });
}
