/**
 * The gateway operator's API (/operator/v1), behind one bearer token: register insurers, the
 * emergency stop (suspend / resume), key rotation, client certificates, receipt key rotation.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { GatewayContext } from '../context.ts';
import { gatewayErrors as E } from '../errors.ts';
import {
  createInsurer,
  listInsurers,
  suspendInsurer,
  resumeInsurer,
  addApiKey,
  revokeApiKey,
  listApiKeys,
  addClientCertificate,
  revokeClientCertificate,
  rotateWebhookSecret,
  type Insurer,
} from '../insurers.ts';
import { errors, Id, Ok, InsurerSchema } from '../schemas.ts';
import { checkWebhookSyntax } from '../webhook-input.ts';

const tags = ['operator'];
const security = [{ operatorToken: [] }];
const view = (i: Insurer) => ({
  ...i,
  statusChangedAt: i.statusChangedAt?.toISOString() ?? null,
  createdAt: i.createdAt.toISOString(),
});
const KeySchema = Type.Object({ keyId: Type.String(), secret: Type.String({ description: 'shown once' }) });

export async function operatorRoutes(base: FastifyInstance, ctx: GatewayContext): Promise<void> {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', async (req) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(ctx.operatorToken ?? '');
    if (!ctx.operatorToken || given.length !== want.length || !timingSafeEqual(given, want))
      throw E.KZ_GW_OPERATOR_AUTH();
  });
  const AUTH = errors(400, 401, 404);

  app.post(
    '/insurers',
    {
      schema: {
        tags,
        security,
        summary: 'Register an insurer; returns its first API key and webhook secret (shown once)',
        body: Type.Object({
          id: Id,
          name: Type.String({ minLength: 1, maxLength: 200 }),
          webhookUrl: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: {
          201: Type.Object({
            insurerId: Type.String(),
            keyId: Type.String(),
            secret: Type.String(),
            webhookSecret: Type.String(),
          }),
          ...errors(400, 401, 409),
        },
      },
    },
    async (req, reply) => {
      checkWebhookSyntax(req.body.webhookUrl);
      if (req.body.webhookUrl) await ctx.webhookDestinations.check(req.body.webhookUrl);
      return reply.status(201).send(await createInsurer(ctx.db, req.body, ctx.clock.now()));
    },
  );

  app.get(
    '/insurers',
    { schema: { tags, security, response: { 200: Type.Object({ insurers: Type.Array(InsurerSchema) }), ...AUTH } } },
    async () => ({ insurers: (await listInsurers(ctx.db)).map(view) }),
  );

  app.post(
    '/insurers/:id/suspend',
    {
      schema: {
        tags,
        security,
        summary: "Emergency stop: refuse this insurer's calls and hold its webhooks, at once",
        params: Type.Object({ id: Id }),
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: InsurerSchema, ...AUTH },
      },
    },
    async (req) => view(await suspendInsurer(ctx.db, req.params.id, req.body.reason, ctx.clock.now())),
  );

  app.post(
    '/insurers/:id/resume',
    {
      schema: {
        tags,
        security,
        summary: 'Lift the emergency stop; held webhooks go out',
        params: Type.Object({ id: Id }),
        response: { 200: InsurerSchema, ...AUTH },
      },
    },
    async (req) => view(await resumeInsurer(ctx.db, req.params.id, ctx.clock.now())),
  );

  app.get(
    '/insurers/:id/keys',
    {
      schema: {
        tags,
        security,
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            keys: Type.Array(
              Type.Object({
                keyId: Type.String(),
                createdAt: Type.String(),
                revokedAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...AUTH,
        },
      },
    },
    async (req) => ({
      keys: (await listApiKeys(ctx.db, req.params.id)).map((k) => ({
        keyId: k.keyId,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
    }),
  );

  app.post(
    '/insurers/:id/keys',
    {
      schema: {
        tags,
        security,
        summary: 'Add an API key (rotation: at most two active)',
        params: Type.Object({ id: Id }),
        response: { 201: KeySchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await addApiKey(ctx.db, req.params.id, ctx.clock.now())),
  );

  app.delete(
    '/insurers/:id/keys/:keyId',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke an API key',
        params: Type.Object({ id: Id, keyId: Id }),
        response: { 200: Ok, ...AUTH },
      },
    },
    async (req) => {
      const p = req.params;
      await revokeApiKey(ctx.db, p.id, p.keyId, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.post(
    '/insurers/:id/client-certificates',
    {
      schema: {
        tags,
        security,
        summary: 'Register a client certificate for mutual TLS (SHA-256 fingerprint of its DER)',
        params: Type.Object({ id: Id }),
        body: Type.Object({ fingerprint: Type.String({ minLength: 64, maxLength: 95 }) }),
        response: { 200: Ok, ...AUTH },
      },
    },
    async (req) => {
      await addClientCertificate(ctx.db, req.params.id, req.body.fingerprint, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.delete(
    '/insurers/:id/client-certificates/:fingerprint',
    {
      schema: {
        tags,
        security,
        summary: 'Revoke a client certificate (mutual TLS)',
        params: Type.Object({ id: Id, fingerprint: Type.String({ pattern: '^[0-9a-fA-F:]{64,95}$' }) }),
        response: { 200: Ok, ...AUTH },
      },
    },
    async (req) => {
      const p = req.params;
      await revokeClientCertificate(ctx.db, p.id, p.fingerprint, ctx.clock.now());
      return { ok: true as const };
    },
  );

  app.post(
    '/insurers/:id/webhook-secret',
    {
      schema: {
        tags,
        security,
        summary: 'Rotate the webhook signing secret',
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ webhookSecret: Type.String() }), ...AUTH },
      },
    },
    async (req) => ({ webhookSecret: await rotateWebhookSecret(ctx.db, req.params.id) }),
  );

  app.post(
    '/receipt-keys/rotate',
    {
      schema: {
        tags,
        security,
        summary:
          'Retire the receipt signing key and start a new one; the old public key stays published (with its exp) so its receipts still verify',
        response: { 201: Type.Object({ kid: Type.String(), retired: Type.String() }), ...errors(401) },
      },
    },
    async (req, reply) => {
      const out = await ctx.receipts.rotate(ctx.clock.now());
      req.log.info({ kid: out.kid, retired: out.retired }, 'receipt key rotated');
      return reply.status(201).send(out);
    },
  );
}
