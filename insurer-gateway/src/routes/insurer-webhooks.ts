/**
 * The insurer's view of its webhook deliveries (/insurer/v1/events/:id/attempts) and a replay of
 * one event now (/insurer/v1/events/:id/replay). Registered inside insurerRoutes, so behind its
 * authentication and scoped to the calling insurer: another insurer's event id is "unknown".
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { GatewayContext } from '../context.ts';
import { listAttempts } from '../webhooks.ts';
import { errors, Id } from '../schemas.ts';

const AttemptSchema = Type.Object({
  at: Type.String({ format: 'date-time', description: 'when the request was sent (the signature timestamp)' }),
  trigger: Type.Union([Type.Literal('scheduled'), Type.Literal('replay')]),
  status: Type.Union([Type.Integer(), Type.Null()], { description: "the receiver's HTTP status; null: no answer" }),
  latencyMs: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the attempt failed; null when delivered' }),
});

const tags = ['insurer'];
const security = [{ kzHmac: [] }];

export function insurerWebhookRoutes(base: FastifyInstance, ctx: GatewayContext, insurerOf: (req: unknown) => string) {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/events/:id/attempts',
    {
      schema: {
        tags,
        security,
        summary: 'Webhook delivery attempts of an event, oldest first (status, latency, error)',
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ attempts: Type.Array(AttemptSchema) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => ({ attempts: await listAttempts(ctx.db, insurerOf(req), req.params.id) }),
  );

  app.post(
    '/events/:id/replay',
    {
      schema: {
        tags,
        security,
        summary: 'Send an event to the webhook now (acknowledged or not); a 2xx acknowledges it',
        params: Type.Object({ id: Id }),
        response: { 200: AttemptSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ctx.webhooks.replay(insurerOf(req), req.params.id),
  );
}
