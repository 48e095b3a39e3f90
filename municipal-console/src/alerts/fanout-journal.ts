/**
 * The fan-out journal's record of one chunk (table `fanout_chunks`, migration 008): the chunk's
 * TVs with the exact payloads published to them and the residents they address, packed into one
 * deflated buffer. Packing: each column's values joined by U+001E, the columns by U+001D; JSON
 * text never holds either raw (JSON.stringify escapes control characters), and ids, refs, zone
 * and language codes are checked for them (joinField).
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { consoleErrors } from '../errors.ts';
import type { RecipientRow } from './personalise.ts';
import type { Language } from '@kizuna/contract';

/**
 * A TV's delivery: the JSON text published to it, or that text's UTF-8 bytes. A fan-out keeps the
 * bytes it published (their strings die young; megabytes of two-byte JSON kept alive until the rows
 * are written were copied by every young-generation GC meanwhile).
 */
export interface DeliveryRow {
  device_id: string;
  zone_id: string;
  payload: string | Buffer;
}
export interface JournalChunk {
  deliveries: DeliveryRow[];
  recipients: RecipientRow[];
}

/** Between a column's values (also the separator of the SQL-side split, see alerts.ts). */
export const FIELD_SEP = '\u001e';
/** Between columns in a packed chunk. */
const COLUMN_SEP = '\u001d';

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
function joinBytes(values: readonly Buffer[]): Buffer {
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

/**
 * The chunk packed and deflated, assembled from buffers: building it as one string first (a
 * chunk's megabytes of two-byte JSON joined, copied into the column join, then encoded) cost 3–4×
 * the deflate itself.
 */
export function packChunk(c: JournalChunk): Buffer {
  const d = c.deliveries;
  const r = c.recipients;
  const before =
    [joinField(d.map((x) => x.device_id)), joinField(d.map((x) => x.zone_id))].join(COLUMN_SEP) + COLUMN_SEP;
  const after =
    COLUMN_SEP +
    [
      joinField(r.map((x) => x.residentId)),
      joinField(r.map((x) => x.ref)),
      joinField(r.map((x) => x.deviceId)),
      joinField(r.map((x) => x.zoneId)),
      r.map((x) => (x.needsHelp ? 't' : 'f')).join(''),
      r.map((x) => (x.leaveNow ? 't' : 'f')).join(''),
      joinField(r.map((x) => x.language)),
      joinField(r.map((x) => x.shelterId ?? '')),
    ].join(COLUMN_SEP);
  // the payloads column: JSON texts joined by U+001E (see joinJson), as bytes
  const payloads = joinBytes(
    d.map((x) => (typeof x.payload === 'string' ? Buffer.from(x.payload, 'utf8') : x.payload)),
  );
  // level 1, on this thread: a chunk's payloads repeat most of their bytes, so this is a few ms per
  // 4,000 TVs; on libuv's pool it waited behind the broker and the TVs for the machine's cores
  return deflateSync(Buffer.concat([Buffer.from(before, 'utf8'), payloads, Buffer.from(after, 'utf8')]), { level: 1 });
}

export function unpackChunk(body: Uint8Array, tvs: number): JournalChunk {
  const cols = inflateSync(body).toString('utf8').split(COLUMN_SEP);
  if (cols.length !== 11) throw new Error(`fan-out journal chunk has ${cols.length} columns, expected 11`);
  const split = (s: string) => (s === '' ? [] : s.split(FIELD_SEP));
  const [devices, zones, payloads, residents, refs, rdevices, rzones, help, leave, langs, shelters] = cols as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const dv = split(devices);
  const zv = split(zones);
  const pv = split(payloads);
  if (dv.length !== tvs || zv.length !== tvs || pv.length !== tvs)
    throw new Error(`fan-out journal chunk: ${dv.length}/${zv.length}/${pv.length} TV values, expected ${tvs}`);
  const rv = split(residents);
  const n = rv.length;
  const refv = split(refs);
  const rdv = split(rdevices);
  const rzv = split(rzones);
  const lv = split(langs);
  // one value per resident, '' meaning no shelter: a lone '' is one value here
  const sv = n === 0 ? [] : shelters.split(FIELD_SEP);
  if ([refv, rdv, rzv, lv, sv].some((a) => a.length !== n) || help.length !== n || leave.length !== n)
    throw new Error('fan-out journal chunk: resident columns of unequal length');
  return {
    deliveries: dv.map((device_id, i) => ({ device_id, zone_id: zv[i]!, payload: pv[i]! })),
    recipients: rv.map((residentId, i) => ({
      residentId,
      ref: refv[i]!,
      deviceId: rdv[i]!,
      zoneId: rzv[i]!,
      needsHelp: help[i] === 't',
      leaveNow: leave[i] === 't',
      language: lv[i]! as Language,
      shelterId: sv[i] === '' ? null : sv[i]!,
    })),
  };
}
