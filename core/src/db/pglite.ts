/**
 * PGlite called in-process behind the Db interface. PGlite is one session, so statements
 * and transactions are serialised through a queue (docs/PLATFORM.md, "PGlite: one session": pglite-socket shares one
 * session between connections, which is why we do not use it).
 */
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './types.ts';
import { scrubbed } from './errors.ts';

/**
 * In memory, a file grows by copying it whole into a buffer 1.125× as large (Emscripten's MEMFS),
 * so PostgreSQL's zero-filling of each new 16 MB WAL segment copied about 100 MB: a quarter of
 * what a 10,000-TV alert made the file system do. A WAL segment in memory needs no zeroes written
 * ahead (they only reserve disk space), so this mode skips them. On disk the default stands.
 */
const IN_MEMORY_PARAMS = ['-c', 'wal_init_zero=off'];

/**
 * PostgreSQL's 128 MB default of shared buffers is zeroed at every start: ≈ 0.35 s of CPU before
 * the first query (issue 21: the embedded broker's restart, when a city's TVs are waiting for their
 * logins). 32 MB holds the broker's credentials of well over 50,000 devices (2.0 MB per 5,000);
 * pages beyond it are read again from the file system (the OS cache on disk, memory in memory).
 * Measured in docs/BENCHMARKS.md ("Reconnect storm").
 */
const SHARED_BUFFERS = ['-c', 'shared_buffers=32MB'];

/**
 * bytea both ways without a JavaScript string per byte. PGlite's own serializer builds one per
 * byte (Array.from(bytes).map(toString(16))) and its parser calls parseInt per byte: about 50 ms
 * per 4,000-TV fan-out chunk. A typed array is returned as it is, which PGlite's protocol writer
 * sends as a binary parameter (the bytes as they are, as node-postgres sends a Buffer); text (hex
 * or escape form) is sent as text. A result's hex is decoded by Buffer, into a Uint8Array of its own
 * (PGlite's own result type).
 */
const BYTEA = 17;
const byteaSerializer = (v: unknown) => (v instanceof Uint8Array ? v : String(v)) as string;
const byteaParser = (text: string): Uint8Array => {
  const b = Buffer.from(text.slice(2), 'hex');
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
};

export async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob | File }): Promise<Db> {
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    serializers: { [BYTEA]: byteaSerializer },
    parsers: { [BYTEA]: byteaParser },
    startParams: [...PGlite.defaultStartParams, ...SHARED_BUFFERS, ...(opts.dataDir ? [] : IN_MEMORY_PARAMS)],
  });
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const direct: Queryable = {
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const r = await scrubbed(pg.query<R>(text, params as unknown[] | undefined));
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await scrubbed(pg.exec(sql));
    },
  };
  let closed = false;
  return {
    engine: 'pglite',
    query: (text, params) => serial(() => direct.query(text, params)),
    tx: (fn) =>
      serial(() =>
        scrubbed(
          pg.transaction(async (t) =>
            fn({
              async query<R>(text: string, params?: readonly unknown[]) {
                const r = await scrubbed(t.query<R>(text, params as unknown[] | undefined));
                return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
              },
              async exec(sql: string) {
                await scrubbed(t.exec(sql));
              },
            }),
          ),
        ),
      ),
    exec: (sql) =>
      serial(async () => {
        await scrubbed(pg.exec(sql));
      }),
    async close() {
      if (closed) return;
      closed = true;
      await serial(() => pg.close());
    },
  };
}
