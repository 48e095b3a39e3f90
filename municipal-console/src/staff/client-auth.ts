/**
 * How TVs and shelter terminals authenticate to the console: HTTP Basic with the broker
 * credentials the municipality issued them (one secret per device, already rotatable and
 * revocable through @kizuna/broker's CredentialStore), checked against that same store. A revoked
 * device is refused here at once, as it is by the broker.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authentication } from '@kizuna/core';
import type { BrokerIdentity } from '@kizuna/broker';
import { consoleErrors } from '../errors.ts';
import type { ConsoleContext } from '../context.ts';

export type TvIdentity = Extract<BrokerIdentity, { kind: 'tv' }>;
export type TerminalIdentity = Extract<BrokerIdentity, { kind: 'terminal' }>;

declare module 'fastify' {
  interface FastifyRequest {
    client?: BrokerIdentity;
  }
}

const REALM = 'Basic realm="kizuna-console", charset="UTF-8"';

function basicCredentials(req: FastifyRequest): { username: string; password: string } | null {
  const h = req.headers.authorization;
  if (!h || !/^Basic /i.test(h)) return null;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return null;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

async function clientIdentity(ctx: ConsoleContext, req: FastifyRequest, reply: FastifyReply): Promise<BrokerIdentity> {
  if (!ctx.credentials) throw consoleErrors.KZ_CONSOLE_CREDENTIALS_UNAVAILABLE();
  const creds = basicCredentials(req);
  if (!creds) {
    reply.header('www-authenticate', REALM);
    throw consoleErrors.KZ_CONSOLE_CLIENT_AUTH('no HTTP Basic credentials');
  }
  const identity = await ctx.credentials.authenticate(creds.username, creds.password);
  if (!identity) {
    reply.header('www-authenticate', REALM);
    // the username is ours (an id, not personal data); the password is never logged
    ctx.logger.warn(
      { username: creds.username.slice(0, 100), route: req.routeOptions.url },
      'device authentication refused',
    );
    throw consoleErrors.KZ_CONSOLE_CLIENT_AUTH('unknown username, wrong password, or revoked credentials');
  }
  return identity;
}

/** preHandler: one of this municipality's TVs; run before the body is parsed (core authentication()). */
export function requireTv(ctx: ConsoleContext) {
  return authentication(async (req: FastifyRequest, reply: FastifyReply) => {
    const id = await clientIdentity(ctx, req, reply);
    if (id.kind !== 'tv' || id.muni !== ctx.muni)
      throw consoleErrors.KZ_CONSOLE_CLIENT_FORBIDDEN(
        `a ${id.kind} identity cannot use the TV binding API of municipality ${ctx.muni}`,
      );
    req.client = id;
  });
}

/** preHandler: the post-box operator (its broker identity, kind 'postbox'). */
export function requirePostboxOperator(ctx: ConsoleContext) {
  return authentication(async (req: FastifyRequest, reply: FastifyReply) => {
    const id = await clientIdentity(ctx, req, reply);
    if (id.kind !== 'postbox')
      throw consoleErrors.KZ_CONSOLE_CLIENT_FORBIDDEN(`a ${id.kind} identity cannot ask about post-box devices`);
    req.client = id;
  });
}

/** preHandler: a terminal of the shelter named in the route (`:id`); run before the body is parsed. */
export function requireTerminal(ctx: ConsoleContext) {
  return authentication(async (req: FastifyRequest, reply: FastifyReply) => {
    const id = await clientIdentity(ctx, req, reply);
    const shelter = (req.params as { id: string }).id;
    if (id.kind !== 'terminal' || id.muni !== ctx.muni)
      throw consoleErrors.KZ_CONSOLE_CLIENT_FORBIDDEN(
        `a ${id.kind} identity cannot read shelter rosters of municipality ${ctx.muni}`,
      );
    if (id.shelter !== shelter)
      throw consoleErrors.KZ_CONSOLE_CLIENT_FORBIDDEN(
        `a terminal of shelter ${id.shelter} cannot read the roster of ${shelter}`,
      );
    req.client = id;
  });
}

export const tvOf = (req: FastifyRequest): TvIdentity => req.client as TvIdentity;
export const terminalOf = (req: FastifyRequest): TerminalIdentity => req.client as TerminalIdentity;
