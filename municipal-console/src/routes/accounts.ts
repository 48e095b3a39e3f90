/**
 * Staff account lifecycle (issue 24): one's own password, re-authentication and sessions; for
 * administrators, other accounts' sessions, disabling (immediate) and the changes that need a
 * second administrator (roles, enabling, password reset, and account creation in session.ts):
 * proposed here, confirmed by another admin at /api/admin-changes.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireFreshAuth, requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { confirmChange, listChanges, withdrawChange } from '../staff/admin-changes.ts';
import { changeOwnPassword, endSessions, listSessions, reauthenticate } from '../staff/sessions.ts';
import { disableStaff, proposeEnable, proposePasswordReset, proposeRoles } from '../staff/staff-changes.ts';
import { hasRole } from '../staff/staff.ts';
import { RoleSchema, errors } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const Username = Type.Object({ username: Type.String({ maxLength: 64 }) });
/** Actions that take nothing: send an empty JSON object, {} (as the card challenge does). */
const NoBody = Type.Object({}, { additionalProperties: false, description: 'an empty JSON object, {}' });
/** A new password: its rules are checked by the server with named codes, so the schema only bounds it. */
const NewPassword = Type.String({ maxLength: 1_000_000, description: '12–128 characters, not a common password' });
export const AdminChangeView = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'staff.create, staff.roles, staff.enable or staff.password-reset' }),
  subject: Type.String({ description: 'the account it concerns' }),
  summary: Type.Record(Type.String(), Type.Unknown(), { description: 'what it does (never a password)' }),
  proposedBy: Type.String(),
  proposedAt: Type.String({ format: 'date-time' }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('withdrawn')]),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const SessionView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  method: Type.Union([Type.Literal('password'), Type.Literal('card')]),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  authAt: Type.String({ format: 'date-time', description: 'last authentication (login or re-authentication)' }),
  expiresAt: Type.String({ format: 'date-time' }),
  current: Type.Boolean({ description: 'the session making this request' }),
});

export async function accountRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const viewer = requireRole(ctx, 'viewer');
  const admin = requireRole(ctx, 'admin');
  const now = () => ctx.clock.now();
  const me = (req: Parameters<typeof staffOf>[0]) => staffOf(req);

  r.post(
    '/api/session/reauth',
    {
      preHandler: viewer,
      schema: {
        tags: ['session'],
        summary: 'Re-authenticate: the password again, so the session counts as freshly authenticated',
        description:
          'Answers KZ_CONSOLE_REAUTH_REQUIRED (401) routes, such as approving a real alert, accept the session again for KZ_CONSOLE_REAUTH_S seconds. A wrong password is KZ_CONSOLE_PASSWORD_WRONG and counts towards the account lock.',
        security: sec,
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ authAt: Type.String({ format: 'date-time' }) }), ...errors(400, 401) },
      },
    },
    async (req) => ({
      authAt: (await reauthenticate(ctx.db, me(req), req.body.password, now(), ctx.accounts.throttle)).toISOString(),
    }),
  );

  r.post(
    '/api/session/password',
    {
      preHandler: viewer,
      schema: {
        tags: ['session'],
        summary: 'Change your own password (the current one proves it is you); your other sessions end',
        description:
          'Refusals: KZ_CONSOLE_PASSWORD_TOO_SHORT, KZ_CONSOLE_PASSWORD_TOO_LONG, KZ_CONSOLE_PASSWORD_WEAK (details.reason), KZ_CONSOLE_PASSWORD_WRONG.',
        security: sec,
        body: Type.Object(
          { current: Type.String({ minLength: 1, maxLength: 256 }), password: NewPassword },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors(400, 401) },
      },
    },
    async (req, reply) => {
      await changeOwnPassword(ctx.db, me(req), req.body.current, req.body.password, now(), ctx.accounts.throttle);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/sessions',
    {
      preHandler: viewer,
      schema: {
        tags: ['session'],
        summary: 'Your open sessions',
        security: sec,
        response: { 200: Type.Array(SessionView), ...errors(401) },
      },
    },
    async (req) => listSessions(ctx.db, me(req).username, me(req).session?.id),
  );
  r.delete(
    '/api/sessions/:id',
    {
      preHandler: viewer,
      schema: {
        tags: ['session'],
        summary: 'End one of your sessions (an admin: anyone’s)',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const s = me(req);
      const owner = hasRole(s, 'admin') ? undefined : s.username;
      await endSessions(ctx.db, { id: req.params.id, ...(owner ? { owner } : {}) }, s.username, now());
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/staff/sessions',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Every open staff session (admin)',
        security: sec,
        response: { 200: Type.Array(SessionView), ...errors(401, 403) },
      },
    },
    async (req) => listSessions(ctx.db, null, me(req).session?.id),
  );
  r.delete(
    '/api/staff/:username/sessions',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'End every session of a staff member (admin)',
        security: sec,
        params: Username,
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (req, reply) => {
      await endSessions(ctx.db, { username: req.params.username }, me(req).username, now());
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/staff/:username/disable',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Disable an account now (admin, alone): its sessions end at once',
        description: 'Refusals: KZ_CONSOLE_UNKNOWN_STAFF, KZ_CONSOLE_LAST_ADMIN (the last enabled administrator).',
        security: sec,
        params: Username,
        body: NoBody,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await disableStaff(ctx.db, req.params.username, me(req).username, now());
      return reply.status(204).send(null);
    },
  );

  const proposal = { 202: AdminChangeView, ...errors(400, 401, 403, 404) };
  r.post(
    '/api/staff/:username/enable',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Propose enabling a disabled account (admin); another admin confirms',
        security: sec,
        params: Username,
        body: NoBody,
        response: proposal,
      },
    },
    async (req, reply) =>
      reply.status(202).send(await proposeEnable(ctx.db, req.params.username, me(req).username, now())),
  );
  r.post(
    '/api/staff/:username/roles',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Propose new roles for an account (admin); another admin confirms',
        security: sec,
        params: Username,
        body: Type.Object(
          { roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4 }) },
          { additionalProperties: false },
        ),
        response: proposal,
      },
    },
    async (req, reply) =>
      reply.status(202).send(await proposeRoles(ctx.db, req.params.username, req.body.roles, me(req).username, now())),
  );
  r.post(
    '/api/staff/:username/password',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary:
          'Propose a password reset (admin); once another admin confirms, the account’s sessions end and it must change the password at its next login',
        security: sec,
        params: Username,
        body: Type.Object({ password: NewPassword }, { additionalProperties: false }),
        response: proposal,
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await proposePasswordReset(ctx.db, req.params.username, req.body.password, me(req).username, now())),
  );

  r.get(
    '/api/admin-changes',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Changes waiting for (or decided by) a second administrator (admin)',
        security: sec,
        querystring: Type.Object({
          state: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('withdrawn')]),
          ),
        }),
        response: { 200: Type.Array(AdminChangeView), ...errors(400, 401, 403) },
      },
    },
    async (req) => listChanges(ctx.db, req.query.state),
  );
  r.post(
    '/api/admin-changes/:id/confirm',
    {
      preHandler: [admin, requireFreshAuth(ctx)],
      schema: {
        tags: ['staff'],
        summary: 'Confirm and apply a change proposed by another administrator (admin, freshly authenticated)',
        description:
          'Refusals: KZ_CONSOLE_SAME_ADMIN (403, you proposed it), KZ_CONSOLE_CHANGE_UNKNOWN (404, not pending), KZ_CONSOLE_CHANGE_CONFLICT (409, stale), KZ_CONSOLE_REAUTH_REQUIRED (401).',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: NoBody,
        response: { 200: AdminChangeView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => confirmChange(ctx.db, req.params.id, me(req).username, now()),
  );
  r.delete(
    '/api/admin-changes/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['staff'],
        summary: 'Withdraw or turn down a pending change (admin)',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await withdrawChange(ctx.db, req.params.id, me(req).username, now());
      return reply.status(204).send(null);
    },
  );
}
