/**
 * What the staff UI's map needs beyond the figures (issue 19, "a real map"): where the people on
 * the rescue list are. The list is `rescueList` itself (one truth: the same people as the rescue
 * list and its need-help figure), with each person's registered home as a point; a resident with
 * no coordinates is placed at the middle of their zone and marked approximate. Points are personal
 * data: only the roles that see people (issuer, admin) get them, and each read is audited
 * (read.rescue-map, by resident id), as the rescue list's is.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { rescueList } from '../live/rescue-list.ts';
import { auditRead, seesPeople } from '../register/personal-reads.ts';
import { listZones, zoneCentre } from '../register/zones.ts';
import { consoleErrors } from '../errors.ts';
import { errors, Nullable } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export const RescuePointsSchema = Type.Object({
  alertId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  points: Type.Array(
    Type.Object({
      residentId: Type.String(),
      zoneId: Type.String(),
      lon: Type.Number(),
      lat: Type.Number(),
      /** the registered home has no coordinates: the point is the middle of the zone */
      approximate: Type.Boolean(),
      answer: Nullable(Type.String()),
    }),
  ),
});

export async function mapRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/alerts/:id/rescue/points',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['status'],
        summary: 'The rescue list as points on the map: each person’s registered home (issuer or admin; audited)',
        description:
          'The same people as GET …/rescue (answered "need help", or need help to evacuate and silent after the set time, and not at a shelter). A person with no coordinates is placed at the middle of their zone (approximate: true). Personal data: 403 KZ_CONSOLE_ROLE_REQUIRED for a viewer or approver; each read is audited (read.rescue-map, by resident id).',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object({ afterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })) }),
        response: { 200: RescuePointsSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const staff = staffOf(req);
      if (!seesPeople(staff))
        throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED('the people needing help are shown to issuers and admins only');
      const list = await rescueList(
        ctx.db,
        req.params.id,
        ctx.clock.now(),
        (req.query.afterSeconds ?? ctx.settings.rescueAfterMs / 1000) * 1000,
      );
      const ids = list.people.map((p) => p.residentId);
      const { rows } = ids.length
        ? await ctx.db.query<{ id: string; lat: number | null; lon: number | null }>(
            'SELECT id, lat, lon FROM residents WHERE id = ANY($1::text[])',
            [ids],
          )
        : { rows: [] };
      const home = new Map(rows.map((x) => [x.id, x]));
      const zones = new Map((await listZones(ctx.db)).map((z) => [z.id, z]));
      const points = list.people.flatMap((p) => {
        const h = home.get(p.residentId);
        const exact = h && h.lat !== null && h.lon !== null ? { lat: Number(h.lat), lon: Number(h.lon) } : null;
        const at = exact ?? zoneCentre(zones.get(p.zoneId));
        if (!at) return [];
        return [{ residentId: p.residentId, zoneId: p.zoneId, ...at, approximate: !exact, answer: p.answer }];
      });
      await auditRead(ctx, staff, 'read.rescue-map', req.params.id, {
        people: points.length,
        residentIds: points.map((p) => p.residentId),
      });
      return { alertId: list.alertId, at: list.at, points };
    },
  );
}
