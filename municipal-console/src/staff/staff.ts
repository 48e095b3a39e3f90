/**
 * Staff accounts and sessions. Passwords are stored as scrypt hashes; session tokens are
 * random, given to the browser once, and stored only as their SHA-256. Staff may also log in with
 * their own card: a JPKI authentication certificate linked here by serial (issue 6).
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { coreErrors, type Db, type Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from './audit.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { staffErrors } from './staff-errors.ts';
import { clearFailures, DEFAULT_THROTTLE, recordFailure, type ThrottleSettings } from './throttle.ts';

export const ROLES = ['viewer', 'issuer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export interface StaffMember {
  username: string;
  roles: Role[];
  displayName: string | null;
  /** How the current session was opened (shown on screen; every login is audited with it). */
  method?: LoginMethod;
  /** The current session (requests with a session only): its id, and when its holder last authenticated. */
  session?: { id: string; authAt: Date };
  /** An administrator reset the password: only changing it is allowed. */
  mustChangePassword?: boolean;
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

/** The checks of a new account, before anything is hashed or stored. */
export function checkNewStaff(s: { username: string; password: string; roles: Role[] }): void {
  if (!USERNAME.test(s.username))
    throw consoleErrors.KZ_CONSOLE_BAD_ID('username must be 2–32 lower-case letters, digits, ".", "_" or "-"');
  checkRoles(s.roles);
  checkPasswordPolicy(s.password, s.username);
}

export function checkRoles(roles: Role[]): void {
  if (roles.length === 0 || !roles.every((r) => (ROLES as readonly string[]).includes(r)))
    throw coreValidation(`roles must be some of ${ROLES.join(', ')}`);
}

/**
 * Create an account directly: the bootstrap administrator, demo and test seeding. The API goes
 * through a second administrator instead (admin-changes.ts, staff-changes.ts).
 */
export async function createStaff(
  db: Db,
  s: { username: string; password: string; roles: Role[]; displayName?: string },
  opts: { actor?: string; now?: Date } = {},
): Promise<StaffMember> {
  checkNewStaff(s);
  const hash = await hashPassword(s.password);
  await db.tx((q) =>
    insertStaff(q, { ...s, passwordHash: hash }, { actor: opts.actor ?? 'system', now: opts.now ?? new Date() }),
  );
  return { username: s.username, roles: s.roles, displayName: s.displayName ?? null };
}

/** Insert a checked account with its password hash, audited (inside the caller's transaction). */
export async function insertStaff(
  q: Queryable,
  s: { username: string; passwordHash: string; roles: Role[]; displayName?: string | null | undefined },
  opts: { actor: string; now: Date; details?: Record<string, unknown> },
): Promise<void> {
  const { rowCount } = await q.query(
    'INSERT INTO staff (username, password_hash, roles, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [s.username, s.passwordHash, s.roles, s.displayName ?? null],
  );
  if (rowCount === 0) throw consoleErrors.KZ_CONSOLE_DUPLICATE(`staff member ${s.username}`);
  await appendAudit(
    q,
    { actor: opts.actor, action: 'staff.create', subject: s.username, details: { roles: s.roles, ...opts.details } },
    opts.now,
  );
}

const coreValidation = (msg: string) => coreErrors.KZ_VALIDATION(msg);

export const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

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
    // a card login is the stronger path: it counts as a fresh authentication, like a password login
    await q.query(
      'INSERT INTO sessions (token_hash, username, created_at, expires_at, method, id, last_seen_at, auth_at) VALUES ($1, $2, $3, $4, $5, $6, $3, $3)',
      [tokenHash(token), row.username, now, expiresAt, method, randomBytes(12).toString('base64url')],
    );
    await clearFailures(q, row.username);
    await appendAudit(q, { actor: row.username, action: 'session.login', details: { method, ...details } }, now);
  });
  return {
    token,
    staff: {
      username: row.username,
      roles: row.roles,
      displayName: row.display_name,
      method,
      mustChangePassword: row.must_change_password,
    },
    expiresAt,
  };
}

interface StaffRow {
  username: string;
  password_hash: string;
  roles: Role[];
  display_name: string | null;
  disabled: boolean;
  locked_until: Date | null;
  must_change_password: boolean;
}

const NO_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Password login. Every refusal is the same 401 (wrong password, unknown user, disabled, locked),
 * takes the same scrypt time, and is audited; failures count towards the account's lock.
 */
export async function login(
  db: Db,
  username: string,
  password: string,
  now: Date,
  ttlMs: number,
  throttle: ThrottleSettings = DEFAULT_THROTTLE,
): Promise<OpenedSession> {
  const { rows } = await db.query<StaffRow>('SELECT * FROM staff WHERE username = $1', [username]);
  const row = rows[0];
  // Hash anyway when the user is unknown, so timing does not tell which usernames exist.
  const ok = await checkPassword(password, row?.password_hash ?? NO_HASH);
  const locked = !!row?.locked_until && new Date(row.locked_until).getTime() > now.getTime();
  if (row && ok && !row.disabled && !locked) return openSession(db, row, 'password', now, ttlMs);
  await db.tx(async (q) => {
    // an unknown name is not recorded: it may be a password typed into the wrong field
    if (!row)
      return appendAudit(
        q,
        { actor: 'anonymous', action: 'session.login-failed', details: { reason: 'unknown' } },
        now,
      );
    const reason = row.disabled ? 'disabled' : locked ? 'locked' : 'bad-password';
    await appendAudit(q, { actor: row.username, action: 'session.login-failed', details: { reason } }, now);
    // tries during a lock are not weighed, so they neither extend it nor reveal the password
    if (reason !== 'bad-password') return;
    const f = await recordFailure(q, row.username, now, throttle);
    if (f.lockedUntil)
      await appendAudit(
        q,
        {
          actor: 'system',
          action: 'staff.lockout',
          subject: row.username,
          details: { failures: f.failures, until: f.lockedUntil.toISOString() },
        },
        now,
      );
  });
  throw consoleErrors.KZ_CONSOLE_LOGIN_FAILED();
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

/** Whether a card may be linked to a staff member: the account exists and the card is not another's. */
export async function checkCardLink(q: Queryable, username: string, serial: string): Promise<void> {
  const { rows: who } = await q.query<{ username: string }>('SELECT username FROM staff WHERE username = $1', [
    username,
  ]);
  if (!who[0]) throw staffErrors.KZ_CONSOLE_UNKNOWN_STAFF(username);
  const { rows: taken } = await q.query<{ username: string; unlinked_at: Date | null }>(
    'SELECT username, unlinked_at FROM staff_cards WHERE auth_serial = $1',
    [normSerial(serial)],
  );
  if (taken[0] && taken[0].unlinked_at === null && taken[0].username !== username)
    throw staffErrors.KZ_CONSOLE_CARD_TAKEN(`linked to ${taken[0].username}`);
}

/**
 * Link a verified authentication certificate to a staff member inside a transaction (audited).
 * A link gives access, so the console applies it only when a second admin confirms (staff-changes.ts).
 */
export async function linkCardIn(
  q: Queryable,
  username: string,
  card: { serial: string; subject: string; notAfter: Date },
  actor: string,
  now: Date,
  details: Record<string, unknown> = {},
): Promise<StaffCard> {
  const serial = normSerial(card.serial);
  await checkCardLink(q, username, serial);
  await q.query(
    `INSERT INTO staff_cards (auth_serial, username, subject, not_after, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (auth_serial) DO UPDATE SET username = EXCLUDED.username, subject = EXCLUDED.subject, not_after = EXCLUDED.not_after,
      linked_by = EXCLUDED.linked_by, linked_at = EXCLUDED.linked_at, unlinked_at = NULL`,
    [serial, username, card.subject, card.notAfter, actor, now],
  );
  await appendAudit(q, { actor, action: 'staff.card-link', subject: username, details: { serial, ...details } }, now);
  return {
    serial,
    subject: card.subject,
    notAfter: card.notAfter.toISOString(),
    linkedBy: actor,
    linkedAt: now.toISOString(),
  };
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
export async function listStaff(
  db: Queryable,
): Promise<
  (StaffMember & { disabled: boolean; lockedUntil: string | null; mustChangePassword: boolean; cards: StaffCard[] })[]
> {
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
    lockedUntil: r.locked_until ? new Date(r.locked_until).toISOString() : null,
    mustChangePassword: r.must_change_password,
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

/** last_seen_at is written at most this often: an idle timeout needs minutes, not every request. */
const SEEN_EVERY_MS = 15_000;

/** The staff member of a live session; a session idle longer than `idleMs` (or past its lifetime) ends. */
export async function sessionStaff(db: Db, token: string, now: Date, idleMs = Infinity): Promise<StaffMember> {
  const { rows } = await db.query<{
    id: string;
    username: string;
    roles: Role[];
    display_name: string | null;
    expires_at: Date;
    last_seen_at: Date;
    auth_at: Date;
    disabled: boolean;
    must_change_password: boolean;
    method: LoginMethod;
  }>(
    `SELECT x.id, s.username, s.roles, s.display_name, s.disabled, s.must_change_password, x.expires_at,
      x.last_seen_at, x.auth_at, x.method FROM sessions x JOIN staff s USING (username) WHERE x.token_hash = $1`,
    [tokenHash(token)],
  );
  const r = rows[0];
  const t = now.getTime();
  const idle = r ? t - new Date(r.last_seen_at).getTime() : 0;
  if (!r || r.disabled || new Date(r.expires_at).getTime() <= t || idle > idleMs) {
    if (r) await db.query('DELETE FROM sessions WHERE id = $1', [r.id]);
    throw consoleErrors.KZ_CONSOLE_SESSION_EXPIRED();
  }
  if (idle > SEEN_EVERY_MS) await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [r.id, now]);
  return {
    username: r.username,
    roles: r.roles,
    displayName: r.display_name,
    method: r.method,
    session: { id: r.id, authAt: new Date(r.auth_at) },
    mustChangePassword: r.must_change_password,
  };
}

export async function logout(db: Db, token: string, now: Date = new Date()): Promise<void> {
  await db.tx(async (q) => {
    const { rows } = await q.query<{ username: string; id: string }>(
      'DELETE FROM sessions WHERE token_hash = $1 RETURNING username, id',
      [tokenHash(token)],
    );
    if (rows[0])
      await appendAudit(
        q,
        { actor: rows[0].username, action: 'session.logout', details: { session: rows[0].id } },
        now,
      );
  });
}

/** admin holds every role; otherwise the role must be listed. */
export function hasRole(s: StaffMember, role: Role): boolean {
  return s.roles.includes(role) || s.roles.includes('admin') || (role === 'viewer' && s.roles.length > 0);
}
