/** Card binding from the TV (device Basic auth) and unbinding by staff. Protocol: contract/src/binding.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BindingSchema, BindNonceSchema } from '@kizuna/contract';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { requireTv, tvOf } from '../staff/client-auth.ts';
import { consoleErrors } from '../errors.ts';
import { errors } from '../schemas.ts';

const basic: Record<string, string[]>[] = [{ basic: [] }];
const staff: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export async function bindingRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tv = requireTv(ctx);

  // The TV applet runs in the TV's browser on another origin. These routes take no cookies (HTTP
  // Basic only), so any origin may call them; the staff API, outside this scope, gets no CORS.
  const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'www-authenticate' };
  app.addHook('onRequest', async (req, reply) => {
    if (/^\/api\/bind(\/|\?|$)/.test(req.url)) reply.headers(CORS);
  });
  for (const path of ['/api/bind/nonce', '/api/bind', '/api/bind/:bindingId']) {
    app.options(path, { schema: { hide: true } }, async (_req, reply) =>
      reply
        .status(204)
        .headers({
          ...CORS,
          'access-control-allow-methods': 'GET, POST, DELETE',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        })
        .send(),
    );
  }

  r.post(
    '/api/bind/nonce',
    {
      preHandler: tv,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['binding'],
        summary: 'A single-use nonce for the card to sign (TV, HTTP Basic with its broker credentials)',
        security: basic,
        body: Type.Object(
          { device: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
          { additionalProperties: false },
        ),
        response: { 201: BindNonceSchema, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      if (req.body.device !== tvOf(req).device)
        throw consoleErrors.KZ_CONSOLE_CLIENT_FORBIDDEN(
          `credentials of ${tvOf(req).device} cannot ask for ${req.body.device}`,
        );
      return reply.status(201).send(await ctx.bindings.nonce(req.body.device));
    },
  );

  r.post(
    '/api/bind',
    {
      preHandler: tv,
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      bodyLimit: 128 * 1024,
      schema: {
        tags: ['binding'],
        summary:
          'Bind the card holder to this TV: CMS SignedData by the signing certificate over the bind-registration JSON',
        security: basic,
        body: Type.Object(
          {
            cms: Type.String({
              minLength: 1,
              maxLength: 96 * 1024,
              description: 'base64 DER of the CMS SignedData (content embedded)',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: BindingSchema, ...errors(400, 401, 403, 404, 409, 410, 503) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await ctx.bindings.bind(tvOf(req).device, req.body.cms, `tv:${tvOf(req).device}`)),
  );

  r.get(
    '/api/bind',
    {
      preHandler: tv,
      // every Basic-authenticated route is budgeted, or it becomes a password-guessing oracle
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['binding'],
        summary: "This TV's active bindings",
        security: basic,
        response: { 200: Type.Array(BindingSchema), ...errors(401, 403) },
      },
    },
    async (req) => ctx.bindings.list(tvOf(req).device),
  );

  r.delete(
    '/api/bind/:bindingId',
    {
      preHandler: tv,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['binding'],
        summary: 'Unbind a resident from this TV',
        security: basic,
        params: Type.Object({ bindingId: Type.String() }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await ctx.bindings.unbind(req.params.bindingId, `tv:${tvOf(req).device}`, tvOf(req).device);
      return reply.status(204).send(null);
    },
  );

  r.delete(
    '/api/bindings/:id',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['binding'],
        summary: 'End a binding (admin)',
        security: staff,
        params: Type.Object({ id: Type.String() }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await ctx.bindings.unbind(req.params.id, staffOf(req).username);
      return reply.status(204).send(null);
    },
  );
}
