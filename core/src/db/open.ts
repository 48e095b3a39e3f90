import { mkdir } from 'node:fs/promises';
import { coreErrors } from '../errors.ts';
import type { Db } from './types.ts';
import { openPglite } from './pglite.ts';

export interface DbConfig {
  /** postgres://… for a server; empty for embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; undefined or 'memory' keeps it in memory. */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL. */
  max?: number;
}

/** Open the database an organisation's server uses, turning connection failures into one clear error. */
export async function openDb(cfg: DbConfig): Promise<Db> {
  if (cfg.url) {
    try {
      // Loaded only for a server: node-postgres costs an embedded process's start ≈ 30 ms (issue 21).
      const { openPostgres } = await import('./postgres.ts');
      return await openPostgres(cfg.url, { max: cfg.max });
    } catch (e) {
      const u = new URL(cfg.url);
      throw coreErrors.KZ_DB_UNREACHABLE(`${u.protocol}//${u.host}${u.pathname} (${(e as Error).message})`);
    }
  }
  if (cfg.dataDir && cfg.dataDir !== 'memory') {
    await mkdir(cfg.dataDir, { recursive: true });
    return openPglite({ dataDir: cfg.dataDir });
  }
  return openPglite({});
}
