import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { consoleErrors } from '../errors.ts';
import { parseCap } from '../alerts/cap-import.ts';
import { toCap } from '../alerts/cap-export.ts';
import { listZones } from '../register/zones.ts';
import { AlertViewSchema, errors } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export async function capRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/alerts/cap',
    {
      preHandler: requireRole(ctx, 'issuer'),
      schema: {
        tags: ['alerts'],
        summary: 'Import a CAP 1.2 document (Alert creates; Update and Cancel apply to the referenced alert)',
        security: sec,
        description:
          'Same rules as POST /api/alerts: approval for Actual level 4–5, validation naming the failing CAP field (details.field).',
        consumes: ['application/cap+xml', 'application/xml', 'text/xml'],
        querystring: Type.Object({
          draft: Type.Optional(Type.Boolean({ description: 'store without sending (default false)' })),
        }),
        body: Type.String({ description: 'CAP 1.2 XML' }),
        response: { 201: AlertViewSchema, 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req, reply) => {
      const cap = parseCap(req.body);
      const staff = staffOf(req);
      if (cap.msgType === 'Alert')
        return reply.status(201).send(await ctx.alerts.create(staff, { ...cap.spec, draft: req.query.draft ?? false }));
      const ids = cap.references.map((ref) => ref.split(',')[1] ?? '').filter(Boolean);
      // By equality only (an identifier is data, never a pattern): a reference names the alert's
      // identifier or, for a later revision, its export's "<identifier>-r<n>".
      const candidates = [...new Set(ids.flatMap((i) => [i, i.replace(/-r\d+$/, '')]))];
      const { rows } = await ctx.db.query<{ id: string }>(
        'SELECT id FROM alerts WHERE identifier = ANY($1::text[]) ORDER BY created_at DESC LIMIT 1',
        [candidates],
      );
      if (!rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(`no alert with CAP identifier ${ids.join(' or ')}`);
      if (cap.msgType === 'Cancel') return ctx.alerts.cancel(rows[0].id, staff);
      const { status: _s, cap: details, ...patch } = cap.spec;
      return ctx.alerts.update(rows[0].id, staff, { ...patch, cap: details });
    },
  );

  r.get(
    '/api/alerts/:id/cap',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['alerts'],
        summary: 'The alert as CAP 1.2 (latest published revision)',
        security: sec,
        produces: ['application/cap+xml'],
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.String({ description: 'CAP 1.2 XML' }), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const a = await ctx.alerts.get(req.params.id);
      const revs = await ctx.alerts.revisions(a.id);
      const published = revs.filter((x) => x.state === 'published');
      const rev = published.at(-1) ?? revs.at(-1)!;
      const prev = published.length > 1 ? published.at(-2)! : undefined;
      const xml = toCap(
        a,
        rev,
        await listZones(ctx.db),
        prev
          ? {
              identifier: prev.revision <= 1 ? a.identifier : `${a.identifier}-r${prev.revision}`,
              sent: prev.publishedAt ?? prev.createdAt,
            }
          : undefined,
      );
      return reply.type('application/cap+xml; charset=utf-8').send(xml);
    },
  );
}
