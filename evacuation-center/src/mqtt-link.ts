/**
 * The terminal's one MQTT connection (mqtt.js, MQTT 3.1.1, clean: false, its own credentials):
 *  - drains the outbox in seq order at QoS 1, marking a row sent only on its PUBACK; a
 *    window of in-flight messages keeps a long backlog fast. Resends after a reconnect come
 *    from mqtt.js's session store, after a restart from the outbox: the console stores each
 *    eventId once, so a duplicate on the wire never counts twice.
 *  - reads its own shelter's event topics, so every terminal at the shelter counts the same
 *    people (the broker may refuse: then the count is local plus what the roster brings).
 *  - reconnects with exponential backoff and full jitter (contract's scheduleReconnects): after a
 *    broker restart the city's terminals and TVs do not all come back in the same instant.
 */
import mqtt, { type MqttClient, type IPublishPacket } from 'mqtt';
import {
  decodeMessage,
  parseTopic,
  RECONNECT_DEFAULTS,
  scheduleReconnects,
  topics,
  ShelterEventSchema,
  type ReconnectPolicy,
  type ReconnectSchedule,
  type ShelterEvent,
} from '@kizuna/contract';
import type { Logger } from '@kizuna/core';
import type { TerminalStore } from './store.ts';

export interface MqttLinkOptions {
  url: string;
  username: string;
  password: string;
  store: TerminalStore;
  logger: Logger;
  /** Messages awaiting PUBACK at once. */
  window?: number;
  /** Called on every (re)connect: the network is back. */
  onConnect?: () => void;
  onPeerEvent?: (terminal: string, ev: ShelterEvent) => void;
  /** Reconnect backoff; omitted fields keep RECONNECT_DEFAULTS (1 s doubling up to 30 s). */
  reconnect?: Partial<ReconnectPolicy> | undefined;
}

export type PeerReading = 'subscribed' | 'denied' | 'pending';

export class MqttLink {
  readonly client: MqttClient;
  peers: PeerReading = 'pending';
  lastSentAt: string | null = null;
  lastError: string | null = null;
  private cursor = 0;
  private inflight = 0;
  private pumping = false;
  private again = false;
  private acked: number[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  private readonly window: number;
  private readonly drainWaiters: (() => void)[] = [];
  private readonly reconnects: ReconnectSchedule;

  constructor(private readonly opts: MqttLinkOptions) {
    this.window = opts.window ?? 256;
    const { store } = opts;
    this.client = mqtt.connect(opts.url, {
      clientId: opts.username,
      username: opts.username,
      password: opts.password,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0, // scheduleReconnects below, not mqtt.js's fixed period
      connectTimeout: 5000,
      keepalive: 30,
    });
    this.reconnects = scheduleReconnects(this.client, { ...RECONNECT_DEFAULTS, ...opts.reconnect });
    // PUBACK a peer's event only after it is stored: handleMessage acks when its callback runs.
    this.client.handleMessage = (packet: IPublishPacket, done) => {
      this.onMessage(packet).then(
        () => done(),
        (err: Error) => {
          opts.logger.error({ code: 'KZ_SHELTER_PEER_STORE_FAILED', err: err.message }, 'could not store a peer event');
          done(err);
        },
      );
    };
    this.client.on('connect', (connack) => {
      this.lastError = null;
      opts.logger.info({ terminal: store.ids.terminal }, 'broker connected');
      // A broker that lost the session (restarted with in-memory sessions) has lost the subscription too.
      if (this.peers === 'subscribed' && !connack.sessionPresent) this.peers = 'pending';
      if (this.peers === 'pending') void this.subscribePeers();
      opts.onConnect?.();
      void this.pump();
    });
    this.client.on('error', (err) => {
      this.lastError = err.message;
      opts.logger.warn({ code: 'KZ_SHELTER_BROKER_ERROR', err: err.message }, 'broker error');
    });
    // Once per outage, not per attempt: the first close after a connection (or the first failed start).
    let reachable = true;
    this.client.on('connect', () => (reachable = true));
    this.client.on('close', () => {
      if (!reachable || this.closed) return;
      reachable = false;
      opts.logger.warn({ code: 'KZ_SHELTER_BROKER_OFFLINE' }, 'broker unreachable; recording locally');
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** New rows are in the outbox. */
  kick(): void {
    void this.pump();
  }

  /** Resolves when the outbox is empty (tests and benchmarks). */
  async drained(): Promise<void> {
    for (;;) {
      if ((await this.opts.store.backlog()).count === 0) return;
      await new Promise<void>((resolve) => {
        this.drainWaiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reconnects.stop();
    await this.flushAcks();
    await this.client.endAsync(true).catch(() => undefined);
    await this.flushAcks();
  }

  private async subscribePeers(): Promise<void> {
    const { store, logger } = this.opts;
    try {
      const granted = await this.client.subscribeAsync(topics.shelterEventsAt(store.ids.muni, store.ids.shelter), {
        qos: 1,
      });
      this.peers = granted.every((g) => g.qos !== 128) ? 'subscribed' : 'denied';
    } catch (e) {
      // aedes answers a refused filter with SUBACK 0x80 and mqtt.js rejects the whole call
      const g = (e as { packet?: { granted?: number[] } }).packet?.granted;
      this.peers = g && g.every((q) => q === 128) ? 'denied' : 'pending';
    }
    if (this.peers === 'denied')
      logger.warn(
        { code: 'KZ_SHELTER_PEERS_DENIED' },
        "broker refused this shelter's event topics; counting local events and the console's",
      );
  }

  private async onMessage(packet: IPublishPacket): Promise<void> {
    const { store, logger } = this.opts;
    const t = parseTopic(packet.topic);
    if (!t || t.kind !== 'shelter-event' || t.muni !== store.ids.muni || t.shelter !== store.ids.shelter) return;
    if (t.terminal === store.ids.terminal) return; // our own events are stored before they are sent
    let ev: ShelterEvent;
    try {
      ev = decodeMessage(ShelterEventSchema, packet.payload as Uint8Array, 'shelter-event');
    } catch (e) {
      logger.warn(
        { code: 'KZ_MESSAGE_INVALID', topic: packet.topic, err: (e as Error).message },
        'dropped an invalid peer event',
      );
      return;
    }
    if (await store.ingest(t.terminal, ev)) this.opts.onPeerEvent?.(t.terminal, ev);
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        try {
          while (!this.closed && this.client.connected && this.inflight < this.window) {
            const rows = await this.opts.store.unsent(this.cursor, this.window - this.inflight);
            if (rows.length === 0) break;
            for (const r of rows) this.send(r);
          }
        } catch (e) {
          this.opts.logger.error(
            { code: 'KZ_SHELTER_OUTBOX_READ_FAILED', err: (e as Error).message },
            'outbox read failed',
          );
        }
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }

  private send(r: { seq: number; topic: string; payload: string }): void {
    this.cursor = r.seq;
    this.inflight += 1;
    this.client
      .publishAsync(r.topic, r.payload, { qos: 1 })
      .then(
        () => {
          this.acked.push(r.seq);
          this.lastSentAt = new Date().toISOString();
          void this.flushAcks();
        },
        (err: Error) => {
          // mqtt.js gave up on it (client ended): read it again from the outbox later
          this.cursor = Math.min(this.cursor, r.seq - 1);
          this.lastError = err.message;
        },
      )
      .finally(() => {
        this.inflight -= 1;
        // refill in batches: one outbox read per half window, not one per PUBACK
        if (!this.closed && this.inflight <= this.window / 2) void this.pump();
      });
  }

  /** Mark PUBACKed rows sent, batched: one UPDATE for all acks that arrived meanwhile. */
  private flushAcks(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.acked.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      try {
        while (this.acked.length) {
          const batch = this.acked.splice(0, this.acked.length);
          await this.opts.store.markSent(batch).catch((e: Error) => {
            this.opts.logger.error(
              { code: 'KZ_SHELTER_OUTBOX_MARK_FAILED', err: e.message },
              'could not mark sent; will resend',
            );
          });
        }
      } finally {
        this.flushing = null;
        for (const w of this.drainWaiters.splice(0)) w();
      }
    })();
    return this.flushing;
  }
}
