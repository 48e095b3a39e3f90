/**
 * The benches' synthetic town (test-utils/src/bench-town.ts, shared with system/bench/checkins.ts)
 * written through this console's own batch functions.
 */
import type { Db } from '@kizuna/core';
import { seedTown as seedBenchTown, type Town } from '@kizuna/test-utils';
import * as consoleFunctions from '../src/index.ts';

export { BENCH_MUNI, ZONES, zoneId, deviceId, type Town } from '@kizuna/test-utils';

export const seedTown = (db: Db, n: number): Promise<Town> => seedBenchTown(consoleFunctions, db, n);
