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
 *  - QoS: aedes answers a SUBSCRIBE with the QoS it asked for; a device's is lowered to its maximum.
 *  - Packet sizes: mqtt-packet buffers whatever length a fixed header announces. The length is
 *    checked as soon as it is parsed (a small limit before login, one per identity after).
 */
import type { EventEmitter } from 'node:events';
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

/** The embedded broker's limits (config.ts has the variables; docs/OPERATIONS.md "Broker limits"). */
export interface BrokerLimits {
  /** Largest packet (bytes, fixed header included) a socket may send before it is logged in. */
  maxPacketBeforeLogin: number;
  /** Largest packet a logged-in device (TV, terminal) may send. */
  maxPacketDevice: number;
  /** Largest packet a logged-in server (municipality, post-box, admin, bridge) may send. */
  maxPacketServer: number;
  /** A socket that has not completed its CONNECT in this time is closed (milliseconds). */
  connectTimeoutMs: number;
  /** Sockets not yet logged in, from one address. */
  maxPendingPerAddress: number;
  /**
   * Sockets not yet logged in, in total. After a restart every TV of the city waits for its login
   * at once (held while the credential store opens): keep it above the TVs the broker serves, or
   * the rest are closed and back off (about 9 KB per waiting socket, docs/OPERATIONS.md).
   */
  maxPendingTotal: number;
  /** QoS ≥ 1 messages queued for one TV's persistent session; the oldest are dropped above it. */
  maxQueuedMessages: number;
  /** Bytes (topic + payload) queued for one TV's persistent session; the oldest are dropped above it. */
  maxQueuedBytes: number;
}

/**
 * Defaults. A CONNECT is a few hundred bytes (username, 24-character password, client id, a will
 * on the device's own receipt topic). The contract's largest device message, a shelter event with
 * every field at its largest, is about 1.5 KB with its topic. A personal alert for a household or
 * an area alert in seven languages stays well under the server limit. A TV needs only its latest
 * few alerts queued while it is off (the console re-sends what a TV has not confirmed; the latest
 * area alert of each zone is retained): a hundred messages, and four of the largest alerts in bytes.
 */
export const BROKER_LIMIT_DEFAULTS: Readonly<BrokerLimits> = {
  maxPacketBeforeLogin: 2048,
  maxPacketDevice: 8192,
  maxPacketServer: 256 * 1024,
  connectTimeoutMs: 10_000,
  maxPendingPerAddress: 128,
  maxPendingTotal: 16_384,
  maxQueuedMessages: 100,
  maxQueuedBytes: 4 * 256 * 1024,
};

/** Bytes of a whole packet whose remaining length is `remaining` (1 type byte + 1–4 length bytes). */
const packetBytes = (remaining: number) =>
  1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining;

interface PacketParser {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/**
 * Closes the connection as soon as a fixed header announces a packet above `limit()` — before any
 * of its body is buffered. mqtt-packet (aedes' parser) reads the length in `_parseLength`.
 */
export function limitPacketSize(
  client: Client,
  limit: () => number,
  onRefused: (bytes: number, limit: number) => void,
): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser._parseLength !== 'function' || typeof parser._emitError !== 'function')
    throw new Error('aedes/mqtt-packet changed: the packet size limit cannot be installed (aedes-guards.ts)');
  const parseLength = parser._parseLength;
  parser._parseLength = function (this: PacketParser) {
    if (!parseLength.call(this)) return false;
    const bytes = packetBytes(this.packet.length);
    const max = limit();
    if (bytes <= max) return true;
    onRefused(bytes, max);
    this._emitError(new Error(`packet of ${bytes} bytes is over the limit of ${max}`));
    return false;
  };
}

/**
 * Lowers the QoS a SUBSCRIBE asks for to `maxQos()` as the packet is parsed, before aedes reads it:
 * aedes takes the SUBACK's granted QoS from the packet before authorizeSubscribe runs.
 */
export function capSubscribeQos(client: Client, maxQos: () => number): void {
  const parser = (client as unknown as { _parser?: EventEmitter })._parser;
  if (!parser) throw new Error('aedes changed: the QoS cap cannot be installed (aedes-guards.ts)');
  parser.prependListener('packet', (packet: { cmd: string; subscriptions?: Array<{ qos: number }> }) => {
    if (packet.cmd !== 'subscribe' || !packet.subscriptions) return;
    const max = maxQos();
    for (const s of packet.subscriptions) if (s.qos > max) s.qos = max;
  });
}

/** Counts sockets that have not logged in yet, per address and in total. */
export class PendingLogins {
  private byAddress = new Map<string, number>();
  private total = 0;
  constructor(private limits: Pick<BrokerLimits, 'maxPendingPerAddress' | 'maxPendingTotal'>) {}

  /** A release function if the socket may wait for its login, else the cap that refused it. */
  admit(address: string): (() => void) | 'per-address' | 'total' {
    const here = this.byAddress.get(address) ?? 0;
    if (here >= this.limits.maxPendingPerAddress) return 'per-address';
    if (this.total >= this.limits.maxPendingTotal) return 'total';
    this.byAddress.set(address, here + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }
}
