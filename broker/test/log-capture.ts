/** A real pino logger whose lines are kept in an array, for tests that assert what was logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@kizuna/core';

export interface LogLine {
  level: number;
  msg: string;
  component?: string;
  [k: string]: unknown;
}

export function captureLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      cb();
    },
  });
  return { logger: createLogger({ name: 'test', level, destination: sink }), lines };
}
