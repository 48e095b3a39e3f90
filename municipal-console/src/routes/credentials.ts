/**
 * Broker credentials for TVs and shelter terminals (admin), through @kizuna/broker's
 * CredentialStore: issue (or rotate, if active) returns the password once; DELETE revokes at
 * once (the emergency stop, 緊急時体制) and marks a TV revoked so no personal alert targets it.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { usernameOf, type BrokerIdentity } from '@kizuna/broker';
import { requireRole, staffOf, type ConsoleContext } from '../context.ts';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { errors } from '../schemas.ts';

const sec: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });
const Issued = Type.Object({
  username: Type.String({ description: 'also the MQTT client id' }),
  password: Type.String({ description: 'shown once; store it on the device' }),
  action: Type.Union([Type.Literal('issued'), Type.Literal('rotated')]),
});

export async function credentialRoutes(app: FastifyInstance, ctx: ConsoleContext) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = requireRole(ctx, 'admin');

  const store = () => {
    if (!ctx.credentials) throw consoleErrors.KZ_CONSOLE_CREDENTIALS_UNAVAILABLE();
    return ctx.credentials;
  };
  async function issueOrRotate(identity: BrokerIdentity) {
    const s = store();
    const info = await s.info(usernameOf(identity));
    if (info?.status === 'active') return { ...(await s.rotate(info.username)), action: 'rotated' as const };
    return { ...(await s.issue(identity)), action: 'issued' as const };
  }
  async function revoke(identity: BrokerIdentity): Promise<boolean> {
    const s = store();
    const username = usernameOf(identity);
    return (await s.info(username)) ? s.revoke(username) : false;
  }
  const mustExist = async (table: 'devices' | 'shelters', id: string) => {
    const { rows } = await ctx.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    if (!rows[0])
      throw (table === 'devices' ? consoleErrors.KZ_CONSOLE_UNKNOWN_DEVICE : consoleErrors.KZ_CONSOLE_UNKNOWN_SHELTER)(
        id,
      );
  };
  const audit = (actor: string, action: string, subject: string, details: Record<string, unknown>) =>
    ctx.db.tx((q) => appendAudit(q, { actor, action, subject, details }, ctx.clock.now()));

  r.post(
    '/api/devices/:id/credentials',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: "Issue a TV's broker credentials, or rotate them (admin)",
        security: sec,
        params: Type.Object({ id: Id }),
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 201: Issued, ...errors(401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await mustExist('devices', req.params.id);
      const out = await issueOrRotate({ kind: 'tv', muni: ctx.muni, device: req.params.id });
      await ctx.db.query(`UPDATE devices SET broker_username = $2, status = 'active' WHERE id = $1`, [
        req.params.id,
        out.username,
      ]);
      // what changed: the TV's broker login (never its password) and that it is active
      await audit(staffOf(req).username, `device.credentials.${out.action}`, req.params.id, {
        brokerUsername: out.username,
        status: 'active',
      });
      return reply.status(201).send(out);
    },
  );

  r.delete(
    '/api/devices/:id/credentials',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: "Revoke a TV's broker credentials now; the TV is marked revoked (admin)",
        security: sec,
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...errors(401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await mustExist('devices', req.params.id);
      const was = await revoke({ kind: 'tv', muni: ctx.muni, device: req.params.id });
      await ctx.db.query(`UPDATE devices SET status = 'revoked' WHERE id = $1`, [req.params.id]);
      await audit(staffOf(req).username, 'device.credentials.revoked', req.params.id, { wasActive: was });
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/api/shelters/:id/terminals/:terminal/credentials',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: "Issue a shelter terminal's broker credentials (also its roster login), or rotate them (admin)",
        security: sec,
        params: Type.Object({ id: Id, terminal: Id }),
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 201: Issued, ...errors(401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await mustExist('shelters', req.params.id);
      const out = await issueOrRotate({
        kind: 'terminal',
        muni: ctx.muni,
        shelter: req.params.id,
        terminal: req.params.terminal,
      });
      await audit(staffOf(req).username, `terminal.credentials.${out.action}`, req.params.id, {
        terminal: req.params.terminal,
      });
      return reply.status(201).send(out);
    },
  );

  r.delete(
    '/api/shelters/:id/terminals/:terminal/credentials',
    {
      preHandler: admin,
      schema: {
        tags: ['register'],
        summary: "Revoke a shelter terminal's credentials now (admin)",
        security: sec,
        params: Type.Object({ id: Id, terminal: Id }),
        response: { 204: Type.Null(), ...errors(401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      await mustExist('shelters', req.params.id);
      const was = await revoke({
        kind: 'terminal',
        muni: ctx.muni,
        shelter: req.params.id,
        terminal: req.params.terminal,
      });
      await audit(staffOf(req).username, 'terminal.credentials.revoked', req.params.id, {
        terminal: req.params.terminal,
        wasActive: was,
      });
      return reply.status(204).send(null);
    },
  );
}
