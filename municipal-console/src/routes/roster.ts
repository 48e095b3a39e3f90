/** GET /api/shelters/:id/roster for the shelter's terminals (HTTP Basic with their broker credentials). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ShelterRosterSchema } from '@kizuna/contract';
import type { ConsoleContext } from '../context.ts';
import { requireTerminal, terminalOf } from '../staff/client-auth.ts';
import { buildRoster, recordRosterDisclosure } from '../shelters/roster.ts';
import { errors } from '../schemas.ts';

export async function rosterRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/shelters/:id/roster',
    {
      preHandler: requireTerminal(ctx),
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['shelter'],
        summary: "The shelter's roster for its terminals (contract ShelterRoster); If-None-Match → 304",
        security: [{ basic: [] }],
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }),
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: {
          200: ShelterRosterSchema,
          304: Type.Null({ description: 'unchanged since the version in If-None-Match' }),
          ...errors(401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const built = await buildRoster(ctx.db, {
        muni: ctx.muni,
        shelter: req.params.id,
        now,
        windowMs: ctx.settings.rosterWindowMs,
      });
      const etag = `"${built.roster.version}"`;
      reply.header('etag', etag).header('cache-control', 'no-store');
      const match = req.headers['if-none-match'];
      if (
        match &&
        match
          .split(',')
          .map((s) => s.trim().replace(/^W\//, ''))
          .includes(etag)
      )
        return reply.status(304).send(null);
      const terminal = terminalOf(req);
      const changed = await recordRosterDisclosure(ctx.db, built, {
        terminal: `terminal:${terminal.shelter}/${terminal.terminal}`,
        now,
      });
      req.log.info(
        {
          shelter: req.params.id,
          terminal: terminal.terminal,
          version: built.roster.version,
          people: built.roster.people.length,
          disclosed: changed,
        },
        'roster sent',
      );
      return built.roster;
    },
  );
}
