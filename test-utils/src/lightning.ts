/**
 * Driving a Lightning app in Chromium through its inspector DOM mirror
 * (docs/PLATFORM.md, "Lightning in headless Chromium"):
 * elements carry `ref` and `texture-text`; keys go through CDP so the colour keys 403–406,
 * which have no DOM key name, arrive as trusted keydowns.
 */
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import { screenshotDir } from './browser.ts';

/** Wait until an element whose text contains `text` is visible (under the `scope` ref if given). */
export async function waitVisibleText(page: Page, text: string, scope?: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (t: string, s: string | null) => {
      const root = s ? document.querySelector(`[ref="${s}"]`) : document;
      if (!root) return false;
      return [...root.querySelectorAll('[texture-text]')].some(
        (e) => (e.getAttribute('texture-text') ?? '').includes(t) && (e as HTMLElement).checkVisibility(),
      );
    },
    { timeout, polling: 50 },
    text,
    scope ?? null,
  );
}

export async function isVisible(page: Page, ref: string): Promise<boolean> {
  return page.evaluate((r) => {
    const el = document.querySelector(`[ref="${r}"]`) as HTMLElement | null;
    return !!el && el.checkVisibility();
  }, ref);
}

export async function waitHidden(page: Page, ref: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    (r: string) => {
      const el = document.querySelector(`[ref="${r}"]`) as HTMLElement | null;
      return !el || !el.checkVisibility();
    },
    { timeout, polling: 50 },
    ref,
  );
}

/** Every visible text under a ref, in document order. */
export async function visibleTexts(page: Page, scope?: string): Promise<string[]> {
  return page.evaluate((s: string | null) => {
    const root = s ? document.querySelector(`[ref="${s}"]`) : document;
    return root
      ? [...root.querySelectorAll('[texture-text]')]
          .filter((e) => (e as HTMLElement).checkVisibility())
          .map((e) => e.getAttribute('texture-text') ?? '')
      : [];
  }, scope ?? null);
}

/**
 * Wait until the TV's alert takeover accepts key presses: its answer row (or its close button)
 * is shown at full strength. A new screen (another person, revision, or the closed screen)
 * takes answers only after it has been drawn and shown for a moment (tv-app pages/AlertTakeover/answer-gate.ts);
 * before that its answer row is dimmed and presses are ignored.
 */
export async function waitTakeoverReady(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const bar = document.querySelector('[ref="Takeover"] > [ref="Bottom"]');
      if (!bar || !(bar as HTMLElement).checkVisibility()) return false;
      return [...bar.children].some(
        (e) =>
          (e.getAttribute('ref') === 'Choices' || e.getAttribute('ref') === 'Close') &&
          (e as HTMLElement).checkVisibility() &&
          Number(e.getAttribute('alpha') ?? '1') === 1,
      );
    },
    { timeout, polling: 50 },
  );
}

/** Press a remote key through Chromium's input pipeline. */
export async function press(page: Page, keyCode: number): Promise<void> {
  const cdp = await page.createCDPSession();
  try {
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'rawKeyDown',
      windowsVirtualKeyCode: keyCode,
      nativeVirtualKeyCode: keyCode,
    });
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'keyUp',
      windowsVirtualKeyCode: keyCode,
      nativeVirtualKeyCode: keyCode,
    });
  } finally {
    await cdp.detach();
  }
  await new Promise((r) => setTimeout(r, 100));
}

export const KEY = {
  Enter: 13,
  Back: 8,
  Left: 37,
  Up: 38,
  Right: 39,
  Down: 40,
  Red: 403,
  Green: 404,
  Yellow: 405,
  Blue: 406,
} as const;

/** Screenshot into test-output/screenshots/<part>/<name>.png, after the last frame has landed. */
export async function shot(page: Page, part: string, name: string): Promise<string> {
  const file = join(await screenshotDir(part), `${name}.png`);
  await new Promise((r) => setTimeout(r, 250));
  await page.screenshot({ path: file as `${string}.png` });
  return file;
}
