/**
 * Signed life-status reports (現況届). The gateway verifies the CMS fail-closed with the jpki
 * verifier (chain, key usage, signature, revocation at that moment), checks that it answers an
 * open status-check notice of this post-box with the notice's nonce and policy, that the signer
 * is the enrolled signing certificate (or its renewal, through the authority's old → new link),
 * refuses replays, stamps the time, keeps the evidence, and returns a receipt it signs.
 * Every refusal carries a named reason (REPORT_REASONS) and is recorded without the document.
 */
import type { Db, Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { sha256Hex } from './ids.ts';
import type { CmsVerifier, EvidenceVerifier, StatusSource } from './ports.ts';
import { parseReportDocument, type ReportDocument } from '@kizuna/contract';
import { decodeSigned, refusal, verifySigned, type SignedBody } from './signed-input.ts';
import type { ReceiptSigner } from './receipts.ts';
import { requireSessionCard, SIGNER_NOT_SESSION_CARD, type CardLinks, type SessionCard } from './card-binding.ts';
import { iso } from './time.ts';
import { normaliseReceiptNumber } from './receipt-number.ts';
import {
  storeReports,
  type ReportBatcher,
  type ReportOutcome,
  type Refused,
  type VerifiedReport,
} from './report-store.ts';

/** Reasons of the gateway's own checks (the verifier's reasons come first: bad-signature, revoked, …). */
export const REPORT_REASONS = {
  malformed: 'the body is not base64 DER, or too large',
  replayed: 'this exact signed report was already accepted',
  'content-not-json': 'the signed content is not UTF-8 JSON',
  'content-wrong-kind': 'the signed content is not a kz-life-status-report',
  'content-invalid': 'the signed report lacks a field or has a wrong one',
  'notice-unknown': 'no such notice in this post-box',
  'notice-not-status-check': 'the notice does not ask for a report',
  'notice-already-answered': 'the notice was already answered by another report',
  'notice-closed': 'the notice was withdrawn or its enrolment ended',
  'nonce-mismatch': "the report's nonce is not the notice's",
  'policy-mismatch': "the report's policy is not the notice's",
  'signer-not-enrolled': 'the signing certificate is not the one enrolled for this policy, nor its renewal',
  [SIGNER_NOT_SESSION_CARD]:
    'the signing certificate is not on the card that opened the session (403 KZ_GW_SIGNER_NOT_SESSION_CARD)',
  'verifier-error': 'the verifier failed; nothing was accepted',
} as const;

export type { ReportOutcome } from './report-store.ts';

export interface ReportDeps {
  db: Db;
  verifier: CmsVerifier | undefined;
  status?: StatusSource | undefined;
  receipts: ReceiptSigner;
  /** The authority's links between a card's certificates: the signer must be the session's card. */
  links?: CardLinks | undefined;
  /** Group commit of concurrent reports (app.ts makes one); without it each report is stored alone. */
  store?: ReportBatcher | undefined;
}

async function recordAttempt(
  db: Queryable,
  postboxId: string,
  noticeId: string | null,
  insurerId: string | null,
  reason: string,
  now: Date,
): Promise<void> {
  await db
    .query(
      'INSERT INTO gw_report_attempts (notice_id, insurer_id, postbox_id, reason, at) VALUES ($1, $2, $3, $4, $5)',
      [noticeId, insurerId, postboxId, reason, now],
    )
    .catch(() => undefined);
}

export async function submitReport(
  deps: ReportDeps,
  session: SessionCard,
  body: SignedBody,
  now: Date,
): Promise<ReportOutcome> {
  const { postboxId } = session;
  const refuse = (reason: string, detail: string): never => {
    throw Object.assign(refusal('report', reason, detail), { kzRecord: reason });
  };
  try {
    const { der, detached } = decodeSigned(body, refuse);
    const v = await verifySigned(deps.verifier, der, detached, now);
    if (!v.ok) return refuse(v.reason, v.detail ?? v.reason);
    await requireSessionCard(deps.db, deps.links, session, v.serial, now).catch((e: Error & { code?: string }) => {
      throw e.code === 'KZ_GW_SIGNER_NOT_SESSION_CARD' ? Object.assign(e, { kzRecord: SIGNER_NOT_SESSION_CARD }) : e;
    });
    const parsed = parseReportDocument(v.content);
    if (!parsed.ok) return refuse(parsed.reason, parsed.detail);
    const item: VerifiedReport = { postboxId, doc: parsed.doc, der, digest: sha256Hex(der), detached, v, now };
    if (deps.store) return await deps.store.submit(item);
    const [r] = await storeReports(deps, [item]);
    if (!r!.ok) throw r!.error;
    return r!.out;
  } catch (e) {
    const x = e as Partial<Refused>;
    if (x.kzRecord) await recordAttempt(deps.db, postboxId, x.noticeId ?? null, x.insurerId ?? null, x.kzRecord, now);
    throw e;
  }
}

interface ReportRow {
  id: string;
  notice_id: string;
  insurer_id: string;
  code: string;
  policy: string;
  document: unknown;
  cms: Uint8Array;
  detached_content: Uint8Array | null;
  signer_serial: string;
  signing_time: Date | null;
  received_at: Date;
  result: string;
  reason: string;
  evidence_cert: Uint8Array;
  evidence_ocsp: Uint8Array | null;
  receipt: unknown;
  acknowledged_at: Date | null;
}
const b64 = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('base64') : null);
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function reportView(r: ReportRow) {
  const doc = json(r.document) as ReportDocument;
  return {
    id: r.id,
    noticeId: r.notice_id,
    code: r.code,
    policy: r.policy,
    statement: doc.statement,
    document: doc,
    receivedAt: iso(r.received_at)!,
    signingTime: iso(r.signing_time),
    acknowledged: r.acknowledged_at !== null,
    verification: {
      result: r.result,
      reason: r.reason,
      verifiedAt: iso(r.received_at)!,
      signerSerial: r.signer_serial,
    },
    evidence: { signerCertificate: b64(r.evidence_cert)!, ocspResponse: b64(r.evidence_ocsp) },
    cms: b64(r.cms)!,
    detachedContent: b64(r.detached_content),
  };
}
export type ReportView = ReturnType<typeof reportView>;

export async function listReports(
  db: Queryable,
  insurerId: string,
  opts: { unackedOnly?: boolean | undefined; limit?: number | undefined },
) {
  const { rows } = await db.query<ReportRow>(
    `SELECT * FROM gw_reports WHERE insurer_id = $1 AND ($2::boolean IS FALSE OR acknowledged_at IS NULL) ORDER BY received_at DESC, id LIMIT $3`,
    [insurerId, opts.unackedOnly ?? false, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map(reportView);
}

/** The stored id for what was typed: a receipt number with or without its hyphens; a bad check digit is a 400. */
function reportKey(typed: string): string {
  const id = normaliseReceiptNumber(typed);
  if (id === null) throw E.KZ_GW_RECEIPT_NUMBER_CHECK(typed);
  return id;
}

export async function getReport(db: Queryable, insurerId: string, typed: string): Promise<ReportView> {
  const id = reportKey(typed);
  const { rows } = await db.query<ReportRow>('SELECT * FROM gw_reports WHERE id = $1 AND insurer_id = $2', [
    id,
    insurerId,
  ]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_REPORT(id);
  return reportView(rows[0]);
}

export async function ackReport(db: Queryable, insurerId: string, typed: string, now: Date): Promise<void> {
  const id = reportKey(typed);
  const { rows } = await db.query(
    'UPDATE gw_reports SET acknowledged_at = COALESCE(acknowledged_at, $3) WHERE id = $1 AND insurer_id = $2 RETURNING id',
    [id, insurerId, now],
  );
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_REPORT(id);
}

/** Re-checks a stored report from its evidence alone, as of the time it was received (audit years later). */
export async function reverifyReport(
  db: Queryable,
  evidence: EvidenceVerifier | undefined,
  insurerId: string,
  typed: string,
) {
  if (!evidence) throw E.KZ_GW_VERIFIER_UNAVAILABLE('re-verification from evidence');
  const id = reportKey(typed);
  const { rows } = await db.query<ReportRow>('SELECT * FROM gw_reports WHERE id = $1 AND insurer_id = $2', [
    id,
    insurerId,
  ]);
  const r = rows[0];
  if (!r) throw E.KZ_GW_UNKNOWN_REPORT(id);
  const at = new Date(r.received_at);
  const out = await evidence
    .verifyEvidence({
      cms: Buffer.from(r.cms),
      ...(r.detached_content ? { detachedContent: Buffer.from(r.detached_content) } : {}),
      signerCertificate: Buffer.from(r.evidence_cert),
      ...(r.evidence_ocsp ? { ocspResponse: Buffer.from(r.evidence_ocsp) } : {}),
      at,
    })
    .catch((e: Error) => ({ ok: false as const, reason: 'verifier-error', detail: e.message }));
  return {
    reportId: id,
    checkedAsOf: at.toISOString(),
    ...(out.ok
      ? { result: 'valid', reason: 'ok' }
      : { result: 'invalid', reason: out.reason, detail: out.detail ?? null }),
  };
}
