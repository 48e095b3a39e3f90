/**
 * Endpoints the staff web UI needs beyond the core API (issue 6): the audit log view, the rescue
 * teams' "reached" marks and CSV export, the register extract as CSV with a per-row report, and
 * unbinding a TV. Registered by web-plugin.ts. Marks live in the audit log itself (action
 * rescue.reached): append-only and attributed, no extra table.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { appendAudit, audit, verifyAuditChain } from '../staff/audit.ts';
import { listZones } from '../register/zones.ts';
import { seedResidents } from '../register/resident-records.ts';
import { REGISTER_CSV_COLUMNS, parseRegisterCsv } from '../register/register-csv.ts';
import { endBindings } from '../devices/device-bindings.ts';
import { staffUnbindReason } from '../register/residents.ts';
import { rescueList } from '../live/rescue-list.ts';
import { PEOPLE_ROLE } from '../register/personal-reads.ts';
import { AuditEntryView, Count, errors } from '../schemas.ts';
import { RegisterCsvInvalidReply } from '../register-schemas.ts';
import { uiErrors } from './ui-errors.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

async function reachedMarks(ctx: ConsoleContext, alertId: string) {
  const { rows } = await ctx.db.query<{ subject: string; actor: string; at: Date; details: { alertId?: string } }>(
    "SELECT subject, actor, at, details FROM audit_log WHERE action = 'rescue.reached' AND details->>'alertId' = $1 ORDER BY seq",
    [alertId],
  );
  return rows.map((r) => ({ residentId: r.subject, by: r.actor, at: new Date(r.at).toISOString() }));
}

export async function uiRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const viewer = requireRole(ctx, 'viewer');
  const admin = requireRole(ctx, 'admin');
  const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

  r.get(
    '/api/audit',
    {
      preHandler: admin,
      schema: {
        tags: ['audit'],
        summary: 'Search the audit log (admin): newest first',
        security: sec,
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 100, description: 'text in actor, action or subject' })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          actor: Type.Optional(Type.String({ maxLength: 64 })),
          beforeSeq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 100' })),
        }),
        response: { 200: Type.Array(AuditEntryView), ...errors(401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      const like = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
      const { rows } = await ctx.db.query<{
        seq: string | number;
        at: Date;
        actor: string;
        action: string;
        subject: string | null;
        details: Record<string, unknown>;
        prev_hash: string;
        hash: string;
      }>(
        `SELECT * FROM audit_log WHERE ($1::text IS NULL OR actor ILIKE $1 OR action ILIKE $1 OR subject ILIKE $1)
        AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR actor = $3) AND ($4::bigint IS NULL OR seq < $4)
       ORDER BY seq DESC LIMIT $5`,
        [like, q.action ?? null, q.actor ?? null, q.beforeSeq ?? null, q.limit ?? 100],
      );
      return rows.map((x) => ({
        seq: Number(x.seq),
        at: new Date(x.at).toISOString(),
        actor: x.actor,
        action: x.action,
        subject: x.subject,
        details: x.details,
        prevHash: x.prev_hash,
        hash: x.hash,
      }));
    },
  );

  r.get(
    '/api/audit/verify',
    {
      preHandler: admin,
      schema: {
        tags: ['audit'],
        summary:
          'Walk the keyed hash chain (admin) and check it reaches the last exported head (or the one given); 409 KZ_CONSOLE_AUDIT_BROKEN names the first bad entry and why (details: seq, reason)',
        security: sec,
        querystring: Type.Object({
          seq: Type.Optional(Type.Integer({ minimum: 1, description: 'an exported head: its entry number' })),
          hash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'an exported head: its hash' })),
        }),
        response: { 200: Type.Object({ entries: Type.Integer(), head: Type.String() }), ...errors(401, 403, 409) },
      },
    },
    async (req) => {
      const { seq, hash } = req.query;
      const given = seq !== undefined && hash !== undefined ? { seq, hash } : undefined;
      return verifyAuditChain(ctx.db, { heads: [given, ctx.auditHeads?.last] });
    },
  );

  r.get(
    '/api/alerts/:id/rescue/reached',
    {
      preHandler: viewer,
      schema: {
        tags: ['status'],
        summary: 'Who on the rescue list staff have marked as reached, by whom and when',
        security: sec,
        params: IdParams,
        response: {
          200: Type.Array(
            Type.Object({ residentId: Type.String(), by: Type.String(), at: Type.String({ format: 'date-time' }) }),
          ),
          ...errors(401),
        },
      },
    },
    async (req) => reachedMarks(ctx, req.params.id),
  );

  r.post(
    '/api/alerts/:id/rescue/:residentId/reached',
    {
      preHandler: requireRole(ctx, 'issuer'),
      schema: {
        tags: ['status'],
        summary: 'Mark a person on the rescue list as reached (attributed, in the audit log)',
        security: sec,
        params: Type.Object({ id: Type.String({ maxLength: 64 }), residentId: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Object({ residentId: Type.String(), by: Type.String(), at: Type.String() }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (req) => {
      const { rows } = await ctx.db.query(
        'SELECT 1 FROM alert_recipients WHERE alert_id = $1 AND resident_id = $2 AND needs_help',
        [req.params.id, req.params.residentId],
      );
      if (rows.length === 0)
        throw uiErrors.KZ_CONSOLE_NOT_IN_RESCUE_LIST(`${req.params.residentId} in alert ${req.params.id}`);
      const at = ctx.clock.now();
      const by = staffOf(req).username;
      await audit(
        ctx.db,
        { actor: by, action: 'rescue.reached', subject: req.params.residentId, details: { alertId: req.params.id } },
        at,
      );
      return { residentId: req.params.residentId, by, at: at.toISOString() };
    },
  );

  r.get(
    '/api/alerts/:id/rescue.csv',
    {
      preHandler: requireRole(ctx, PEOPLE_ROLE),
      schema: {
        tags: ['status'],
        summary:
          'The rescue list as CSV (UTF-8 with BOM, for spreadsheet software; issuer or admin); the download is audited as a disclosure',
        security: sec,
        params: IdParams,
        produces: ['text/csv'],
        querystring: Type.Object({ afterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })) }),
        response: { 200: Type.String(), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const list = await rescueList(
        ctx.db,
        req.params.id,
        now,
        (req.query.afterSeconds ?? ctx.settings.rescueAfterMs / 1000) * 1000,
      );
      const marks = new Map((await reachedMarks(ctx, req.params.id)).map((m) => [m.residentId, m]));
      const head = [
        'residentId',
        'name',
        'reading',
        'address',
        'phone',
        'supporter',
        'zoneId',
        'zoneName',
        'delivery',
        'sentAt',
        'deliveredAt',
        'displayedAt',
        'answer',
        'answeredAt',
        'answerHistory',
        'lastContact',
        'shelterId',
        'reachedBy',
        'reachedAt',
      ];
      const lines = list.people.map((p) => {
        const last = [p.answeredAt, p.displayedAt, p.deliveredAt].filter(Boolean).sort().at(-1) ?? '';
        const m = marks.get(p.residentId);
        return [
          p.residentId,
          p.name,
          p.reading,
          p.address,
          p.phone,
          p.supporter,
          p.zoneId,
          p.zoneName,
          p.delivery,
          p.sentAt,
          p.deliveredAt,
          p.displayedAt,
          p.answer,
          p.answeredAt,
          p.answers.map((x) => `${x.at} ${x.answer}`).join('; '),
          last,
          p.shelterId,
          m?.by,
          m?.at,
        ]
          .map(csvCell)
          .join(',');
      });
      await audit(
        ctx.db,
        {
          actor: staffOf(req).username,
          action: 'disclosure.rescue-csv',
          subject: req.params.id,
          details: { people: list.people.length, residentIds: list.people.map((p) => p.residentId) },
        },
        now,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="rescue-${req.params.id}.csv"`)
        .send(`\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`);
    },
  );

  r.post(
    '/api/residents/csv',
    {
      preHandler: admin,
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['register'],
        summary:
          'Import the resident register extract as CSV (admin). Every row is checked; any bad row → 400 KZ_CONSOLE_CSV_INVALID with details.rows and nothing imported',
        description:
          `Header row with the columns ${REGISTER_CSV_COLUMNS.join(', ')} (supporter, phone, household, lat, lon may be empty or absent). needsHelp: true/false; sex: 1, 2 or 3; birthDate: YYYY-MM-DD. ` +
          'A refusal lists every bad line with every problem of it, each as a stable code with field, value, line and (for some codes) expected; message is the same in English.',
        security: sec,
        consumes: ['text/csv'],
        body: Type.String({ description: 'CSV text' }),
        response: { 200: Count, ...errors(401, 403), 400: RegisterCsvInvalidReply },
      },
    },
    async (req) => {
      const zones = new Set((await listZones(ctx.db)).map((z) => z.id));
      const { residents, problems } = parseRegisterCsv(req.body, zones);
      if (problems.length) throw uiErrors.KZ_CONSOLE_CSV_INVALID(`${problems.length} bad row(s)`, { rows: problems });
      return seedResidents(ctx.db, residents, staffOf(req).username);
    },
  );

  r.post(
    '/api/bindings/unbind',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: 'Unbind a resident from a TV (admin): personal alerts stop reaching that TV',
        security: sec,
        body: Type.Object(
          { residentId: Type.String({ maxLength: 64 }), deviceId: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: { 200: Count, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { residentId, deviceId } = req.body;
      const by = staffOf(req).username;
      return ctx.db.tx(async (q) => {
        // A code, not words: the residents screen names it in the reader's language (residents.ts bindingEndReason).
        const n = await endBindings(q, { residentId, deviceId }, 'unbound', staffUnbindReason(by), ctx.clock.now());
        if (n === 0) throw uiErrors.KZ_CONSOLE_NOT_BOUND(`${residentId} on ${deviceId}`);
        await appendAudit(
          q,
          { actor: by, action: 'binding.unbind', subject: residentId, details: { deviceId } },
          ctx.clock.now(),
        );
        return { count: n };
      });
    },
  );
}
