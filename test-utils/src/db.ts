/**
 * The database engines a suite runs against: embedded PGlite always, and the real PostgreSQL
 * server when KZ_TEST_DATABASE_URL is set (.ci/run sets it). Each call gives a fresh, empty
 * database; PostgreSQL ones are created under a unique name and dropped by the cleanup.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '@kizuna/core';

export interface DbEngine {
  name: 'pglite' | 'postgres';
  open(): Promise<Db & { drop(): Promise<void> }>;
}

export function dbEngines(): DbEngine[] {
  const engines: DbEngine[] = [
    {
      name: 'pglite',
      async open() {
        const db = await openDb({});
        return Object.assign(db, { drop: () => db.close() });
      },
    },
  ];
  const url = process.env.KZ_TEST_DATABASE_URL;
  if (url) {
    engines.push({
      name: 'postgres',
      async open() {
        const name = `kz_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const u = new URL(url);
        u.pathname = `/${name}`;
        const db = await openDb({ url: u.toString(), max: 4 });
        return Object.assign(db, {
          async drop() {
            await db.close();
            const a = new pg.Client({ connectionString: url });
            await a.connect();
            await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await a.end();
          },
        });
      },
    });
  }
  return engines;
}

/** The MQTT brokers a suite runs against besides its own embedded one: KZ_TEST_MQTT_URL. */
export function externalMqttUrl(): string | undefined {
  return process.env.KZ_TEST_MQTT_URL || undefined;
}
