/**
 * Post-boxes: one per resident, under a random id. A post-box is opened by the serial of the
 * card's user-authentication certificate at login; the TV it was opened from becomes where
 * "mail waiting" is sent. Sessions are random tokens kept only as SHA-256 hashes.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '@kizuna/core';
import { isSafeId } from '@kizuna/contract';
import { gatewayErrors as E } from './errors.ts';
import { newId, sha256Hex } from './ids.ts';

export interface Session {
  postboxId: string;
  muni: string | null;
  device: string | null;
  /** The authentication certificate (its card) that opened the session: every signature must come from that card. */
  authSerial: string;
}

/** Asks the status of the session's authentication certificate again (card-binding.ts, cardStatusCheck). */
export type CardStatusCheck = (der: Uint8Array, at: Date) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** A new, empty post-box opened by this authentication certificate serial. */
export async function createPostbox(db: Queryable, authSerial: string, now = new Date()): Promise<string> {
  const id = newId('pb');
  await db.query('INSERT INTO gw_postboxes (id, created_at) VALUES ($1, $2)', [id, now]);
  await db.query('INSERT INTO gw_postbox_certs (serial, postbox_id, added_at) VALUES ($1, $2, $3)', [
    authSerial.toLowerCase(),
    id,
    now,
  ]);
  return id;
}

export async function postboxBySerial(db: Queryable, authSerial: string): Promise<string | null> {
  const { rows } = await db.query<{ postbox_id: string }>('SELECT postbox_id FROM gw_postbox_certs WHERE serial = $1', [
    authSerial.toLowerCase(),
  ]);
  return rows[0]?.postbox_id ?? null;
}

export async function requirePostbox(db: Queryable, id: string): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM gw_postboxes WHERE id = $1', [id]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_POSTBOX();
}

/**
 * Opens the post-box of this certificate (creating it at first login, or reaching it through
 * `previousSerial` when the card was renewed), links the TV, and starts a session.
 */
export async function loginPostbox(
  db: Queryable,
  input: {
    authSerial: string;
    previousSerials?: string[];
    muni?: string | undefined;
    device?: string | undefined;
    /** The authentication certificate (DER), kept so its status is asked again while the session is used. */
    authCert?: Uint8Array | undefined;
    ttlS: number;
  },
  now = new Date(),
): Promise<{ postboxId: string; token: string; expiresAt: Date; created: boolean }> {
  if ((input.muni === undefined) !== (input.device === undefined)) throw E.KZ_GW_BAD_ID('muni and device go together');
  if (input.muni !== undefined && (!isSafeId(input.muni) || !isSafeId(input.device)))
    throw E.KZ_GW_BAD_ID('muni or device');
  let postboxId = await postboxBySerial(db, input.authSerial);
  let created = false;
  if (!postboxId) {
    for (const prev of input.previousSerials ?? []) {
      postboxId = await postboxBySerial(db, prev);
      if (postboxId) {
        await db.query(
          'INSERT INTO gw_postbox_certs (serial, postbox_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [input.authSerial.toLowerCase(), postboxId, now],
        );
        break;
      }
    }
  }
  if (!postboxId) {
    postboxId = await createPostbox(db, input.authSerial, now);
    created = true;
  }
  if (input.muni && input.device) {
    await db.query(
      `INSERT INTO gw_postbox_devices (postbox_id, muni, device, last_login_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (postbox_id, muni, device) DO UPDATE SET last_login_at = EXCLUDED.last_login_at`,
      [postboxId, input.muni, input.device, now],
    );
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + input.ttlS * 1000);
  await db.query(
    'INSERT INTO gw_sessions (token_hash, postbox_id, muni, device, expires_at, auth_serial, auth_cert) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [
      sha256Hex(token),
      postboxId,
      input.muni ?? null,
      input.device ?? null,
      expiresAt,
      input.authSerial.toLowerCase(),
      input.authCert ? Buffer.from(input.authCert) : null,
    ],
  );
  return { postboxId, token, expiresAt, created };
}

interface SessionRow {
  postbox_id: string;
  muni: string | null;
  device: string | null;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  auth_serial: string | null;
  auth_cert: Uint8Array | null;
}

/** The live session under this token hash, or the coded reason it is not. */
async function readSession(db: Queryable, hash: string, now: Date): Promise<SessionRow & { auth_serial: string }> {
  const { rows } = await db.query<SessionRow>(
    'SELECT postbox_id, muni, device, expires_at, ended_at, end_reason, auth_serial, auth_cert FROM gw_sessions WHERE token_hash = $1',
    [hash],
  );
  const s = rows[0];
  if (s?.end_reason === 'card-revoked') throw E.KZ_GW_SESSION_CARD_REVOKED();
  if (!s || s.ended_at || !s.auth_serial || new Date(s.expires_at) <= now) throw E.KZ_GW_SESSION_EXPIRED();
  return s as SessionRow & { auth_serial: string };
}
const sessionOf = (s: SessionRow & { auth_serial: string }): Session => ({
  postboxId: s.postbox_id,
  muni: s.muni,
  device: s.device,
  authSerial: s.auth_serial,
});

export async function sessionFromToken(db: Queryable, token: string | undefined, now: Date): Promise<Session> {
  if (!token) throw E.KZ_GW_SESSION_MISSING();
  return sessionOf(await readSession(db, sha256Hex(token), now));
}

/**
 * Ends every open session of the card this certificate belongs to (its authentication
 * certificate, or a signing certificate whose card is known from an accepted signature): the
 * next request is 401 KZ_GW_SESSION_CARD_REVOKED. Called by the revocation watch and on use.
 */
export async function endSessionsForCertificate(db: Queryable, serial: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE gw_sessions SET ended_at = $2, end_reason = 'card-revoked' WHERE ended_at IS NULL
      AND auth_serial IN (SELECT $1::text UNION SELECT auth_serial FROM gw_card_links WHERE sign_serial = $1)`,
    [serial.toLowerCase(), now],
  );
  return rowCount;
}

export async function endSession(db: Queryable, token: string, now: Date): Promise<void> {
  await db.query('UPDATE gw_sessions SET ended_at = $2 WHERE token_hash = $1', [sha256Hex(token), now]);
}

/**
 * Sessions remembered in memory for a few seconds, so a busy TV (or many) does not cost a
 * database read per call. Logout through this gateway forgets the session at once; an entry never
 * outlives the session's own expiry; a logout through another gateway instance is seen within
 * `ttlMs` at most. With `checkCard`, each read from the database also asks the status of the
 * card that opened the session: a revoked card ends it (so within `ttlMs` of the revocation).
 */
export function createSessionCache(
  db: Queryable,
  opts: { ttlMs?: number; maxEntries?: number; checkCard?: CardStatusCheck | undefined } = {},
) {
  const ttlMs = opts.ttlMs ?? 5000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const cache = new Map<string, { session: Session; expiresAt: number; cachedUntil: number }>();
  return {
    async get(token: string | undefined, now: Date): Promise<Session> {
      if (!token) throw E.KZ_GW_SESSION_MISSING();
      const key = sha256Hex(token);
      const t = now.getTime();
      const hit = cache.get(key);
      if (hit && t < hit.cachedUntil && t < hit.expiresAt) return hit.session;
      cache.delete(key);
      const s = await readSession(db, key, now);
      if (opts.checkCard && s.auth_cert) {
        const st = await opts.checkCard(Buffer.from(s.auth_cert), now);
        if (!st.ok && st.reason === 'status-unknown')
          throw E.KZ_GW_STATUS_UNAVAILABLE("the card's status could not be established", { reason: st.reason });
        if (!st.ok) {
          await endSessionsForCertificate(db, s.auth_serial, now);
          throw E.KZ_GW_SESSION_CARD_REVOKED(st.reason, { reason: st.reason });
        }
      }
      const session = sessionOf(s);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(key, { session, expiresAt: new Date(s.expires_at).getTime(), cachedUntil: t + ttlMs });
      return session;
    },
    async end(token: string, now: Date): Promise<void> {
      cache.delete(sha256Hex(token));
      await endSession(db, token, now);
    },
  };
}
export type SessionCache = ReturnType<typeof createSessionCache>;

export async function devicesOf(db: Queryable, postboxId: string): Promise<{ muni: string; device: string }[]> {
  const { rows } = await db.query<{ muni: string; device: string }>(
    'SELECT muni, device FROM gw_postbox_devices WHERE postbox_id = $1 ORDER BY muni, device',
    [postboxId],
  );
  return rows;
}

/** False when the TV was not linked to this post-box. */
export async function unlinkDevice(db: Queryable, postboxId: string, muni: string, device: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM gw_postbox_devices WHERE postbox_id = $1 AND muni = $2 AND device = $3',
    [postboxId, muni, device],
  );
  return rowCount > 0;
}

// --- senders the resident accepts ---

export async function setSenderAllowed(
  db: Queryable,
  postboxId: string,
  insurerId: string,
  allowed: boolean,
  now = new Date(),
): Promise<void> {
  const { rows } = await db.query('SELECT 1 FROM gw_insurers WHERE id = $1', [insurerId]);
  if (!rows[0]) throw E.KZ_GW_UNKNOWN_INSURER(insurerId);
  await db.query(
    `INSERT INTO gw_senders (postbox_id, insurer_id, allowed, changed_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (postbox_id, insurer_id) DO UPDATE SET allowed = EXCLUDED.allowed, changed_at = EXCLUDED.changed_at`,
    [postboxId, insurerId, allowed, now],
  );
}

/** No row means not allowed: a sender reaches a post-box only after the resident let it (enrolment does). */
export async function isSenderAllowed(db: Queryable, postboxId: string, insurerId: string): Promise<boolean> {
  const { rows } = await db.query<{ allowed: boolean }>(
    'SELECT allowed FROM gw_senders WHERE postbox_id = $1 AND insurer_id = $2',
    [postboxId, insurerId],
  );
  return rows[0]?.allowed === true;
}

export async function listSenders(
  db: Queryable,
  postboxId: string,
): Promise<{ insurerId: string; name: string; allowed: boolean; changedAt: Date }[]> {
  const { rows } = await db.query<{ insurer_id: string; name: string; allowed: boolean; changed_at: Date }>(
    `SELECT s.insurer_id, i.name, s.allowed, s.changed_at FROM gw_senders s JOIN gw_insurers i ON i.id = s.insurer_id
     WHERE s.postbox_id = $1 ORDER BY i.name`,
    [postboxId],
  );
  return rows.map((r) => ({
    insurerId: r.insurer_id,
    name: r.name,
    allowed: r.allowed,
    changedAt: new Date(r.changed_at),
  }));
}

// --- disclosure log (情報提供等記録) ---

/** Why a resident's data went to an insurer: a code the TV renders in the resident's language. */
export type DisclosurePurpose = { code: 'enrolment'; policy: string } | { code: 'other'; text: string };

export interface DisclosureEntry {
  insurerId: string;
  insurerName: string;
  items: string[];
  purposeCode: DisclosurePurpose['code'];
  policy: string | null;
  /** The purpose in English, for API clients that do not render the code. */
  purpose: string;
  at: Date;
}

function purposeText(p: DisclosurePurpose): string {
  return p.code === 'enrolment' ? `policy ${p.policy}: enrolment (matching the insurer's customer record)` : p.text;
}

export async function logDisclosure(
  db: Queryable,
  postboxId: string,
  insurerId: string,
  items: string[],
  purpose: DisclosurePurpose,
  now: Date,
): Promise<void> {
  await db.query(
    'INSERT INTO gw_disclosures (postbox_id, insurer_id, items, purpose, purpose_code, policy, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [
      postboxId,
      insurerId,
      JSON.stringify(items),
      purposeText(purpose),
      purpose.code,
      purpose.code === 'enrolment' ? purpose.policy : null,
      now,
    ],
  );
}

export async function listDisclosures(db: Queryable, postboxId: string): Promise<DisclosureEntry[]> {
  const { rows } = await db.query<{
    insurer_id: string;
    name: string | null;
    items: string[] | string;
    purpose: string;
    purpose_code: DisclosurePurpose['code'];
    policy: string | null;
    at: Date;
  }>(
    `SELECT d.insurer_id, i.name, d.items, d.purpose, d.purpose_code, d.policy, d.at FROM gw_disclosures d LEFT JOIN gw_insurers i ON i.id = d.insurer_id
     WHERE d.postbox_id = $1 ORDER BY d.id`,
    [postboxId],
  );
  return rows.map((r) => ({
    insurerId: r.insurer_id,
    insurerName: r.name ?? r.insurer_id,
    items: typeof r.items === 'string' ? JSON.parse(r.items) : r.items,
    purposeCode: r.purpose_code,
    policy: r.policy,
    purpose: r.purpose,
    at: new Date(r.at),
  }));
}
