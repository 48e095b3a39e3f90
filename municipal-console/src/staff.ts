/**
 * Staff accounts and sessions. Passwords are stored as scrypt hashes; session tokens are
 * random, given to the browser once, and stored only as their SHA-256.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { coreErrors, type Db } from '@kizuna/core';
import { consoleErrors } from './errors.ts';
import { appendAudit } from './audit.ts';

export const ROLES = ['viewer', 'issuer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export interface StaffMember { username: string; roles: Role[]; displayName: string | null }

const scrypt = (pw: string, salt: Buffer, len: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(pw, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));
const N = 16384; const R = 8; const P = 1;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(want, got);
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export async function createStaff(db: Db, s: { username: string; password: string; roles: Role[]; displayName?: string }, opts: { actor?: string; now?: Date } = {}): Promise<StaffMember> {
  if (!USERNAME.test(s.username)) throw consoleErrors.KZ_CONSOLE_BAD_ID('username must be 2–32 lower-case letters, digits, ".", "_" or "-"');
  if (s.password.length < 10) throw coreValidation('password must be at least 10 characters');
  if (s.roles.length === 0 || !s.roles.every((r) => (ROLES as readonly string[]).includes(r))) throw coreValidation(`roles must be some of ${ROLES.join(', ')}`);
  const hash = await hashPassword(s.password);
  await db.tx(async (q) => {
    const { rowCount } = await q.query('INSERT INTO staff (username, password_hash, roles, display_name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [s.username, hash, s.roles, s.displayName ?? null]);
    if (rowCount === 0) throw consoleErrors.KZ_CONSOLE_DUPLICATE(`staff member ${s.username}`);
    await appendAudit(q, { actor: opts.actor ?? 'system', action: 'staff.create', subject: s.username, details: { roles: s.roles } }, opts.now ?? new Date());
  });
  return { username: s.username, roles: s.roles, displayName: s.displayName ?? null };
}

const coreValidation = (msg: string) => coreErrors.KZ_VALIDATION(msg);

const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function login(db: Db, username: string, password: string, now: Date, ttlMs: number): Promise<{ token: string; staff: StaffMember; expiresAt: Date }> {
  const { rows } = await db.query<{ username: string; password_hash: string; roles: Role[]; display_name: string | null; disabled: boolean }>(
    'SELECT * FROM staff WHERE username = $1', [username]);
  const row = rows[0];
  // Hash anyway when the user is unknown, so timing does not tell which usernames exist.
  const ok = await checkPassword(password, row?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!row || !ok || row.disabled) throw consoleErrors.KZ_CONSOLE_LOGIN_FAILED();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.tx(async (q) => {
    await q.query('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)', [tokenHash(token), username, now, expiresAt]);
    await appendAudit(q, { actor: username, action: 'session.login' }, now);
  });
  return { token, staff: { username, roles: row.roles, displayName: row.display_name }, expiresAt };
}

export async function sessionStaff(db: Db, token: string, now: Date): Promise<StaffMember> {
  const { rows } = await db.query<{ username: string; roles: Role[]; display_name: string | null; expires_at: Date; disabled: boolean }>(
    'SELECT s.username, s.roles, s.display_name, s.disabled, x.expires_at FROM sessions x JOIN staff s USING (username) WHERE x.token_hash = $1', [tokenHash(token)]);
  const r = rows[0];
  if (!r || r.disabled || new Date(r.expires_at).getTime() <= now.getTime()) throw consoleErrors.KZ_CONSOLE_SESSION_EXPIRED();
  return { username: r.username, roles: r.roles, displayName: r.display_name };
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
}

/** admin holds every role; otherwise the role must be listed. */
export function hasRole(s: StaffMember, role: Role): boolean {
  return s.roles.includes(role) || s.roles.includes('admin') || (role === 'viewer' && s.roles.length > 0);
}
