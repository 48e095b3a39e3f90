/**
 * Staff accounts and sessions. Passwords are stored as scrypt hashes; session tokens are
 * random, given to the browser once, and stored only as their SHA-256. Staff may also log in with
 * their own card: a JPKI authentication certificate linked here by serial (issue 6).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { coreErrors, type Db, type Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from './audit.ts';
import { staffErrors } from './staff-errors.ts';

export const ROLES = ['viewer', 'issuer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export interface StaffMember {
  username: string;
  roles: Role[];
  displayName: string | null;
  /** How the current session was opened (shown on screen; every login is audited with it). */
  method?: LoginMethod;
}

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));
const N = 16384;
const R = 8;
const P = 1;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(want, got);
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export async function createStaff(
  db: Db,
  s: { username: string; password: string; roles: Role[]; displayName?: string },
  opts: { actor?: string; now?: Date } = {},
): Promise<StaffMember> {
  if (!USERNAME.test(s.username))
    throw consoleErrors.KZ_CONSOLE_BAD_ID('username must be 2–32 lower-case letters, digits, ".", "_" or "-"');
  if (s.password.length < 10) throw coreValidation('password must be at least 10 characters');
  if (s.roles.length === 0 || !s.roles.every((r) => (ROLES as readonly string[]).includes(r)))
    throw coreValidation(`roles must be some of ${ROLES.join(', ')}`);
  const hash = await hashPassword(s.password);
  await db.tx(async (q) => {
    const { rowCount } = await q.query(
      'INSERT INTO staff (username, password_hash, roles, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [s.username, hash, s.roles, s.displayName ?? null],
    );
    if (rowCount === 0) throw consoleErrors.KZ_CONSOLE_DUPLICATE(`staff member ${s.username}`);
    await appendAudit(
      q,
      { actor: opts.actor ?? 'system', action: 'staff.create', subject: s.username, details: { roles: s.roles } },
      opts.now ?? new Date(),
    );
  });
  return { username: s.username, roles: s.roles, displayName: s.displayName ?? null };
}

const coreValidation = (msg: string) => coreErrors.KZ_VALIDATION(msg);

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export type LoginMethod = 'password' | 'card';
export interface OpenedSession {
  token: string;
  staff: StaffMember & { method: LoginMethod };
  expiresAt: Date;
}

/** A new session for `username`, attributed in the audit log with how it was opened. */
async function openSession(
  db: Db,
  row: StaffRow,
  method: LoginMethod,
  now: Date,
  ttlMs: number,
  details: Record<string, unknown> = {},
): Promise<OpenedSession> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.tx(async (q) => {
    await q.query(
      'INSERT INTO sessions (token_hash, username, created_at, expires_at, method) VALUES ($1, $2, $3, $4, $5)',
      [tokenHash(token), row.username, now, expiresAt, method],
    );
    await appendAudit(q, { actor: row.username, action: 'session.login', details: { method, ...details } }, now);
  });
  return {
    token,
    staff: { username: row.username, roles: row.roles, displayName: row.display_name, method },
    expiresAt,
  };
}

interface StaffRow {
  username: string;
  password_hash: string;
  roles: Role[];
  display_name: string | null;
  disabled: boolean;
}

export async function login(
  db: Db,
  username: string,
  password: string,
  now: Date,
  ttlMs: number,
): Promise<OpenedSession> {
  const { rows } = await db.query<StaffRow>('SELECT * FROM staff WHERE username = $1', [username]);
  const row = rows[0];
  // Hash anyway when the user is unknown, so timing does not tell which usernames exist.
  const ok = await checkPassword(
    password,
    row?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  );
  if (!row || !ok || row.disabled) throw consoleErrors.KZ_CONSOLE_LOGIN_FAILED();
  return openSession(db, row, 'password', now, ttlMs);
}

// ---- Staff cards (issue 6): the JPKI user-authentication certificate as a staff ID. ----
// The link is the certificate serial and its opaque subject; no My Number, no personal items.

export interface StaffCard {
  serial: string;
  subject: string;
  notAfter: string;
  linkedBy: string;
  linkedAt: string;
}
export const normSerial = (s: string) => s.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');

/** The staff member a card's serial is linked to (active links only), or null. */
export async function staffForCard(db: Queryable, serial: string): Promise<StaffRow | null> {
  const { rows } = await db.query<StaffRow>(
    'SELECT s.* FROM staff_cards c JOIN staff s USING (username) WHERE c.auth_serial = $1 AND c.unlinked_at IS NULL',
    [normSerial(serial)],
  );
  return rows[0] ?? null;
}

/** Link a verified authentication certificate to a staff member (admin action, audited). */
export async function linkCard(
  db: Db,
  username: string,
  card: { serial: string; subject: string; notAfter: Date },
  actor: string,
  now: Date,
): Promise<StaffCard> {
  const serial = normSerial(card.serial);
  return db.tx(async (q) => {
    const { rows: who } = await q.query<{ username: string }>('SELECT username FROM staff WHERE username = $1', [
      username,
    ]);
    if (!who[0]) throw staffErrors.KZ_CONSOLE_UNKNOWN_STAFF(username);
    const { rows: taken } = await q.query<{ username: string; unlinked_at: Date | null }>(
      'SELECT username, unlinked_at FROM staff_cards WHERE auth_serial = $1',
      [serial],
    );
    if (taken[0] && taken[0].unlinked_at === null && taken[0].username !== username)
      throw staffErrors.KZ_CONSOLE_CARD_TAKEN(`linked to ${taken[0].username}`);
    await q.query(
      `INSERT INTO staff_cards (auth_serial, username, subject, not_after, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (auth_serial) DO UPDATE SET username = EXCLUDED.username, subject = EXCLUDED.subject, not_after = EXCLUDED.not_after,
        linked_by = EXCLUDED.linked_by, linked_at = EXCLUDED.linked_at, unlinked_at = NULL`,
      [serial, username, card.subject, card.notAfter, actor, now],
    );
    await appendAudit(q, { actor, action: 'staff.card-link', subject: username, details: { serial } }, now);
    return {
      serial,
      subject: card.subject,
      notAfter: card.notAfter.toISOString(),
      linkedBy: actor,
      linkedAt: now.toISOString(),
    };
  });
}

export async function unlinkCard(db: Db, username: string, serial: string, actor: string, now: Date): Promise<void> {
  await db.tx(async (q) => {
    const { rowCount } = await q.query(
      'UPDATE staff_cards SET unlinked_at = $3 WHERE auth_serial = $1 AND username = $2 AND unlinked_at IS NULL',
      [normSerial(serial), username, now],
    );
    if (rowCount === 0)
      throw staffErrors.KZ_CONSOLE_CARD_UNKNOWN(`no active card ${normSerial(serial)} for ${username}`);
    await appendAudit(
      q,
      { actor, action: 'staff.card-unlink', subject: username, details: { serial: normSerial(serial) } },
      now,
    );
  });
}

/** Every staff member with their active cards (admin view). */
export async function listStaff(db: Queryable): Promise<(StaffMember & { disabled: boolean; cards: StaffCard[] })[]> {
  const { rows } = await db.query<StaffRow>('SELECT * FROM staff ORDER BY username');
  const { rows: cards } = await db.query<{
    auth_serial: string;
    username: string;
    subject: string;
    not_after: Date;
    linked_by: string;
    linked_at: Date;
  }>('SELECT * FROM staff_cards WHERE unlinked_at IS NULL ORDER BY linked_at');
  return rows.map((r) => ({
    username: r.username,
    roles: r.roles,
    displayName: r.display_name,
    disabled: r.disabled,
    cards: cards
      .filter((c) => c.username === r.username)
      .map((c) => ({
        serial: c.auth_serial,
        subject: c.subject,
        notAfter: new Date(c.not_after).toISOString(),
        linkedBy: c.linked_by,
        linkedAt: new Date(c.linked_at).toISOString(),
      })),
  }));
}

/** A session for the staff member whose card answered the challenge (the caller verified it). */
export async function cardLogin(db: Db, serial: string, now: Date, ttlMs: number): Promise<OpenedSession> {
  const row = await staffForCard(db, serial);
  if (!row)
    throw staffErrors.KZ_CONSOLE_CARD_UNKNOWN(
      'this card is not linked to any staff member; ask an administrator to link it',
    );
  if (row.disabled) throw consoleErrors.KZ_CONSOLE_LOGIN_FAILED('this staff account is disabled');
  return openSession(db, row, 'card', now, ttlMs, { serial: normSerial(serial) });
}

export async function sessionStaff(db: Db, token: string, now: Date): Promise<StaffMember> {
  const { rows } = await db.query<{
    username: string;
    roles: Role[];
    display_name: string | null;
    expires_at: Date;
    disabled: boolean;
    method: LoginMethod;
  }>(
    'SELECT s.username, s.roles, s.display_name, s.disabled, x.expires_at, x.method FROM sessions x JOIN staff s USING (username) WHERE x.token_hash = $1',
    [tokenHash(token)],
  );
  const r = rows[0];
  if (!r || r.disabled || new Date(r.expires_at).getTime() <= now.getTime())
    throw consoleErrors.KZ_CONSOLE_SESSION_EXPIRED();
  return { username: r.username, roles: r.roles, displayName: r.display_name, method: r.method };
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
}

/** admin holds every role; otherwise the role must be listed. */
export function hasRole(s: StaffMember, role: Role): boolean {
  return s.roles.includes(role) || s.roles.includes('admin') || (role === 'viewer' && s.roles.length > 0);
}
