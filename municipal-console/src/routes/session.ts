import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { SESSION_COOKIE, requireRole, staffOf, tokenOf, type ConsoleContext } from '../context.ts';
import { createStaff, login, logout, type Role } from '../staff.ts';
import { CreateStaffBody, LoginBody, SessionReply, StaffView, errors } from '../schemas.ts';

export async function sessionRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/api/session', {
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    schema: { tags: ['session'], summary: 'Log in (staff)', body: LoginBody, response: { 200: SessionReply, ...errors(400, 401, 429) } },
  }, async (req, reply) => {
    const s = await login(ctx.db, req.body.username, req.body.password, ctx.clock.now(), ctx.settings.sessionTtlMs);
    reply.setCookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', path: '/', secure: ctx.settings.secureCookie, expires: s.expiresAt });
    return { token: s.token, expiresAt: s.expiresAt.toISOString(), staff: s.staff };
  });
  r.get('/api/session', {
    preHandler: requireRole(ctx, 'viewer'),
    schema: { tags: ['session'], summary: 'Who is logged in', security: [{ bearer: [] }, { cookie: [] }], response: { 200: StaffView, ...errors(401) } },
  }, async (req) => staffOf(req));
  r.delete('/api/session', {
    schema: { tags: ['session'], summary: 'Log out', response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const t = tokenOf(req);
    if (t) await logout(ctx.db, t);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send(null);
  });
  r.post('/api/staff', {
    preHandler: requireRole(ctx, 'admin'),
    schema: { tags: ['staff'], summary: 'Create a staff account (admin)', security: [{ bearer: [] }, { cookie: [] }], body: CreateStaffBody, response: { 201: StaffView, ...errors(400, 401, 403, 409) } },
  }, async (req, reply) => {
    const s = await createStaff(ctx.db, { ...req.body, roles: req.body.roles as Role[] }, { actor: staffOf(req).username, now: ctx.clock.now() });
    return reply.status(201).send(s);
  });
}
