/**
 * A minimal, strict DER reader (X.690 §10) for the verifier's hot path: it walks a CMS message or
 * an OCSP response without building objects, returning views into the input. Parsing a whole
 * message with asn1js costs about 1 ms here, thirty times an RSA-2048 verification; certificates
 * and CRLs are still parsed by the libraries, once, and cached. Indefinite lengths are refused.
 * `derTlv` is the writing side, for the few structures built per request (OCSP).
 */
import { concat } from './bytes.ts';

export class DerError extends Error {}

export interface Tlv {
  /** The identifier octet (only single-octet tags occur in CMS). */
  tag: number;
  /** The whole element: tag, length and value. */
  raw: Uint8Array;
  value: Uint8Array;
}

/** Reads the element at `offset`; `end` bounds it (the enclosing value's end). */
export function readTlv(buf: Uint8Array, offset: number, end = buf.length): Tlv & { next: number } {
  if (offset + 2 > end) throw new DerError('truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-octet tag');
  let len = buf[offset + 1]!;
  let at = offset + 2;
  if (len === 0x80) throw new DerError('indefinite length (BER) is not DER');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || at + n > end) throw new DerError('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + i]!;
    if (buf[at] === 0 || len < 0x80) throw new DerError('length not minimally encoded');
    at += n;
  }
  if (at + len > end) throw new DerError('element longer than its container');
  return { tag, raw: buf.subarray(offset, at + len), value: buf.subarray(at, at + len), next: at + len };
}

/** The elements inside a constructed value. */
export function children(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < value.length) {
    const t = readTlv(value, at);
    out.push(t);
    at = t.next;
  }
  return out;
}

/** Reads exactly one element filling `buf`, with the expected tag. */
export function expectOne(buf: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(buf, 0);
  if (t.next !== buf.length) throw new DerError(`${what}: trailing bytes`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag ${tag.toString(16)}, found ${t.tag.toString(16)}`);
  return t;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new DerError(`${what} is missing`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag ${tag.toString(16)}, found ${t.tag.toString(16)}`);
  return t;
}

/** DER length octets (X.690 §10.1: definite, shortest form). */
function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** One DER TLV around the given value parts (the writing side of `readTlv`). */
export function derTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const value = parts.length === 1 ? parts[0]! : concat(...parts);
  return concat(Uint8Array.of(tag), derLength(value.length), value);
}

/** DER encoding of an OBJECT IDENTIFIER's value (for byte comparison with parsed OIDs). */
export function oidBytes(oid: string): Uint8Array {
  const arcs = oid.split('.').map(BigInt);
  const out: number[] = [];
  const push = (v: bigint) => {
    const stack = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) stack.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...stack);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

/**
 * UTCTime / GeneralizedTime (DER forms, Z only, RFC 5280 §4.1.2.5) to a Date. `fractions`
 * tolerates a GeneralizedTime's fraction of a second, which some OCSP responders send.
 */
export function readTime(t: Tlv, what = 'time', o: { fractions?: boolean } = {}): Date {
  const s = Buffer.from(t.value).toString('latin1');
  const m =
    t.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : t.tag === 0x18
        ? (o.fractions
            ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/
            : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/
          ).exec(s)
        : null;
  if (!m) throw new DerError(`${what} is not a DER UTCTime or GeneralizedTime in UTC`);
  let y = Number(m[1]);
  if (t.tag === 0x17) y += y < 50 ? 2000 : 1900; // RFC 5280 §4.1.2.5.1
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const d = new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  if (Number.isNaN(d.getTime()) || d.getUTCMonth() !== Number(m[2]) - 1)
    throw new DerError(`${what} is not a calendar date`);
  return d;
}
