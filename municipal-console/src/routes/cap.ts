import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { parseCap } from '../alerts/cap-import.ts';
import { capRefused, decodeCap } from '../alerts/cap-guard.ts';
import { validateCapSchema } from '../alerts/cap-schema.ts';
import { checkCapSender, referencedAlert } from '../alerts/cap-references.ts';
import { capIdentity, toCap } from '../alerts/cap-export.ts';
import { listZones } from '../register/zones.ts';
import { targetZones } from '../alerts/targeting.ts';
import { AlertViewSchema, errors } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

export async function capRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const limits = ctx.settings.cap;
  // The bytes as sent: invalid UTF-8 is refused by name (cap-guard.ts), never repaired.
  app.addContentTypeParser(
    ['application/xml', 'text/xml', 'application/cap+xml'],
    { parseAs: 'buffer' },
    (_req, body, done) => {
      try {
        done(null, decodeCap(body as Buffer));
      } catch (e) {
        done(e as Error, undefined);
      }
    },
  );

  r.post(
    '/api/alerts/cap',
    {
      preHandler: requireRole(ctx, 'issuer'),
      bodyLimit: limits.bytes,
      schema: {
        tags: ['alerts'],
        summary:
          'Import a CAP 1.2 document as a draft (Alert: a new draft alert; Update and Cancel: a draft revision of the referenced alert)',
        security: sec,
        description:
          'Nothing is published here: an Alert becomes a draft alert, an Update or Cancel of an active alert its draft revision (`draft` of the alert view; a Cancel of an alert never sent withdraws it), each sent as staff send any draft — GET …/confirmation, then POST …/send with its revision and digest, under the approval rule. `?draft` is accepted for older callers and changes nothing. The document is checked against the OASIS CAP 1.2 schema and the profile in docs/PROTOCOL.md, a refusal naming the element (details.field) and the reason (details.reason). Update and Cancel find their alert by the exact (sender, identifier, sent) of <references>, and only from the alert’s own sender or a trusted one (KZ_CONSOLE_CAP_TRUSTED_SENDERS).',
        consumes: ['application/cap+xml', 'application/xml', 'text/xml'],
        querystring: Type.Object({
          draft: Type.Optional(
            Type.Boolean({ description: 'ignored: every import is stored as a draft (older callers sent true)' }),
          ),
        }),
        body: Type.String({ description: 'CAP 1.2 XML' }),
        response: { 201: AlertViewSchema, 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 413, 503) },
      },
    },
    async (req, reply) => {
      const cap = parseCap(req.body, limits);
      await validateCapSchema(req.body, cap.elements);
      const staff = staffOf(req);
      if (cap.msgType === 'Alert' && cap.spec) {
        // a shape that meets none of the municipality's zones reaches no one, and a document with no
        // level Kizuna can read asks staff for it: either is kept as a draft with a warning, sent only
        // when staff have settled it (POST /api/alerts/:id/level, …/send)
        const t = cap.spec.target;
        const nowhere = !t.zones?.length && targetZones(t, await listZones(ctx.db)).length === 0;
        const warnings = [...(cap.spec.cap?.warnings ?? []), ...(nowhere ? ['reaches-no-one'] : [])];
        const spec = warnings.length ? { ...cap.spec, cap: { ...cap.spec.cap, warnings } } : cap.spec;
        // nothing goes out unseen (issue 19): every import is a draft, sent after its confirmation
        return reply.status(201).send(await ctx.alerts.create(staff, { ...spec, draft: true }));
      }
      // an Update changes what TVs show now: without a level there is nothing to ask staff in a draft
      if (cap.cap.warnings?.includes('level-unknown'))
        throw capRefused(
          '/alert/info/parameter[valueName=EvacuationLevel]',
          'level-required',
          'is required in an Update (3, 4 or 5: 警戒レベル)',
        );
      const found = await referencedAlert(ctx.db, ctx.alerts, cap.references, ctx.alerts.capSender);
      checkCapSender(found, cap.cap.sender ?? '', limits.trustedSenders);
      // an Update or Cancel of an active alert is stored as its draft revision, sent like any draft
      if (cap.msgType === 'Cancel' || !cap.spec) return ctx.alerts.draftCancel(found.id, staff);
      const { status: _s, cap: details, ...patch } = cap.spec;
      return ctx.alerts.update(found.id, staff, { ...patch, cap: details });
    },
  );

  r.get(
    '/api/alerts/:id/cap',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['alerts'],
        summary:
          'The alert as CAP 1.2 (latest published revision): as imported if a CAP document made it, else Kizuna’s own message',
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
      // what <references> names: the message before it (published, or the imported document it came from)
      const prev = revs
        .filter((x) => x.revision < rev.revision && (x.state === 'published' || x.spec.cap?.document))
        .at(-1);
      const own = ctx.alerts.capSender;
      const xml = toCap(a, rev, await listZones(ctx.db), own, prev ? capIdentity(a, prev, own) : undefined);
      return reply.type('application/cap+xml; charset=utf-8').send(xml);
    },
  );
}
