/**
 * ISO/IEC 7816-4 command and response APDUs, short length only (the JPKI application never
 * needs more than 255 bytes of command data nor 256 of response data).
 */
import { JPKI_AID } from './constants.ts';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** Expected response length (1–256); undefined when the command has no Le field. */
  le: number | undefined;
}

/** Parses a short APDU; returns null when its length fields are inconsistent (the card answers 67 00). */
export function parseCommand(apdu: Uint8Array): CommandApdu | null {
  if (!(apdu instanceof Uint8Array) || apdu.length < 4) return null;
  const [cla, ins, p1, p2] = apdu as unknown as [number, number, number, number];
  const base = { cla, ins, p1, p2 };
  if (apdu.length === 4) return { ...base, data: new Uint8Array(0), le: undefined };
  if (apdu.length === 5) return { ...base, data: new Uint8Array(0), le: apdu[4] || 256 };
  const lc = apdu[4]!;
  if (lc === 0) return null; // extended length: not supported by this card
  if (apdu.length === 5 + lc) return { ...base, data: apdu.slice(5), le: undefined };
  if (apdu.length === 6 + lc) return { ...base, data: apdu.slice(5, 5 + lc), le: apdu[5 + lc] || 256 };
  return null;
}

export function buildCommand(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data?: Uint8Array,
  le?: number,
): Uint8Array {
  if (data && data.length > 255) throw new RangeError('short APDU data is at most 255 bytes');
  if (le !== undefined && (le < 1 || le > 256)) throw new RangeError('short APDU Le is 1–256');
  const parts = [cla, ins, p1, p2];
  if (data && data.length) parts.push(data.length, ...data);
  if (le !== undefined) parts.push(le === 256 ? 0 : le);
  return Uint8Array.from(parts);
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function parseResponse(r: Uint8Array): ResponseApdu | null {
  if (!(r instanceof Uint8Array) || r.length < 2) return null;
  return { data: r.slice(0, -2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
}

export function response(sw: number, data?: Uint8Array): Uint8Array {
  const out = new Uint8Array((data?.length ?? 0) + 2);
  if (data) out.set(data);
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
}

export const swHex = (sw: number): string => sw.toString(16).padStart(4, '0').toUpperCase();

/** The JPKI commands as sent by OpenSC's card-jpki.c. */
export const jpkiApdu = {
  selectAp: () => buildCommand(0x00, 0xa4, 0x04, 0x0c, JPKI_AID),
  selectEf: (fid: number) => buildCommand(0x00, 0xa4, 0x02, 0x0c, Uint8Array.of(fid >> 8, fid & 0xff)),
  readBinary: (offset: number, le: number) =>
    buildCommand(0x00, 0xb0, (offset >> 8) & 0x7f, offset & 0xff, undefined, le),
  verify: (secret?: Uint8Array) => buildCommand(0x00, 0x20, 0x00, 0x80, secret),
  computeSignature: (digestInfo: Uint8Array) => buildCommand(0x80, 0x2a, 0x00, 0x80, digestInfo, 256),
};
