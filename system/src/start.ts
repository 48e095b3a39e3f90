/**
 * `npm start`: the whole of Kizuna on embedded engines with the demo municipality, then the URL
 * of each user's screen. A configuration or start-up problem ends with one line saying what to fix.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { KzError, createLogger } from '@kizuna/core';
import { buildConsoleWeb } from '@kizuna/municipal-console/web-plugin';
import { loadSystemConfig } from './config.ts';
import { startSystem } from './system.ts';
import { DEMO_INSURER, DEMO_MUNI, DEMO_SHELTERS, DEMO_ZONES, demoResidents } from './demo-data.ts';
import { writeFile } from 'node:fs/promises';

const t0 = Date.now();
const STOP_DEADLINE_MS = 8000;
const say = (line: string) => process.stdout.write(`  · ${line}\n`);

function explain(e: unknown): string {
  if (e instanceof KzError) return `${e.code}: ${e.message}`;
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err?.code === 'ECONNREFUSED')
    return `cannot connect to ${err.address ?? ''}:${err.port ?? ''} — is that server running? (check the *_URL settings)`;
  if (err?.code === 'EADDRINUSE')
    return `a port is already in use (${err.message}) — stop the other program or set KZ_*_PORT`;
  return (err as Error)?.message ?? String(e);
}

async function main() {
  const config = loadSystemConfig();
  const engines = config.KZ_SYSTEM_BROKER === 'embedded' ? 'embedded engines' : `the ${config.KZ_SYSTEM_BROKER} broker`;
  process.stdout.write(`Kizuna — starting on ${engines} (data: ${config.KZ_DATA_DIR})\n`);
  // Structured logs go to a file, so the terminal shows only progress and the URLs.
  const logFile = config.KZ_DATA_DIR === 'memory' ? undefined : join(config.KZ_DATA_DIR, 'logs', 'kizuna.log');
  const logger = createLogger({
    name: 'kizuna',
    level: config.KZ_LOG_LEVEL,
    ...(logFile ? { destination: pino.destination({ dest: logFile, mkdir: true, sync: false }) } : {}),
  });
  if (logFile) say(`logs: ${logFile}`);
  say('console: building the staff web UI');
  await buildConsoleWeb();
  const system = await startSystem({ config, progress: say, logger });
  const zone = new Map(DEMO_ZONES.map((z) => [z.id, z.name]));
  const tvLine = (t: (typeof system.tvs)[number]) =>
    `    ${t.device}  ${zone.get(t.zone) ?? t.zone}  ${t.residents.length ? t.residents.join(', ') : '(no resident bound: area alerts only)'}\n      ${t.url}`;
  // A household of two, a resident who reads another language, and the TV with nobody bound; the rest go to a file.
  const byLanguage = new Map(demoResidents().map((r) => [r.id, r.language]));
  const shown = [
    system.tvs.find((t) => t.residents.length === 2),
    system.tvs.find((t) => t.residents.some((r) => byLanguage.get(r) === 'en')),
    system.tvs.find((t) => t.residents.length === 0),
  ].filter((t): t is (typeof system.tvs)[number] => !!t);
  const linksFile = config.KZ_DATA_DIR === 'memory' ? undefined : join(config.KZ_DATA_DIR, 'tv-links.txt');
  if (linksFile) await writeFile(linksFile, system.tvs.map(tvLine).join('\n') + '\n', { mode: 0o600 });
  const lines = [
    '',
    `Kizuna is running for ${DEMO_MUNI.name} (${DEMO_MUNI.code}) — ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    '',
    `  Municipal console   ${system.urls.console}/   (API docs: ${system.urls.console}/docs; staff logins in docs/DEMO.md)`,
    `  Shelter terminal    ${system.urls.shelter}/   (at the door of ${DEMO_SHELTERS[0]!.name}; card bridge ${system.urls.bridge})`,
    `  Insurer gateway     ${system.urls.gateway}/   (${DEMO_INSURER.name}: key ${system.insurer.keyId}, secret ${system.insurer.secret}; API docs ${system.urls.gateway}/docs)`,
    `                      operator token for emergency stop: ${system.insurer.operatorToken}`,
    `  Certificate authority ${system.urls.authority}/  (OCSP, CRLs)`,
    ...(system.urls.mqttNodes.length > 1
      ? [
          `  MQTT cluster        ${system.urls.mqttNodes.join('  ')}`,
          `                      WebSocket: ${system.urls.mqttWsNodes.join('  ')}`,
        ]
      : [`  MQTT broker         ${system.urls.mqtt}  and  ${system.urls.mqttWs}`]),
    '',
    "  Residents' TVs (open one in a browser; arrows, Enter, Backspace = Back, keys R G Y B for the red, green, yellow and blue keys):",
    ...(linksFile ? shown : system.tvs).map(tvLine),
    ...(linksFile ? [`    … all ${system.tvs.length} TV links: ${linksFile}`] : []),
    '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Kizuna…\n`);
    // Whatever still holds on, the ports close when the process ends: never hang on Ctrl+C.
    setTimeout(() => {
      process.stderr.write(`kizuna: stopping took more than ${STOP_DEADLINE_MS / 1000} s; exiting anyway\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
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
