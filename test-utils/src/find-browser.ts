/**
 * Which Chromium the browser tests drive, found the way people have one (docs/PLATFORM.md):
 * KZ_CHROMIUM_PATH, then a system Chromium or Chrome, then the browser puppeteer downloaded.
 */
import systemBrowsers from '../system-browsers.json' with { type: 'json' };

/** Where system browsers live on Linux and macOS (shared with .puppeteerrc.cjs, which decides whether npm install downloads one). */
export const SYSTEM_BROWSERS: readonly string[] = systemBrowsers;

export const NO_BROWSER_HINT =
  'no Chromium for the browser tests: set KZ_CHROMIUM_PATH to a Chrome or Chromium binary, install one ' +
  '(Debian: apt-get install chromium fonts-noto-cjk), or run `npx puppeteer browsers install chrome`';

export class NoBrowserError extends Error {
  readonly code = 'KZ_NO_BROWSER';
  constructor(detail: string) {
    super(`${NO_BROWSER_HINT}${detail ? ` (${detail})` : ''}`);
    this.name = 'NoBrowserError';
  }
}

export interface BrowserSources {
  env: NodeJS.ProcessEnv;
  exists: (path: string) => boolean;
  /** The path of puppeteer's own downloaded browser, or undefined when it has none. */
  puppeteerPath: () => string | undefined;
}

/** The first browser found, in the order above; throws NoBrowserError naming what was tried. */
export function findBrowser(src: BrowserSources): string {
  const explicit = src.env.KZ_CHROMIUM_PATH;
  if (explicit) {
    if (src.exists(explicit)) return explicit;
    throw new NoBrowserError(`KZ_CHROMIUM_PATH=${explicit} does not exist`);
  }
  const system = SYSTEM_BROWSERS.find((p) => src.exists(p));
  if (system) return system;
  const downloaded = src.puppeteerPath();
  if (downloaded && src.exists(downloaded)) return downloaded;
  throw new NoBrowserError('');
}
