// npm install's last step: make sure the browser tests have a Chromium. Where one is installed
// (KZ_CHROMIUM_PATH, a system Chromium or Chrome: .puppeteerrc.cjs) nothing is fetched. Otherwise
// puppeteer's own installer fetches Chrome for Testing; where the network does not allow it, this
// says so in one line and npm install still succeeds (the system runs without a browser).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const config = require('../.puppeteerrc.cjs');
if (config.skipDownload) process.exit(0);

let installer;
try {
  installer = require.resolve('puppeteer/install.mjs');
} catch {
  process.exit(0); // puppeteer not installed (npm install --omit=dev): no browser tests here
}
if (!existsSync(installer)) process.exit(0);
const r = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 10 * 60_000 });
if (r.status !== 0) {
  console.warn(
    'kizuna: could not fetch a browser for the browser tests; set KZ_CHROMIUM_PATH or install Chromium ' +
      '(Debian: apt-get install chromium fonts-noto-cjk). Everything else works without one.',
  );
}
