/**
 * What comes back over MQTT: TV receipts (delivered / displayed / acknowledged with an answer)
 * and shelter check-ins. Messages are validated against the contract, queued and written in
 * batches (a city's TVs answer within seconds of each other). Every write is idempotent:
 * a duplicate receipt or a re-sent check-in changes nothing.
 *
 * Written before acknowledged (issue 7): the QoS 1 PUBACK of a message goes to the broker only
 * after the transaction holding it has committed. A console that dies between receiving and
 * writing has acknowledged nothing, so the broker re-delivers it to the console's persistent
 * session (`clean: false`) and the idempotent write stores it once. mqtt.js acknowledges a
 * message as soon as `handleMessage`'s callback runs, and handles the next one only then; so
 * ingest's `handleMessage` lets the client go on at once without the automatic PUBACK and sends
 * the PUBACKs itself, in the order received [MQTT-4.6.0-2], after the commit — on the same
 * connection only (after a reconnect the broker re-sends, and a message id may be reused).
 *
 * That keeps a message safe between the broker and the console. Between the terminal and the
 * broker, an external broker's own persistence keeps it. The embedded broker keeps its sessions
 * in memory, in the console's own process, and aedes sends a QoS 1 PUBACK before it even
 * stores the message: so with the embedded broker the console writes a shelter event from the
 * broker's last step before that PUBACK (`holdShelterAcks`). The terminal's PUBACK then means
 * "in the municipality's store"; a write that fails closes the terminal's connection without
 * a PUBACK (MQTT 3.1.1 has no negative PUBACK), and the terminal re-sends from its outbox.
 */
import type { MqttClient, IPublishPacket } from 'mqtt';
import type { Db, Logger } from '@kizuna/core';
import {
  type MessageError,
  ReceiptSchema,
  ShelterEventSchema,
  decodeMessage,
  parseTopic,
  topics,
  type ShelterEvent,
} from '@kizuna/contract';
import type { Clock } from '../clock.ts';
import { HOLD_PUBACK, sendPuback } from './mqtt-park.ts';
import {
  alertsFanningOut,
  storeReceipts,
  storeShelterEvents,
  type Ack,
  type QueuedEvent,
  type QueuedReceipt,
} from './ingest-writes.ts';

/** The part of aedes (1.x) the hook needs: `authorizePublish` runs last before the PUBACK. */
export interface AckHoldingBroker {
  authorizePublish(
    client: never,
    packet: { topic: string; payload: Buffer | string; qos: number },
    callback: (error?: Error | null) => void,
  ): void;
}

export interface IngestStats {
  receipts: number;
  checkins: number;
  rejected: number;
  writeFailures: number;
}

const noop = () => undefined;

/** How soon a receipt that overtook its alert's fan-out rows is tried again. */
const WAIT_FOR_FANOUT_MS = 100;

export class Ingest {
  readonly stats: IngestStats = { receipts: 0, checkins: 0, rejected: 0, writeFailures: 0 };
  private receipts: QueuedReceipt[] = [];
  private events: QueuedEvent[] = [];
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = 0;
  /** mqtt.js callbacks parked while the queue is full: the client reads no further until a write succeeds. */
  private parked: (() => void)[] = [];
  private stopped = false;
  private originalHandleMessage: MqttClient['handleMessage'] | null = null;
  /**
   * Receipts for an alert whose fan-out journal is not yet materialised (its delivery rows do not
   * exist yet): kept unacknowledged and retried shortly, not dropped.
   */
  private waiting: QueuedReceipt[] = [];
  private waitTimer: NodeJS.Timeout | null = null;
  /** Events the broker's hook wrote: their copy from the subscription is acknowledged without a second write. */
  private readonly prewritten = new Set<string>();

  constructor(
    private readonly o: {
      db: Db;
      mqtt: MqttClient;
      muni: string;
      logger: Logger;
      clock: Clock;
      /**
       * After a commit: the alerts whose receipts or answers changed, and the residents named by
       * shelter events newly stored (their arrival may have changed; an undo names the person of
       * the check-in it undoes).
       */
      onChange: (alertIds: string[], residents: string[]) => void;
      /** Wait before a write starts, ms (default 0: the next turn of the event loop; messages arriving meanwhile join the batch). */
      batchDelayMs?: number;
      /** Most messages in one transaction (default 2,000). */
      maxBatch?: number;
      /** Messages held unwritten before the client stops reading from the broker (default 20,000). */
      maxQueued?: number;
    },
  ) {}

  get queued(): number {
    return this.receipts.length + this.events.length;
  }
  /** Receipts waiting for their alert's fan-out rows (see `waiting`). */
  get waitingForFanout(): number {
    return this.waiting.length;
  }
  /** The same, for one alert. */
  waitingFor(alertId: string): number {
    return this.waiting.filter((x) => x.r.alertId === alertId).length;
  }

  async start(): Promise<void> {
    const client = this.o.mqtt;
    this.originalHandleMessage = client.handleMessage;
    client.handleMessage = (packet, callback) => this.onPublish(packet, callback);
    await client.subscribeAsync([topics.allReceipts(this.o.muni), topics.allShelterEvents(this.o.muni)], { qos: 1 });
  }

  /** Write what is queued and acknowledge it, then stop taking messages. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // still waiting: unacknowledged, so the broker's session hands them to the next start
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waiting = [];
    if (this.originalHandleMessage) this.o.mqtt.handleMessage = this.originalHandleMessage;
    for (const go of this.parked.splice(0)) go();
  }

  private onPublish(packet: IPublishPacket, callback: (err?: Error) => void) {
    const t = parseTopic(packet.topic);
    if (this.stopped || !t || t.muni !== this.o.muni || (t.kind !== 'tv-receipt' && t.kind !== 'shelter-event')) {
      callback();
      return;
    }
    const receivedAt = this.o.clock.now();
    try {
      if (t.kind === 'tv-receipt') {
        this.receipts.push({
          device: t.device,
          r: decodeMessage(ReceiptSchema, packet.payload as Buffer, 'receipt'),
          receivedAt,
          ack: this.ackFor(packet),
        });
      } else if (t.kind === 'shelter-event') {
        const e = decodeMessage(ShelterEventSchema, packet.payload as Buffer, 'shelter-event');
        if (this.prewritten.delete(e.eventId)) {
          callback();
          return;
        } // stored before the terminal's PUBACK
        this.events.push({ shelter: t.shelter, terminal: t.terminal, e, receivedAt, ack: this.ackFor(packet) });
      }
    } catch (e) {
      this.stats.rejected += 1;
      // the topic names the device, never a person; the payload is not logged. Acknowledged:
      // a re-delivery of the same bytes would be refused again.
      this.o.logger.warn(
        { topic: packet.topic, code: (e as MessageError).code, problems: (e as MessageError).problems },
        'invalid message ignored',
      );
      callback();
      return;
    }
    // QoS 0 has no PUBACK; QoS 1's is sent by ackFor after the commit
    const go = () => callback(packet.qos === 1 ? HOLD_PUBACK : undefined);
    if (this.queued >= (this.o.maxQueued ?? 20_000)) this.parked.push(go);
    else go();
    if (this.queued >= (this.o.maxBatch ?? 2_000)) void this.flush();
    else this.schedule(this.o.batchDelayMs ?? 0);
  }

  /**
   * The embedded broker's PUBACK of a shelter event of this municipality waits until the event
   * is in the store (see the header). Other topics, QoS 0 and malformed events pass as before
   * (the subscription refuses a malformed one). Returns the function that removes the hook.
   */
  holdShelterAcks(broker: AckHoldingBroker): () => void {
    const original = broker.authorizePublish;
    const hook: AckHoldingBroker['authorizePublish'] = (client, packet, callback) => {
      original.call(broker, client, packet, (err) => {
        if (err) {
          callback(err);
          return;
        }
        const t = parseTopic(packet.topic);
        if (packet.qos !== 1 || !t || t.kind !== 'shelter-event' || t.muni !== this.o.muni) {
          callback(null);
          return;
        }
        let e: ShelterEvent;
        try {
          e = decodeMessage(
            ShelterEventSchema,
            typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
            'shelter-event',
          );
        } catch {
          callback(null);
          return;
        }
        if (this.stopped) {
          callback(new Error('the console is stopping: not written, not acknowledged'));
          return;
        }
        this.events.push({
          shelter: t.shelter,
          terminal: t.terminal,
          e,
          receivedAt: this.o.clock.now(),
          ack: () => {
            this.remember(e.eventId);
            callback(null);
          },
          fail: (x) => callback(x),
        });
        if (this.queued >= (this.o.maxBatch ?? 2_000)) void this.flush().catch(noop);
        else this.schedule(this.o.batchDelayMs ?? 0);
      });
    };
    broker.authorizePublish = hook;
    return () => {
      if (broker.authorizePublish === hook) broker.authorizePublish = original;
    };
  }

  private remember(eventId: string) {
    this.prewritten.add(eventId);
    // bounded: a copy the subscription never brings (another console's session) is forgotten
    if (this.prewritten.size > 100_000)
      for (const id of this.prewritten) {
        this.prewritten.delete(id);
        if (this.prewritten.size <= 90_000) break;
      }
  }

  private ackFor(packet: IPublishPacket): Ack {
    if (packet.qos !== 1 || packet.messageId === undefined) return noop;
    const client = this.o.mqtt;
    const stream = client.stream;
    const messageId = packet.messageId;
    return () => {
      sendPuback(client, stream, messageId);
    };
  }

  private schedule(ms: number) {
    if (this.timer || this.running) return; // a running write flushes again when it ends
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(noop);
    }, ms);
  }

  /** Write everything queued so far and acknowledge it (tests call it to wait for the writes). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.queued === 0) return;
    const max = this.o.maxBatch ?? 2_000;
    const receipts = this.receipts.splice(0, max);
    const events = this.events.splice(0, Math.max(0, max - receipts.length));
    let failed = false;
    this.running = this.write(receipts, events)
      .then(
        (later) => {
          this.retryMs = 0;
          if (later.size) this.wait(receipts.filter((x) => later.has(x)));
          for (const x of receipts) if (!later.has(x)) x.ack();
          for (const x of events) x.ack();
          for (const go of this.parked.splice(0)) go();
        },
        (e) => {
          failed = true;
          this.stats.writeFailures += 1;
          this.retryMs = Math.min(5_000, Math.max(100, this.retryMs * 2));
          this.o.logger.error(
            { err: e, retryInMs: this.retryMs, queued: this.queued + receipts.length + events.length },
            'writing receipts and check-ins failed; kept unacknowledged and retried',
          );
          // the broker's hook is told (the terminal re-sends); what came by subscription is retried
          for (const x of events) x.fail?.(e as Error);
          this.receipts.unshift(...receipts);
          this.events.unshift(...events.filter((x) => !x.fail));
        },
      )
      .finally(() => {
        this.running = null;
      });
    await this.running;
    if (this.stopped) return;
    if (failed) this.schedule(this.retryMs);
    else if (this.queued > 0) this.schedule(0);
  }

  /** Retry receipts whose alert's fan-out rows are not there yet, in WAIT_FOR_FANOUT_MS. */
  private wait(rs: QueuedReceipt[]) {
    this.waiting.push(...rs);
    this.waitAgain();
  }

  private waitAgain() {
    if (this.waitTimer || this.stopped || this.waiting.length === 0) return;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      void this.release().catch(() => this.waitAgain());
    }, WAIT_FOR_FANOUT_MS);
  }

  /**
   * Put back in the queue the waiting receipts whose alert has no journal left: one small query
   * per retry, whatever the number waiting (a city's TVs confirm within seconds of a fan-out, and
   * sending them all through the write path every 100 ms would cost the fan-out its CPU).
   */
  private async release() {
    if (this.stopped || this.waiting.length === 0) return;
    const still = await alertsFanningOut(this.o.db, this.waiting);
    const ready = this.waiting.filter((x) => !still.has(x.r.alertId));
    this.waiting = this.waiting.filter((x) => still.has(x.r.alertId));
    if (ready.length) {
      this.receipts.unshift(...ready);
      void this.flush().catch(noop);
    }
    this.waitAgain();
  }

  /** Returns the receipts left for later: their alert's fan-out journal is not materialised yet. */
  private async write(receipts: QueuedReceipt[], events: QueuedEvent[]): Promise<Set<QueuedReceipt>> {
    const touched = new Set<string>();
    const residents = new Set<string>();
    const later = new Set<QueuedReceipt>();
    await this.o.db.tx(async (q) => {
      if (receipts.length) {
        // a receipt can overtake its delivery row: the fan-out makes the rows after it has published every chunk
        const p = await alertsFanningOut(q, receipts);
        if (p.size) {
          for (const x of receipts) if (p.has(x.r.alertId)) later.add(x);
          receipts = receipts.filter((x) => !later.has(x));
        }
      }
      if (receipts.length) {
        const r = await storeReceipts(q, receipts);
        if (r.rejected) {
          this.stats.rejected += r.rejected;
          this.o.logger.warn({ count: r.rejected }, 'receipts naming a recipient the TV was not sent were ignored');
        }
        for (const id of r.touched) touched.add(id);
        this.stats.receipts += r.written;
      }
      if (events.length) {
        for (const id of await storeShelterEvents(q, events)) residents.add(id);
        this.stats.checkins += events.length;
      }
    });
    if (touched.size || residents.size) this.o.onChange([...touched], [...residents]);
    return later;
  }
}
