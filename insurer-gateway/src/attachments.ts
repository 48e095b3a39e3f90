/**
 * Attachments of a notice: small PDFs or images only, recognised by their first bytes (the
 * declared type must agree), so a TV never receives a file it cannot show.
 */
import { gatewayErrors as E } from './errors.ts';

export const ATTACHMENT_TYPES = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
} as const;
export type AttachmentType = keyof typeof ATTACHMENT_TYPES;
export const MAX_ATTACHMENT_BYTES = 512 * 1024;
export const MAX_ATTACHMENTS = 4;

export interface AttachmentInput {
  filename: string;
  mediaType: string;
  data: string;
}
export interface CheckedAttachment {
  filename: string;
  mediaType: AttachmentType;
  bytes: Buffer;
}

export function checkAttachments(list: AttachmentInput[] | undefined): CheckedAttachment[] {
  const items = list ?? [];
  if (items.length > MAX_ATTACHMENTS) throw E.KZ_GW_ATTACHMENT_INVALID(`at most ${MAX_ATTACHMENTS} attachments`);
  return items.map((a, i) => {
    const where = `attachment ${i + 1}`;
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (!/^[^\\/\0-\x1f]{1,100}$/.test(a.filename))
      throw E.KZ_GW_ATTACHMENT_INVALID(`${where}: filename must be 1–100 characters without slashes`);
    const magic = ATTACHMENT_TYPES[a.mediaType as AttachmentType];
    if (!magic)
      throw E.KZ_GW_ATTACHMENT_INVALID(
        `${where}: type ${a.mediaType} is not one of ${Object.keys(ATTACHMENT_TYPES).join(', ')}`,
      );
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.data)) throw E.KZ_GW_ATTACHMENT_INVALID(`${where}: data is not base64`);
    const bytes = Buffer.from(a.data, 'base64');
    if (bytes.length === 0) throw E.KZ_GW_ATTACHMENT_INVALID(`${where}: empty`);
    if (bytes.length > MAX_ATTACHMENT_BYTES)
      throw E.KZ_GW_ATTACHMENT_INVALID(`${where}: ${bytes.length} bytes, at most ${MAX_ATTACHMENT_BYTES}`);
    if (!magic.every((b, j) => bytes[j] === b))
      throw E.KZ_GW_ATTACHMENT_INVALID(`${where}: content is not ${a.mediaType}`);
    return { filename: a.filename, mediaType: a.mediaType as AttachmentType, bytes };
  });
}
