/**
 * The account lifecycle (issue 24). What gives someone access needs a second administrator
 * (admin-changes.ts): creating an account, changing its roles, enabling a disabled account and
 * resetting another's password, linking a staff card (else one admin could link their own card
 * to an approver's account and log in as them). What takes access away is immediate and needs one: disabling an
 * account (its sessions end at once) and ending sessions. Everything is audited.
 */
import type { Db, Queryable } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from './audit.ts';
import { proposeChange, registerChangeKind, type AdminChange } from './admin-changes.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { staffErrors } from './staff-errors.ts';
import {
  checkCardLink,
  checkNewStaff,
  checkRoles,
  hashPassword,
  insertStaff,
  linkCardIn,
  normSerial,
  type Role,
} from './staff.ts';

async function mustExist(q: Queryable, username: string): Promise<{ roles: Role[]; disabled: boolean }> {
  const { rows } = await q.query<{ roles: Role[]; disabled: boolean }>(
    'SELECT roles, disabled FROM staff WHERE username = $1',
    [username],
  );
  if (!rows[0]) throw staffErrors.KZ_CONSOLE_UNKNOWN_STAFF(username);
  return rows[0];
}

registerChangeKind('staff.create', {
  summary: (p) => ({ roles: p.roles, displayName: p.displayName ?? null }),
  apply: (q, c) =>
    insertStaff(
      q,
      {
        username: c.subject,
        passwordHash: String(c.payload.passwordHash),
        roles: c.payload.roles as Role[],
        displayName: (c.payload.displayName as string | null) ?? null,
      },
      { actor: c.actor, now: c.now },
    ),
});
registerChangeKind('staff.roles', {
  summary: (p) => ({ roles: p.roles, from: p.from }),
  apply: async (q, c) => {
    const cur = await mustExist(q, c.subject);
    // proposed against what the proposer saw: a change made meanwhile makes it stale
    if ([...cur.roles].sort().join() !== [...(c.payload.from as Role[])].sort().join())
      throw staffErrors.KZ_CONSOLE_CHANGE_CONFLICT(`the roles of ${c.subject} changed since the proposal`);
    await q.query('UPDATE staff SET roles = $2 WHERE username = $1', [c.subject, c.payload.roles]);
    await appendAudit(
      q,
      { actor: c.actor, action: 'staff.roles', subject: c.subject, details: { from: cur.roles, to: c.payload.roles } },
      c.now,
    );
  },
});
registerChangeKind('staff.enable', {
  summary: () => ({}),
  apply: async (q, c) => {
    await mustExist(q, c.subject);
    await q.query('UPDATE staff SET disabled = false, failed_logins = 0, locked_until = NULL WHERE username = $1', [
      c.subject,
    ]);
    await appendAudit(q, { actor: c.actor, action: 'staff.enable', subject: c.subject }, c.now);
  },
});
registerChangeKind('staff.password-reset', {
  summary: () => ({}),
  apply: async (q, c) => {
    await mustExist(q, c.subject);
    await q.query(
      `UPDATE staff SET password_hash = $2, must_change_password = true, failed_logins = 0, locked_until = NULL
        WHERE username = $1`,
      [c.subject, c.payload.passwordHash],
    );
    await q.query('DELETE FROM sessions WHERE username = $1', [c.subject]);
    await appendAudit(q, { actor: c.actor, action: 'staff.password-reset', subject: c.subject }, c.now);
  },
});

registerChangeKind('staff.card-link', {
  summary: (p) => ({ serial: p.serial, notAfter: p.notAfter }),
  apply: async (q, c) => {
    const card = { serial: String(c.payload.serial), subject: String(c.payload.subject) };
    await linkCardIn(q, c.subject, { ...card, notAfter: new Date(String(c.payload.notAfter)) }, c.actor, c.now, {
      proposedBy: c.proposedBy,
    });
  },
});

export async function proposeCreate(
  db: Db,
  s: { username: string; password: string; roles: Role[]; displayName?: string | undefined },
  actor: string,
  now: Date,
): Promise<AdminChange> {
  checkNewStaff(s);
  const { rows } = await db.query('SELECT 1 FROM staff WHERE username = $1', [s.username]);
  if (rows[0]) throw consoleErrors.KZ_CONSOLE_DUPLICATE(`staff member ${s.username}`);
  const payload = { roles: s.roles, displayName: s.displayName ?? null, passwordHash: await hashPassword(s.password) };
  return proposeChange(db, { kind: 'staff.create', subject: s.username, payload, actor, now });
}

export async function proposeRoles(
  db: Db,
  username: string,
  roles: Role[],
  actor: string,
  now: Date,
): Promise<AdminChange> {
  checkRoles(roles);
  const cur = await mustExist(db, username);
  return proposeChange(db, { kind: 'staff.roles', subject: username, payload: { roles, from: cur.roles }, actor, now });
}

export async function proposeEnable(db: Db, username: string, actor: string, now: Date): Promise<AdminChange> {
  await mustExist(db, username);
  return proposeChange(db, { kind: 'staff.enable', subject: username, payload: {}, actor, now });
}

export async function proposePasswordReset(
  db: Db,
  username: string,
  password: string,
  actor: string,
  now: Date,
): Promise<AdminChange> {
  checkPasswordPolicy(password, username);
  await mustExist(db, username);
  const payload = { passwordHash: await hashPassword(password) };
  return proposeChange(db, { kind: 'staff.password-reset', subject: username, payload, actor, now });
}

/** Propose linking a card whose certificate the caller has verified (chain, purpose, revocation). */
export async function proposeCardLink(
  db: Db,
  username: string,
  card: { serial: string; subject: string; notAfter: Date },
  actor: string,
  now: Date,
): Promise<AdminChange> {
  const serial = normSerial(card.serial);
  await checkCardLink(db, username, serial);
  const payload = { serial, subject: card.subject, notAfter: card.notAfter.toISOString() };
  return proposeChange(db, { kind: 'staff.card-link', subject: username, payload, actor, now });
}

/** Disable at once (one admin): the account's sessions end in the same transaction. */
export async function disableStaff(db: Db, username: string, actor: string, now: Date): Promise<void> {
  await db.tx(async (q) => {
    const cur = await mustExist(q, username);
    if (cur.roles.includes('admin')) {
      const { rows } = await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM staff WHERE disabled = false AND 'admin' = ANY(roles) AND username <> $1`,
        [username],
      );
      if (Number(rows[0]!.n) === 0) throw staffErrors.KZ_CONSOLE_LAST_ADMIN(username);
    }
    await q.query('UPDATE staff SET disabled = true WHERE username = $1', [username]);
    const { rowCount } = await q.query('DELETE FROM sessions WHERE username = $1', [username]);
    await appendAudit(
      q,
      { actor, action: 'staff.disable', subject: username, details: { sessionsEnded: rowCount } },
      now,
    );
  });
}
