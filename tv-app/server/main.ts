/** Runs the TV applet server alone: `npx tsx tv-app/server/main.ts` (see tv-app/README.md). */
import { createLogger } from '@kizuna/core';
import { loadTvServerConfig, tvTlsFrom } from './config.ts';
import { buildTvBundle, startTvApp, DEFAULT_DIST } from './index.ts';

const cfg = loadTvServerConfig();
const tls = tvTlsFrom(cfg);
const logger = createLogger({ name: 'tv-app', level: cfg.KZ_LOG_LEVEL });
const distDir = cfg.KZ_TV_DIST ?? DEFAULT_DIST;
if (cfg.KZ_TV_BUILD) {
  const r = await buildTvBundle({ outDir: distDir });
  logger.info({ outDir: r.outDir, files: r.files.length }, 'bundle built');
}
const server = await startTvApp({
  port: cfg.KZ_TV_PORT,
  host: cfg.KZ_TV_HOST,
  distDir,
  logger,
  tls,
  upstreams: { console: cfg.KZ_TV_CONSOLE_URL, gateway: cfg.KZ_TV_GATEWAY_URL },
});
logger.info({ url: server.url }, 'TV applet ready: open <url>/#device=…&muni=…&mqtt=…&user=…&pass=…');
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void server.close().then(() => process.exit(0));
  });
}
