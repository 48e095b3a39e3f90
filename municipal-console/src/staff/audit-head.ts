/**
 * The audit chain's key and its head outside the database. The key comes from the configuration
 * (KZ_CONSOLE_AUDIT_KEY) or a key file, generated on first start (the embedded demo keeps it in its
 * data directory). The head (last entry's number and hash) is written to the log and appended to a
 * file at a fixed interval and at stop; verify checks the chain still reaches the last exported head,
 * so a cut tail or a rewritten chain is caught even by someone who could recompute hashes.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Db, Logger } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import type { AuditHead } from './audit.ts';

/** One key per process for consoles given none (tests, in-memory): restarts in the process keep it. */
const PROCESS_KEY = randomBytes(32);
export const processAuditKey = () => PROCESS_KEY;

/**
 * The audit key: `value` (base64, at least 32 bytes) if given, else the key in `file`, created
 * (32 random bytes, base64, mode 0600) when the file does not exist.
 */
export async function loadAuditKey(opts: { value?: string | undefined; file?: string | undefined }): Promise<Buffer> {
  const decode = (text: string, where: string) => {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length < 32) throw consoleErrors.KZ_CONSOLE_AUDIT_KEY(`${where}: base64 of at least 32 bytes expected`);
    return key;
  };
  if (opts.value) return decode(opts.value, 'KZ_CONSOLE_AUDIT_KEY');
  if (!opts.file) return PROCESS_KEY;
  const text = await readFile(opts.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw consoleErrors.KZ_CONSOLE_AUDIT_KEY(`${opts.file}: ${e.message}`);
  });
  if (text !== null) return decode(text, opts.file);
  const key = randomBytes(32);
  await mkdir(dirname(opts.file), { recursive: true });
  await writeFile(opts.file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export interface ExportedHead extends AuditHead {
  at: string;
}

/** Exports the head to the log (and a file) when it moved; remembers the last one for verify. */
export class AuditHeadExport {
  last: ExportedHead | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: { db: Db; logger: Logger; file?: string | undefined; now: () => Date }) {}

  /** Read the last head exported to the file, then export every `everyMs` (0: only on demand and at stop). */
  async start(everyMs: number): Promise<void> {
    if (this.o.file) {
      const text = await readFile(this.o.file, 'utf8').catch(() => '');
      const line = text.trimEnd().split('\n').pop();
      if (line) this.last = JSON.parse(line) as ExportedHead;
    }
    if (everyMs > 0) {
      this.timer = setInterval(() => {
        this.exportNow().catch((e) => this.o.logger.error({ err: e }, 'audit head export failed'));
      }, everyMs);
      this.timer.unref();
    }
  }

  async exportNow(): Promise<ExportedHead | null> {
    const { rows } = await this.o.db.query<{ seq: string | number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    if (!rows[0]) return this.last;
    const head = { seq: Number(rows[0].seq), hash: rows[0].hash, at: this.o.now().toISOString() };
    if (this.last?.seq === head.seq && this.last.hash === head.hash) return this.last;
    this.o.logger.info({ auditHead: head }, 'audit log head');
    if (this.o.file) {
      await mkdir(dirname(this.o.file), { recursive: true });
      await appendFile(this.o.file, `${JSON.stringify(head)}\n`, { mode: 0o600 });
    }
    this.last = head;
    return head;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.exportNow().catch((e) => this.o.logger.error({ err: e }, 'audit head export failed'));
  }
}
