/**
 * What aedes 1.2 does around the policy that one stolen device password could abuse, and the
 * guards the embedded broker puts in its way (issue 21; docs/OPERATIONS.md "Broker limits"):
 *
 *  - Session state: aedes stores every filter of a persistent session's SUBSCRIBE, refused ones
 *    included (`addSubscriptions(client, packet.subscriptions)`), and queues every matching QoS ≥ 1
 *    message for it while it is offline. The persistence is wrapped so only granted filters are
 *    stored.
 *  - A refused CONNECT: aedes' close path runs `persistence.cleanIncoming(client)` for a clean
 *    session with the client id the CONNECT claimed, authenticated or not, wiping another
 *    client's QoS 2 duplicate-detection state. Only an authenticated client's is cleaned.
 *  - Packet sizes: mqtt-packet buffers whatever length a fixed header announces. The length is
 *    checked as soon as it is parsed (a small limit before login, one per identity after).
 */
import type { Aedes, Client } from 'aedes';

/** The parts of an aedes persistence (memory, redis, …) the guards wrap. */
interface GuardedPersistence {
  addSubscriptions(client: Client, subs: Array<{ topic: string }>, cb?: (err?: Error | null) => void): unknown;
  cleanIncoming?: ((client: Client, cb?: (err?: Error | null) => void) => unknown) | undefined;
}

export interface PersistenceGuards {
  /** Whether the policy granted this filter to this client (refused filters are never stored). */
  granted(client: Client, topic: string): boolean;
  /** Whether this client passed authentication (its session state is its own to clean). */
  authenticated(client: Client): boolean;
}

/** Wraps the broker's persistence in place (after aedes set it up), whichever implementation it is. */
export function guardPersistence(aedes: Aedes, guards: PersistenceGuards): void {
  const p = (aedes as unknown as { persistence: GuardedPersistence }).persistence;
  const addSubscriptions = p.addSubscriptions.bind(p);
  p.addSubscriptions = (client, subs, cb) => {
    const kept = subs.filter((s) => guards.granted(client, s.topic));
    if (kept.length === 0) {
      if (cb) return void process.nextTick(cb, null);
      return Promise.resolve();
    }
    return addSubscriptions(client, kept, cb);
  };
  const cleanIncoming = p.cleanIncoming?.bind(p);
  if (cleanIncoming) {
    p.cleanIncoming = (client, cb) => {
      if (guards.authenticated(client)) return cleanIncoming(client, cb);
      if (cb) return void process.nextTick(cb, null);
      return Promise.resolve();
    };
  }
}
