/** Finding a browser for the UI suites the way developers have one, and the one-line refusal. */
import { describe, expect, it } from 'vitest';
import { findBrowser, NoBrowserError, SYSTEM_BROWSERS } from '../src/find-browser.ts';

const on = (paths: string[], env: NodeJS.ProcessEnv = {}, puppeteer?: string) => ({
  env,
  exists: (p: string) => paths.includes(p),
  puppeteerPath: () => puppeteer,
});

describe('findBrowser', () => {
  it('takes KZ_CHROMIUM_PATH first, even when a system browser exists', () => {
    expect(findBrowser(on(['/opt/c/chrome', '/usr/bin/chromium'], { KZ_CHROMIUM_PATH: '/opt/c/chrome' }))).toBe(
      '/opt/c/chrome',
    );
  });
  it('refuses a KZ_CHROMIUM_PATH that does not exist, naming it', () => {
    expect(() => findBrowser(on(['/usr/bin/chromium'], { KZ_CHROMIUM_PATH: '/nope' }))).toThrow(
      /KZ_CHROMIUM_PATH=\/nope does not exist/,
    );
  });
  it('then a system Chromium or Chrome (Linux and macOS places)', () => {
    expect(findBrowser(on(['/usr/bin/google-chrome']))).toBe('/usr/bin/google-chrome');
    expect(findBrowser(on(['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome']))).toMatch(/Google Chrome$/);
    expect(SYSTEM_BROWSERS[0]).toBe('/usr/bin/chromium');
  });
  it('then the browser puppeteer downloaded', () => {
    expect(findBrowser(on(['/home/u/.cache/puppeteer/chrome'], {}, '/home/u/.cache/puppeteer/chrome'))).toBe(
      '/home/u/.cache/puppeteer/chrome',
    );
  });
  it('with none, one coded error that says how to get one', () => {
    let err: unknown;
    try {
      findBrowser(on([], {}, '/home/u/.cache/puppeteer/missing'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoBrowserError);
    expect((err as NoBrowserError).code).toBe('KZ_NO_BROWSER');
    expect((err as Error).message).toMatch(/KZ_CHROMIUM_PATH/);
    expect((err as Error).message).toMatch(/apt-get install chromium/);
    expect((err as Error).message.split('\n')).toHaveLength(1);
  });
});
