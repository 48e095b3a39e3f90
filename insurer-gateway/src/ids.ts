/** Opaque random ids (safe as MQTT levels: letters, digits, `_`, `-`). No id encodes anything about a person. */
import { createHash, randomBytes } from 'node:crypto';

export const newId = (prefix: string, bytes = 12): string => `${prefix}_${randomBytes(bytes).toString('base64url')}`;
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
