/**
 * Enrolment: the resident links one insurer policy to the post-box with a consent signed by the
 * card's signing certificate. The insurer receives the verified four items once, to match its
 * own customer record (the disclosure is logged for the resident), and from then on knows the
 * resident only by its insurer-specific code.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '@kizuna/core';
import { gatewayErrors as E } from './errors.ts';
import { newId, sha256Hex } from './ids.ts';
import { newReceiptNumber } from './receipt-number.ts';
import type { CmsVerifier } from './ports.ts';
import { parseConsentDocument, DISCLOSED_ITEMS } from '@kizuna/contract';
import { decodeSigned, refusal, verifySigned, type SignedBody } from './signed-input.ts';
import { emitEvent } from './events.ts';
import { logDisclosure, setSenderAllowed } from './postboxes.ts';
import { requireSessionCard, type CardLinks, type SessionCard } from './card-binding.ts';
import { iso } from './time.ts';

export const CONSENT_NONCE_TTL_S = 600;

export async function issueConsentNonce(
  db: Queryable,
  postboxId: string,
  now: Date,
): Promise<{ nonce: string; expiresAt: string }> {
  const nonce = randomBytes(18).toString('base64url');
  const expiresAt = new Date(now.getTime() + CONSENT_NONCE_TTL_S * 1000);
  await db.query('INSERT INTO gw_consent_nonces (nonce, postbox_id, expires_at) VALUES ($1, $2, $3)', [
    nonce,
    postboxId,
    expiresAt,
  ]);
  return { nonce, expiresAt: expiresAt.toISOString() };
}

export async function codeFor(q: Queryable, insurerId: string, postboxId: string, now: Date): Promise<string> {
  const { rows } = await q.query<{ code: string }>(
    'SELECT code FROM gw_insurer_codes WHERE insurer_id = $1 AND postbox_id = $2',
    [insurerId, postboxId],
  );
  if (rows[0]) return rows[0].code;
  const code = newId('ph');
  await q.query('INSERT INTO gw_insurer_codes (insurer_id, postbox_id, code, created_at) VALUES ($1, $2, $3, $4)', [
    insurerId,
    postboxId,
    code,
    now,
  ]);
  return code;
}

export interface EnrolResult {
  enrolmentId: string;
  insurerId: string;
  policy: string;
  code: string;
}

export async function enrolByConsent(
  db: Db,
  verifier: CmsVerifier | undefined,
  session: SessionCard,
  body: SignedBody,
  now: Date,
  links: CardLinks | undefined,
): Promise<EnrolResult> {
  const { postboxId } = session;
  const refuse = (reason: string, detail: string): never => {
    throw refusal('consent', reason, detail);
  };
  const { der, detached } = decodeSigned(body, refuse);
  const v = await verifySigned(verifier, der, detached, now);
  if (!v.ok) return refuse(v.reason, v.detail ?? v.reason);
  if (!v.personal)
    return refuse(
      'wrong-certificate-type',
      'consent must be signed with the signing certificate (it carries the four items)',
    );
  // The four items are the signer's: they may leave only from the signer's own session.
  const subject = await requireSessionCard(db, links, session, v.serial, now);
  const parsed = parseConsentDocument(v.content);
  if (!parsed.ok) return refuse(parsed.reason, parsed.detail);
  const doc = parsed.doc;
  const digest = sha256Hex(der);
  const personal = v.personal;

  return db.tx(async (q) => {
    const { rows: ins } = await q.query<{ id: string }>('SELECT id FROM gw_insurers WHERE id = $1', [doc.insurer]);
    if (!ins[0]) return refuse('insurer-unknown', `no insurer ${doc.insurer}`);
    const { rows: seen } = await q.query('SELECT 1 FROM gw_enrolments WHERE consent_sha256 = $1', [digest]);
    if (seen[0]) return refuse('replayed', 'this consent was already used');
    const { rowCount } = await q.query(
      'UPDATE gw_consent_nonces SET used_at = $3 WHERE nonce = $1 AND postbox_id = $2 AND used_at IS NULL AND expires_at > $3',
      [doc.nonce, postboxId, now],
    );
    if (rowCount === 0)
      return refuse('nonce-invalid', 'consent nonce is unknown, used, expired or for another post-box');
    const { rows: taken } = await q.query<{ postbox_id: string }>(
      `SELECT postbox_id FROM gw_enrolments WHERE insurer_id = $1 AND policy = $2 AND status = 'active'`,
      [doc.insurer, doc.policy],
    );
    if (taken[0])
      throw taken[0].postbox_id === postboxId ? E.KZ_GW_ALREADY_ENROLLED(doc.policy) : E.KZ_GW_POLICY_TAKEN(doc.policy);

    const code = await codeFor(q, doc.insurer, postboxId, now);
    const enrolmentId = newReceiptNumber();
    await q.query(
      `INSERT INTO gw_enrolments (id, insurer_id, postbox_id, policy, sign_serial, consent_cms, consent_sha256, created_at, checked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [enrolmentId, doc.insurer, postboxId, doc.policy, v.serial, Buffer.from(der), digest, now],
    );
    await q.query(
      `INSERT INTO gw_enrolment_certs (enrolment_id, serial, der, added_at, via) VALUES ($1, $2, $3, $4, 'consent')`,
      [enrolmentId, v.serial, Buffer.from(v.evidence.signerCertificate), now],
    );
    await setSenderAllowed(q, postboxId, doc.insurer, true, now);
    await logDisclosure(q, subject, doc.insurer, [...DISCLOSED_ITEMS], { code: 'enrolment', policy: doc.policy }, now);
    await emitEvent(
      q,
      doc.insurer,
      'policyholder.enrolled',
      {
        code,
        policy: doc.policy,
        enrolledAt: now.toISOString(),
        personal: { name: personal.name, address: personal.address, birthDate: personal.birthDate, sex: personal.sex },
        consent: { cms: Buffer.from(der).toString('base64'), signingTime: iso(v.signingTime ?? null) },
      },
      now,
    );
    return { enrolmentId, insurerId: doc.insurer, policy: doc.policy, code };
  });
}

interface EnrolmentRow {
  id: string;
  insurer_id: string;
  postbox_id: string;
  policy: string;
  sign_serial: string;
  cert_status: string;
  status: string;
  created_at: Date;
  ended_at: Date | null;
  ended_reason: string | null;
  code: string;
  insurer_name: string;
}
const ENROLMENT_SQL = `SELECT e.*, c.code, i.name AS insurer_name FROM gw_enrolments e
  JOIN gw_insurer_codes c ON c.insurer_id = e.insurer_id AND c.postbox_id = e.postbox_id JOIN gw_insurers i ON i.id = e.insurer_id`;

/** The insurer's policyholders: code and policy, never the post-box id. */
export async function listPolicyholders(db: Queryable, insurerId: string) {
  const { rows } = await db.query<EnrolmentRow>(
    `${ENROLMENT_SQL} WHERE e.insurer_id = $1 ORDER BY e.created_at, e.id`,
    [insurerId],
  );
  return rows.map((r) => ({
    code: r.code,
    policy: r.policy,
    status: r.status,
    certificateStatus: r.cert_status,
    enrolledAt: iso(r.created_at)!,
    endedAt: iso(r.ended_at),
    endedReason: r.ended_reason,
  }));
}

export async function listPostboxEnrolments(db: Queryable, postboxId: string) {
  const { rows } = await db.query<EnrolmentRow>(
    `${ENROLMENT_SQL} WHERE e.postbox_id = $1 ORDER BY e.created_at, e.id`,
    [postboxId],
  );
  return rows.map((r) => ({
    id: r.id,
    insurer: { id: r.insurer_id, name: r.insurer_name },
    policy: r.policy,
    status: r.status,
    enrolledAt: iso(r.created_at)!,
    endedAt: iso(r.ended_at),
  }));
}

/** Ends an enrolment (the resident withdraws consent, or the insurer finds no match / the policy ended). */
export async function endEnrolment(
  db: Db,
  where: { postboxId?: string; insurerId?: string; enrolmentId?: string; code?: string; policy?: string },
  by: 'resident' | 'insurer',
  reason: string,
  now: Date,
): Promise<void> {
  await db.tx(async (q) => {
    const { rows } = await q.query<EnrolmentRow>(
      `${ENROLMENT_SQL} WHERE e.status = 'active'
      AND ($1::text IS NULL OR e.postbox_id = $1) AND ($2::text IS NULL OR e.insurer_id = $2) AND ($3::text IS NULL OR e.id = $3)
      AND ($4::text IS NULL OR c.code = $4) AND ($5::text IS NULL OR e.policy = $5)`,
      [
        where.postboxId ?? null,
        where.insurerId ?? null,
        where.enrolmentId ?? null,
        where.code ?? null,
        where.policy ?? null,
      ],
    );
    const e = rows[0];
    if (!e) throw E.KZ_GW_UNKNOWN_POLICYHOLDER();
    await q.query(`UPDATE gw_enrolments SET status = 'ended', ended_at = $2, ended_reason = $3 WHERE id = $1`, [
      e.id,
      now,
      `${by}: ${reason}`.slice(0, 300),
    ]);
    await q.query(
      `UPDATE gw_notices SET status = 'withdrawn', closed_at = $2 WHERE enrolment_id = $1 AND status IN ('unread', 'read')`,
      [e.id, now],
    );
    if (by === 'resident')
      await emitEvent(
        q,
        e.insurer_id,
        'policyholder.ended',
        { code: e.code, policy: e.policy, endedAt: now.toISOString(), by },
        now,
      );
  });
}
