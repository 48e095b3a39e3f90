/**
 * The Firebolt SDK's own test-harness hook (`window.__firebolt.testHarness`, read by its mock
 * transport): installed before the applet loads, it records every Firebolt call in
 * `window.__fbSent` and exposes the mock's event emitter as `window.__fbEmit`.
 */
import type { Page } from 'puppeteer';

export async function fireboltHarness(page: Page): Promise<void> {
  // A string, not a function: tsx (esbuild) would wrap named closures in a __name() helper the page lacks.
  await page.evaluateOnNewDocument(`(() => {
    const sent = [];
    window.__fbSent = sent;
    window.__firebolt = {
      automation: true, // the mock's lifecycle answers in 1–2 ms instead of 0.5–1 s
      testHarness: {
        onSend: (module, method, params) => sent.push({ method: module + '.' + method, params, at: performance.now() }),
        initialize: (h) => { window.__fbEmit = h.emit; },
      },
    };
  })();`);
}

/** Raise a Firebolt event as the platform would (`Lifecycle` `background`, `Discovery` `navigateTo`…). */
export const fireboltEmit = (page: Page, module: string, event: string, value: unknown) =>
  page.evaluate(
    (m, e, v) => (window as unknown as { __fbEmit: (m: string, e: string, v: unknown) => void }).__fbEmit(m, e, v),
    module,
    event,
    value as never,
  );

/** What the platform layer marks in `window.__kzPlatform` (src/platform/attach-platform.ts). */
export interface PlatformMarks {
  name?: string;
  ready?: number;
  asks: { alertId: string; at: number; outcome?: string }[];
}
export const platformMarks = (page: Page) =>
  page.evaluate(() => (window as unknown as { __kzPlatform: PlatformMarks }).__kzPlatform);
