/**
 * Runs jpki/ alone: the test authority (OCSP, CRLs, CA certificates, links) and, when card
 * files are configured, the card-reader bridge offering them. `npx tsx jpki/src/server.ts`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@kizuna/core';
import { loadJpkiConfig } from './config.ts';
import { createAuthority } from './authority.ts';
import { startAuthorityServer } from './authority-http.ts';
import { startCardBridge } from './bridge-server.ts';
import { EmulatedCard } from './emulated-card.ts';

const config = loadJpkiConfig();
const logger = createLogger({ name: 'jpki', level: config.KZ_JPKI_LOG_LEVEL });
const publicUrl = config.KZ_JPKI_PUBLIC_URL ?? `http://${config.KZ_JPKI_HOST}:${config.KZ_JPKI_AUTHORITY_PORT}`;
const authority = await createAuthority({
  ...(config.KZ_JPKI_DATA_DIR === 'memory' ? {} : { dataDir: config.KZ_JPKI_DATA_DIR }),
  publicUrl,
  ocspValidityMs: config.KZ_JPKI_OCSP_VALIDITY * 1000,
  crlValidityMs: config.KZ_JPKI_CRL_VALIDITY * 1000,
});
const tls =
  config.KZ_JPKI_TLS_CERT_FILE && config.KZ_JPKI_TLS_KEY_FILE
    ? { certFile: config.KZ_JPKI_TLS_CERT_FILE, keyFile: config.KZ_JPKI_TLS_KEY_FILE }
    : undefined;
const server = await startAuthorityServer({
  authority,
  host: config.KZ_JPKI_HOST,
  port: config.KZ_JPKI_AUTHORITY_PORT,
  logger,
  tls,
});
logger.info({ url: server.url }, 'authority listening');

let bridge: Awaited<ReturnType<typeof startCardBridge>> | undefined;
if (config.KZ_JPKI_CARDS_DIR) {
  if (!config.KZ_JPKI_CARD_KEY) throw new Error('KZ_JPKI_CARD_KEY is needed to open the card files');
  const dir = config.KZ_JPKI_CARDS_DIR;
  const cards = readdirSync(dir)
    .filter((f) => f.endsWith('.card'))
    .map((f) => EmulatedCard.load(join(dir, f), config.KZ_JPKI_CARD_KEY!, { keepInSync: true }));
  bridge = await startCardBridge({ cards, host: config.KZ_JPKI_HOST, port: config.KZ_JPKI_BRIDGE_PORT, logger });
  logger.info({ url: bridge.url, cards: cards.length }, 'card bridge listening');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await bridge?.close();
    await server.close();
    process.exit(0);
  });
}
