/**
 * GET /api/shelters/:id/roster and /roster/changes for the shelter's terminals (HTTP Basic with
 * their broker credentials). The roster holds the whole municipality (issue 19): sent gzipped
 * when the terminal accepts it, and after the first fetch only what changed since its version.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ShelterRosterDeltaSchema, ShelterRosterSchema } from '@kizuna/contract';
import type { ConsoleContext } from '../context.ts';
import { requireTerminal, terminalOf } from '../staff/client-auth.ts';
import { recordRosterDisclosure, RosterCache, rosterChanges, type BuiltRoster } from '../shelters/roster.ts';
import { errors } from '../schemas.ts';

const gzipAsync = promisify(gzip);
const Params = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const Headers = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 200 })),
  'accept-encoding': Type.Optional(Type.String({ maxLength: 200 })),
});

function matches(req: FastifyRequest, etag: string): boolean {
  const match = req.headers['if-none-match'];
  return (
    !!match &&
    match
      .split(',')
      .map((s) => s.trim().replace(/^W\//, ''))
      .includes(etag)
  );
}

/** JSON, gzipped when the client accepts gzip (a whole-municipality roster is megabytes of JSON). */
async function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown) {
  const json = JSON.stringify(body);
  reply.header('vary', 'accept-encoding').type('application/json; charset=utf-8');
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && json.length > 1024) {
    return reply.header('content-encoding', 'gzip').send(await gzipAsync(json, { level: 6 }));
  }
  return reply.send(Buffer.from(json));
}

export async function rosterRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // the built roster is reused while nothing it is built from changed (one query instead of a rebuild)
  const cache = new RosterCache();
  const build = (shelter: string, now: Date) =>
    cache.get(ctx.db, { muni: ctx.muni, shelter, now, windowMs: ctx.settings.rosterWindowMs });

  const record = async (req: FastifyRequest, built: BuiltRoster, now: Date) => {
    const terminal = terminalOf(req);
    const changed = await recordRosterDisclosure(ctx.db, built, {
      terminal: `terminal:${terminal.shelter}/${terminal.terminal}`,
      now,
    });
    return { terminal, changed };
  };

  r.get(
    '/api/shelters/:id/roster',
    {
      preHandler: requireTerminal(ctx),
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['shelter'],
        summary:
          "The shelter's roster for its terminals (contract ShelterRoster): every resident of the municipality; If-None-Match → 304; gzip if accepted",
        security: [{ basic: [] }],
        params: Params,
        headers: Headers,
        response: {
          200: ShelterRosterSchema,
          304: Type.Null({ description: 'unchanged since the version in If-None-Match' }),
          ...errors(401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const built = await build(req.params.id, now);
      const etag = `"${built.roster.version}"`;
      reply.header('etag', etag).header('cache-control', 'no-store');
      if (matches(req, etag)) return reply.status(304).send(null);
      const { terminal, changed } = await record(req, built, now);
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
      return sendJson(req, reply, built.roster);
    },
  );

  r.get(
    '/api/shelters/:id/roster/changes',
    {
      preHandler: requireTerminal(ctx),
      config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        tags: ['shelter'],
        summary:
          'What changed on the roster since the version the terminal holds (contract ShelterRosterDelta; reset: true with everyone when that version is unknown); 304 when it is current',
        security: [{ basic: [] }],
        params: Params,
        querystring: Type.Object({ since: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.-]+$' }) }),
        headers: Headers,
        response: {
          200: ShelterRosterDeltaSchema,
          304: Type.Null({ description: 'the version in `since` is the current one' }),
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const built = await build(req.params.id, now);
      reply.header('etag', `"${built.roster.version}"`).header('cache-control', 'no-store');
      if (req.query.since === built.roster.version) return reply.status(304).send(null);
      const { terminal, changed } = await record(req, built, now);
      const delta = await rosterChanges(ctx.db, built, req.query.since);
      req.log.info(
        {
          shelter: req.params.id,
          terminal: terminal.terminal,
          since: req.query.since,
          version: built.roster.version,
          reset: delta.reset,
          upsert: delta.upsert.length,
          remove: delta.remove.length,
          disclosed: changed,
        },
        'roster changes sent',
      );
      return sendJson(req, reply, delta);
    },
  );
}
