/**
 * Who connects to the broker. Every party keeps its own ids (分散管理, decentralised management): a TV is
 * known by the municipality's device id, a terminal by its shelter and terminal ids.
 */
import { isSafeId } from '@kizuna/contract';
import { brokerErrors } from './errors.ts';

export type BrokerIdentity =
  | { kind: 'tv'; muni: string; device: string }
  | { kind: 'terminal'; muni: string; shelter: string; terminal: string }
  | { kind: 'municipality'; muni: string }
  | { kind: 'postbox' }
  | { kind: 'admin' }
  /**
   * One Mosquitto edge's bridge into the core for one municipality (mosquitto-cluster.ts). Not a
   * device: never stored, so checkIdentity (the store's door) refuses it; its secret lives only
   * in the running cluster.
   */
  | { kind: 'bridge'; muni: string; bridge: string };

export type BrokerIdentityKind = BrokerIdentity['kind'];

/** Throws KZ_BROKER_IDENTITY_INVALID naming the bad field; returns a clean copy. */
export function checkIdentity(value: unknown): BrokerIdentity {
  const v = value as Record<string, unknown> | null;
  const bad = (what: string) => brokerErrors.KZ_BROKER_IDENTITY_INVALID(what);
  if (!v || typeof v !== 'object') throw bad('not an object');
  const id = (field: string): string => {
    if (!isSafeId(v[field])) throw bad(`${field} must be 1–64 of A–Z a–z 0–9 _ -`);
    return v[field] as string;
  };
  switch (v.kind) {
    case 'tv':
      return { kind: 'tv', muni: id('muni'), device: id('device') };
    case 'terminal':
      return { kind: 'terminal', muni: id('muni'), shelter: id('shelter'), terminal: id('terminal') };
    case 'municipality':
      return { kind: 'municipality', muni: id('muni') };
    case 'postbox':
      return { kind: 'postbox' };
    case 'admin':
      return { kind: 'admin' };
    default:
      throw bad(`kind must be tv, terminal, municipality, postbox or admin`);
  }
}

/**
 * The username (also the MQTT client id) of an identity: readable for operators, safe as a
 * RabbitMQ queue-name part. Ids may contain '-', so two identities can map to one name
 * (shelter "a-b" terminal "c" vs shelter "a" terminal "b-c"): the store refuses the second.
 */
export function usernameOf(identity: BrokerIdentity): string {
  switch (identity.kind) {
    case 'tv':
      return `${TV_USERNAME_PREFIX}${identity.muni}-${identity.device}`;
    case 'terminal':
      return `term-${identity.muni}-${identity.shelter}-${identity.terminal}`;
    case 'municipality':
      return `muni-${identity.muni}`;
    case 'postbox':
      return 'postbox';
    case 'admin':
      return 'admin';
    case 'bridge':
      return `bridge-${identity.muni}-${identity.bridge}`;
  }
}

/** How every TV's username (= MQTT client id) begins (usernameOf). */
export const TV_USERNAME_PREFIX = 'tv-';
/** Whether a username (= MQTT client id) is a TV's. */
export const isTvUsername = (username: string): boolean => username.startsWith(TV_USERNAME_PREFIX);

/** What separates a municipality's username from one console process's instance name in its client id. */
export const INSTANCE_SEPARATOR = '~';
const INSTANCE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Whether `clientId` is one this username may connect with. Everyone uses exactly their username,
 * so no one can take over another's session. Two more forms, each a session of its own beside it
 * ('~' is in no id (isSafeId), so no other identity's name has them):
 * - a municipality's console running as several processes on one database (one takes over the
 *   other's fan-out): `muni-{muni}~{instance}`;
 * - a TV with a clean session, which the broker keeps nothing for: `tv-…~{connection}`, a new name
 *   for each connection. On a RabbitMQ cluster a session's queue is named after its client id, and a
 *   TV that reconnected to another node under the same name waited until the lost node's queue of
 *   that name was deleted, or was left subscribed and receiving nothing (docs/OPERATIONS.md).
 *   `connect.clean` is the CONNECT's clean-session flag where the broker sees it (aedes); a TV's
 *   connection name with a persistent session is refused there. RabbitMQ's auth backend does not see
 *   the flag: the auth service lets such a client id have only the QoS 0 queue (auth-service.ts).
 *   Nor do EMQX's hooks (emqx-hooks.ts): there a named persistent session lasts as long as EMQX's
 *   session expiry. Mosquitto's dynamic security fixes each client id to its username.
 */
export function clientIdAllowed(username: string, clientId: string, connect: { clean?: boolean } = {}): boolean {
  if (clientId === username) return true;
  if (!clientId.startsWith(username + INSTANCE_SEPARATOR) || !INSTANCE.test(clientId.slice(username.length + 1)))
    return false;
  if (username.startsWith('muni-')) return true;
  return isTvUsername(username) && connect.clean !== false;
}

/** Whether `clientId` is a TV's connection name (`tv-…~{connection}`), not the TV's own username. */
export const isTvConnectionName = (username: string, clientId: string): boolean =>
  isTvUsername(username) && clientId !== username;

export function sameIdentity(a: BrokerIdentity, b: BrokerIdentity): boolean {
  return JSON.stringify(checkIdentity(a)) === JSON.stringify(checkIdentity(b));
}
