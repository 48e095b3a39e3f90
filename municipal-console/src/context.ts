/** What every route of the console needs, built once by buildConsoleApp. */
import type { FastifyRequest } from 'fastify';
import { authentication, type Db, type Logger } from '@kizuna/core';
import type { AlertService } from './alerts/alert-service.ts';
import type { Clock } from './clock.ts';
import type { Ingest } from './live/ingest.ts';
import type { LiveHub } from './live/live-hub.ts';
import type { CredentialStore } from '@kizuna/broker';
import type { BindingService } from './register/binding.ts';
import type { Verifier } from '@kizuna/jpki';
import type { AuditHeadExport } from './staff/audit-head.ts';
import { consoleErrors } from './errors.ts';
import { hasRole, sessionStaff, type Role, type StaffMember } from './staff/staff.ts';
import { audit } from './staff/audit.ts';
import { staffErrors } from './staff/staff-errors.ts';
import { requireFreshAuth as freshAuth } from './staff/sessions.ts';
import type { ThrottleSettings } from './staff/throttle.ts';
import type { CapLimits } from './alerts/cap-limits.ts';

export interface ConsoleContext {
  db: Db;
  muni: string;
  clock: Clock;
  logger: Logger;
  alerts: AlertService;
  ingest: Ingest;
  live: LiveHub;
  bindings: BindingService;
  /** The broker's credential store: device and terminal credentials, and their HTTP Basic login here. */
  credentials?: CredentialStore | undefined;
  /** jpki's fail-closed verifier, when configured: card binding and staff card login. */
  verifier?: Verifier | undefined;
  /** The audit log's head exported outside the database (verify checks the chain reaches the last one). */
  auditHeads?: AuditHeadExport | undefined;
  settings: {
    sessionTtlMs: number;
    rescueAfterMs: number;
    secureCookie: boolean;
    rosterWindowMs: number;
    /** CAP import limits and trusted senders (alerts/cap-limits.ts). */
    cap: CapLimits;
  };
  /** Staff sessions and logins (issue 24): idle timeout, re-authentication age, throttling. */
  accounts: { idleMs: number; reauthMs: number; throttle: ThrottleSettings };
}

/** Routes a session whose password was reset may still use: who am I, change it, log out. */
const WHILE_MUST_CHANGE = new Set(['/api/session', '/api/session/password']);

export const SESSION_COOKIE = 'kz_console_session';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffMember;
  }
}

export function tokenOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  return (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
}

/** preHandler: a valid staff session holding `role` (admin holds every role); run before the body is parsed (core authentication()). */
export function requireRole(ctx: ConsoleContext, role: Role) {
  return authentication(async (req: FastifyRequest) => {
    const token = tokenOf(req);
    if (!token)
      throw consoleErrors.KZ_CONSOLE_SESSION_EXPIRED(
        'no session token (Authorization: Bearer … or the session cookie)',
      );
    const staff = await sessionStaff(ctx.db, token, ctx.clock.now(), ctx.accounts.idleMs);
    if (staff.mustChangePassword && !WHILE_MUST_CHANGE.has(req.routeOptions.url ?? ''))
      throw staffErrors.KZ_CONSOLE_PASSWORD_CHANGE_REQUIRED();
    if (!hasRole(staff, role)) {
      // refusals are audited: a probe of what one's role allows leaves a trace
      await audit(
        ctx.db,
        {
          actor: staff.username,
          action: 'access.refused',
          details: { route: `${req.method} ${req.routeOptions.url ?? ''}`, needs: role },
        },
        ctx.clock.now(),
      );
      throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED(`needs the ${role} role`);
    }
    req.staff = staff;
  });
}

/**
 * preHandler after requireRole: the session authenticated within KZ_CONSOLE_REAUTH_S, else 401
 * KZ_CONSOLE_REAUTH_REQUIRED. `applies` narrows it (only real alerts, say).
 */
export function requireFreshAuth(ctx: ConsoleContext, applies?: (req: FastifyRequest) => boolean | Promise<boolean>) {
  // an authentication step like requireRole (after it): a stale login is 401 before the body is read
  return authentication(
    freshAuth(
      () => ctx.accounts.reauthMs,
      () => ctx.clock.now(),
      applies,
    ),
  );
}

/** For requireFreshAuth: only when the alert in `:id` is real (status Actual), not an exercise or test. */
export const realAlertOnly =
  (ctx: ConsoleContext) =>
  async (req: FastifyRequest): Promise<boolean> => {
    const id = (req.params as { id?: string }).id;
    if (!id) return true;
    // an unknown alert is the route's 404 to give
    return ctx.alerts.get(id).then(
      (a) => a.status === 'Actual',
      () => false,
    );
  };

export const staffOf = (req: FastifyRequest): StaffMember => req.staff!;
