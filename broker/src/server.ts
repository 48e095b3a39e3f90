/**
 * Run the broker alone: `npx tsx broker/src/server.ts` with KZ_BROKER_* variables (README.md).
 * Devices get credentials from the municipal console, which shares the credential database.
 */
import { createLogger } from '@kizuna/core';
import { loadBrokerConfig } from './config.ts';
import { startBrokerService } from './service.ts';

const cfg = loadBrokerConfig();
const logger = createLogger({ name: 'broker', level: cfg.KZ_BROKER_LOG_LEVEL });
const service = await startBrokerService(cfg, logger);
logger.info(
  {
    mode: cfg.KZ_BROKER_MODE,
    mqttUrl: service.mqttUrl,
    mqttUrls: service.mqttUrls,
    wsUrl: service.wsUrl,
    wsUrls: service.wsUrls,
    authUrl: service.authUrl,
  },
  'broker ready',
);
let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    service.close().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'close failed');
        process.exit(1);
      },
    );
  });
}
