/**
 * The reference launcher hook as a program: `npx tsx tv-app/launcher-hook/main.ts hook.json`.
 * hook.json: { "mqtt": { "url", "username", "password", "muni", "device" }, "appUrl",
 * "cecClient"?: "cec-client", "browser"?: "chromium" }. It logs one JSON line per event.
 */
import { readFileSync } from 'node:fs';
import { browserLauncher, cecDisplay, runProgram, spawnProgram } from './devices.ts';
import { startLauncherHook, type HookOptions } from './hook.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: main.ts <hook.json>');
  process.exit(2);
}
const cfg = JSON.parse(readFileSync(file, 'utf8')) as Pick<HookOptions, 'mqtt' | 'appUrl'> & {
  cecClient?: string;
  browser?: string;
};
const hook = startLauncherHook({
  mqtt: cfg.mqtt,
  appUrl: cfg.appUrl,
  display: cecDisplay(runProgram, cfg.cecClient),
  launcher: browserLauncher(spawnProgram, cfg.browser),
  // Events only: never a password or a payload.
  log: (event, fields) => console.log(JSON.stringify({ at: new Date().toISOString(), event, ...fields })),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void hook.stop().then(() => process.exit(0)));
