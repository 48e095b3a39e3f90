/**
 * Columns of values packed into one text or buffer: values joined by U+001E, columns by U+001D.
 * The fan-out journal packs its chunks so (fanout-journal.ts), the repository passes a chunk's
 * column values to SQL so (repository/delivery-rows.ts), and a plan writes its payloads so
 * (PayloadWriter, used by personalise.ts).
 */
import { consoleErrors } from '../errors.ts';

/** Between a column's values (also the separator of the SQL-side split, see repository/delivery-rows.ts). */
export const FIELD_SEP = '\u001e';
/** Between columns in a packed chunk. */
export const COLUMN_SEP = '\u001d';

/**
 * A column's values joined by U+001E. A value that holds U+001E or U+001D would split a row in
 * two (or a column), so it is refused.
 */
export function joinField(values: readonly string[]): string {
  for (const v of values) {
    if (v.includes(FIELD_SEP) || v.includes(COLUMN_SEP))
      throw consoleErrors.KZ_CONSOLE_BAD_ID(
        `a fan-out value holds a separator (U+001E or U+001D): ${JSON.stringify(v.slice(0, 40))}`,
      );
  }
  return values.join(FIELD_SEP);
}

/**
 * JSON texts (payloads made by JSON.stringify) joined by U+001E, unchecked: JSON.stringify escapes
 * every control character inside a string and emits none outside one, so neither separator can
 * occur; scanning a chunk's megabytes of payloads for them cost more than joining them.
 */
export function joinJson(values: readonly (string | Buffer)[]): string {
  if (values.every((v) => typeof v === 'string')) return values.join(FIELD_SEP);
  return joinBytes(values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v))).toString('utf8');
}

/**
 * A chunk's payloads written as UTF-8 into one buffer, U+001E between them (as the journal's
 * payloads column is packed), each payload a view of it: one allocation per chunk instead of one
 * per TV, and the column, or any run of it, is then packed and written as rows without being
 * copied again (see joinBytes). A payload is written in pieces (begin, str/bytes/byte, end);
 * the views are taken once every payload is written (the buffer grows meanwhile).
 */
export class PayloadWriter {
  private buf: Buffer;
  private at = 0;
  private readonly spans: number[] = [];
  private open = -1;
  constructor(sizeHint = 0) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(1024, sizeHint));
  }
  /** Bytes written so far, separators included. */
  get size(): number {
    return this.at;
  }
  begin(): void {
    if (this.spans.length > 0) this.byte(SEP_BYTE);
    this.open = this.at;
  }
  end(): void {
    this.spans.push(this.open, this.at);
  }
  /** UTF-8 takes at most 3 bytes per UTF-16 unit. */
  str(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  byte(x: number): void {
    this.room(1);
    this.buf[this.at++] = x;
  }
  payloads(): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < this.spans.length; i += 2) out.push(this.buf.subarray(this.spans[i]!, this.spans[i + 1]!));
    return out;
  }
  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
const SEP_BYTE = 0x1e;

/**
 * The payloads already side by side in one buffer with U+001E between them (as PayloadWriter
 * leaves them): that span itself, with nothing copied; otherwise null.
 */
function adjacentRun(values: readonly Buffer[]): Buffer | null {
  const first = values[0];
  if (!first) return null;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v.buffer !== first.buffer || v.byteOffset !== end + 1) return null;
    end = v.byteOffset + v.length;
  }
  const run = Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
  for (let i = 1; i < values.length; i++)
    if (run[values[i]!.byteOffset - first.byteOffset - 1] !== SEP_BYTE) return null;
  return run;
}

/** UTF-8 payloads joined by U+001E, as bytes. */
export function joinBytes(values: readonly Buffer[]): Buffer {
  const run = adjacentRun(values);
  if (run) return run;
  const parts: Buffer[] = [];
  values.forEach((b, i) => {
    if (i > 0) parts.push(FIELD_SEP_BYTES);
    parts.push(b);
  });
  return Buffer.concat(parts);
}
const FIELD_SEP_BYTES = Buffer.from(FIELD_SEP, 'utf8');
