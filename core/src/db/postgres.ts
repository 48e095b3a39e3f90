import pg from 'pg';
import type { Db, Queryable, QueryResult } from './types.ts';
import { scrubDbError, scrubbed } from './errors.ts';

// Return bigint and numeric columns as strings is pg's default; timestamps as Date. Keep both.
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {
    /* an idle client died; the pool replaces it */
  });
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const r = await scrubbed(c.query(text, params as unknown[] | undefined));
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await scrubbed(c.query(sql));
    },
  });
  // Fail now, with the reason, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const direct = wrap(pool);
  return {
    engine: 'postgres',
    query: (t, p) => direct.query(t, p),
    async tx(fn) {
      const client = await pool.connect();
      // The pool listens for a client's 'error' only while it is idle: a server that goes away
      // (a restart) between two queries of this transaction would otherwise be an uncaught
      // exception and end the process. The next query fails instead, and the client is discarded.
      let broken: Error | undefined;
      const onError = (e: Error) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        throw scrubDbError(e); // a deferred constraint fails at COMMIT
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async exec(sql) {
      await scrubbed(pool.query(sql));
    },
    async close() {
      await pool.end();
    },
  };
}
