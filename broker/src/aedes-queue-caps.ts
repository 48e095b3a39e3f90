/**
 * Caps on what aedes queues for one client (issue 21; docs/OPERATIONS.md "Broker limits").
 *
 * aedes keeps every QoS ≥ 1 message for a persistent session (clean=false) in its persistence's
 * outgoing queue until the client acknowledges it: while the client is offline the queue only
 * grows. The persistence is wrapped in place so a capped client's queue holds at most
 * `maxMessages` messages and `maxBytes` bytes of topic and payload: the oldest are dropped (the
 * console re-sends an alert a TV has not confirmed). A message whose alert has expired is dropped
 * as soon as the queue is next touched, and is never delivered (embedded-broker.ts asks
 * `expiresAt` in authorizeForward).
 *
 * Only the persistence's public outgoing API is used, so any aedes persistence can be wrapped.
 * A queued message has no packet id yet; to remove one, it is first given an id no MQTT packet
 * can have (negative) and then cleared by that id.
 */
import type { Aedes } from 'aedes';

/** The fields of a queued packet the caps read (aedes-packet). */
export interface QueuedPacket {
  brokerId?: string | undefined;
  brokerCounter?: number | undefined;
  messageId?: number | undefined;
  topic?: string | undefined;
  payload?: Buffer | string | undefined;
}

/** The outgoing part of an aedes persistence, promise style (as aedes 1.2 calls it). */
interface OutgoingPersistence {
  outgoingEnqueue(sub: { clientId: string }, packet: QueuedPacket): Promise<unknown>;
  outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: QueuedPacket): Promise<unknown>;
  outgoingUpdate(client: { id: string }, packet: QueuedPacket): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: QueuedPacket): Promise<QueuedPacket | undefined>;
}

export interface QueueCaps {
  /** Most messages queued for one capped client. */
  maxMessages: number;
  /** Most bytes (topic + payload) queued for one capped client. */
  maxBytes: number;
  /** Whether this client's queue is capped. */
  capped(clientId: string): boolean;
  /** When the message stops being worth delivering (ms since the epoch); undefined: never. */
  expiresAt(packet: QueuedPacket): number | undefined;
  /** Messages dropped from a client's queue, and why. */
  onDropped(clientId: string, reason: 'cap' | 'expired', count: number): void;
  /** The queue first went over a cap (logged once until the queue empties again). */
  onCapReached(clientId: string, queued: { messages: number; bytes: number }): void;
  now?: () => number;
}

interface Entry {
  brokerId: string | undefined;
  brokerCounter: number | undefined;
  bytes: number;
  expiresAt: number | undefined;
  messageId: number | undefined;
}

const bytesOf = (p: QueuedPacket) =>
  Buffer.byteLength(p.topic ?? '') +
  (typeof p.payload === 'string' ? Buffer.byteLength(p.payload) : (p.payload?.length ?? 0));

/** One capped client's queue, in the persistence's order (oldest first). */
class QueueIndex {
  entries: Entry[] = [];
  bytes = 0;
  reported = false;
  add(e: Entry) {
    this.entries.push(e);
    this.bytes += e.bytes;
  }
  remove(e: Entry) {
    const i = this.entries.indexOf(e);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.bytes -= e.bytes;
  }
  /** By the broker's own id of the message; a PUBREL (no broker id) by its packet id. */
  find(p: QueuedPacket): Entry | undefined {
    if (p.brokerId !== undefined)
      return this.entries.find((e) => e.brokerId === p.brokerId && e.brokerCounter === p.brokerCounter);
    if (p.messageId === undefined) return undefined;
    return this.entries.find((e) => e.messageId === p.messageId);
  }
}

/** Wraps the broker's persistence in place (after aedes set it up). */
export function capQueues(
  aedes: Aedes,
  caps: QueueCaps,
): { queued(clientId: string): { messages: number; bytes: number } } {
  const p = (aedes as unknown as { persistence: OutgoingPersistence }).persistence;
  for (const m of ['outgoingEnqueue', 'outgoingEnqueueCombi', 'outgoingUpdate', 'outgoingClearMessageId'] as const) {
    if (typeof p[m] !== 'function') throw new Error(`aedes persistence has no ${m}: queue caps cannot be installed`);
  }
  const enqueue = p.outgoingEnqueue.bind(p);
  const enqueueCombi = p.outgoingEnqueueCombi.bind(p);
  const update = p.outgoingUpdate.bind(p);
  const clear = p.outgoingClearMessageId.bind(p);
  const now = caps.now ?? Date.now;
  const queues = new Map<string, QueueIndex>();
  let nextTag = -1;

  // Removes one entry from the persistence itself; an entry already gone (acknowledged) is fine.
  async function evict(clientId: string, e: Entry) {
    const client = { id: clientId };
    if (e.messageId === undefined) {
      const tag = nextTag--;
      if (nextTag < -1_000_000_000) nextTag = -1;
      try {
        await update(client, { brokerId: e.brokerId, brokerCounter: e.brokerCounter, messageId: tag });
      } catch {
        return;
      }
      e.messageId = tag;
    }
    await clear(client, { messageId: e.messageId }).catch(() => undefined);
  }

  async function admit(clientId: string, packet: QueuedPacket, expiresAt: number | undefined) {
    let q = queues.get(clientId);
    if (!q) queues.set(clientId, (q = new QueueIndex()));
    const { brokerId, brokerCounter } = packet;
    q.add({ brokerId, brokerCounter, bytes: bytesOf(packet), expiresAt, messageId: undefined });
    const t = now();
    const expired = q.entries.filter((e) => e.expiresAt !== undefined && e.expiresAt <= t);
    for (const e of expired) q.remove(e);
    const over: Entry[] = [];
    while (q.entries.length > caps.maxMessages || q.bytes > caps.maxBytes) {
      const oldest = q.entries[0]!;
      q.remove(oldest);
      over.push(oldest);
    }
    if (over.length > 0 && !q.reported) {
      q.reported = true;
      caps.onCapReached(clientId, { messages: q.entries.length + over.length, bytes: q.bytes + sum(over) });
    }
    if (q.entries.length === 0) queues.delete(clientId);
    await Promise.all([...expired, ...over].map((e) => evict(clientId, e)));
    if (expired.length) caps.onDropped(clientId, 'expired', expired.length);
    if (over.length) caps.onDropped(clientId, 'cap', over.length);
  }

  async function admitAll(clientIds: string[], packet: QueuedPacket) {
    const capped = clientIds.filter(caps.capped);
    if (capped.length === 0) return;
    const expiresAt = caps.expiresAt(packet);
    await Promise.all(capped.map((id) => admit(id, packet, expiresAt)));
  }

  p.outgoingEnqueue = async (sub, packet) => {
    await enqueue(sub, packet);
    await admitAll([sub.clientId], packet);
  };
  p.outgoingEnqueueCombi = async (subs, packet) => {
    await enqueueCombi(subs, packet);
    await admitAll(
      subs.map((s) => s.clientId),
      packet,
    );
  };
  p.outgoingUpdate = async (client, packet) => {
    try {
      await update(client, packet);
    } catch (err) {
      // A message dropped from the queue while its client is online is still delivered live
      // (aedes would otherwise close the connection): the cap bounds memory, not delivery.
      if (caps.capped(client.id) && packet.brokerId !== undefined && !queues.get(client.id)?.find(packet)) return;
      throw err;
    }
    const e = queues.get(client.id)?.find(packet);
    if (e) e.messageId = packet.messageId;
  };
  p.outgoingClearMessageId = async (client, packet) => {
    const out = await clear(client, packet);
    const q = queues.get(client.id);
    const e = q && (out ? q.find(out) : undefined);
    if (q && e) {
      q.remove(e);
      if (q.entries.length === 0) queues.delete(client.id);
    }
    return out;
  };

  return {
    queued(clientId) {
      const q = queues.get(clientId);
      return { messages: q?.entries.length ?? 0, bytes: q?.bytes ?? 0 };
    },
  };
}

const sum = (es: Entry[]) => es.reduce((n, e) => n + e.bytes, 0);
