/**
 * Structured logs (pino). Personal data never goes into a log: names, addresses, birth dates,
 * PINs, passwords, tokens and certificates are redacted wherever they appear by these keys, and a
 * database error is logged by its code and the names of what failed, never its values (db/errors.ts).
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { isDriverDbError, scrubDbError } from './db/errors.ts';

// Top-level `name` is pino's logger name, so personal names are matched one level down.
export const REDACT_PATHS = [
  'displayName',
  'reading',
  'address',
  'birthDate',
  'sex',
  'phone',
  'pin',
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  'certificate',
  'signature',
  '*.name',
  '*.displayName',
  '*.reading',
  '*.address',
  '*.birthDate',
  '*.sex',
  '*.phone',
  '*.pin',
  '*.password',
  '*.token',
  '*.secret',
  '*.certificate',
  '*.signature',
  // a database error's values, should one reach a logger without passing scrubDbError
  'err.detail',
  'err.where',
  'err.params',
  'err.query',
  'err.internalQuery',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * Runs before the serializers, in every child logger too (fastify's request loggers replace the
 * `err` serializer, not the formatters): a driver's database error under any key is logged scrubbed.
 */
function scrubDbErrors(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const k in obj) {
    if (isDriverDbError(obj[k])) {
      if (out === obj) out = { ...obj };
      out[k] = scrubDbError(obj[k]);
    }
  }
  return out;
}

export function createLogger(
  opts: { name: string; level?: string; destination?: pino.DestinationStream } & LoggerOptions,
): Logger {
  const { destination, ...rest } = opts;
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...rest,
    formatters: {
      ...rest.formatters,
      log: (o: Record<string, unknown>) => scrubDbErrors(rest.formatters?.log ? rest.formatters.log(o) : o),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
