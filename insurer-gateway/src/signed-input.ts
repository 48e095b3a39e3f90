/**
 * A signed document as the TV (or OpenSSL) sends it: CMS SignedData in DER, base64, with the
 * content inside (attached) or beside it (detached). Verification is fail-closed: anything but
 * an explicit ok from the jpki verifier refuses the document with the verifier's named reason.
 */
import type { CmsVerifier, CmsVerification } from './ports.ts';
import { gatewayErrors as E } from './errors.ts';

export const MAX_CMS_BYTES = 64 * 1024;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface SignedBody {
  cms: string;
  content?: string | undefined;
}

/** Reasons with their own HTTP status; every other refusal is 422. */
export const TRANSIENT_REASONS = new Set(['status-unknown', 'verifier-error']);

export function decodeSigned(
  body: SignedBody,
  refuse: (reason: string, detail: string) => never,
): { der: Uint8Array; detached?: Uint8Array } {
  const strip = (s: string) => s.replace(/\s+/g, '');
  const cms = strip(body.cms);
  if (!B64.test(cms) || cms.length === 0) refuse('malformed', 'cms is not base64');
  const der = Buffer.from(cms, 'base64');
  if (der.length > MAX_CMS_BYTES) refuse('malformed', `cms is ${der.length} bytes, at most ${MAX_CMS_BYTES}`);
  if (body.content === undefined) return { der };
  const content = strip(body.content);
  if (!B64.test(content)) refuse('malformed', 'content is not base64');
  return { der, detached: Buffer.from(content, 'base64') };
}

export async function verifySigned(
  verifier: CmsVerifier | undefined,
  der: Uint8Array,
  detached: Uint8Array | undefined,
  at: Date,
): Promise<CmsVerification> {
  if (!verifier) throw E.KZ_GW_VERIFIER_UNAVAILABLE();
  try {
    return await verifier.verifyCms(der, { purpose: 'sign', ...(detached ? { detachedContent: detached } : {}), at });
  } catch (e) {
    // A verifier that throws has not said "ok": refuse (fail closed).
    return { ok: false, reason: 'verifier-error', detail: (e as Error).message };
  }
}

/** The coded error for a refusal: transient status problems are 503 (try again), the rest 422. */
export function refusal(kind: 'report' | 'consent', reason: string, detail: string): Error {
  const details = { reason, detail };
  if (TRANSIENT_REASONS.has(reason)) return E.KZ_GW_STATUS_UNAVAILABLE(`${reason}: ${detail}`, details);
  if (reason === 'replayed') return E.KZ_GW_REPLAYED(detail, details);
  return (kind === 'report' ? E.KZ_GW_REPORT_REJECTED : E.KZ_GW_CONSENT_REJECTED)(`${reason}: ${detail}`, details);
}
