/**
 * The console's own disclosure log for the TV (issue 5, My information): who received the data of
 * the residents bound to THIS TV, what and when. Two sources: the `disclosures` table (card binding,
 * shelter rosters sent to shelter terminals) and the audit log's `disclosure.*` entries (the rescue
 * list CSV downloaded by staff, which names the residents it held). HTTP Basic with the TV's own
 * broker credentials, like the binding API; only the residents with an active binding on the
 * calling TV, never another TV's. A recipient is named by role or shelter, never by another
 * resident's data; the purpose is a code the TV words in the resident's language.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireTv, tvOf } from '../staff/client-auth.ts';
import { errors } from '../schemas.ts';
import type { ConsoleContext } from '../context.ts';
import { BIND_PATHS, TvDisclosuresSchema } from '@kizuna/contract';

const basic: Record<string, string[]>[] = [{ basic: [] }];
const CORS = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'www-authenticate' };

const TV_DISCLOSURES_PATH = BIND_PATHS.disclosures;

/** What the rescue-list CSV holds of a person (its columns, municipality-internal ids left out). */
const RESCUE_CSV_ITEMS = [
  'name',
  'name-reading',
  'address',
  'phone',
  'supporter',
  'area',
  'answer',
  'last-contact',
  'shelter',
];

interface Row {
  at: Date | string;
  resident_id: string;
  binding_id: string;
  family_name: string;
  given_name: string;
  src: 'table' | 'audit';
  party: string;
  purpose: string;
  items: string[] | null;
  roles: string[] | null;
}

function purposeOf(r: Row): 'card-binding' | 'shelter-roster' | 'rescue-list' | 'other' {
  if (r.src === 'audit') return r.party === 'disclosure.rescue-csv' ? 'rescue-list' : 'other';
  if (r.purpose.startsWith('card binding')) return 'card-binding';
  if (r.purpose.startsWith('shelter roster')) return 'shelter-roster';
  return 'other';
}

function recipientOf(r: Row): { kind: 'municipality' | 'shelter' | 'staff'; name?: string; roles?: string[] } {
  if (r.src === 'audit') return { kind: 'staff', roles: r.roles ?? [] };
  const shelter = /^shelter \S+ \((.*)\)$/.exec(r.party);
  if (shelter) return { kind: 'shelter', name: shelter[1]! };
  const muni = /^municipality (\S+)$/.exec(r.party);
  return { kind: 'municipality', name: muni ? muni[1]! : r.party };
}

export async function tvDisclosureRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tv = requireTv(ctx);
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === TV_DISCLOSURES_PATH || req.url.startsWith(`${TV_DISCLOSURES_PATH}?`)) reply.headers(CORS);
  });

  r.get(
    TV_DISCLOSURES_PATH,
    {
      preHandler: tv,
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['binding'],
        security: basic,
        summary:
          "The console's disclosure log for the residents bound to this TV (card binding, shelter rosters, rescue-list downloads), newest first",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: { 200: TvDisclosuresSchema, ...errors(401, 403, 503) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const { rows } = await ctx.db.query<Row>(
        `
      WITH b AS (
        SELECT b.id AS binding_id, b.resident_id, r.family_name, r.given_name
        FROM bindings b JOIN residents r ON r.id = b.resident_id
        WHERE b.device_id = $1 AND b.status = 'active'
      ), u AS (
        SELECT d.at, d.resident_id, 'table' AS src, d.party, d.purpose, d.items, NULL::text[] AS roles, d.id AS ord
        FROM disclosures d WHERE d.resident_id IN (SELECT resident_id FROM b)
        UNION ALL
        SELECT a.at, x.rid, 'audit', a.action, '', NULL::text[], s.roles, a.seq
        FROM audit_log a CROSS JOIN LATERAL jsonb_array_elements_text(a.details->'residentIds') AS x(rid)
          LEFT JOIN staff s ON s.username = a.actor
        WHERE a.action LIKE 'disclosure.%' AND jsonb_typeof(a.details->'residentIds') = 'array' AND x.rid IN (SELECT resident_id FROM b)
      )
      SELECT u.*, b.binding_id, b.family_name, b.given_name FROM u JOIN b ON b.resident_id = u.resident_id
      ORDER BY u.at DESC, u.ord DESC LIMIT $2`,
        [tvOf(req).device, limit + 1],
      );
      const more = rows.length > limit;
      return {
        more,
        entries: rows.slice(0, limit).map((row) => {
          const purpose = purposeOf(row);
          return {
            at: new Date(row.at).toISOString(),
            bindingId: String(row.binding_id),
            displayName: `${row.family_name} ${row.given_name}`,
            purpose,
            recipient: recipientOf(row),
            items: row.src === 'audit' ? (purpose === 'rescue-list' ? RESCUE_CSV_ITEMS : []) : (row.items ?? []),
          };
        }),
      };
    },
  );
}
