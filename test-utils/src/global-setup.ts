/**
 * Vitest global setup: before any suite, make sure there is a browser for the UI suites, so a
 * machine without one stops with one line saying how to get one instead of failing in each suite.
 */
import { chromiumPath } from './browser.ts';
import { NoBrowserError } from './find-browser.ts';

export default function setup(): void {
  try {
    chromiumPath();
  } catch (e) {
    if (e instanceof NoBrowserError) {
      process.stderr.write(`\nkizuna: ${e.message}\n\n`);
      process.exit(1);
    }
    throw e;
  }
}
