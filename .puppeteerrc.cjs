// Where a Chromium is already installed (KZ_CHROMIUM_PATH, or a system Chromium/Chrome), puppeteer
// downloads nothing and the tests use that one. On a machine without one, scripts/fetch-browser.mjs
// (the root postinstall) runs puppeteer's installer and never fails the install. See docs/PLATFORM.md.
const { existsSync } = require('node:fs');

// the same list the tests search (test-utils/src/find-browser.ts)
const SYSTEM_BROWSERS = require('./test-utils/system-browsers.json');
const present =
  (process.env.KZ_CHROMIUM_PATH && existsSync(process.env.KZ_CHROMIUM_PATH)) ||
  SYSTEM_BROWSERS.some((p) => existsSync(p));

module.exports = { skipDownload: Boolean(present) || process.env.PUPPETEER_SKIP_DOWNLOAD === '1' };
