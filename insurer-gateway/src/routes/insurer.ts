/**
 * The insurers' API (/insurer/v1): every request is authenticated (signed API key or client
 * certificate) before its body is parsed or validated, and every query is scoped to the calling insurer, so another
 * insurer's ids read as "unknown".
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coreErrors } from '@kizuna/core';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { GatewayContext } from '../context.ts';
import { completeInsurerAuth, identifyInsurer, type InsurerClaim } from '../insurer-auth.ts';
import { postNotice, listInsurerNotices, getInsurerNotice, withdrawNotice } from '../notices.ts';
import { listReports, getReport, ackReport, reverifyReport } from '../reports.ts';
import { listEvents, ackEvent } from '../events.ts';
import { listPolicyholders, endEnrolment } from '../enrolments.ts';
import { getInsurer, setWebhook } from '../insurers.ts';
import { notifyMail } from '../mail-notify.ts';
import { checkWebhookSyntax } from '../webhook-input.ts';
import { insurerWebhookRoutes } from './insurer-webhooks.ts';
import {
  errors,
  Id,
  Ok,
  NoticeInputSchema,
  InsurerNoticeSchema,
  ReportSchema,
  EventSchema,
  PolicyholderSchema,
  InsurerSchema,
  Policy,
  NoticeStatus,
} from '../schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    insurerId: string;
    rawBody: string;
    insurerClaim: InsurerClaim | null;
  }
}

const BODY_LIMIT = 1024 * 1024;

/** The request body as bytes, refused past `limit` (the parser would refuse it too, but after buffering). */
async function readBody(payload: AsyncIterable<Buffer | string>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of payload) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    size += b.length;
    if (size > limit) throw coreErrors.KZ_BODY_TOO_LARGE(`at most ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

const AUTH_ERRORS = errors(400, 401, 403);
const insurerOf = (req: FastifyRequest) => req.insurerId;
const tags = ['insurer'];
const security = [{ kzHmac: [] }];

export async function insurerRoutes(base: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.decorateRequest('insurerId', '');
  app.decorateRequest('rawBody', '');
  app.decorateRequest('insurerClaim', null);
  // Keep the exact bytes: the signature covers the body digest.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    req.rawBody = body as string;
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(coreErrors.KZ_INVALID_JSON((e as Error).message.slice(0, 200)), undefined);
    }
  });
  // Authentication before the body is parsed or validated: the headers first (a stranger is refused
  // without the body being read), then the signature over the exact bytes, which are handed on to the parser.
  app.addHook('onRequest', async (req) => {
    req.insurerClaim = await identifyInsurer(ctx.db, req, ctx.clock.now(), ctx.signatureWindowS);
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    const raw = await readBody(payload, req.routeOptions.bodyLimit ?? BODY_LIMIT);
    const p = await completeInsurerAuth(ctx.db, req, req.insurerClaim!, raw, ctx.clock.now(), ctx.signatureWindowS);
    req.insurerId = p.insurerId;
    return Readable.from([raw]);
  });

  app.get(
    '/me',
    { schema: { tags, security, summary: 'The calling insurer', response: { 200: InsurerSchema, ...AUTH_ERRORS } } },
    async (req) => {
      const i = await getInsurer(ctx.db, insurerOf(req));
      return { ...i, statusChangedAt: i.statusChangedAt?.toISOString() ?? null, createdAt: i.createdAt.toISOString() };
    },
  );

  app.put(
    '/webhook',
    {
      schema: {
        tags,
        security,
        summary: 'Set or clear the webhook URL',
        body: Type.Object({ url: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]) }),
        response: { 200: Ok, ...AUTH_ERRORS },
      },
    },
    async (req) => {
      checkWebhookSyntax(req.body.url);
      if (req.body.url) await ctx.webhookDestinations.check(req.body.url);
      await setWebhook(ctx.db, insurerOf(req), req.body.url);
      return { ok: true as const };
    },
  );

  app.get(
    '/policyholders',
    {
      schema: {
        tags,
        security,
        summary: 'Enrolled policyholders, by insurer-specific code',
        response: { 200: Type.Object({ policyholders: Type.Array(PolicyholderSchema) }), ...AUTH_ERRORS },
      },
    },
    async (req) => ({ policyholders: await listPolicyholders(ctx.db, insurerOf(req)) }),
  );

  app.delete(
    '/policyholders/:code/policies/:policy',
    {
      schema: {
        tags,
        security,
        summary: 'End an enrolment (no match with the customer record, or the policy ended)',
        params: Type.Object({ code: Id, policy: Policy }),
        querystring: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { code, policy } = req.params;
      await endEnrolment(
        ctx.db,
        { insurerId: insurerOf(req), code, policy },
        'insurer',
        req.query.reason ?? 'ended by insurer',
        ctx.clock.now(),
      );
      return { ok: true as const };
    },
  );

  app.post(
    '/notices',
    {
      schema: {
        tags,
        security,
        summary: 'Send a notice (or a status-check request) to a policyholder',
        body: NoticeInputSchema,
        response: {
          201: Type.Object({ id: Type.String(), duplicate: Type.Boolean() }),
          200: Type.Object({ id: Type.String(), duplicate: Type.Boolean() }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const out = await postNotice(ctx.db, insurerOf(req), req.body, now, { idempotencyDays: ctx.idempotencyDays });
      if (!out.duplicate) await notifyMail(ctx.db, ctx.mqtt, req.log, out.postboxId, now);
      return reply.status(out.duplicate ? 200 : 201).send({ id: out.id, duplicate: out.duplicate });
    },
  );

  app.get(
    '/notices',
    {
      schema: {
        tags,
        security,
        summary: 'Notices sent',
        querystring: Type.Object({
          status: Type.Optional(NoticeStatus),
          code: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ notices: Type.Array(InsurerNoticeSchema) }), ...AUTH_ERRORS },
      },
    },
    async (req) => ({ notices: await listInsurerNotices(ctx.db, insurerOf(req), req.query) }),
  );

  app.get(
    '/notices/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One notice, with refused report attempts',
        params: Type.Object({ id: Id }),
        response: { 200: InsurerNoticeSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => getInsurerNotice(ctx.db, insurerOf(req), req.params.id),
  );

  app.delete(
    '/notices/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Withdraw an open notice',
        params: Type.Object({ id: Id }),
        response: { 200: Ok, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const now = ctx.clock.now();
      const { postboxId } = await withdrawNotice(ctx.db, insurerOf(req), req.params.id, now);
      await notifyMail(ctx.db, ctx.mqtt, req.log, postboxId, now);
      return { ok: true as const };
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        tags,
        security,
        summary: 'Verified reports, newest first',
        querystring: Type.Object({
          unacknowledged: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ reports: Type.Array(ReportSchema) }), ...AUTH_ERRORS },
      },
    },
    async (req) => {
      const q = req.query;
      return { reports: await listReports(ctx.db, insurerOf(req), { unackedOnly: q.unacknowledged, limit: q.limit }) };
    },
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One report with its verification result and evidence',
        params: Type.Object({ id: Id }),
        response: { 200: ReportSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => getReport(ctx.db, insurerOf(req), req.params.id),
  );

  app.post(
    '/reports/:id/ack',
    {
      schema: {
        tags,
        security,
        summary: 'Acknowledge a report (idempotent)',
        params: Type.Object({ id: Id }),
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await ackReport(ctx.db, insurerOf(req), req.params.id, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.post(
    '/reports/:id/reverify',
    {
      schema: {
        tags,
        security,
        summary: 'Re-check a report from its stored evidence, as of when it was received',
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            reportId: Type.String(),
            checkedAsOf: Type.String(),
            result: Type.String(),
            reason: Type.String(),
            detail: Type.Optional(NullableStringSchema()),
          }),
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    async (req) => reverifyReport(ctx.db, ctx.evidenceVerifier, insurerOf(req), req.params.id),
  );

  app.get(
    '/events',
    {
      schema: {
        tags,
        security,
        summary: 'Events in order (enrolled, read receipts, reports, certificate revocations)',
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          unacknowledged: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ events: Type.Array(EventSchema) }), ...AUTH_ERRORS },
      },
    },
    async (req) => {
      const q = req.query;
      return {
        events: await listEvents(ctx.db, insurerOf(req), {
          after: q.after,
          limit: q.limit,
          unackedOnly: q.unacknowledged,
        }),
      };
    },
  );

  app.post(
    '/events/:id/ack',
    {
      schema: {
        tags,
        security,
        summary: 'Acknowledge an event (stops its webhook retries; idempotent)',
        params: Type.Object({ id: Id }),
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await ackEvent(ctx.db, insurerOf(req), req.params.id, ctx.clock.now());
      return { ok: true as const };
    },
  );

  insurerWebhookRoutes(app, ctx, (req) => insurerOf(req as FastifyRequest));
}

function NullableStringSchema() {
  return Type.Union([Type.String(), Type.Null()]);
}
