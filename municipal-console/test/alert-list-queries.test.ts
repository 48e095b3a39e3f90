/**
 * Listing alerts costs a fixed number of queries, not some per alert: the queries AlertService.list()
 * issues through the db handle are counted for 1 and for 20 alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Db } from '@kizuna/core';
import { dbEngines } from '@kizuna/test-utils';
import { migrateConsole } from '../src/app.ts';
import { AlertService } from '../src/alerts/alert-service.ts';
import type { StaffMember } from '../src/staff/staff.ts';
import { seedTown, silentLogger } from './helpers.ts';

const issuer: StaffMember = { username: 'issuer1', roles: ['issuer'], displayName: null };
/** Drafts are never published: the service needs no broker for them. */
const noBroker = { connected: false } as MqttClient;

/** The db handle with its query function wrapped: every query issued through it is counted. */
function counting(db: Db): { db: Db; queries: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, key) {
      if (key === 'query')
        return (...args: Parameters<Db['query']>) => {
          n += 1;
          return target.query(...args);
        };
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: wrapped, queries: () => n };
}

for (const engine of dbEngines()) {
  describe(`alert list queries on ${engine.name}`, () => {
    let db: Awaited<ReturnType<typeof engine.open>>;
    beforeAll(async () => {
      db = await engine.open();
      await migrateConsole(db);
      await seedTown(db);
    });
    afterAll(async () => {
      await db?.drop();
    });

    async function queriesToList(alerts: number): Promise<number> {
      const plain = new AlertService({ db, mqtt: noBroker, muni: '999997', logger: silentLogger() });
      const before = (await plain.list({ limit: 1000 })).length;
      for (let i = before; i < alerts; i++)
        await plain.create(issuer, {
          level: 3,
          hazard: 'flood',
          status: 'Exercise',
          expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
          target: { zones: ['z-kawabe'] },
          draft: true,
        });
      const counted = counting(db);
      const service = new AlertService({ db: counted.db, mqtt: noBroker, muni: '999997', logger: silentLogger() });
      const listed = await service.list({ limit: 1000 });
      expect(listed).toHaveLength(alerts);
      return counted.queries();
    }

    it('issues as many queries for 20 alerts as for 1', async () => {
      const one = await queriesToList(1);
      const twenty = await queriesToList(20);
      expect(one).toBeLessThanOrEqual(3);
      expect(twenty).toBe(one);
    });
  });
}
