// Where a Chromium is already installed (KZ_CHROMIUM_PATH, or a system Chromium/Chrome), puppeteer
// downloads nothing and the tests use that one. On a machine without one, scripts/fetch-browser.mjs
// (the root postinstall) runs puppeteer's installer and never fails the install. See docs/PLATFORM.md.
const { existsSync } = require('node:fs');

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
const present =
  (process.env.KZ_CHROMIUM_PATH && existsSync(process.env.KZ_CHROMIUM_PATH)) ||
  SYSTEM_BROWSERS.some((p) => existsSync(p));

module.exports = { skipDownload: Boolean(present) || process.env.PUPPETEER_SKIP_DOWNLOAD === '1' };
