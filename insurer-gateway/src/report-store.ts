/**
 * Storing verified reports, with group commit: reports verified by concurrent requests are checked
 * against their notices with one read and stored with one multi-row write (notices closed,
 * reports and evidence inserted, the insurers' events queued). A request is answered only after
 * the statement that holds its row has committed. When a batch's write fails as a whole, each of
 * its reports is retried on its own, so one bad row (say a replay that raced in through another
 * gateway) gets its own named reason and does not fail the others.
 *
 * Why: PGlite runs one statement at a time and PostgreSQL pays a round trip and a commit per
 * statement; per-report statements capped the HTTP path near 100 reports/s (docs/BENCHMARKS.md).
 */
import type { Db, Queryable } from '@kizuna/core';
import { newId } from './ids.ts';
import { newReceiptNumber } from './receipt-number.ts';
import type { CmsVerification, StatusSource } from './ports.ts';
import type { ReportDocument } from '@kizuna/contract';
import { refusal } from './signed-input.ts';
import type { ReceiptSigner, SignedReceipt } from './receipts.ts';
import { tokyoDate } from './time.ts';
import { isPlainRenewal } from './status-watch.ts';

export interface ReportOutcome {
  reportId: string;
  receipt: SignedReceipt;
  late: boolean;
}

/** A report that passed the verifier and parses: what the store checks against its notice. */
export interface VerifiedReport {
  postboxId: string;
  doc: ReportDocument;
  der: Uint8Array;
  digest: string;
  detached?: Uint8Array | undefined;
  v: Extract<CmsVerification, { ok: true }>;
  now: Date;
}

export interface StoreDeps {
  db: Db;
  status?: StatusSource | undefined;
  receipts: ReceiptSigner;
}

/** A refusal the caller records (without the document) and answers with its named reason. */
export type Refused = Error & { kzRecord: string; noticeId?: string | null; insurerId?: string | null };
type Result = { ok: true; out: ReportOutcome } | { ok: false; error: Error };

const MAX_RENEWAL_HOPS = 8;

const refused = (
  reason: string,
  detail: string,
  noticeId: string | null = null,
  insurerId: string | null = null,
): Result => ({
  ok: false,
  error: Object.assign(refusal('report', reason, detail), { kzRecord: reason, noticeId, insurerId }),
});

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

interface NoticeRow {
  i: number;
  id: string | null;
  insurer_id: string;
  postbox_id: string;
  enrolment_id: string | null;
  kind: string;
  status: string;
  report_nonce: string | null;
  due_date: string | null;
  policy: string | null;
  sign_serial: string | null;
  enrolment_status: string | null;
  code: string | null;
  replayed: boolean;
}

/** What one accepted report writes (row of the multi-row statement). */
interface Plan {
  item: VerifiedReport;
  n: NoticeRow;
  reportId: string;
  receipt: SignedReceipt;
  late: boolean;
  renewed: boolean;
  signer: string;
}

const COLS = 19;
/**
 * Binary columns go as bytes on both engines: node-postgres sends a Buffer as a binary parameter,
 * and so does core's PGlite (its bytea serializer passes bytes through; PGlite's own built one
 * JavaScript string per byte). A view, not a copy.
 */
const binOf = (b: Uint8Array | null | undefined): Buffer | null =>
  b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null;
const sqlCache = new Map<string, string>();
/** One statement for many reports: close each notice still open, store its report, queue its event. */
function writeSql(count: number): string {
  const key = String(count);
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    sql = buildWriteSql(count);
    if (sqlCache.size >= 512) sqlCache.delete(sqlCache.keys().next().value!);
    sqlCache.set(key, sql);
  }
  return sql;
}
function buildWriteSql(count: number): string {
  const rows: string[] = [];
  for (let r = 0; r < count; r++) {
    const p = (k: number) => `$${r * COLS + k}`;
    rows.push(
      `(${p(1)}::text, ${p(2)}::timestamptz, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::text, ${p(7)}::text, ${p(8)}::text, ${p(9)}::jsonb, ` +
        `${p(10)}::bytea, ${p(11)}::text, ${p(12)}::bytea, ${p(13)}::text, ${p(14)}::timestamptz, ${p(15)}::bytea, ${p(16)}::bytea, ${p(17)}::jsonb, ${p(18)}::text, ${p(19)}::jsonb)`,
    );
  }
  return `WITH d (nid, at, rid, insurer, postbox, enrolment, code, policy, doc, cms, digest, detached, signer, signing_time, cert, ocsp, receipt, evt, payload) AS (VALUES ${rows.join(', ')}),
    upd AS (UPDATE gw_notices n SET status = 'answered', answered_at = d.at, closed_at = d.at FROM d WHERE n.id = d.nid AND n.status IN ('unread', 'read') RETURNING n.id),
    ins AS (
      INSERT INTO gw_reports (id, notice_id, insurer_id, postbox_id, enrolment_id, code, policy, document, cms, cms_sha256, detached_content,
        signer_serial, signing_time, received_at, result, reason, evidence_cert, evidence_ocsp, receipt)
      SELECT d.rid, d.nid, d.insurer, d.postbox, d.enrolment, d.code, d.policy, d.doc, d.cms, d.digest, d.detached, d.signer, d.signing_time, d.at,
        'valid', 'ok', d.cert, d.ocsp, d.receipt FROM d JOIN upd ON upd.id = d.nid RETURNING id, notice_id),
    ev AS (
      INSERT INTO gw_events (id, insurer_id, type, payload, created_at, next_attempt_at)
      SELECT d.evt, d.insurer, 'report.received', d.payload, d.at, d.at FROM d JOIN ins ON ins.id = d.rid RETURNING id)
    SELECT ins.notice_id FROM ins`;
}

function writeParams(plans: Plan[]): unknown[] {
  const out: unknown[] = [];
  for (const { item, n, reportId, receipt, late, signer } of plans) {
    const { doc, der, digest, detached, v, now } = item;
    const event = {
      reportId,
      noticeId: n.id,
      code: n.code,
      policy: doc.policy,
      answer: doc.statement.answer,
      receivedAt: now.toISOString(),
      late,
      verification: { result: 'valid', reason: 'ok' },
    };
    out.push(
      n.id,
      now,
      reportId,
      n.insurer_id,
      item.postboxId,
      n.enrolment_id,
      n.code,
      doc.policy,
      JSON.stringify(doc),
      binOf(der),
      digest,
      binOf(detached),
      signer,
      v.signingTime ?? null,
      binOf(v.evidence.signerCertificate),
      binOf(v.evidence.ocspResponse),
      JSON.stringify(receipt),
      newId('evt'),
      JSON.stringify(event),
    );
  }
  return out;
}

/** Writes plans in one statement; the notice ids actually stored (a notice answered meanwhile is left out). */
async function write(q: Queryable, plans: Plan[]): Promise<Set<string>> {
  const { rows } = await q.query<{ notice_id: string }>(writeSql(plans.length), writeParams(plans));
  return new Set(rows.map((r) => r.notice_id));
}

/** One report alone (a renewal, or a retry after its batch failed), in its own transaction. */
async function writeOne(db: Db, p: Plan): Promise<Result> {
  try {
    const stored = await db.tx(async (q) => {
      if (p.renewed) {
        await q.query('UPDATE gw_enrolments SET sign_serial = $2 WHERE id = $1', [p.n.enrolment_id, p.signer]);
        await q.query(
          `INSERT INTO gw_enrolment_certs (enrolment_id, serial, der, added_at, via) VALUES ($1, $2, $3, $4, 'renewal') ON CONFLICT DO NOTHING`,
          [p.n.enrolment_id, p.signer, Buffer.from(p.item.v.evidence.signerCertificate), p.item.now],
        );
      }
      const s = await write(q, [p]);
      // Nothing written (the notice was answered meanwhile): undo the renewal step too.
      if (!s.has(p.n.id!)) throw Object.assign(new Error('notice answered meanwhile'), { kzAnswered: true });
      return s;
    });
    return stored.has(p.n.id!)
      ? { ok: true, out: { reportId: p.reportId, receipt: p.receipt, late: p.late } }
      : refused('notice-already-answered', p.n.id!, p.n.id, p.n.insurer_id);
  } catch (e) {
    if ((e as { kzAnswered?: boolean }).kzAnswered)
      return refused('notice-already-answered', p.n.id!, p.n.id, p.n.insurer_id);
    if ((e as { code?: string }).code === '23505')
      return refused('replayed', 'this report was already accepted', p.n.id, p.n.insurer_id);
    return { ok: false, error: e as Error };
  }
}

/**
 * Checks and stores verified reports: one read for all of them (notice, enrolment, insurer code,
 * replay), the checks in order, one write for those that pass. Items must name distinct notices
 * and distinct documents (the batcher makes sure).
 */
export async function storeReports(deps: StoreDeps, items: VerifiedReport[]): Promise<Result[]> {
  const { db } = deps;
  const values = items.map((_, k) => `($${k * 3 + 1}::int, $${k * 3 + 2}::text, $${k * 3 + 3}::text)`);
  const { rows } = await db.query<NoticeRow>(
    `SELECT x.i, n.id, n.insurer_id, n.postbox_id, n.enrolment_id, n.kind, n.status, n.report_nonce, to_char(n.due_date, 'YYYY-MM-DD') AS due_date,
        e.policy, e.sign_serial, e.status AS enrolment_status, c.code, EXISTS (SELECT 1 FROM gw_reports WHERE cms_sha256 = x.digest) AS replayed
      FROM (VALUES ${values.join(', ')}) AS x (i, nid, digest)
      LEFT JOIN gw_notices n ON n.id = x.nid LEFT JOIN gw_enrolments e ON e.id = n.enrolment_id
      LEFT JOIN gw_insurer_codes c ON c.insurer_id = n.insurer_id AND c.postbox_id = n.postbox_id`,
    items.flatMap((it, k) => [k, it.doc.notice, it.digest]),
  );
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));

  const results: (Result | null)[] = items.map(() => null);
  const plans: { k: number; plan: Plan }[] = [];
  for (const [k, item] of items.entries()) {
    const n = byIndex.get(k);
    const { doc } = item;
    if (n?.replayed) {
      results[k] = refused('replayed', 'this report was already accepted', n.id, n.id ? n.insurer_id : null);
      continue;
    }
    if (!n?.id || n.postbox_id !== item.postboxId) {
      results[k] = refused('notice-unknown', doc.notice);
      continue;
    }
    const no = (reason: string, detail: string) => {
      results[k] = refused(reason, detail, n.id, n.insurer_id);
    };
    if (n.kind !== 'status-check') {
      no('notice-not-status-check', n.id);
      continue;
    }
    if (n.status === 'answered') {
      no('notice-already-answered', n.id);
      continue;
    }
    if (n.status === 'withdrawn' || !n.enrolment_id || n.enrolment_status !== 'active') {
      no('notice-closed', n.id);
      continue;
    }
    if (doc.nonce !== n.report_nonce) {
      no('nonce-mismatch', 'the nonce does not match the notice');
      continue;
    }
    if (doc.policy !== n.policy) {
      no('policy-mismatch', `report names policy ${doc.policy}`);
      continue;
    }
    const signer = item.v.serial.toLowerCase();
    let renewed = false;
    if (n.sign_serial !== signer) {
      if (!(await isRenewalOf(deps.status, n.sign_serial ?? '', signer))) {
        no('signer-not-enrolled', 'signed by another certificate');
        continue;
      }
      renewed = true;
    }
    const reportId = newReceiptNumber();
    const receipt = deps.receipts.sign({
      v: 1,
      kind: 'kz-report-receipt',
      report: reportId,
      notice: n.id,
      insurer: n.insurer_id,
      policy: doc.policy,
      documentSha256: item.digest,
      receivedAt: item.now.toISOString(),
      verification: { result: 'valid', reason: 'ok' },
    });
    plans.push({
      k,
      plan: {
        item,
        n,
        reportId,
        receipt,
        late: n.due_date !== null && tokyoDate(item.now) > n.due_date,
        renewed,
        signer,
      },
    });
  }

  const plain = plans.filter((p) => !p.plan.renewed);
  if (plain.length) {
    let stored: Set<string> | null = null;
    try {
      stored = await write(
        db,
        plain.map((p) => p.plan),
      );
    } catch {
      stored = null;
    }
    for (const { k, plan } of plain) {
      if (stored === null) results[k] = await writeOne(db, plan);
      else
        results[k] = stored.has(plan.n.id!)
          ? { ok: true, out: { reportId: plan.reportId, receipt: plan.receipt, late: plan.late } }
          : refused('notice-already-answered', plan.n.id!, plan.n.id, plan.n.insurer_id);
    }
  }
  for (const { k, plan } of plans.filter((p) => p.plan.renewed)) results[k] = await writeOne(db, plan);
  return results.map((r) => r!);
}

export interface ReportBatcher {
  submit(item: VerifiedReport): Promise<ReportOutcome>;
  /** Waits for what is queued (close). */
  drain(): Promise<void>;
}

/**
 * Group commit: while one batch is being stored the next one gathers; a lone request goes at
 * once. Reports naming the same notice or the same document never share a batch (the later one
 * waits for the next, where it is refused by name: already answered, replayed).
 */
export function createReportBatcher(deps: StoreDeps, opts: { maxBatch?: number } = {}): ReportBatcher {
  const maxBatch = opts.maxBatch ?? 128;
  type Pending = { item: VerifiedReport; resolve(o: ReportOutcome): void; reject(e: Error): void };
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;

  async function loop(): Promise<void> {
    while (queue.length) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const notices = new Set<string>();
      const docs = new Set<string>();
      for (const p of queue) {
        if (batch.length >= maxBatch || notices.has(p.item.doc.notice) || docs.has(p.item.digest)) {
          rest.push(p);
          continue;
        }
        notices.add(p.item.doc.notice);
        docs.add(p.item.digest);
        batch.push(p);
      }
      queue = rest;
      let results: Result[];
      try {
        results = await storeReports(
          deps,
          batch.map((p) => p.item),
        );
      } catch (e) {
        results = batch.map(() => ({ ok: false, error: e as Error }));
      }
      for (const [k, p] of batch.entries()) {
        const r = results[k]!;
        if (r.ok) p.resolve(r.out);
        else p.reject(r.error);
      }
    }
  }
  const kick = () => {
    if (running) return;
    running = new Promise<void>((done) =>
      setImmediate(() => {
        loop().finally(() => {
          running = null;
          done();
          if (queue.length) kick();
        });
      }),
    );
  };
  return {
    submit(item) {
      return new Promise<ReportOutcome>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        kick();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
