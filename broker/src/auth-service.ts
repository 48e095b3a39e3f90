/**
 * The broker's auth service: RabbitMQ's HTTP auth backend (below) and EMQX 5's HTTP
 * authentication/authorization hooks (emqx-hooks.ts, under /emqx/), both answering from the
 * credential store and the policy.
 *
 * RabbitMQ's HTTP auth backend (rabbitmq_auth_backend_http): RabbitMQ POSTs form bodies; the answer is plain text `allow` or `deny`.
 *
 *   CONNECT   → /auth/user (username, password, vhost, client_id) and /auth/vhost
 *   SUBSCRIBE → /auth/resource (queue mqtt-subscription-<client id>qos0|qos1: configure, read,
 *               write; exchange amq.topic: read) then /auth/topic read, routing_key = binding key
 *   PUBLISH   → /auth/resource (exchange amq.topic: write) then /auth/topic write
 *
 * RabbitMQ turns MQTT '/' into '.' and '+' into '*'; the routing key is turned back before the
 * policy sees it, so an MQTT-literal '*' (an AMQP wildcard) is judged as the wildcard it is.
 * Ids never contain '.', so no level can smuggle in another (docs/PLATFORM.md, "RabbitMQ topic mapping").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createHttpServer, type KzFastify, type Logger } from '@kizuna/core';
import type { CredentialStore } from './credential-store.ts';
import { policy } from './policy.ts';
import { clientIdAllowed, isTvConnectionName } from './identity.ts';
import { registerEmqxHooks } from './emqx-hooks.ts';

export interface AuthServiceOptions {
  credentials: Pick<CredentialStore, 'authenticate' | 'identityOf'>;
  logger: Logger;
  /** The only vhost devices may use. Default "/". */
  vhost?: string;
  /** RabbitMQ's mqtt.exchange. Default "amq.topic". */
  exchange?: string;
  /**
   * The management login of nodes Kizuna runs itself (rabbitmq-management.ts): answered `allow
   * administrator` at /auth/user and nothing else, so it opens the management API but no vhost,
   * queue or topic (an MQTT CONNECT with it is refused). Random per start, never stored.
   */
  operator?: { username: string; password: string } | undefined;
}

const Field = Type.Optional(Type.String({ maxLength: 65_535 }));
const UserBody = Type.Object(
  { username: Field, password: Field, vhost: Field, client_id: Field },
  { additionalProperties: true },
);
const VhostBody = Type.Object({ username: Field, vhost: Field, ip: Field }, { additionalProperties: true });
const ResourceBody = Type.Object(
  { username: Field, vhost: Field, resource: Field, name: Field, permission: Field },
  { additionalProperties: true },
);
const TopicBody = Type.Object(
  { username: Field, vhost: Field, resource: Field, name: Field, permission: Field, routing_key: Field },
  { additionalProperties: true },
);
const TextReply = { 200: Type.String() };

/** AMQP topic routing/binding key → MQTT topic or filter. */
export function routingKeyToMqtt(key: string): string {
  return key
    .split('.')
    .map((w) => (w === '*' ? '+' : w))
    .join('/');
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export async function buildAuthService(opts: AuthServiceOptions): Promise<KzFastify> {
  const { credentials } = opts;
  const vhost = opts.vhost ?? '/';
  const exchange = opts.exchange ?? 'amq.topic';
  const base = await createHttpServer({ name: 'broker-auth', logger: opts.logger, bodyLimit: 64 * 1024 });
  await base.register(formbody);
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  const answer = (allowed: boolean) => (allowed ? 'allow' : 'deny');
  const deny = (
    req: { log: { info(o: object, msg: string): void } },
    what: string,
    fields: Record<string, unknown>,
  ) => {
    req.log.info({ ...fields, check: what }, 'rabbitmq auth: deny');
    return 'deny';
  };

  const operator = opts.operator;
  const isOperator = (username: string, password: string) =>
    !!operator && username === operator.username && sameSecret(password, operator.password);

  app.post('/auth/user', { schema: { body: UserBody, response: TextReply } }, async (req, reply) => {
    reply.type('text/plain');
    const { username = '', password = '', client_id: clientId } = req.body;
    // The management API's login carries no client id; an MQTT CONNECT does, and is never the operator.
    if (clientId === undefined && isOperator(username, password)) return 'allow administrator';
    if (req.body.vhost !== undefined && req.body.vhost !== vhost) return deny(req, 'vhost', { username });
    // A device may only use its own session: the client id must be its username.
    if (clientId !== undefined && !clientIdAllowed(username, clientId)) return deny(req, 'client id', { username });
    const identity = await credentials.authenticate(username, password);
    return identity ? 'allow' : deny(req, 'password', { username });
  });

  app.post('/auth/vhost', { schema: { body: VhostBody, response: TextReply } }, async (req, reply) => {
    reply.type('text/plain');
    const { username = '' } = req.body;
    if (req.body.vhost !== vhost) return deny(req, 'vhost', { username });
    return answer(!!(await credentials.identityOf(username)));
  });

  app.post('/auth/resource', { schema: { body: ResourceBody, response: TextReply } }, async (req, reply) => {
    reply.type('text/plain');
    const { username = '', resource, name = '', permission } = req.body;
    if (req.body.vhost !== vhost || !(await credentials.identityOf(username)))
      return deny(req, 'resource user', { username });
    // Its own subscription queues only: the name carries the client id, which is the username (or a
    // console process's `username~instance`, or a TV connection's `username~connection`). A TV
    // connection name gets only the QoS 0 queue: RabbitMQ does not tell this backend whether the
    // session is clean, and a QoS 1 queue would outlive the connection under a name never used again.
    const queue = /^mqtt-subscription-(.+)qos([01])$/.exec(name);
    if (
      resource === 'queue' &&
      queue &&
      clientIdAllowed(username, queue[1]!) &&
      !(queue[2] === '1' && isTvConnectionName(username, queue[1]!))
    )
      return 'allow';
    if (resource === 'exchange' && name === exchange && (permission === 'read' || permission === 'write'))
      return 'allow';
    return deny(req, 'resource', { username, resource, name, permission });
  });

  app.post('/auth/topic', { schema: { body: TopicBody, response: TextReply } }, async (req, reply) => {
    reply.type('text/plain');
    const { username = '', name, permission, routing_key: key = '' } = req.body;
    const identity = req.body.vhost === vhost ? await credentials.identityOf(username) : null;
    if (!identity || name !== exchange) return deny(req, 'topic user', { username });
    const topic = routingKeyToMqtt(key);
    const ok =
      permission === 'read'
        ? policy.canSubscribe(identity, topic)
        : permission === 'write'
          ? policy.canPublish(identity, topic)
          : false;
    return ok ? 'allow' : deny(req, `topic ${permission}`, { username, topic });
  });

  registerEmqxHooks(base, credentials);
  return base;
}
