/**
 * Versioned SQL migrations: files named NNN_description.sql in one directory per database,
 * applied in order inside one transaction each, recorded in kz_schema_migrations. Applying is
 * idempotent; a database with a version this code does not know is refused, not touched.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coreErrors } from '../errors.ts';
import type { Db } from './types.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const version = Number(f.split('_')[0]);
    if (out.some((m) => m.version === version))
      throw coreErrors.KZ_MIGRATION_FAILED(`two migrations numbered ${version} in ${dir}`);
    out.push({ version, name: f.replace(/\.sql$/, ''), sql: await readFile(join(dir, f), 'utf8') });
  }
  return out;
}

export async function migrate(
  db: Db,
  migrations: Migration[],
  opts: { component: string },
): Promise<{ applied: number[]; version: number }> {
  await db.exec(`CREATE TABLE IF NOT EXISTS kz_schema_migrations (
    component text NOT NULL, version integer NOT NULL, name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
  return db.tx(async (q) => {
    // Two servers starting together on one PostgreSQL must not both migrate.
    if (db.engine === 'postgres')
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kz-migrate-${opts.component}`]);
    const { rows } = await q.query<{ version: number }>(
      'SELECT version FROM kz_schema_migrations WHERE component = $1',
      [opts.component],
    );
    const done = new Set(rows.map((r) => Number(r.version)));
    const latest = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > latest) {
      throw coreErrors.KZ_DB_NEWER_THAN_CODE(
        `${opts.component} database is at version ${newest}, this code knows up to ${latest}; upgrade the code`,
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await q.exec(m.sql);
      } catch (e) {
        throw coreErrors.KZ_MIGRATION_FAILED(`${opts.component} ${m.name}: ${(e as Error).message}`);
      }
      await q.query('INSERT INTO kz_schema_migrations (component, version, name) VALUES ($1, $2, $3)', [
        opts.component,
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return { applied, version: latest };
  });
}
