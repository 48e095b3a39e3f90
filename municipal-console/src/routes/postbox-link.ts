/**
 * The post-box operator asks whether a TV of this municipality is bound to the resident holding a
 * card (issue 23, "devices belong to their household"): it sends "mail waiting" only to such TVs.
 * HTTP Basic with the operator's broker credentials (kind 'postbox'); the answer is yes or no,
 * never who the resident is. Protocol: contract/src/postbox-link.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DeviceCheckAnswerSchema, DeviceCheckRequestSchema, POSTBOX_LINK_PATHS } from '@kizuna/contract';
import { requirePostboxOperator } from '../staff/client-auth.ts';
import { errors } from '../schemas.ts';
import type { ConsoleContext } from '../context.ts';

export async function postboxLinkRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    POSTBOX_LINK_PATHS.deviceCheck,
    {
      preHandler: requirePostboxOperator(ctx),
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: ['binding'],
        summary: 'Post-box operator: is this TV bound to the resident holding one of these cards?',
        security: [{ basic: [] }],
        body: DeviceCheckRequestSchema,
        response: { 200: DeviceCheckAnswerSchema, ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      // The card's resident: any binding (active or ended) that recorded one of these
      // authentication serials; then an active binding of that resident on an active TV.
      const { rows } = await ctx.db.query(
        `SELECT 1 FROM bindings b JOIN devices d ON d.id = b.device_id
         WHERE b.device_id = $1 AND b.status = 'active' AND d.status = 'active'
           AND b.resident_id IN (SELECT resident_id FROM bindings WHERE auth_serial = ANY($2::text[]))
         LIMIT 1`,
        [req.body.device, req.body.authSerials],
      );
      return { bound: rows.length > 0 };
    },
  );
}
