/** Base64 both ways: the authority's store keeps keys and certificates as base64 strings in JSON. */

export const toBase64 = (b: Uint8Array | ArrayBuffer): string =>
  Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('base64');

export const fromBase64 = (s: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(s, 'base64'));
