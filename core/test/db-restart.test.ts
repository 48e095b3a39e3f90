/**
 * A PostgreSQL restart while a transaction holds a pooled connection between two queries must not
 * end the process: node-postgres emits 'error' on a checked-out client whose server went away, and
 * an 'error' event nobody listens to is an uncaught exception (the pool listens only while the
 * client is idle). The transaction fails instead, and the next one works on a new connection.
 * A real private server (test-utils' private-postgres), restarted with `pg_ctl restart -m fast`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivatePostgres, type PrivatePostgres } from '@kizuna/test-utils';
import { openDb, type Db } from '../src/index.ts';

let pg: PrivatePostgres;
let db: Db;
beforeAll(async () => {
  pg = await startPrivatePostgres();
  db = await openDb({ url: pg.url, max: 2 });
}, 120_000);
afterAll(async () => {
  await db?.close();
  await pg?.close();
});

describe('PostgreSQL restarted during a transaction', () => {
  it('fails that transaction, not the process; the next one works', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const tx = db.tx(async (q) => {
        await q.query('SELECT 1');
        await pg.restart(); // the connection is closed under the open transaction
        await new Promise((r) => setTimeout(r, 500));
        await q.query('SELECT 2');
      });
      await expect(tx).rejects.toThrow();
      const r = await db.query<{ n: number }>('SELECT 3 AS n');
      expect(r.rows[0]!.n).toBe(3);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 120_000);

  it('fails a query that was running on the pool, not the process; the next one works', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      // settled here, not at the expect: its rejection comes while the restart is awaited
      const running = db.query('SELECT pg_sleep(30)').then(
        () => null,
        (e: Error) => e,
      );
      await new Promise((r) => setTimeout(r, 300)); // the statement is on the server
      await pg.restart();
      expect(await running).toBeInstanceOf(Error);
      await new Promise((r) => setTimeout(r, 1000)); // the dead connection's later events
      const r = await db.query<{ n: number }>('SELECT 4 AS n');
      expect(r.rows[0]!.n).toBe(4);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 120_000);
});
