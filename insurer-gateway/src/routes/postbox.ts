/**
 * The post-box API the TV calls (/postbox/v1). Login is public (card challenge–response);
 * everything else needs the session's bearer token and sees only that post-box.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isSafeId } from '@kizuna/contract';
import type { GatewayContext } from '../context.ts';
import { gatewayErrors as E } from '../errors.ts';
import { loginPostbox, listSenders, setSenderAllowed, listDisclosures, type Session } from '../postboxes.ts';
import { listPostboxNotices, openNotice, getAttachment, deleteNoticeByResident } from '../notices.ts';
import { issueConsentNonce, enrolByConsent, listPostboxEnrolments, endEnrolment } from '../enrolments.ts';
import { submitReport } from '../reports.ts';
import { listInsurers } from '../insurers.ts';
import { notifyMail, unreadCount } from '../mail-notify.ts';
import { errors, Id, Ok, ResidentNoticeSchema, ReceiptSchema, SignedBodySchema } from '../schemas.ts';
import { challengeRateLimit, loginDevice, LoginDeviceSchema } from './postbox-login.ts';
import { postboxDeviceRoutes } from './postbox-devices.ts';

declare module 'fastify' {
  interface FastifyRequest {
    postbox: Session | null;
  }
}

const tags = ['post-box'];
const security = [{ postboxSession: [] }];
const bearer = (req: FastifyRequest) => /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '')?.[1];

/** Follows new → old renewal links so a renewed card still opens the same post-box. */
async function previousSerials(ctx: GatewayContext, serial: string): Promise<string[]> {
  const out: string[] = [];
  let s = serial;
  for (let i = 0; i < 8 && ctx.status; i++) {
    const st = await ctx.status.status(s).catch(() => null);
    if (!st?.renewedFrom) break;
    s = st.renewedFrom.toLowerCase();
    out.push(s);
  }
  return out;
}

export async function postboxPublicRoutes(base: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(challengeRateLimit.plugin, challengeRateLimit.options);
  app.post(
    '/login/challenge',
    {
      config: { rateLimit: challengeRateLimit.route(ctx.loginChallengesPerMinute) },
      schema: {
        tags,
        summary:
          'Start a card login: a challenge for the authentication key to sign (per client at most `loginChallengesPerMinute`, else 429)',
        response: {
          200: Type.Object({ id: Type.String(), challenge: Type.String(), expiresAt: Type.String() }),
          ...errors(429, 503),
        },
      },
    },
    async () => {
      if (!ctx.challenges) throw E.KZ_GW_LOGIN_UNAVAILABLE();
      return ctx.challenges.issue();
    },
  );

  app.post(
    '/login',
    {
      schema: {
        tags,
        summary: 'Finish a card login; the TV names itself (muni + device) to receive "mail waiting"',
        body: Type.Object({
          id: Type.String({ minLength: 1, maxLength: 200 }),
          signature: Type.String({ minLength: 1, maxLength: 2000 }),
          certificate: Type.String({
            minLength: 1,
            maxLength: 8000,
            description: 'authentication certificate, DER, base64',
          }),
          muni: Type.Optional(Id),
          device: Type.Optional(Id),
        }),
        response: {
          200: Type.Object({
            token: Type.String(),
            postboxId: Type.String(),
            expiresAt: Type.String(),
            created: Type.Boolean(),
            unread: Type.Integer(),
            device: Type.Optional(LoginDeviceSchema),
          }),
          ...errors(400, 401, 503),
        },
      },
    },
    async (req) => {
      if (!ctx.challenges) throw E.KZ_GW_LOGIN_UNAVAILABLE();
      const b = req.body;
      if ((b.muni === undefined) !== (b.device === undefined)) throw E.KZ_GW_BAD_ID('muni and device go together');
      const { serial } = await ctx.challenges.verify({ id: b.id, signature: b.signature, certificate: b.certificate });
      const now = ctx.clock.now();
      const s = await loginPostbox(
        ctx.db,
        {
          authSerial: serial,
          previousSerials: await previousSerials(ctx, serial),
          authCert: Buffer.from(b.certificate, 'base64'),
          ttlS: ctx.sessionTtlS,
        },
        now,
      );
      // The TV named is linked for "mail waiting" only if its municipality bound it to this card's holder.
      const device =
        b.muni && b.device ? await loginDevice(ctx, { postboxId: s.postboxId, authSerial: serial }, b, now) : undefined;
      return {
        token: s.token,
        postboxId: s.postboxId,
        expiresAt: s.expiresAt.toISOString(),
        created: s.created,
        unread: await unreadCount(ctx.db, s.postboxId),
        ...(device ? { device } : {}),
      };
    },
  );

  app.get(
    '/receipt-keys',
    {
      schema: {
        tags,
        summary: 'Every public key that ever signed receipts (JWK set: kid, nbf, exp when retired)',
        response: { 200: Type.Object({ keys: Type.Array(Type.Object({}, { additionalProperties: true })) }) },
      },
    },
    async () => ({ keys: await ctx.receipts.publicKeys() }),
  );

  app.get(
    '/insurers',
    {
      schema: {
        tags,
        summary: 'Insurers a resident can enrol with',
        response: {
          200: Type.Object({ insurers: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) }),
        },
      },
    },
    async () => ({ insurers: (await listInsurers(ctx.db)).map((i) => ({ id: i.id, name: i.name })) }),
  );
}

export async function postboxRoutes(base: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('postbox', null);
  // onRequest: the session is checked before the body is read (no session, no parsing)
  app.addHook('onRequest', async (req) => {
    req.postbox = await ctx.sessions.get(bearer(req), ctx.clock.now());
  });
  const pb = (req: FastifyRequest) => req.postbox!.postboxId;
  const AUTH = errors(400, 401);

  app.post(
    '/logout',
    { schema: { tags, security, summary: 'End the session', response: { 200: Ok, ...AUTH } } },
    async (req) => {
      await ctx.sessions.end(bearer(req)!, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.get(
    '/notices',
    {
      schema: {
        tags,
        security,
        summary: 'The post-box: notices without their bodies',
        response: { 200: Type.Object({ unread: Type.Integer(), notices: Type.Array(ResidentNoticeSchema) }), ...AUTH },
      },
    },
    async (req) => ({ unread: await unreadCount(ctx.db, pb(req)), notices: await listPostboxNotices(ctx.db, pb(req)) }),
  );

  app.get(
    '/notices/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Open a notice (the first open is its delivery: a read receipt goes to the sender)',
        params: Type.Object({ id: Id }),
        response: { 200: ResidentNoticeSchema, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const now = ctx.clock.now();
      const { notice, firstOpen } = await openNotice(ctx.db, pb(req), req.params.id, now);
      if (firstOpen) await notifyMail(ctx.db, ctx.mqtt, req.log, pb(req), now);
      return notice;
    },
  );

  app.delete(
    '/notices/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a notice (not an unanswered status-check request)',
        params: Type.Object({ id: Id }),
        response: { 200: Ok, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      await deleteNoticeByResident(ctx.db, pb(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/notices/:id/attachments/:attachment',
    {
      schema: {
        tags,
        security,
        summary: 'An attachment (PDF or image)',
        params: Type.Object({ id: Id, attachment: Id }),
        response: { 200: Type.Any({ description: 'the file' }), ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const p = req.params;
      const a = await getAttachment(ctx.db, pb(req), p.id, p.attachment);
      return reply
        .type(a.mediaType)
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
        .send(a.data);
    },
  );

  app.post(
    '/reports',
    {
      schema: {
        tags,
        security,
        summary: 'Submit a signed life-status report; answered with a receipt signed by the gateway',
        body: SignedBodySchema,
        response: {
          201: Type.Object({ reportId: Type.String(), late: Type.Boolean(), receipt: ReceiptSchema }),
          ...errors(400, 401, 403, 409, 422, 503),
        },
      },
    },
    async (req, reply) => {
      const out = await submitReport(
        {
          db: ctx.db,
          verifier: ctx.verifier,
          status: ctx.status,
          receipts: ctx.receipts,
          store: ctx.reports,
          links: ctx.cardLinks,
        },
        req.postbox!,
        req.body,
        ctx.clock.now(),
      );
      return reply.status(201).send(out);
    },
  );

  app.post(
    '/consent-nonce',
    {
      schema: {
        tags,
        security,
        summary: 'A one-use nonce for an enrolment consent (10 minutes)',
        response: { 200: Type.Object({ nonce: Type.String(), expiresAt: Type.String() }), ...AUTH },
      },
    },
    async (req) => issueConsentNonce(ctx.db, pb(req), ctx.clock.now()),
  );

  app.post(
    '/enrolments',
    {
      schema: {
        tags,
        security,
        summary:
          'Link a policy with a consent signed by the signing certificate (discloses the four items to the insurer)',
        body: SignedBodySchema,
        response: {
          201: Type.Object({ enrolmentId: Type.String(), insurerId: Type.String(), policy: Type.String() }),
          ...errors(400, 401, 403, 409, 422, 503),
        },
      },
    },
    async (req, reply) => {
      const out = await enrolByConsent(ctx.db, ctx.verifier, req.postbox!, req.body, ctx.clock.now(), ctx.cardLinks);
      return reply.status(201).send({ enrolmentId: out.enrolmentId, insurerId: out.insurerId, policy: out.policy });
    },
  );

  app.get(
    '/enrolments',
    {
      schema: {
        tags,
        security,
        summary: 'Policies linked to this post-box',
        response: {
          200: Type.Object({
            enrolments: Type.Array(
              Type.Object({
                id: Type.String(),
                insurer: Type.Object({ id: Type.String(), name: Type.String() }),
                policy: Type.String(),
                status: Type.String(),
                enrolledAt: Type.String(),
                endedAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...AUTH,
        },
      },
    },
    async (req) => ({ enrolments: await listPostboxEnrolments(ctx.db, pb(req)) }),
  );

  app.delete(
    '/enrolments/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Withdraw consent: end the link (the insurer is told)',
        params: Type.Object({ id: Id }),
        response: { 200: Ok, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await endEnrolment(
        ctx.db,
        { postboxId: pb(req), enrolmentId: req.params.id },
        'resident',
        'consent withdrawn',
        ctx.clock.now(),
      );
      return { ok: true as const };
    },
  );

  app.get(
    '/senders',
    {
      schema: {
        tags,
        security,
        summary: 'Senders and whether they may reach this post-box',
        response: {
          200: Type.Object({
            senders: Type.Array(
              Type.Object({
                insurerId: Type.String(),
                name: Type.String(),
                allowed: Type.Boolean(),
                changedAt: Type.String(),
              }),
            ),
          }),
          ...AUTH,
        },
      },
    },
    async (req) => ({
      senders: (await listSenders(ctx.db, pb(req))).map((s) => ({ ...s, changedAt: s.changedAt.toISOString() })),
    }),
  );

  app.put(
    '/senders/:insurer',
    {
      schema: {
        tags,
        security,
        summary: 'Allow or refuse a sender',
        params: Type.Object({ insurer: Id }),
        body: Type.Object({ allowed: Type.Boolean() }),
        response: { 200: Ok, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const insurer = req.params.insurer;
      if (!isSafeId(insurer)) throw E.KZ_GW_BAD_ID(insurer);
      await setSenderAllowed(ctx.db, pb(req), insurer, req.body.allowed, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.get(
    '/disclosures',
    {
      schema: {
        tags,
        security,
        summary: "Who received this resident's data, what and why (情報提供等記録)",
        response: {
          200: Type.Object({
            disclosures: Type.Array(
              Type.Object({
                insurerId: Type.String(),
                insurerName: Type.String(),
                items: Type.Array(Type.String()),
                purposeCode: Type.Union([Type.Literal('enrolment'), Type.Literal('other')], {
                  description: "why, as a code to render in the resident's language",
                }),
                policy: Type.Union([Type.String(), Type.Null()], { description: 'the policy concerned (enrolment)' }),
                purpose: Type.String({ description: 'the purpose in English' }),
                at: Type.String(),
              }),
            ),
          }),
          ...AUTH,
        },
      },
    },
    async (req) => ({
      disclosures: (await listDisclosures(ctx.db, pb(req))).map((d) => ({ ...d, at: d.at.toISOString() })),
    }),
  );

  await postboxDeviceRoutes(app, ctx);
}
