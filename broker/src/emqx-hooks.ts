/**
 * EMQX 5's HTTP authentication and HTTP authorization hooks, answered from the same credential
 * store and policy as RabbitMQ's backend (auth-service.ts), so an EMQX-class cluster can serve a
 * national platform under the one policy.
 *
 *   CONNECT                → POST /emqx/authn  {username, password, clientid}
 *   PUBLISH (and the will) → POST /emqx/authz  {username, clientid, topic, action: "publish", qos, retain}
 *   SUBSCRIBE, per filter  → POST /emqx/authz  {…, action: "subscribe", qos}
 *
 * EMQX sends the JSON body its `body` template renders: every placeholder becomes a string
 * ("1", "false"); numbers and booleans are accepted too. Replies are 200 with a JSON
 * `{"result": "allow" | "deny"}` (authn adds `"is_superuser": false`: no Kizuna identity is above
 * the policy). Never "ignore": the store is the only authority, so nothing may fall through to
 * another authenticator or authorizer. A body that is not JSON gets the coded 400 every route
 * gives, which EMQX treats as "ignore" — configure `authorization.no_match = deny`
 * (docs/OPERATIONS.md, "EMQX").
 *
 * Publish and subscribe checks need `qos` (and publish `retain`) in the template: without them
 * the device rules (no retain, QoS 1 at most) cannot be judged, so the answer is deny.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { KzFastify } from '@kizuna/core';
import type { CredentialStore } from './credential-store.ts';
import { clientIdAllowed, type BrokerIdentity } from './identity.ts';
import { policy } from './policy.ts';

const Field = Type.Optional(Type.String({ maxLength: 65_535 }));
/** EMQX renders placeholders as strings; a hand-written template may send the JSON types. */
const Flag = Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Boolean(), Type.Integer()]));
const AuthnBody = Type.Object(
  { username: Field, password: Field, clientid: Field, peerhost: Field },
  { additionalProperties: true },
);
const AuthzBody = Type.Object(
  { username: Field, clientid: Field, topic: Field, action: Field, qos: Flag, retain: Flag, peerhost: Field },
  { additionalProperties: true },
);
const AuthnReply = {
  200: Type.Object({ result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]), is_superuser: Type.Boolean() }),
};
const AuthzReply = { 200: Type.Object({ result: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) }) };

type Flag = string | boolean | number | undefined;

/** "0" | "1" | "2" (or the number) → the QoS; anything else → null. */
export function parseEmqxQos(v: Flag): 0 | 1 | 2 | null {
  const n = typeof v === 'string' && /^[012]$/.test(v) ? Number(v) : v;
  return n === 0 || n === 1 || n === 2 ? n : null;
}

/** "true" | "false" (or the boolean, or 1/0) → the retain flag; anything else → null. */
export function parseEmqxRetain(v: Flag): boolean | null {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  return null;
}

/** Why an EMQX authorization request is refused, or null when the policy allows it. */
export function emqxRefusal(
  identity: BrokerIdentity,
  req: { topic: string; action: string | undefined; qos: Flag; retain: Flag },
): string | null {
  const qos = parseEmqxQos(req.qos);
  if (qos === null) return 'qos missing or invalid';
  if (req.action === 'publish') {
    const retain = parseEmqxRetain(req.retain);
    if (retain === null) return 'retain missing or invalid';
    return policy.publishRefusal(identity, { topic: req.topic, qos, retain });
  }
  if (req.action === 'subscribe') {
    if (!policy.canSubscribe(identity, req.topic)) return 'topic';
    // EMQX cannot be told to grant less than asked, as aedes does: a device asking QoS 2 is refused
    return qos > policy.maxQos(identity) ? 'qos' : null;
  }
  return 'action';
}

export function registerEmqxHooks(
  base: KzFastify,
  credentials: Pick<CredentialStore, 'authenticate' | 'identityOf'>,
): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/emqx/authn', { schema: { body: AuthnBody, response: AuthnReply } }, async (req) => {
    const { username = '', password = '', clientid } = req.body;
    const deny = (check: string) => {
      req.log.info({ username, check }, 'emqx authn: deny');
      return { result: 'deny' as const, is_superuser: false };
    };
    // A device may only use its own session: the client id must be its username.
    if (clientid !== undefined && !clientIdAllowed(username, clientid)) return deny('client id');
    const identity = await credentials.authenticate(username, password);
    return identity ? { result: 'allow' as const, is_superuser: false } : deny('password');
  });

  app.post('/emqx/authz', { schema: { body: AuthzBody, response: AuthzReply } }, async (req) => {
    const { username = '', clientid, topic = '', action } = req.body;
    const deny = (check: string) => {
      req.log.info({ username, topic, action, check }, 'emqx authz: deny');
      return { result: 'deny' as const };
    };
    if (clientid !== undefined && !clientIdAllowed(username, clientid)) return deny('client id');
    // every check asks the store: a revoked device is refused at its next one
    const identity = await credentials.identityOf(username);
    if (!identity) return deny('user');
    const refused = emqxRefusal(identity, { topic, action, qos: req.body.qos, retain: req.body.retain });
    return refused ? deny(refused) : { result: 'allow' as const };
  });
}
