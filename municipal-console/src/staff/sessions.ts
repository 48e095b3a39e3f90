/**
 * A staff member's sessions: list and end them (one's own; an admin anyone's), change one's own
 * password, and fresh authentication. A session records when its holder last proved who they are
 * (login, password or card; or POST /api/session/reauth); requireFreshAuth refuses an action when
 * that is older than the limit, with 401 KZ_CONSOLE_REAUTH_REQUIRED, which the web UI answers by
 * asking for the password and retrying (ASVS V3.7.1).
 */
import type { FastifyRequest } from 'fastify';
import type { Db } from '@kizuna/core';
import { appendAudit } from './audit.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { staffErrors } from './staff-errors.ts';
import { checkPassword, hashPassword, type LoginMethod, type StaffMember } from './staff.ts';
import { clearFailures, recordFailure, type ThrottleSettings } from './throttle.ts';

export interface SessionView {
  id: string;
  username: string;
  method: LoginMethod;
  createdAt: string;
  lastSeenAt: string;
  authAt: string;
  expiresAt: string;
  current: boolean;
}

export async function listSessions(db: Db, username: string | null, currentId?: string): Promise<SessionView[]> {
  const { rows } = await db.query<{
    id: string;
    username: string;
    method: LoginMethod;
    created_at: Date;
    last_seen_at: Date;
    auth_at: Date;
    expires_at: Date;
  }>(
    'SELECT id, username, method, created_at, last_seen_at, auth_at, expires_at FROM sessions WHERE $1::text IS NULL OR username = $1 ORDER BY username, created_at DESC',
    [username],
  );
  const iso = (d: Date) => new Date(d).toISOString();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    method: r.method,
    createdAt: iso(r.created_at),
    lastSeenAt: iso(r.last_seen_at),
    authAt: iso(r.auth_at),
    expiresAt: iso(r.expires_at),
    current: r.id === currentId,
  }));
}

/** End sessions (audited): one by id, or every session of `username` (except `keep`). `owner` limits whose. */
export async function endSessions(
  db: Db,
  sel: { id?: string; username?: string; owner?: string; keep?: string },
  actor: string,
  now: Date,
): Promise<number> {
  return db.tx(async (q) => {
    const { rows } = await q.query<{ id: string; username: string }>(
      `DELETE FROM sessions WHERE ($1::text IS NULL OR id = $1) AND ($2::text IS NULL OR username = $2)
        AND ($3::text IS NULL OR username = $3) AND ($4::text IS NULL OR id <> $4) RETURNING id, username`,
      [sel.id ?? null, sel.username ?? null, sel.owner ?? null, sel.keep ?? null],
    );
    if (sel.id && rows.length === 0) throw staffErrors.KZ_CONSOLE_SESSION_UNKNOWN(sel.id);
    for (const subject of new Set(rows.map((r) => r.username)))
      await appendAudit(
        q,
        {
          actor,
          action: 'session.end',
          subject,
          details: { sessions: rows.filter((r) => r.username === subject).map((r) => r.id) },
        },
        now,
      );
    return rows.length;
  });
}

async function passwordOk(
  db: Db,
  username: string,
  password: string,
  now: Date,
  throttle: ThrottleSettings,
  action: string,
) {
  const { rows } = await db.query<{ password_hash: string; locked_until: Date | null }>(
    'SELECT password_hash, locked_until FROM staff WHERE username = $1',
    [username],
  );
  const ok = !!rows[0] && (await checkPassword(password, rows[0].password_hash));
  const locked = !!rows[0]?.locked_until && new Date(rows[0].locked_until).getTime() > now.getTime();
  if (ok && !locked) return;
  // a stolen session cannot guess the password faster than the login form can
  await db.tx(async (q) => {
    await appendAudit(q, { actor: username, action, details: { reason: locked ? 'locked' : 'bad-password' } }, now);
    if (!locked) await recordFailure(q, username, now, throttle);
  });
  throw staffErrors.KZ_CONSOLE_PASSWORD_WRONG();
}

/** Prove the password again: the session counts as freshly authenticated from now. */
export async function reauthenticate(
  db: Db,
  staff: StaffMember,
  password: string,
  now: Date,
  throttle: ThrottleSettings,
): Promise<Date> {
  await passwordOk(db, staff.username, password, now, throttle, 'session.reauth-failed');
  await db.tx(async (q) => {
    await q.query('UPDATE sessions SET auth_at = $2, last_seen_at = $2 WHERE id = $1', [staff.session!.id, now]);
    await clearFailures(q, staff.username);
    await appendAudit(q, { actor: staff.username, action: 'session.reauth' }, now);
  });
  return now;
}

/** Change one's own password (the current one proves it is them); the other sessions end. */
export async function changeOwnPassword(
  db: Db,
  staff: StaffMember,
  current: string,
  next: string,
  now: Date,
  throttle: ThrottleSettings,
): Promise<void> {
  checkPasswordPolicy(next, staff.username);
  await passwordOk(db, staff.username, current, now, throttle, 'staff.password-change-failed');
  if (current === next)
    throw staffErrors.KZ_CONSOLE_PASSWORD_WEAK('the new password is the current one', { reason: 'unchanged' });
  const hash = await hashPassword(next);
  await db.tx(async (q) => {
    await q.query(
      'UPDATE staff SET password_hash = $2, must_change_password = false, failed_logins = 0, locked_until = NULL WHERE username = $1',
      [staff.username, hash],
    );
    await q.query('DELETE FROM sessions WHERE username = $1 AND id <> $2', [staff.username, staff.session!.id]);
    await q.query('UPDATE sessions SET auth_at = $2 WHERE id = $1', [staff.session!.id, now]);
    await appendAudit(q, { actor: staff.username, action: 'staff.password-change', subject: staff.username }, now);
  });
}

/**
 * preHandler (after requireRole): the session's last authentication is at most `maxAgeMs` old.
 * `applies` lets a route ask only when it matters (say, only for real alerts, not exercises).
 */
export function requireFreshAuth(
  maxAgeMs: () => number,
  now: () => Date,
  applies: (req: FastifyRequest) => boolean | Promise<boolean> = () => true,
) {
  return async (req: FastifyRequest) => {
    const s = req.staff?.session;
    if (!s) throw staffErrors.KZ_CONSOLE_REAUTH_REQUIRED('no staff session'); // requireRole must run first
    if (now().getTime() - s.authAt.getTime() <= maxAgeMs()) return;
    if (!(await applies(req))) return;
    throw staffErrors.KZ_CONSOLE_REAUTH_REQUIRED(`last authenticated ${s.authAt.toISOString()}`, {
      maxAgeS: Math.round(maxAgeMs() / 1000),
    });
  };
}
