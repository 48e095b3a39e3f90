/**
 * `npm start`: the whole of Kizuna on embedded engines with the demo municipality, then the URL
 * of each user's screen. A configuration or start-up problem ends with one line saying what to fix.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { KzError, createLogger } from '@kizuna/core';
import { loadSystemConfig } from './config.ts';
import { startSystem } from './system.ts';
import { DEMO_MUNI, DEMO_ZONES } from './demo-data.ts';

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`  · ${line}\n`);

function explain(e: unknown): string {
  if (e instanceof KzError) return `${e.code}: ${e.message}`;
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err?.code === 'ECONNREFUSED') return `cannot connect to ${err.address ?? ''}:${err.port ?? ''} — is that server running? (check the *_URL settings)`;
  if (err?.code === 'EADDRINUSE') return `a port is already in use (${err.message}) — stop the other program or set KZ_*_PORT`;
  return (err as Error)?.message ?? String(e);
}

async function main() {
  const config = loadSystemConfig();
  process.stdout.write(`Kizuna — starting on embedded engines (data: ${config.KZ_DATA_DIR})\n`);
  // Structured logs go to a file, so the terminal shows only progress and the URLs.
  const logFile = config.KZ_DATA_DIR === 'memory' ? undefined : join(config.KZ_DATA_DIR, 'logs', 'kizuna.log');
  const logger = createLogger({
    name: 'kizuna', level: config.KZ_LOG_LEVEL,
    ...(logFile ? { destination: pino.destination({ dest: logFile, mkdir: true, sync: false }) } : {}),
  });
  if (logFile) say(`logs: ${logFile}`);
  const system = await startSystem({ config, progress: say, logger });
  const zone = new Map(DEMO_ZONES.map((z) => [z.id, z.name]));
  const lines = [
    '',
    `Kizuna is running for ${DEMO_MUNI.name} (${DEMO_MUNI.code}) — ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    '',
    `  Municipal console   ${system.urls.console}/   (API docs: ${system.urls.console}/docs; staff logins in docs/DEMO.md)`,
    `  Certificate authority ${system.urls.authority}/  (OCSP, CRLs)`,
    `  MQTT broker         ${system.urls.mqtt}  and  ${system.urls.mqttWs}`,
    '',
    '  Residents\' TVs (open one in a browser; arrows, Enter, Backspace = Back, keys R G Y B for the red, green, yellow and blue keys):',
    ...system.tvs.map((t) => `    ${t.device}  ${zone.get(t.zone) ?? t.zone}  ${t.residents.length ? t.residents.join(', ') : '(no resident bound: area alerts only)'}\n      ${t.url}`),
    '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Kizuna…\n`);
    await system.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`kizuna: ${explain(e)}\n`);
  process.exit(1);
});
