/**
 * Notices from an insurer to a post-box: sent by the insurer-specific code, refused unless the
 * resident accepts the sender and the enrolment is active. A status-check request (現況届) names
 * the policy and carries a nonce the signed report must repeat. Opening a notice is its delivery:
 * the first open sends the insurer a read receipt (event notice.read).
 */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import { claimKey } from './idempotency.ts';
import { gatewayErrors as E } from './errors.ts';
import { newId, sha256Hex } from './ids.ts';
import { checkAttachments, type AttachmentInput } from './attachments.ts';
import { isSenderAllowed } from './postboxes.ts';
import { emitEvent } from './events.ts';
import { iso, tokyoDate } from './time.ts';

export type NoticeKind = 'info' | 'status-check';
export type NoticeStatus = 'unread' | 'read' | 'answered' | 'withdrawn';

export interface NoticeInput {
  code: string;
  policy?: string | undefined;
  kind: NoticeKind;
  subject: string;
  body: string;
  dueDate?: string | undefined;
  externalRef?: string | undefined;
  attachments?: AttachmentInput[] | undefined;
}

interface NoticeRow {
  id: string;
  insurer_id: string;
  postbox_id: string;
  enrolment_id: string | null;
  kind: NoticeKind;
  external_ref: string | null;
  subject: string;
  body: string;
  due_date: string | null;
  report_nonce: string | null;
  status: NoticeStatus;
  created_at: Date;
  read_at: Date | null;
  answered_at: Date | null;
  closed_at: Date | null;
  policy: string | null;
  code: string | null;
  insurer_name?: string;
}
const NOTICE_COLS = `n.id, n.insurer_id, n.postbox_id, n.enrolment_id, n.kind, n.external_ref, n.subject, n.body,
  to_char(n.due_date, 'YYYY-MM-DD') AS due_date, n.report_nonce, n.status, n.created_at, n.read_at, n.answered_at, n.closed_at,
  e.policy, c.code`;
const NOTICE_FROM = `gw_notices n LEFT JOIN gw_enrolments e ON e.id = n.enrolment_id
  LEFT JOIN gw_insurer_codes c ON c.insurer_id = n.insurer_id AND c.postbox_id = n.postbox_id`;

export interface AttachmentMeta {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
}

/** The insurer's view: its own code and policy, never the post-box id. */
export function insurerView(n: NoticeRow, attachments: AttachmentMeta[] = []) {
  return {
    id: n.id,
    code: n.code ?? '',
    policy: n.policy,
    kind: n.kind,
    externalRef: n.external_ref,
    subject: n.subject,
    body: n.body,
    dueDate: n.due_date,
    status: n.status,
    createdAt: iso(n.created_at)!,
    readAt: iso(n.read_at),
    answeredAt: iso(n.answered_at),
    closedAt: iso(n.closed_at),
    attachments,
  };
}
/** The resident's view: the sender's name, and the nonce and policy the report must carry. */
export function residentView(n: NoticeRow, attachments: AttachmentMeta[] = []) {
  return {
    id: n.id,
    sender: { id: n.insurer_id, name: n.insurer_name ?? n.insurer_id },
    kind: n.kind,
    policy: n.policy,
    subject: n.subject,
    body: n.body,
    dueDate: n.due_date,
    status: n.status,
    createdAt: iso(n.created_at)!,
    readAt: iso(n.read_at),
    answeredAt: iso(n.answered_at),
    reportNonce: n.status === 'unread' || n.status === 'read' ? n.report_nonce : null,
    attachments,
  };
}

/** Resolves the insurer's code (and policy) to its post-box and enrolment, or refuses with a named check. */
async function resolveRecipient(db: Queryable, insurerId: string, code: string, policy: string | undefined) {
  const { rows } = await db.query<{ postbox_id: string }>(
    'SELECT postbox_id FROM gw_insurer_codes WHERE insurer_id = $1 AND code = $2',
    [insurerId, code],
  );
  const postboxId = rows[0]?.postbox_id;
  if (!postboxId) throw E.KZ_GW_UNKNOWN_POLICYHOLDER(code);
  const { rows: enr } = await db.query<{ id: string; policy: string; status: string }>(
    `SELECT id, policy, status FROM gw_enrolments WHERE insurer_id = $1 AND postbox_id = $2 ${policy !== undefined ? 'AND policy = $3' : ''}
     ORDER BY (status = 'active') DESC, created_at DESC LIMIT 1`,
    policy !== undefined ? [insurerId, postboxId, policy] : [insurerId, postboxId],
  );
  if (!enr[0]) throw E.KZ_GW_UNKNOWN_POLICYHOLDER(policy !== undefined ? `${code} has no policy ${policy}` : code);
  if (enr[0].status !== 'active') throw E.KZ_GW_ENROLMENT_INACTIVE();
  return { postboxId, enrolmentId: enr[0].id };
}

/** A calendar date (YYYY-MM-DD) that exists: 2027-02-30 does not. */
function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Days an idempotency key (externalRef) is kept after its first use, unless configured otherwise. */
export const IDEMPOTENCY_DAYS = 90;

export async function postNotice(
  db: Db,
  insurerId: string,
  input: NoticeInput,
  now: Date,
  opts: { idempotencyDays?: number } = {},
): Promise<{ id: string; postboxId: string; duplicate: boolean }> {
  if (input.kind === 'status-check' && !input.policy)
    throw E.KZ_GW_UNKNOWN_POLICYHOLDER('a status-check request must name the policy');
  if (input.dueDate !== undefined && (!isCalendarDate(input.dueDate) || input.dueDate < tokyoDate(now)))
    throw E.KZ_GW_DUE_DATE(input.dueDate);
  const attachments = checkAttachments(input.attachments);
  const ref = input.externalRef;
  if (!ref) return insertNotice(db, insurerId, newId('ntc'), input, attachments, now);
  return db.tx(async (q) => {
    const id = newId('ntc');
    const claim = await claimKey(
      q,
      insurerId,
      { ...input, externalRef: ref },
      id,
      now,
      opts.idempotencyDays ?? IDEMPOTENCY_DAYS,
    );
    if (claim.kind === 'repeat') return { id: claim.noticeId, postboxId: '', duplicate: true };
    return insertNotice(q, insurerId, id, input, attachments, now);
  });
}

async function insertNotice(
  db: Queryable,
  insurerId: string,
  id: string,
  input: NoticeInput,
  attachments: ReturnType<typeof checkAttachments>,
  now: Date,
): Promise<{ id: string; postboxId: string; duplicate: false }> {
  const { postboxId, enrolmentId } = await resolveRecipient(db, insurerId, input.code, input.policy);
  if (!(await isSenderAllowed(db, postboxId, insurerId))) throw E.KZ_GW_SENDER_REFUSED();
  const nonce = input.kind === 'status-check' ? randomBytes(16).toString('base64url') : null;
  await db.query(
    `INSERT INTO gw_notices (id, insurer_id, postbox_id, enrolment_id, kind, external_ref, subject, body, due_date, report_nonce, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      insurerId,
      postboxId,
      enrolmentId,
      input.kind,
      input.externalRef ?? null,
      input.subject,
      input.body,
      input.dueDate ?? null,
      nonce,
      now,
    ],
  );
  for (const a of attachments) {
    await db.query(
      'INSERT INTO gw_attachments (id, notice_id, filename, media_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [newId('att'), id, a.filename, a.mediaType, a.bytes.length, sha256Hex(a.bytes), a.bytes],
    );
  }
  return { id, postboxId, duplicate: false };
}

async function attachmentsOf(db: Queryable, noticeId: string): Promise<AttachmentMeta[]> {
  const { rows } = await db.query<{ id: string; filename: string; media_type: string; size: number; sha256: string }>(
    'SELECT id, filename, media_type, size, sha256 FROM gw_attachments WHERE notice_id = $1 ORDER BY id',
    [noticeId],
  );
  return rows.map((r) => ({
    id: r.id,
    filename: r.filename,
    mediaType: r.media_type,
    size: Number(r.size),
    sha256: r.sha256,
  }));
}

export async function noticeRow(db: Queryable, id: string): Promise<NoticeRow | null> {
  const { rows } = await db.query<NoticeRow>(
    `SELECT ${NOTICE_COLS}, i.name AS insurer_name FROM ${NOTICE_FROM} JOIN gw_insurers i ON i.id = n.insurer_id WHERE n.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function listInsurerNotices(
  db: Queryable,
  insurerId: string,
  opts: { status?: NoticeStatus | undefined; code?: string | undefined; limit?: number | undefined },
) {
  const { rows } = await db.query<NoticeRow>(
    `SELECT ${NOTICE_COLS} FROM ${NOTICE_FROM} WHERE n.insurer_id = $1 AND ($2::text IS NULL OR n.status = $2) AND ($3::text IS NULL OR c.code = $3)
     ORDER BY n.created_at DESC, n.id LIMIT $4`,
    [insurerId, opts.status ?? null, opts.code ?? null, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map((r) => insurerView(r));
}

export async function getInsurerNotice(db: Queryable, insurerId: string, id: string) {
  const n = await noticeRow(db, id);
  if (!n || n.insurer_id !== insurerId) throw E.KZ_GW_UNKNOWN_NOTICE(id);
  const { rows } = await db.query<{ reason: string; at: Date }>(
    'SELECT reason, at FROM gw_report_attempts WHERE notice_id = $1 ORDER BY id',
    [id],
  );
  return {
    ...insurerView(n, await attachmentsOf(db, id)),
    refusedReports: rows.map((r) => ({ reason: r.reason, at: iso(r.at)! })),
  };
}

export async function withdrawNotice(
  db: Queryable,
  insurerId: string,
  id: string,
  now: Date,
): Promise<{ postboxId: string }> {
  const { rows } = await db.query<{ postbox_id: string }>(
    `UPDATE gw_notices SET status = 'withdrawn', closed_at = $3 WHERE id = $1 AND insurer_id = $2 AND status IN ('unread', 'read') RETURNING postbox_id`,
    [id, insurerId, now],
  );
  if (rows[0]) return { postboxId: rows[0].postbox_id };
  const n = await noticeRow(db, id);
  if (!n || n.insurer_id !== insurerId) throw E.KZ_GW_UNKNOWN_NOTICE(id);
  throw E.KZ_GW_NOTICE_STATE(`notice is ${n.status}`);
}

export async function listPostboxNotices(db: Queryable, postboxId: string) {
  const { rows } = await db.query<NoticeRow>(
    `SELECT ${NOTICE_COLS}, i.name AS insurer_name FROM ${NOTICE_FROM} JOIN gw_insurers i ON i.id = n.insurer_id
     WHERE n.postbox_id = $1 AND n.status <> 'withdrawn' ORDER BY n.created_at DESC, n.id`,
    [postboxId],
  );
  return rows.map((r) => {
    const v = residentView(r);
    return { ...v, body: undefined, reportNonce: undefined };
  });
}

/** The resident opens a notice: the first open marks it read and tells the insurer (read receipt). */
export async function openNotice(
  db: Db,
  postboxId: string,
  id: string,
  now: Date,
): Promise<{ notice: ReturnType<typeof residentView>; firstOpen: boolean }> {
  const n = await noticeRow(db, id);
  if (!n || n.postbox_id !== postboxId || n.status === 'withdrawn') throw E.KZ_GW_UNKNOWN_NOTICE(id);
  let firstOpen = false;
  if (n.status === 'unread') {
    firstOpen = await db.tx(async (q) => {
      const { rows } = await q.query<{ id: string }>(
        `UPDATE gw_notices SET status = 'read', read_at = $2 WHERE id = $1 AND status = 'unread' RETURNING id`,
        [id, now],
      );
      if (!rows[0]) return false;
      await emitEvent(
        q,
        n.insurer_id,
        'notice.read',
        { noticeId: id, code: n.code, policy: n.policy, readAt: now.toISOString() },
        now,
      );
      return true;
    });
    if (firstOpen) {
      n.status = 'read';
      n.read_at = now;
    }
  }
  return { notice: residentView(n, await attachmentsOf(db, id)), firstOpen };
}

export async function getAttachment(
  db: Queryable,
  postboxId: string,
  noticeId: string,
  attachmentId: string,
): Promise<{ filename: string; mediaType: string; data: Buffer }> {
  const { rows } = await db.query<{ filename: string; media_type: string; data: Uint8Array }>(
    `SELECT a.filename, a.media_type, a.data FROM gw_attachments a JOIN gw_notices n ON n.id = a.notice_id
     WHERE a.id = $1 AND a.notice_id = $2 AND n.postbox_id = $3 AND n.status <> 'withdrawn'`,
    [attachmentId, noticeId, postboxId],
  );
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_ATTACHMENT(attachmentId);
  return { filename: rows[0].filename, mediaType: rows[0].media_type, data: Buffer.from(rows[0].data) };
}

/**
 * The resident deletes a notice from the post-box. An open status-check request cannot be
 * deleted (it is a request the insurer waits on; the resident can block the sender instead).
 */
export async function deleteNoticeByResident(db: Queryable, postboxId: string, id: string): Promise<void> {
  const n = await noticeRow(db, id);
  if (!n || n.postbox_id !== postboxId) throw E.KZ_GW_UNKNOWN_NOTICE(id);
  if (n.kind === 'status-check' && (n.status === 'unread' || n.status === 'read'))
    throw E.KZ_GW_NOTICE_STATE('an unanswered status-check request cannot be deleted');
  await db.query('DELETE FROM gw_notices WHERE id = $1', [id]);
}
