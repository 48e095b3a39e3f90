/** The approval rule setting (which changes need a second person): read, propose, confirm (two admins). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { APPROVAL_RULES, confirmRule, proposeRule, ruleState } from '../alerts/approval-rule.ts';
import { errors } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const [ALL, ACTUAL, ACTUAL_4_5] = APPROVAL_RULES;
const RuleSchema = Type.Union([Type.Literal(ALL), Type.Literal(ACTUAL), Type.Literal(ACTUAL_4_5)], {
  description: 'which changes need a second person (docs/OPERATIONS.md)',
});
const RuleBody = Type.Object({ rule: RuleSchema }, { additionalProperties: false });
const RuleStateSchema = Type.Object({
  rule: RuleSchema,
  setBy: Type.Union([Type.String(), Type.Null()]),
  confirmedBy: Type.Union([Type.String(), Type.Null()]),
  setAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  proposal: Type.Union([
    Type.Object({ rule: RuleSchema, proposedBy: Type.String(), proposedAt: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
});

export async function approvalRuleRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const viewer = requireRole(ctx, 'viewer');
  const admin = requireRole(ctx, 'admin');

  r.get(
    '/api/settings/approval-rule',
    {
      preHandler: viewer,
      schema: {
        tags: ['alerts'],
        summary: 'The approval rule in force, and a change proposed by one admin awaiting another',
        security: sec,
        response: { 200: RuleStateSchema, ...errors(401) },
      },
    },
    async () => ruleState(ctx.db),
  );
  r.post(
    '/api/settings/approval-rule/propose',
    {
      preHandler: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Propose another approval rule (takes effect only when a different admin confirms it)',
        security: sec,
        body: RuleBody,
        response: { 200: RuleStateSchema, ...errors(400, 401, 403) },
      },
    },
    async (req) => proposeRule(ctx.db, staffOf(req), req.body.rule, ctx.clock.now()),
  );
  r.post(
    '/api/settings/approval-rule/confirm',
    {
      preHandler: admin,
      schema: {
        tags: ['alerts'],
        summary: 'Confirm the approval rule another admin proposed (naming it); it takes effect at once',
        security: sec,
        body: RuleBody,
        response: { 200: RuleStateSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (req) => confirmRule(ctx.db, staffOf(req), req.body.rule, ctx.clock.now()),
  );
}
