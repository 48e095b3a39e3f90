// puppeteer drives Debian's Chromium (/usr/bin/chromium); it must never download a browser.
module.exports = { skipDownload: true };
