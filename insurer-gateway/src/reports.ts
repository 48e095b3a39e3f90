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
import { newId, sha256Hex } from './ids.ts';
import type { CmsVerifier, EvidenceVerifier, StatusSource } from './ports.ts';
import { parseReportDocument, type ReportDocument } from './documents.ts';
import { decodeSigned, refusal, verifySigned, type SignedBody } from './signed-input.ts';
import type { ReceiptSigner, SignedReceipt } from './receipts.ts';
import { iso, tokyoDate } from './time.ts';
import { isPlainRenewal } from './status-watch.ts';

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
  'verifier-error': 'the verifier failed; nothing was accepted',
} as const;

export interface ReportOutcome { reportId: string; receipt: SignedReceipt; late: boolean }

export interface ReportDeps { db: Db; verifier: CmsVerifier | undefined; status?: StatusSource | undefined; receipts: ReceiptSigner }

const MAX_RENEWAL_HOPS = 8;

/** Follows the authority's renewal links from the enrolled serial; true when `signer` is reached. */
async function isRenewalOf(status: StatusSource | undefined, enrolled: string, signer: string): Promise<boolean> {
  if (!status) return false;
  let serial = enrolled;
  for (let i = 0; i < MAX_RENEWAL_HOPS; i++) {
    const s = await status.status(serial).catch(() => null);
    if (!s?.renewedTo || !isPlainRenewal(s.reason)) return false;
    serial = s.renewedTo.toLowerCase();
    if (serial === signer) return true;
  }
  return false;
}

async function recordAttempt(db: Queryable, postboxId: string, noticeId: string | null, insurerId: string | null, reason: string, now: Date): Promise<void> {
  await db.query('INSERT INTO gw_report_attempts (notice_id, insurer_id, postbox_id, reason, at) VALUES ($1, $2, $3, $4, $5)', [noticeId, insurerId, postboxId, reason, now]).catch(() => undefined);
}

export async function submitReport(deps: ReportDeps, postboxId: string, body: SignedBody, now: Date): Promise<ReportOutcome> {
  const { db } = deps;
  let noticeId: string | null = null;
  let insurerId: string | null = null;
  const refuse = (reason: string, detail: string): never => { throw Object.assign(refusal('report', reason, detail), { kzRecord: reason }); };
  try {
    const { der, detached } = decodeSigned(body, refuse);
    const digest = sha256Hex(der);

    const v = await verifySigned(deps.verifier, der, detached, now);
    if (!v.ok) return refuse(v.reason, v.detail ?? v.reason);
    const parsed = parseReportDocument(v.content);
    if (!parsed.ok) return refuse(parsed.reason, parsed.detail);
    const doc: ReportDocument = parsed.doc;

    // One read for everything the checks need (PGlite pays per statement: keep the path short).
    const { rows } = await db.query<{
      id: string; insurer_id: string; postbox_id: string; enrolment_id: string | null; kind: string; status: string; report_nonce: string | null;
      due_date: string | null; policy: string | null; sign_serial: string | null; enrolment_status: string | null; code: string | null; replayed: boolean;
    }>(`SELECT n.id, n.insurer_id, n.postbox_id, n.enrolment_id, n.kind, n.status, n.report_nonce, to_char(n.due_date, 'YYYY-MM-DD') AS due_date,
        e.policy, e.sign_serial, e.status AS enrolment_status, c.code, EXISTS (SELECT 1 FROM gw_reports WHERE cms_sha256 = $2) AS replayed
      FROM gw_notices n LEFT JOIN gw_enrolments e ON e.id = n.enrolment_id
      LEFT JOIN gw_insurer_codes c ON c.insurer_id = n.insurer_id AND c.postbox_id = n.postbox_id
      WHERE n.id = $1`, [doc.notice, digest]);
    const n = rows[0];
    if (n?.replayed) refuse('replayed', 'this report was already accepted');
    if (!n || n.postbox_id !== postboxId) return refuse('notice-unknown', doc.notice);
    noticeId = n.id; insurerId = n.insurer_id;
    if (n.kind !== 'status-check') return refuse('notice-not-status-check', n.id);
    if (n.status === 'answered') return refuse('notice-already-answered', n.id);
    if (n.status === 'withdrawn' || !n.enrolment_id || n.enrolment_status !== 'active') return refuse('notice-closed', n.id);
    if (doc.nonce !== n.report_nonce) return refuse('nonce-mismatch', 'the nonce does not match the notice');
    if (doc.policy !== n.policy) return refuse('policy-mismatch', `report names policy ${doc.policy}`);

    const signer = v.serial.toLowerCase();
    let renewed = false;
    if (n.sign_serial !== signer) {
      if (!(await isRenewalOf(deps.status, n.sign_serial ?? '', signer))) return refuse('signer-not-enrolled', 'signed by another certificate');
      renewed = true;
    }

    const reportId = newId('rpt');
    const late = n.due_date !== null && tokyoDate(now) > n.due_date;
    const receipt = deps.receipts.sign({
      v: 1, kind: 'kz-report-receipt', report: reportId, notice: n.id, insurer: n.insurer_id, policy: doc.policy,
      documentSha256: digest, receivedAt: now.toISOString(), verification: { result: 'valid', reason: 'ok' },
    });
    const event = {
      reportId, noticeId: n.id, code: n.code, policy: doc.policy, answer: doc.statement.answer, receivedAt: now.toISOString(), late,
      verification: { result: 'valid', reason: 'ok' },
    };
    // One statement: close the notice, store the report with its evidence, queue the insurer's event.
    // If the notice was answered meanwhile nothing is written; a duplicate document hits the unique digest.
    const write = async (q: Queryable) => {
      const { rows: w } = await q.query<{ n: string }>(`WITH upd AS (
          UPDATE gw_notices SET status = 'answered', answered_at = $2, closed_at = $2 WHERE id = $1 AND status IN ('unread', 'read') RETURNING id),
        ins AS (
          INSERT INTO gw_reports (id, notice_id, insurer_id, postbox_id, enrolment_id, code, policy, document, cms, cms_sha256, detached_content,
            signer_serial, signing_time, received_at, result, reason, evidence_cert, evidence_ocsp, receipt)
          SELECT $3::text, upd.id, $4::text, $5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::bytea, $11::text, $12::bytea, $13::text, $14::timestamptz, $2::timestamptz, 'valid', 'ok', $15::bytea, $16::bytea, $17::jsonb FROM upd RETURNING id),
        ev AS (
          INSERT INTO gw_events (id, insurer_id, type, payload, created_at, next_attempt_at) SELECT $18::text, $4::text, 'report.received', $19::jsonb, $2::timestamptz, $2::timestamptz FROM ins RETURNING id)
        SELECT count(*) AS n FROM ev`,
      [n.id, now, reportId, n.insurer_id, postboxId, n.enrolment_id, n.code, doc.policy, JSON.stringify(doc), Buffer.from(der), digest,
        detached ? Buffer.from(detached) : null, signer, v.signingTime ?? null, Buffer.from(v.evidence.signerCertificate),
        v.evidence.ocspResponse ? Buffer.from(v.evidence.ocspResponse) : null, JSON.stringify(receipt), newId('evt'), JSON.stringify(event)]);
      if (Number(w[0]?.n ?? 0) !== 1) refuse('notice-already-answered', n.id);
    };
    try {
      if (!renewed) await write(db);
      else {
        await db.tx(async (q) => {
          await q.query('UPDATE gw_enrolments SET sign_serial = $2 WHERE id = $1', [n.enrolment_id, signer]);
          await q.query(`INSERT INTO gw_enrolment_certs (enrolment_id, serial, der, added_at, via) VALUES ($1, $2, $3, $4, 'renewal') ON CONFLICT DO NOTHING`,
            [n.enrolment_id, signer, Buffer.from(v.evidence.signerCertificate), now]);
          await write(q);
        });
      }
    } catch (e) {
      if ((e as { code?: string }).code === '23505') refuse('replayed', 'this report was already accepted');
      throw e;
    }
    return { reportId, receipt, late };
  } catch (e) {
    const reason = (e as { kzRecord?: string }).kzRecord;
    if (reason) await recordAttempt(db, postboxId, noticeId, insurerId, reason, now);
    throw e;
  }
}

interface ReportRow {
  id: string; notice_id: string; insurer_id: string; code: string; policy: string; document: unknown; cms: Uint8Array;
  detached_content: Uint8Array | null; signer_serial: string; signing_time: Date | null; received_at: Date; result: string; reason: string;
  evidence_cert: Uint8Array; evidence_ocsp: Uint8Array | null; receipt: unknown; acknowledged_at: Date | null;
}
const b64 = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('base64') : null);
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

function reportView(r: ReportRow) {
  const doc = json(r.document) as ReportDocument;
  return {
    id: r.id, noticeId: r.notice_id, code: r.code, policy: r.policy, statement: doc.statement, document: doc,
    receivedAt: iso(r.received_at)!, signingTime: iso(r.signing_time), acknowledged: r.acknowledged_at !== null,
    verification: { result: r.result, reason: r.reason, verifiedAt: iso(r.received_at)!, signerSerial: r.signer_serial },
    evidence: { signerCertificate: b64(r.evidence_cert)!, ocspResponse: b64(r.evidence_ocsp) },
    cms: b64(r.cms)!, detachedContent: b64(r.detached_content),
  };
}
export type ReportView = ReturnType<typeof reportView>;

export async function listReports(db: Queryable, insurerId: string, opts: { unackedOnly?: boolean | undefined; limit?: number | undefined }) {
  const { rows } = await db.query<ReportRow>(
    `SELECT * FROM gw_reports WHERE insurer_id = $1 AND ($2::boolean IS FALSE OR acknowledged_at IS NULL) ORDER BY received_at DESC, id LIMIT $3`,
    [insurerId, opts.unackedOnly ?? false, Math.min(opts.limit ?? 100, 1000)]);
  return rows.map(reportView);
}

export async function getReport(db: Queryable, insurerId: string, id: string): Promise<ReportView> {
  const { rows } = await db.query<ReportRow>('SELECT * FROM gw_reports WHERE id = $1 AND insurer_id = $2', [id, insurerId]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_REPORT(id);
  return reportView(rows[0]);
}

export async function ackReport(db: Queryable, insurerId: string, id: string, now: Date): Promise<void> {
  const { rows } = await db.query('UPDATE gw_reports SET acknowledged_at = COALESCE(acknowledged_at, $3) WHERE id = $1 AND insurer_id = $2 RETURNING id', [id, insurerId, now]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_REPORT(id);
}

/** Re-checks a stored report from its evidence alone, as of the time it was received (audit years later). */
export async function reverifyReport(db: Queryable, evidence: EvidenceVerifier | undefined, insurerId: string, id: string) {
  if (!evidence) throw E.KZ_GW_VERIFIER_UNAVAILABLE('re-verification from evidence');
  const { rows } = await db.query<ReportRow>('SELECT * FROM gw_reports WHERE id = $1 AND insurer_id = $2', [id, insurerId]);
  const r = rows[0];
  if (!r) throw E.KZ_GW_UNKNOWN_REPORT(id);
  const at = new Date(r.received_at);
  const out = await evidence.verifyEvidence({
    cms: Buffer.from(r.cms), ...(r.detached_content ? { detachedContent: Buffer.from(r.detached_content) } : {}),
    signerCertificate: Buffer.from(r.evidence_cert), ...(r.evidence_ocsp ? { ocspResponse: Buffer.from(r.evidence_ocsp) } : {}), at,
  }).catch((e: Error) => ({ ok: false as const, reason: 'verifier-error', detail: e.message }));
  return { reportId: id, checkedAsOf: at.toISOString(), ...(out.ok ? { result: 'valid', reason: 'ok' } : { result: 'invalid', reason: out.reason, detail: out.detail ?? null }) };
}
