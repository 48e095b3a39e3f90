/**
 * Database errors in the log carry their code, constraint, column and table, never the statement's
 * parameters or the row's values (issue 24, item 3): PostgreSQL puts them in `detail` and `where`,
 * PGlite adds the whole `params` array, and a data error's message quotes the value.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { dbEngines } from '@kizuna/test-utils';
import { createLogger, type Db } from '../src/index.ts';

const NAME = '試験太郎';
const PHONE = '090-1234-5678';
const ADDRESS = '絆市川辺9-9-9';
const HASH = 'scrypt$16384$8$1$c2FsdA$aGFzaGhhc2hoYXNo';
const PERSONAL = [NAME, PHONE, ADDRESS, HASH, '1950-04-01'];

const SCHEMA = `CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL, address text, phone varchar(20) UNIQUE,
  born date, password_hash text CHECK (length(password_hash) < 20))`;

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    destination: new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    }),
  });
  return { logger, text: () => lines.join('') };
}

/** Statements that fail in the database with personal data in their parameters. */
const FAILURES: [string, string, unknown[]][] = [
  ['NUL in a value', 'INSERT INTO people (id, name, address) VALUES ($1, $2, $3)', ['p1', `${NAME}\u0000`, ADDRESS]],
  [
    'a value too long',
    'INSERT INTO people (id, name, address, phone) VALUES ($1, $2, $3, $4)',
    ['p2', NAME, ADDRESS, `${PHONE}${PHONE}`],
  ],
  [
    'a duplicate key',
    'INSERT INTO people (id, name, address, phone) VALUES ($1, $2, $3, $4), ($5, $2, $3, $4)',
    ['p3', NAME, ADDRESS, PHONE, 'p4'],
  ],
  ['a check constraint', 'INSERT INTO people (id, name, password_hash) VALUES ($1, $2, $3)', ['p5', NAME, HASH]],
  ['a bad date', 'INSERT INTO people (id, name, born) VALUES ($1, $2, $3)', ['p6', NAME, '1950-04-01x']],
  [
    'a batch from JSON',
    `INSERT INTO people SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, address text, phone text, born date, password_hash text)`,
    [
      JSON.stringify([
        { id: 'p7', name: NAME, address: ADDRESS, phone: PHONE, born: '1950-04-01', password_hash: HASH },
      ]),
    ],
  ],
];

describe.each(dbEngines())('database errors in the log on $name', (engine) => {
  let db: (Db & { drop(): Promise<void> }) | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it.each(FAILURES)('%s: code and table logged, no values', async (_what, sql, params) => {
    db = await engine.open();
    await db.exec(SCHEMA);
    const { logger, text } = capture();
    const err = await db.query(sql, params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    logger.error({ err }, 'request failed');
    // in a transaction too, and through a child logger (as fastify's request logger is)
    const err2 = await db.tx((q) => q.query(sql, params)).catch((e: unknown) => e);
    logger.child({ reqId: 'r1' }).error({ err: err2 }, 'unhandled error');
    const out = text();
    for (const p of PERSONAL) expect(out).not.toContain(p);
    const line = JSON.parse(out.split('\n')[0]!) as { err: Record<string, unknown> };
    expect(line.err.code).toMatch(/^[0-9A-Z]{5}$/);
    for (const k of ['detail', 'where', 'params', 'query', 'internalQuery', 'hint'])
      expect(line.err).not.toHaveProperty(k);
    // integrity errors (class 23) name the table and constraint; data errors (class 22) only the code
    if (String(line.err.code).startsWith('23')) expect(line.err.table).toBe('people');
    // the caller still sees the code it branches on (23505 → "already exists")
    expect((err as { code: string }).code).toBe(line.err.code);
  });
});

/** The raw error objects of both drivers, logged by code that did not go through Db. */
describe('the log serializer on raw driver errors', () => {
  const raws: [string, () => Promise<unknown>][] = [
    [
      'PGlite',
      async () => {
        const g = await PGlite.create();
        await g.exec(SCHEMA);
        const e = await g.query(FAILURES[2]![1], FAILURES[2]![2]).catch((x: unknown) => x);
        await g.close();
        return e;
      },
    ],
  ];
  if (process.env.KZ_TEST_DATABASE_URL)
    raws.push([
      'pg',
      async () => {
        const c = new pg.Client({ connectionString: process.env.KZ_TEST_DATABASE_URL });
        await c.connect();
        await c.query('CREATE TEMP TABLE ' + SCHEMA.slice('CREATE TABLE '.length));
        const e = await c.query(FAILURES[2]![1], FAILURES[2]![2]).catch((x: unknown) => x);
        await c.end();
        return e;
      },
    ]);

  it.each(raws)('%s: detail, where and params never reach the log', async (_name, make) => {
    const raw = (await make()) as Record<string, unknown>;
    expect(raw.code).toBe('23505');
    expect(JSON.stringify({ ...raw })).toContain(PHONE); // the driver's own object holds it
    const { logger, text } = capture();
    logger.error({ err: raw }, 'failed');
    logger.child({ reqId: 'r2' }).warn({ error: raw, cause: raw }, 'failed again');
    const out = text();
    for (const p of PERSONAL) expect(out).not.toContain(p);
    expect(out).toContain('"code":"23505"');
    expect(out).toContain('"constraint":"people_phone_key"');
  });
});
