import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { EndReasonSchema, HazardSchema, LevelSchema, StatusSchema } from '@kizuna/contract';
import { realAlertOnly, requireFreshAuth, requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { alertStatus } from '../live/alert-status.ts';
import { rescueList } from '../live/rescue-list.ts';
import { auditRead, seesPeople } from '../register/personal-reads.ts';
import { consoleErrors } from '../errors.ts';
import { hasRole } from '../staff/staff.ts';
import { preview, previewWithoutPeople } from '../alerts/preview.ts';
import { openSse } from '../live/live-hub.ts';
import {
  AlertStateSchema,
  AlertStatusSchema,
  AlertViewSchema,
  CreateAlertBody,
  PreviewSchema,
  RescueSchema,
  RevisionList,
  UpdateAlertBody,
  errors,
} from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** What the approver was shown: approve and reject apply only to that revision with that content. */
const SeenBody = Type.Object(
  {
    revision: Type.Integer({ minimum: 1, description: 'the revision waiting for approval (`pending.revision`)' }),
    digest: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description:
        '`pending.digest`: SHA-256 of what the approver was shown (text, areas, level, hazard, mode, counts)',
    }),
  },
  { additionalProperties: false },
);
/** What the sender was shown by the confirmation: send applies only to that revision with that content and reach. */
const ConfirmedBody = Type.Object(
  {
    revision: Type.Integer({ minimum: 1, description: 'the draft revision (`revision` of GET …/confirmation)' }),
    digest: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: '`digest` of GET …/confirmation: SHA-256 of what the confirmation showed',
    }),
    acknowledged: Type.Optional(
      Type.Array(Type.String({ maxLength: 32 }), {
        maxItems: 8,
        description: 'each of the confirmation’s `warnings` the sender confirmed (e.g. reaches-no-one)',
      }),
    ),
  },
  { additionalProperties: false },
);
const Counts = Type.Object({
  devices: Type.Integer(),
  residents: Type.Integer(),
  zones: Type.Integer(),
  unboundTvs: Type.Integer(),
});
const ConfirmationSchema = Type.Object({
  alertId: Type.String(),
  revision: Type.Integer(),
  status: StatusSchema,
  level: LevelSchema,
  hazard: HazardSchema,
  expires: Type.String({ format: 'date-time' }),
  areas: Type.Object({
    zones: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    shape: Type.Boolean({ description: 'a polygon or circle is targeted too' }),
    group: Type.String(),
  }),
  text: Type.Record(Type.String(), Type.String(), { description: 'the staff text per language' }),
  counts: Counts,
  msgType: Type.Union([Type.Literal('Alert'), Type.Literal('Update'), Type.Literal('Cancel')], {
    description: 'Alert: a new alert; Update or Cancel: a draft stored for an active alert (…/update, CAP import)',
  }),
  end: Type.Optional(EndReasonSchema),
  onTvs: Type.Optional(Type.Integer({ description: 'for an active alert’s draft: the revision TVs show now' })),
  needsApproval: Type.Boolean({ description: 'sending waits for a second person (the approval rule)' }),
  warnings: Type.Array(Type.String(), {
    description:
      'what an imported CAP draft asks staff to confirm (reaches-no-one: its area meets no zone); the send carries each in `acknowledged`',
  }),
  digest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
const EndingSchema = Type.Object({
  alertId: Type.String(),
  end: EndReasonSchema,
  revision: Type.Integer({ description: 'the revision the lifting or cancel would be' }),
  onTvs: Type.Integer({ description: 'the revision TVs show now' }),
  status: StatusSchema,
  level: LevelSchema,
  hazard: HazardSchema,
  areas: Type.Object({ zones: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) }),
  counts: Counts,
  needsApproval: Type.Boolean({ description: 'it waits for a second person (the approval rule)' }),
  digest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export async function alertRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  /** Publishing calls: answer once every TV was sent its message (default) or once the first chunk is on its way. */
  const WaitQuery = Type.Object({
    wait: Type.Optional(
      Type.Union([Type.Literal('sent'), Type.Literal('started')], {
        description:
          'sent (default): answer once every TV has been sent its message; started: once the first TVs (those who need help) have, the rest following (GET …/status shows `sending`)',
      }),
    ),
  });
  const viewer = requireRole(ctx, 'viewer');
  const issuer = requireRole(ctx, 'issuer');
  const approver = requireRole(ctx, 'approver');

  r.post(
    '/api/alerts',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary: 'Store a new alert as a draft',
        security: sec,
        description:
          'Stores the alert as a draft (`draft: true` is required). Nothing is published here: the sender reads GET …/confirmation (what would go out, to whom, its digest) and sends with POST …/send. A body without `draft: true` is 400 KZ_CONSOLE_CONFIRMATION_REQUIRED and nothing is stored, so no API client can publish what no one was shown.',
        body: CreateAlertBody,
        querystring: WaitQuery,
        response: { 201: AlertViewSchema, ...errors(400, 401, 403, 409, 503) },
      },
    },
    async (req, reply) => {
      // Nothing goes out unseen (issue 19): a send needs the digest of what its confirmation showed.
      if (req.body.draft !== true) throw consoleErrors.KZ_CONSOLE_CONFIRMATION_REQUIRED();
      return reply.status(201).send(await ctx.alerts.create(staffOf(req), req.body, { wait: req.query.wait }));
    },
  );

  r.get(
    '/api/alerts',
    {
      preHandler: viewer,
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first',
        security: sec,
        querystring: Type.Object({
          state: Type.Optional(AlertStateSchema),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 100' })),
        }),
        response: { 200: Type.Array(AlertViewSchema), ...errors(401) },
      },
    },
    async (req) => ctx.alerts.list({ state: req.query.state, limit: req.query.limit ?? 100 }),
  );

  r.get(
    '/api/alerts/:id',
    {
      preHandler: viewer,
      schema: {
        tags: ['alerts'],
        summary: 'One alert',
        security: sec,
        params: IdParams,
        response: { 200: AlertViewSchema, ...errors(401, 404) },
      },
    },
    async (req) => ctx.alerts.get(req.params.id),
  );
  r.get(
    '/api/alerts/:id/revisions',
    {
      preHandler: viewer,
      schema: {
        tags: ['alerts'],
        summary: 'Every revision with who issued and approved it',
        security: sec,
        params: IdParams,
        response: { 200: RevisionList, ...errors(401, 404) },
      },
    },
    async (req) => ctx.alerts.revisions(req.params.id),
  );

  r.post(
    '/api/alerts/:id/send',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary:
          'Send a draft (a new alert, or an active alert’s stored update or cancel), as its confirmation showed it',
        description:
          'The body names what the sender was shown by GET …/confirmation: its `revision` and `digest`, and in `acknowledged` each of its `warnings` (else 409 KZ_CONSOLE_WARNING_UNCONFIRMED). A send without them is 400; if the draft or whom it reaches changed since, 409 KZ_CONSOLE_CONFIRMATION_STALE (details: the revision and digest now) and nothing is published. A CAP draft whose level is not answered yet: 409 KZ_CONSOLE_LEVEL_UNKNOWN.',
        security: sec,
        params: IdParams,
        body: ConfirmedBody,
        querystring: WaitQuery,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => ctx.alerts.send(req.params.id, staffOf(req), req.body, { wait: req.query.wait }),
  );
  r.get(
    '/api/alerts/:id/confirmation',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary: 'What sending a draft would publish, to whom, and the digest the send carries',
        description:
          'Mode, level, hazard, the areas by name, the text per language, the people, TVs and zones it reaches now, whether it waits for a second person (the approval rule), and `digest`: SHA-256 of all of it. 409 KZ_CONSOLE_ALERT_STATE if the alert is not a draft.',
        security: sec,
        params: IdParams,
        response: { 200: ConfirmationSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (req) => ctx.alerts.confirmation(req.params.id),
  );
  r.post(
    '/api/alerts/:id/approve',
    {
      preHandler: [approver, requireFreshAuth(ctx, realAlertOnly(ctx))],
      schema: {
        tags: ['alerts'],
        summary: 'Approve the revision waiting for approval (not your own) and publish it',
        description:
          'The body names what the approver was shown: `pending.revision` and `pending.digest`. If another revision or other content is waiting now, 409 KZ_CONSOLE_APPROVAL_STALE (details: the revision and digest waiting) and nothing is published.',
        security: sec,
        params: IdParams,
        body: SeenBody,
        querystring: WaitQuery,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) => ctx.alerts.approve(req.params.id, staffOf(req), req.body, { wait: req.query.wait }),
  );
  r.post(
    '/api/alerts/:id/reject',
    {
      preHandler: approver,
      schema: {
        tags: ['alerts'],
        summary: 'Reject the revision waiting for approval (TVs keep what they show)',
        description: 'The body names what the approver was shown, as for approve (409 KZ_CONSOLE_APPROVAL_STALE).',
        security: sec,
        params: IdParams,
        body: SeenBody,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ctx.alerts.reject(req.params.id, staffOf(req), req.body),
  );
  r.post(
    '/api/alerts/:id/level',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary: 'Answer the level of a CAP import that said none (its draft warns level-unknown)',
        description:
          'A new draft revision at that level; the draft can then be sent (GET …/confirmation, POST …/send). Kizuna changed the content, so its CAP export is Kizuna’s own message referencing the imported one. 409 KZ_CONSOLE_ALERT_STATE if the alert is not such a draft.',
        security: sec,
        params: IdParams,
        body: Type.Object({ level: LevelSchema }, { additionalProperties: false }),
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ctx.alerts.setLevel(req.params.id, staffOf(req), req.body.level),
  );
  r.post(
    '/api/alerts/:id/update',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary: 'Store an update of an active alert as a draft revision (sent with …/confirmation and …/send)',
        description:
          'The new revision (`draft: true` is required) is stored, not published: the alert’s `draft` shows it, GET …/confirmation shows what it would publish and to whom, and POST …/send sends it as shown (replacing what TVs show, or waiting for approval under the approval rule). Without `draft: true`, 400 KZ_CONSOLE_CONFIRMATION_REQUIRED and nothing is stored. A newer draft replaces one never sent.',
        security: sec,
        params: IdParams,
        body: UpdateAlertBody,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const { draft, ...patch } = req.body;
      if (draft !== true) throw consoleErrors.KZ_CONSOLE_CONFIRMATION_REQUIRED();
      return ctx.alerts.update(req.params.id, staffOf(req), patch);
    },
  );
  r.get(
    '/api/alerts/:id/ending',
    {
      preHandler: issuer,
      schema: {
        tags: ['alerts'],
        summary:
          'What lifting (解除) or cancelling (取消, sent in error) an active alert would publish, to whom, and its digest',
        description:
          'end=lifted: the danger is over; end=sent-in-error: the alert should never have been sent. Mode, level, hazard, areas by name, the TVs, people and zones the Cancel reaches now, whether it waits for a second person, and `digest`, which POST …/lift (required) and …/cancel carry back. 409 KZ_CONSOLE_ALERT_STATE if the alert is not active.',
        security: sec,
        params: IdParams,
        querystring: Type.Object({ end: EndReasonSchema }),
        response: { 200: EndingSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ctx.alerts.endConfirmation(req.params.id, req.query.end),
  );
  r.post(
    '/api/alerts/:id/lift',
    {
      preHandler: issuer,
      // an absent body is validated as {} so that it is refused by name (KZ_CONSOLE_CONFIRMATION_REQUIRED)
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['alerts'],
        summary: 'Lift (解除) an active alert: the danger is over. A Cancel saying "lifted", under the approval rule',
        description:
          'The body names what GET …/ending?end=lifted showed: its `revision` and `digest`. Without them 400 KZ_CONSOLE_CONFIRMATION_REQUIRED; if the alert or whom it reaches changed since, 409 KZ_CONSOLE_CONFIRMATION_STALE and nothing is published. The alert ends `lifted`; audit `alert.lift`.',
        security: sec,
        params: IdParams,
        body: Type.Union([ConfirmedBody, Type.Object({}, { additionalProperties: false })]),
        querystring: WaitQuery,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) =>
      ctx.alerts.lift(req.params.id, staffOf(req), 'digest' in req.body ? req.body : undefined, {
        wait: req.query.wait,
      }),
  );
  r.post(
    '/api/alerts/:id/cancel',
    {
      preHandler: issuer,
      // an absent body is validated as {}: withdrawing a draft needs none; ending an active alert is refused without it
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['alerts'],
        summary:
          'Cancel (取消) an alert sent in error: withdrawn if never published, else a Cancel saying "sent in error", under the approval rule',
        description:
          'For an active alert the body names what GET …/ending?end=sent-in-error showed (`revision`, `digest`); without them 400 KZ_CONSOLE_CONFIRMATION_REQUIRED, and if the alert or whom it reaches changed since, 409 KZ_CONSOLE_CONFIRMATION_STALE; nothing is published either way. A draft or an alert waiting for approval (never published) is withdrawn with no body. The alert ends `cancelled`; audit `alert.cancel` (or `alert.withdraw` if it never went out).',
        security: sec,
        params: IdParams,
        body: Type.Union([ConfirmedBody, Type.Object({}, { additionalProperties: false })]),
        querystring: WaitQuery,
        response: { 200: AlertViewSchema, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (req) =>
      ctx.alerts.cancel(
        req.params.id,
        staffOf(req),
        { wait: req.query.wait },
        'digest' in req.body ? req.body : undefined,
      ),
  );

  r.get(
    '/api/alerts/:id/preview',
    {
      preHandler: viewer,
      schema: {
        tags: ['alerts'],
        summary: 'Exactly what each kind of recipient gets',
        description:
          'Issuers and approvers get the real payloads; anyone else (a viewer) gets them with each resident name replaced by a placeholder and no TV named.',
        security: sec,
        params: IdParams,
        response: { 200: PreviewSchema, ...errors(401, 404) },
      },
    },
    async (req) => {
      const p = await preview(ctx.alerts, req.params.id);
      const s = staffOf(req);
      return seesPeople(s) || hasRole(s, 'approver') ? p : previewWithoutPeople(p);
    },
  );

  r.get(
    '/api/alerts/:id/status',
    {
      preHandler: viewer,
      schema: {
        tags: ['status'],
        summary:
          'Figures per alert and per zone; with residents=true, one row per resident (issuer or admin; the read is audited)',
        security: sec,
        params: IdParams,
        querystring: Type.Object({ residents: Type.Optional(Type.Boolean({ description: 'default false' })) }),
        response: { 200: AlertStatusSchema, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      const residents = req.query.residents ?? false;
      if (residents && !seesPeople(staffOf(req)))
        throw consoleErrors.KZ_CONSOLE_ROLE_REQUIRED('residents=true needs the issuer role (viewers see the figures)');
      const out = await alertStatus(ctx.db, req.params.id, ctx.clock.now(), { residents });
      if (residents)
        await auditRead(ctx, staffOf(req), 'read.alert-residents', req.params.id, {
          count: out.residents?.length ?? 0,
        });
      return out;
    },
  );

  r.get(
    '/api/alerts/:id/rescue',
    {
      preHandler: viewer,
      schema: {
        tags: ['status'],
        summary: 'People needing help who answered "need help" or have not answered after a set time (rescue teams)',
        description:
          'Everyone gets the counts; the people themselves (name, reading, address, phone, supporter) only an issuer or admin, and that read is audited (read.rescue-list, by resident id).',
        security: sec,
        params: IdParams,
        querystring: Type.Object({ afterSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })) }),
        response: { 200: RescueSchema, ...errors(401, 404) },
      },
    },
    async (req) => {
      const list = await rescueList(
        ctx.db,
        req.params.id,
        ctx.clock.now(),
        (req.query.afterSeconds ?? ctx.settings.rescueAfterMs / 1000) * 1000,
      );
      const { people, ...figures } = list;
      if (!seesPeople(staffOf(req))) return figures;
      await auditRead(ctx, staffOf(req), 'read.rescue-list', req.params.id, {
        people: people.length,
        residentIds: people.map((p) => p.residentId),
      });
      return list;
    },
  );

  r.get(
    '/api/alerts/:id/events',
    {
      preHandler: viewer,
      schema: {
        tags: ['status'],
        summary: 'Live figures of one alert (Server-Sent Events: `status` events with the body of GET …/status)',
        security: sec,
        params: IdParams,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const first = await alertStatus(ctx.db, req.params.id, ctx.clock.now());
      const { send, closed } = openSse(reply);
      send('status', first);
      const off = ctx.live.subscribe(req.params.id, send);
      await closed;
      off();
    },
  );

  r.get(
    '/api/live',
    {
      preHandler: viewer,
      schema: {
        tags: ['status'],
        summary:
          'Live stream of every alert (SSE: `alert` events with the alert, its totals and, while it is being sent, its progress)',
        security: sec,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errors(401) },
      },
    },
    async (_req, reply) => {
      const active = await ctx.alerts.list({ state: 'active', limit: 50 });
      const { send, closed } = openSse(reply);
      for (const a of active) {
        const { totals, sending } = await alertStatus(ctx.db, a.id, ctx.clock.now());
        send('alert', { alert: a, totals, ...(sending ? { sending } : {}) });
      }
      const off = ctx.live.subscribe(null, send);
      await closed;
      off();
    },
  );
}
