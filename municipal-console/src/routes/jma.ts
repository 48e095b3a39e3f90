/**
 * JMA disaster XML in (issue 20): an operator's receiver pushes each document as it arrives;
 * staff see the level suggestions live on the dashboard and make a draft from one with a click.
 * Nothing here ever sends: a draft goes out only through the alert's own send confirmation.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { coreErrors } from '@kizuna/core';
import { HazardSchema, type Hazard } from '@kizuna/contract';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { consoleErrors } from '../errors.ts';
import { AlertViewSchema, errors } from '../schemas.ts';
import { openSse } from '../live/live-hub.ts';
import { knownZones } from '../register/zones.ts';
import { decodeJma, parseJma } from '../jma/jma-document.ts';
import { JmaLive } from '../jma/jma-live.ts';
import { JmaFolder } from '../jma/jma-folder.ts';
import {
  getSuggestion,
  markDrafted,
  municipalityAreas,
  openSuggestions,
  receiveJma,
  setJmaAreas,
} from '../jma/jma-store.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

/** JMA documents are tens of kilobytes; a whole prefecture's warnings stay well under this. */
export const JMA_MAX_BYTES = 1024 * 1024;
/** How long a draft made from a suggestion lasts unless staff change it (JMA gives no end time). */
export const JMA_DRAFT_HOURS = 6;

const SuggestionSchema = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('superseded'), Type.Literal('withdrawn')]),
  level: Type.Integer(),
  hazard: Type.String(),
  kinds: Type.Array(Type.String()),
  zones: Type.Array(Type.String()),
  areaNames: Type.Array(Type.String()),
  exercise: Type.Boolean(),
  title: Type.String(),
  headline: Type.String(),
  office: Type.String(),
  eventId: Type.String(),
  reportAt: Type.String(),
  receivedAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  draftAlert: Type.Union([Type.String(), Type.Null()]),
});
const AreasBody = Type.Object(
  {
    areas: Type.Array(
      Type.Object(
        { code: Type.String({ pattern: '^[0-9]{4,16}$' }), name: Type.String({ minLength: 1, maxLength: 100 }) },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
    zoneHazards: Type.Array(
      Type.Object({ zone: Type.String({ maxLength: 64 }), hazard: HazardSchema }, { additionalProperties: false }),
      { maxItems: 5000 },
    ),
  },
  { additionalProperties: false },
);

export async function jmaRoutes(
  app: FastifyInstance,
  ctx: ConsoleContext,
  folder: { dir?: string | undefined; everyS: number } = { everyS: 5 },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const live = new JmaLive(() => openSuggestions(ctx.db), ctx.logger);
  const watched = folder.dir
    ? new JmaFolder({
        dir: folder.dir,
        db: ctx.db,
        logger: ctx.logger,
        now: () => ctx.clock.now(),
        onChange: () => live.changed(),
      })
    : null;
  watched?.start(folder.everyS * 1000);
  app.addHook('onClose', async () => {
    await watched?.stop();
    live.close();
  });
  // the bytes as sent: invalid UTF-8 is refused by name, never repaired
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeJma(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  r.post(
    '/api/jma',
    {
      preHandler: requireRole(ctx, 'issuer'),
      bodyLimit: JMA_MAX_BYTES,
      schema: {
        tags: ['jma'],
        summary: 'Receive one JMA disaster XML document (防災情報XML) from the operator’s receiver',
        security: sec,
        description:
          '気象特別警報・警報・注意報, 土砂災害警戒情報 or 指定河川洪水予報. Entries for the municipality’s JMA area codes become level suggestions (docs/PROTOCOL.md "JMA disaster XML"); a later document of the same stream supersedes them, a 取消 withdraws them. Never sends anything.',
        consumes: ['application/xml', 'text/xml'],
        body: Type.String({ description: 'the JMA document as received (UTF-8 XML)' }),
        response: {
          200: Type.Object({
            outcome: Type.String(),
            opened: Type.Array(SuggestionSchema),
            kept: Type.Integer(),
            closed: Type.Integer(),
          }),
          ...errors(400, 401, 403, 413),
        },
      },
    },
    async (req) => {
      const doc = parseJma(req.body);
      const out = await receiveJma(ctx.db, doc, ctx.clock.now(), staffOf(req).username);
      if (out.outcome === 'applied') live.changed();
      return out;
    },
  );

  r.get(
    '/api/jma/suggestions',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['jma'],
        summary: 'The open level suggestions from JMA documents, highest level first',
        security: sec,
        response: { 200: Type.Array(SuggestionSchema), ...errors(401) },
      },
    },
    async () => openSuggestions(ctx.db),
  );

  r.get(
    '/api/jma/suggestions/events',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['jma'],
        summary: 'Live stream of the open suggestions (SSE: `suggestions` events, each the whole open list)',
        security: sec,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401) },
      },
    },
    async (_req, reply) => {
      const first = await openSuggestions(ctx.db);
      const { send, closed } = openSse(reply);
      send('suggestions', first);
      const off = live.subscribe(send);
      await closed;
      off();
    },
  );

  r.post(
    '/api/jma/suggestions/:id/draft',
    {
      preHandler: requireRole(ctx, 'issuer'),
      schema: {
        tags: ['jma'],
        summary: 'Make a draft alert from an open suggestion (level, hazard and zones filled in) for staff to review',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {},
          { additionalProperties: false, description: 'empty: everything comes from the suggestion' },
        ),
        response: { 201: AlertViewSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const s = await getSuggestion(ctx.db, req.params.id);
      if (!s) throw coreErrors.KZ_NOT_FOUND(`no JMA suggestion ${req.params.id}`);
      if (s.state !== 'open') throw consoleErrors.KZ_CONSOLE_JMA_WITHDRAWN(`suggestion ${s.id} is ${s.state}`);
      const now = ctx.clock.now();
      const alert = await ctx.alerts.create(staffOf(req), {
        level: s.level,
        hazard: s.hazard,
        status: s.exercise ? 'Exercise' : 'Actual',
        expires: new Date(now.getTime() + JMA_DRAFT_HOURS * 3_600_000).toISOString(),
        target: { zones: s.zones, group: 'all' },
        draft: true,
      });
      await markDrafted(ctx.db, s.id, alert.id);
      live.changed();
      return reply.status(201).send(alert);
    },
  );

  r.get(
    '/api/jma/areas',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['jma'],
        summary: 'The municipality’s JMA area codes and the zones each hazard concerns',
        security: sec,
        response: { 200: AreasBody, ...errors(401) },
      },
    },
    async () => {
      const a = await municipalityAreas(ctx.db);
      return {
        areas: [...a.codes].map(([code, name]) => ({ code, name })),
        zoneHazards: [...a.zonesByHazard].flatMap(([hazard, zones]) =>
          zones.map((zone) => ({ zone, hazard: hazard as Hazard })),
        ),
      };
    },
  );

  r.post(
    '/api/jma/areas',
    {
      preHandler: requireRole(ctx, 'admin'),
      schema: {
        tags: ['jma'],
        summary: 'Set the municipality’s JMA area codes and the zones each hazard concerns (replaces both)',
        security: sec,
        body: AreasBody,
        response: { 200: AreasBody, ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const zones = await knownZones(ctx.db);
      const unknown = req.body.zoneHazards.find((z) => !zones.has(z.zone));
      if (unknown) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ZONE(`zone ${unknown.zone} does not exist`);
      await setJmaAreas(ctx.db, req.body, staffOf(req).username, ctx.clock.now());
      return req.body;
    },
  );
}
