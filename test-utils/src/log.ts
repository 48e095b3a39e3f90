import { createLogger } from '@kizuna/core';

/** A logger for tests: silent unless KZ_TEST_LOG names a level. */
export const quietLogger = () => createLogger({ name: 'test', level: process.env.KZ_TEST_LOG ?? 'silent' });
