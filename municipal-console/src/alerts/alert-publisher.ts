/**
 * Publishing alert messages to the broker (MQTT, QoS 1): personal messages to one TV, area messages
 * retained; over the console's connection and its publishing connections, if it has any
 * (`KZ_CONSOLE_MQTT_PUBLISHERS`, live/mqtt-publishers.ts).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '@kizuna/core';
import { parseTopic } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';

/** A message to publish; a fan-out passes its payloads as the UTF-8 bytes it journaled, encoded once. */
export interface OutMessage {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

const PERSONAL = { qos: 1, retain: false } as const;
const RETAINED = { qos: 1, retain: true } as const;

/**
 * How long a batch of publishes may go without any PUBACK before those not acknowledged count as
 * failed (the re-sender retries them). The wait starts again at every PUBACK: a broker that
 * acknowledges a large batch steadily but slowly (a re-send of 20,000 to a loaded cluster) is not
 * taken for one that stopped acknowledging. A single publish waits at most this long. mqtt.js
 * keeps a QoS 1 publish across a lost connection and sends it again after reconnecting, but its callback was seen never to come when the connection was closed under it
 * (RabbitMQ closes a connection whose authorisation timed out): without a bound, the fan-out
 * waiting for it would hold its alert in 'fanning-out' for ever (docs/OPERATIONS.md, the fault suite).
 */
export const PUBLISH_ACK_TIMEOUT_MS = 30_000;

/**
 * Most publishes of one batch (one publishAll: a re-send pass of up to 20,000, a fan-out chunk) a
 * connection has unacknowledged at once: the next goes out as one is acknowledged, as fast as the
 * broker takes them and no faster. In the fault suite at 10,000 TVs (2026-12-08) the re-sender put
 * 7,400–9,900 messages on the connections at once, pass after pass, and a fan-out taken over after
 * a PostgreSQL restart some 9,000 (02:33): the node acknowledged none of them within 30 s, both
 * consoles replaced all their connections, and the node then took about 1.5 minutes to answer
 * their CONNECTs. The window bounds each batch, not a fan-out's chunks in flight together (each
 * chunk is its own batch), which is what the takeover sent.
 */
export const PUBLISH_WINDOW = 500;

/**
 * How long a send waits for a broker connection that is being made again before it is refused.
 * The link replaces a connection that stopped acknowledging (above) or was closed by a node going
 * away, and is back within a few seconds: an evacuation order given in those seconds should go
 * out, not come back as "broker unavailable" (the fault suite's node-kill case was refused so).
 */
export const BROKER_WAIT_MS = 10_000;

/**
 * Which of `n` connections carries a message: every message of one TV (its alert, its box's wake,
 * their re-sends and cancels), or of one zone, on the same one, so they arrive in the order sent;
 * TVs spread evenly (FNV-1a of the TV's or zone's id).
 */
export function laneOf(topic: string, n: number): number {
  if (n <= 1) return 0;
  const t = parseTopic(topic);
  const key = t === null ? topic : 'device' in t ? t.device : 'zone' in t ? t.zone : topic;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

export class AlertPublisher {
  /** The console's connection first, then its publishing connections. */
  private readonly lanes: MqttClient[];

  /**
   * `publishers`: connections of the console's own that only publish (a clean session each). A
   * broker that checks each publish's topic with an outside service before taking the next one from
   * that connection (RabbitMQ's HTTP auth backend: one request per TV's topic) takes a fan-out at
   * one topic check per round trip; over several connections the checks run side by side.
   */
  constructor(
    private readonly mqtt: MqttClient,
    private readonly log: Logger,
    private readonly ackTimeoutMs = PUBLISH_ACK_TIMEOUT_MS,
    private readonly brokerWaitMs = BROKER_WAIT_MS,
    publishers: readonly MqttClient[] = [],
    private readonly window = PUBLISH_WINDOW,
  ) {
    this.lanes = [mqtt, ...publishers];
  }

  get connected(): boolean {
    return this.mqtt.connected;
  }

  /**
   * Before a publication starts: the broker connected, or connected again within the wait;
   * otherwise refused (nothing would be sent), with how long it waited.
   */
  async requireBroker(): Promise<void> {
    if (this.mqtt.connected) return;
    const back = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.mqtt.off('connect', onConnect);
        resolve(ok);
      };
      const onConnect = () => done(true);
      const timer = setTimeout(() => done(false), this.brokerWaitMs);
      this.mqtt.on('connect', onConnect);
    });
    if (!back)
      throw consoleErrors.KZ_CONSOLE_BROKER_UNAVAILABLE(`not connected again within ${this.brokerWaitMs / 1000} s`);
  }

  /**
   * QoS 1 publishes; resolves when the broker has acknowledged every one, or once it has
   * acknowledged none of them for the ack timeout, with those not acknowledged counted as failed.
   * Failures are left to the re-sender. Spread over the lanes by TV (laneOf).
   */
  async publishAll(out: OutMessage[]): Promise<{ failed: number }> {
    if (out.length === 0) return { failed: 0 };
    const n = this.lanes.length;
    const byLane: OutMessage[][] = this.lanes.map(() => []);
    for (const m of out) byLane[laneOf(m.topic, n)]!.push(m);
    const results = await Promise.all(byLane.map((msgs, i) => this.publishOn(this.lanes[i]!, msgs)));
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const timedOut = results.reduce((a, r) => a + r.timedOut, 0);
    if (failed)
      this.log.warn(
        { failed, timedOut, total: out.length },
        'some alert messages were not acknowledged by the broker; the re-sender will retry',
      );
    return { failed };
  }

  /** publishAll's wait on one connection. */
  private async publishOn(client: MqttClient, out: OutMessage[]): Promise<{ failed: number; timedOut: number }> {
    if (out.length === 0) return { failed: 0, timedOut: 0 };
    let failed = 0;
    let timedOut = 0;
    // one promise for the lot, not one per message (10,000 of them per fan-out otherwise)
    await new Promise<void>((resolve) => {
      let left = out.length;
      const giveUp = () => {
        timedOut = left;
        failed += left;
        left = 0;
        resolve();
        // No PUBACK for that long on a connection that is still up: RabbitMQ 3.10 was seen to
        // keep an MQTT connection open after refusing one of its publishes (its authorisation
        // timed out) and to acknowledge nothing on it afterwards, while a new connection was
        // served at once. End it and connect again (the session and its receipts are kept).
        if (client.connected) {
          this.log.warn(
            { unacknowledged: timedOut, clientId: client.options.clientId },
            'no PUBACK on a live broker connection: reconnecting',
          );
          client.end(true, {}, () => client.reconnect());
        }
      };
      // One timer for the batch (a fan-out's PUBACKs come by the thousand): when it fires after a
      // recent PUBACK it waits again for the rest of the timeout from that PUBACK.
      let lastAck = Date.now();
      const check = () => {
        const idle = Date.now() - lastAck;
        if (idle >= this.ackTimeoutMs) return giveUp();
        timer = setTimeout(check, this.ackTimeoutMs - idle);
        timer.unref();
      };
      let timer = setTimeout(check, this.ackTimeoutMs);
      timer.unref();
      // at most `window` publishes unacknowledged on the connection: the next goes out as one is acknowledged
      let next = 0;
      const send = () => {
        const m = out[next++]!;
        client.publish(m.topic, m.payload, m.retain ? RETAINED : PERSONAL, done);
      };
      const done = (err?: Error) => {
        if (left === 0) return; // settled by the timeout: a late callback changes nothing
        if (err) failed += 1;
        lastAck = Date.now();
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        } else if (next < out.length) send();
      };
      while (next < Math.min(out.length, this.window)) send();
    });
    return { failed, timedOut };
  }
}
