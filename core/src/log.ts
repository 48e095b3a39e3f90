/**
 * Structured logs (pino). Personal data never goes into a log: names, addresses, birth dates,
 * PINs, passwords, tokens and certificates are redacted wherever they appear by these keys.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

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
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(
  opts: { name: string; level?: string; destination?: pino.DestinationStream } & LoggerOptions,
): Logger {
  const { destination, ...rest } = opts;
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...rest,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
