import { defineConfig } from 'vitest/config';

// One run for every workspace. Two cores here: at most two test files at once.
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tv-app/src/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    pool: 'forks',
    // stops the whole run with one line when no Chromium can be found (test-utils/src/find-browser.ts)
    globalSetup: ['test-utils/src/global-setup.ts'],
    reporters: ['default'],
  },
});
