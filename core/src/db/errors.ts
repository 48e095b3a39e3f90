/**
 * A database error as the rest of the system sees it: SQLSTATE code, severity and the names of
 * what failed (table, column, constraint, type), never the values. The drivers' own errors carry
 * personal data: `detail` ("Key (phone)=(…)", "Failing row contains (…)"), `where` (the statement
 * and its row), PGlite's `params` and `query` (a whole register import batch), `internalQuery`, and
 * for data errors (SQLSTATE class 22) the message quotes the value. Every Db turns a driver error
 * into a DbError at the point it is thrown, and the log scrubs any driver error it is handed
 * (log.ts), so no logger anywhere can write them.
 */

/** The fields kept: names and codes only. */
const KEPT = ['code', 'severity', 'schema', 'table', 'column', 'constraint', 'dataType', 'routine'] as const;
type Kept = { -readonly [K in (typeof KEPT)[number]]?: string };

export class DbError extends Error implements Kept {
  code!: string;
  severity?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  routine?: string;
  constructor(message: string, fields: Kept & { code: string }) {
    super(message);
    this.name = 'DbError';
    for (const k of KEPT) if (typeof fields[k] === 'string') this[k] = fields[k];
  }
}

/** A PostgreSQL error from node-postgres or PGlite (both use pg-protocol's DatabaseError shape). */
export function isDriverDbError(e: unknown): e is Error & Kept & { code: string } {
  if (!(e instanceof Error) || e instanceof DbError) return false;
  const x = e as Error & { code?: unknown; severity?: unknown };
  return typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code) && typeof x.severity === 'string';
}

/** Class 22 (data exception) messages quote the offending value: keep the words, not the value. */
export function safeDbMessage(code: string, message: string): string {
  return code.startsWith('22') ? message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"') : message;
}

/** The error to throw and log instead of a driver's; anything else is returned as it is. */
export function scrubDbError(e: unknown): unknown {
  if (!isDriverDbError(e)) return e;
  const out = new DbError(safeDbMessage(e.code, e.message), e);
  // the driver's stack names only its own parser; keep the frames, not the message line
  out.stack = `${out.name}: ${out.message}\n${(e.stack ?? '').split('\n').slice(1).join('\n')}`;
  return out;
}

/** `promise`, with a driver error replaced by its DbError. */
export function scrubbed<T>(p: Promise<T>): Promise<T> {
  return p.catch((e: unknown) => {
    throw scrubDbError(e);
  });
}
