import { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createChallengeService, lifeEventOf, type VerifyFailure } from '@kizuna/jpki';
import { SESSION_COOKIE, requireRole, staffOf, tokenOf, type ConsoleContext } from '../context.ts';
import {
  cardLogin,
  listStaff,
  login,
  logout,
  normSerial,
  staffForCard,
  unlinkCard,
  type OpenedSession,
} from '../staff/staff.ts';
import { audit } from '../staff/audit.ts';
import { LoginBody, RoleSchema, SessionReply, StaffView, errors } from '../schemas.ts';
import { proposeCardLink, proposeCreate } from '../staff/staff-changes.ts';
import { AddressBudget } from '../staff/throttle.ts';
import { AdminChangeView } from './accounts.ts';
import { uiErrors } from './ui-errors.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const SessionStaff = Type.Object({
  ...StaffView.properties,
  method: Type.Union([Type.Literal('password'), Type.Literal('card')], { description: 'how this session was opened' }),
  mustChangePassword: Type.Optional(
    Type.Boolean({ description: 'an administrator reset the password: change it (POST /api/session/password) first' }),
  ),
});
const LoginReply = Type.Object({ ...SessionReply.properties, staff: SessionStaff });
const B64 = (description: string, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9+/]+={0,2}$', minLength: 4, maxLength, description });
const StaffCardView = Type.Object({
  serial: Type.String(),
  subject: Type.String(),
  notAfter: Type.String({ format: 'date-time' }),
  linkedBy: Type.String(),
  linkedAt: Type.String({ format: 'date-time' }),
});
const StaffListEntry = Type.Object({
  username: Type.String(),
  roles: Type.Array(RoleSchema),
  displayName: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'locked after failed logins until then (throttling)',
  }),
  mustChangePassword: Type.Boolean({ description: 'the password was reset: it must be changed at the next login' }),
  cards: Type.Array(StaffCardView),
});
const CreateStaffBody = Type.Object(
  {
    username: Type.String({ maxLength: 64 }),
    password: Type.String({ maxLength: 1_000_000, description: '12–128 characters, not a common password' }),
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4 }),
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

/** A verifier refusal of a staff card, as the console's coded error (fail closed). */
function cardRefusal(f: VerifyFailure) {
  if (f.reason === 'revoked') {
    return uiErrors.KZ_CONSOLE_CARD_REVOKED(`revoked${f.revocationReason ? ` (${f.revocationReason})` : ''}`, {
      reason: f.reason,
      ...(f.revocationReason
        ? { revocationReason: f.revocationReason, lifeEvent: lifeEventOf(f.revocationReason) }
        : {}),
    });
  }
  if (f.reason === 'status-unknown') return uiErrors.KZ_CONSOLE_CARD_STATUS_UNAVAILABLE(f.detail, { reason: f.reason });
  return uiErrors.KZ_CONSOLE_CARD_REFUSED(`${f.reason}: ${f.detail}`, { reason: f.reason });
}

export async function sessionRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Failed logins per client address (throttle.ts): successes cost nothing, so a shift change
  // behind one proxy address does not lock the office out; req.ip is the real client's address
  // only through the proxy named in KZ_CONSOLE_TRUST_PROXY.
  const failures = new AddressBudget(ctx.accounts.throttle, () => ctx.clock.now().getTime());
  const checkAddress = (ip: string, reply: FastifyReply) => {
    try {
      failures.check(ip);
    } catch (e) {
      reply.header('retry-after', String((e as { details?: { retryAfterS?: number } }).details?.retryAfterS ?? 60));
      throw e;
    }
  };
  const counted = async <T>(ip: string, reply: FastifyReply, f: () => Promise<T>): Promise<T> => {
    checkAddress(ip, reply);
    try {
      return await f();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 401 || (e as { statusCode?: number }).statusCode === 403)
        failures.fail(ip);
      throw e;
    }
  };
  const setCookie = (reply: FastifyReply, s: OpenedSession) =>
    reply.setCookie(SESSION_COOKIE, s.token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: ctx.settings.secureCookie,
      expires: s.expiresAt,
    });

  r.post(
    '/api/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in (staff)',
        description:
          'Every refusal is KZ_CONSOLE_LOGIN_FAILED (wrong password, unknown or disabled account, or an account locked after repeated failures); too many failures from one address: KZ_RATE_LIMITED (429).',
        body: LoginBody,
        response: { 200: LoginReply, ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const s = await counted(req.ip, reply, () =>
        login(
          ctx.db,
          req.body.username,
          req.body.password,
          ctx.clock.now(),
          ctx.settings.sessionTtlMs,
          ctx.accounts.throttle,
        ),
      );
      setCookie(reply, s);
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), staff: s.staff };
    },
  );

  // Card login (issue 6): the staff member's own JPKI authentication certificate, through the
  // card-reader bridge on their PC. Challenge → the card signs the nonce (PIN on the card) → the
  // server checks signature, chain, purpose and revocation (fail closed), then the staff link.
  const challenges = ctx.verifier
    ? createChallengeService({ verifier: ctx.verifier, clock: () => ctx.clock.now() })
    : null;
  r.post(
    '/api/session/card/challenge',
    {
      config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
      schema: {
        tags: ['session'],
        summary:
          'Start a card login: a one-time nonce for the card to sign with its authentication key (valid 2 minutes)',
        body: Type.Object({}, { additionalProperties: false, description: 'an empty JSON object, {}' }),
        response: {
          200: Type.Object({
            challengeId: Type.String(),
            nonce: Type.String({ description: '32 bytes, base64' }),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
          ...errors(400, 429, 503),
        },
      },
    },
    async () => {
      if (!challenges) throw uiErrors.KZ_CONSOLE_CARD_LOGIN_OFF();
      const c = challenges.issue();
      return { challengeId: c.challengeId, nonce: c.nonceBase64, expiresAt: c.expiresAt.toISOString() };
    },
  );
  r.post(
    '/api/session/card',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with a staff card: the answered challenge',
        description:
          'Refusals: KZ_CONSOLE_CARD_REVOKED (403, details.revocationReason), KZ_CONSOLE_CARD_UNKNOWN (card not linked to staff), KZ_CONSOLE_CARD_REFUSED (details.reason: bad-signature, challenge-replayed, challenge-expired, unknown-issuer, wrong-certificate-type, expired, …), KZ_CONSOLE_CARD_STATUS_UNAVAILABLE (503: no revocation answer, nobody logged in).',
        body: Type.Object(
          {
            challengeId: Type.String({ maxLength: 64 }),
            certificate: B64('the authentication certificate read from the card (DER, base64)', 8192),
            signature: B64('the card’s RSASSA-PKCS1-v1_5 SHA-256 signature over the nonce (base64)', 1024),
          },
          { additionalProperties: false },
        ),
        response: { 200: LoginReply, ...errors(400, 401, 403, 429, 503) },
      },
    },
    async (req, reply) => {
      if (!challenges) throw uiErrors.KZ_CONSOLE_CARD_LOGIN_OFF();
      const now = ctx.clock.now();
      checkAddress(req.ip, reply);
      const v = await challenges.verifyResponse(req.body);
      if (!v.ok) failures.fail(req.ip);
      if (!v.ok) {
        // A refused card that belongs to staff is attributed in the audit log (serial only).
        const who = v.serial ? await staffForCard(ctx.db, v.serial) : null;
        if (who)
          await audit(
            ctx.db,
            {
              actor: who.username,
              action: 'session.card-refused',
              details: { serial: normSerial(v.serial!), reason: v.reason },
            },
            now,
          );
        throw cardRefusal(v);
      }
      const s = await counted(req.ip, reply, () => cardLogin(ctx.db, v.serial, now, ctx.settings.sessionTtlMs));
      setCookie(reply, s);
      return { token: s.token, expiresAt: s.expiresAt.toISOString(), staff: s.staff };
    },
  );

  r.get(
    '/api/session',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['session'],
        summary: 'Who is logged in, and how (password or card)',
        security: sec,
        response: { 200: SessionStaff, ...errors(401) },
      },
    },
    async (req) => ({
      ...staffOf(req),
      method: staffOf(req).method ?? 'password',
      mustChangePassword: !!staffOf(req).mustChangePassword,
    }),
  );
  r.delete(
    '/api/session',
    {
      schema: { tags: ['session'], summary: 'Log out', response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const t = tokenOf(req);
      if (t) await logout(ctx.db, t, ctx.clock.now());
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/api/staff',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['staff'],
        summary: 'Staff accounts with their linked cards (admin)',
        security: sec,
        response: { 200: Type.Array(StaffListEntry), ...errors(401, 403) },
      },
    },
    async () => listStaff(ctx.db),
  );
  r.post(
    '/api/staff',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['staff'],
        summary: 'Propose a staff account (admin): it exists once another administrator confirms it',
        description:
          'Answers 202 with the pending change; POST /api/admin-changes/:id/confirm by a different admin creates the account. Password refusals: KZ_CONSOLE_PASSWORD_TOO_SHORT, KZ_CONSOLE_PASSWORD_TOO_LONG, KZ_CONSOLE_PASSWORD_WEAK.',
        security: sec,
        body: CreateStaffBody,
        response: { 202: AdminChangeView, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) =>
      reply.status(202).send(await proposeCreate(ctx.db, req.body, staffOf(req).username, ctx.clock.now())),
  );
  r.post(
    '/api/staff/:username/cards',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['staff'],
        summary: 'Propose linking a staff card (admin): it logs in once another administrator confirms the link',
        description:
          'The authentication certificate read from the card is verified (chain, purpose, revocation) first. Answers 202 with the pending change (kind staff.card-link); POST /api/admin-changes/:id/confirm by a different admin links the card. Unlinking (DELETE) is immediate.',
        security: sec,
        params: Type.Object({ username: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { certificate: B64('the authentication certificate (DER, base64)', 8192) },
          { additionalProperties: false },
        ),
        response: { 202: AdminChangeView, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      if (!ctx.verifier) throw uiErrors.KZ_CONSOLE_CARD_LOGIN_OFF();
      const der = new Uint8Array(Buffer.from(req.body.certificate, 'base64'));
      const v = await ctx.verifier.verifyCertificate(der, { purpose: 'auth' });
      if (!v.ok) throw cardRefusal(v);
      const subject = new X509Certificate(der).subject.replace(/\n/g, ', ');
      const change = await proposeCardLink(
        ctx.db,
        req.params.username,
        { serial: v.serial, subject, notAfter: v.notAfter },
        staffOf(req).username,
        ctx.clock.now(),
      );
      return reply.status(202).send(change);
    },
  );
  r.delete(
    '/api/staff/:username/cards/:serial',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['staff'],
        summary: 'Unlink a staff card (admin)',
        security: sec,
        params: Type.Object({ username: Type.String({ maxLength: 64 }), serial: Type.String({ maxLength: 128 }) }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await unlinkCard(ctx.db, req.params.username, req.params.serial, staffOf(req).username, ctx.clock.now());
      return reply.status(204).send(null);
    },
  );
}
