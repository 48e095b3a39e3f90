import { defineConfig } from 'vitest/config';

// `npm run test:faults`: issue 22's fault suite on a RabbitMQ cluster (system/test/*.fault.ts),
// 10,000 TVs by default (KZ_FAULT_TVS). Not in `npm test`: it takes the machine for many minutes.
export default defineConfig({
  test: {
    include: ['system/test/**/*.fault.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    maxWorkers: 1,
    pool: 'forks',
    reporters: ['default'],
  },
});
