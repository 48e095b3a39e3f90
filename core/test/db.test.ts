import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { dbEngines } from '@kizuna/test-utils';
import { loadMigrations, migrate, KzError, type Db } from '../src/index.ts';

const dir = fileURLToPath(new URL('./fixtures/migrations-v2', import.meta.url));

describe.each(dbEngines())('database on $name', (engine) => {
  let db: (Db & { drop(): Promise<void> }) | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('applies migrations once, in order, and is idempotent', async () => {
    db = await engine.open();
    const ms = await loadMigrations(dir);
    expect(ms.map((m) => m.version)).toEqual([1, 2]);
    expect((await migrate(db, ms, { component: 'test' })).applied).toEqual([1, 2]);
    expect((await migrate(db, ms, { component: 'test' })).applied).toEqual([]);
    const { rows } = await db.query<{ label: string; note: string | null }>('SELECT label, note FROM thing');
    expect(rows).toEqual([{ label: 'first', note: null }]);
  });

  it('refuses a database newer than the code, without touching it', async () => {
    db = await engine.open();
    const ms = await loadMigrations(dir);
    await migrate(db, ms, { component: 'test' });
    const err = await migrate(db, ms.slice(0, 1), { component: 'test' }).catch((e) => e);
    expect(err).toBeInstanceOf(KzError);
    expect(err.code).toBe('KZ_DB_NEWER_THAN_CODE');
    expect(err.message).toMatch(/version 2.*up to 1/);
  });

  it('rolls back a failed migration completely', async () => {
    db = await engine.open();
    const bad = [{ version: 1, name: '001_bad', sql: 'CREATE TABLE ok_table (id int); CREATE TABLE broken (' }];
    const err = await migrate(db, bad, { component: 'bad' }).catch((e) => e);
    expect(err.code).toBe('KZ_MIGRATION_FAILED');
    const { rows } = await db.query("SELECT to_regclass('ok_table') AS t");
    expect(rows[0]).toEqual({ t: null });
  });

  it('stores bytea given as bytes or as hex text, and gives back the same bytes', async () => {
    db = await engine.open();
    await db.exec('CREATE TABLE blob (id int PRIMARY KEY, b bytea)');
    // every byte value, a backslash and a NUL among them, and one large enough to be stored apart (TOAST)
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const view = Buffer.concat([Buffer.from('xx'), all]).subarray(2);
    await db.query('INSERT INTO blob VALUES (1, $1), (2, $2), (3, $3), (4, $4), (5, $5)', [
      all,
      big,
      view,
      '\\x00ff5c',
      null,
    ]);
    await db.tx(async (q) => {
      await q.query('INSERT INTO blob VALUES (6, $1::bytea)', [new Uint8Array([1, 2, 3])]);
    });
    const { rows } = await db.query<{ id: number; b: Uint8Array | null }>('SELECT id, b FROM blob ORDER BY id');
    const bytes = (r: (typeof rows)[number]) => (r.b === null ? null : Buffer.from(r.b).toString('hex'));
    expect(rows.map(bytes)).toEqual([
      all.toString('hex'),
      big.toString('hex'),
      all.toString('hex'),
      '00ff5c',
      null,
      '010203',
    ]);
    expect(rows[0]!.b).toBeInstanceOf(Uint8Array);
    // the database holds the bytes themselves, not their text
    expect((await db.query<{ n: number }>('SELECT octet_length(b) AS n FROM blob WHERE id = 2')).rows[0]!.n).toBe(
      big.length,
    );
  });

  it('rolls back a transaction that throws', async () => {
    db = await engine.open();
    await db.exec('CREATE TABLE t (v int)');
    await expect(
      db.tx(async (q) => {
        await q.query('INSERT INTO t VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.tx(async (q) => {
      await q.query('INSERT INTO t VALUES (2)');
    });
    expect((await db.query('SELECT v FROM t')).rows).toEqual([{ v: 2 }]);
  });
});

describe('unreachable PostgreSQL', () => {
  it('says which server could not be reached', async () => {
    const { openDb } = await import('../src/index.ts');
    const err = await openDb({ url: 'postgres://nobody@127.0.0.1:1/nodb' }).catch((e) => e);
    expect(err.code).toBe('KZ_DB_UNREACHABLE');
    expect(err.message).toContain('127.0.0.1:1/nodb');
  });
});

describe('PGlite settings', () => {
  it("in memory, new WAL segments are not zero-filled (no disk to reserve); on disk PostgreSQL's default stands", async () => {
    const { openDb } = await import('../src/index.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const mem = await openDb({});
    const dir = mkdtempSync(join(tmpdir(), 'kz-db-test-'));
    const disk = await openDb({ dataDir: dir });
    try {
      expect((await mem.query<{ wal_init_zero: string }>('SHOW wal_init_zero')).rows[0]?.wal_init_zero).toBe('off');
      expect((await disk.query<{ wal_init_zero: string }>('SHOW wal_init_zero')).rows[0]?.wal_init_zero).toBe('on');
      // the rest of PGlite's start parameters still apply
      expect((await mem.query<{ search_path: string }>('SHOW search_path')).rows[0]?.search_path).toBe('public');
    } finally {
      await mem.close();
      await disk.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
