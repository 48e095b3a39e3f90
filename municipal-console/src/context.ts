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
import { consoleErrors } from './errors.ts';
import { hasRole, sessionStaff, type Role, type StaffMember } from './staff/staff.ts';

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
  settings: { sessionTtlMs: number; rescueAfterMs: number; secureCookie: boolean; rosterWindowMs: number };
}

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
    const staff = await sessionStaff(ctx.db, token, ctx.clock.now());
    if (!hasRole(staff, role)) throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED(`needs the ${role} role`);
    req.staff = staff;
  });
}

export const staffOf = (req: FastifyRequest): StaffMember => req.staff!;
