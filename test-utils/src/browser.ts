/**
 * Launch Chromium for UI tests with the flags that work headless (docs/PLATFORM.md):
 * no sandbox as root, no background networking, WebGL through SwiftShader for Lightning.
 */
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer';
import { findBrowser } from './find-browser.ts';

let found: string | undefined;
/** The browser to drive: found once per process (KZ_CHROMIUM_PATH, a system one, puppeteer's). */
export function chromiumPath(): string {
  found ??= findBrowser({
    env: process.env,
    exists: existsSync,
    puppeteerPath: () => {
      try {
        return puppeteer.executablePath();
      } catch {
        return undefined;
      }
    },
  });
  return found;
}

export async function launchBrowser(opts: { width?: number; height?: number } = {}): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'kz-chromium-'));
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir,
    defaultViewport: { width: opts.width ?? 1280, height: opts.height ?? 720 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Where tests write screenshots for people to look at (git-ignored). */
export async function screenshotDir(part: string): Promise<string> {
  const dir = join(process.cwd(), 'test-output', 'screenshots', part);
  await mkdir(dir, { recursive: true });
  return dir;
}
