/**
 * The TV's broker connection. Loaded with import() after the first frame (mqtt.js and the
 * message validators would otherwise cost ≈ 0.3 s of start-up at 4× throttle:
 * docs/PLATFORM.md, "TV start-up and alert timings").
 * MQTT 3.1.1 (aedes refuses v5), a persistent session (clean: false) so QoS 1 alerts sent
 * while the TV was off are delivered on return, client id = broker username.
 * Every message is validated against the contract; invalid ones are logged and dropped.
 * Reconnects back off exponentially with full jitter (contract's scheduleReconnects), so a
 * city's TVs do not all come back in the same instant after a broker restart.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { AreaAlert, MailWaiting, PersonalAlert, Receipt } from '@kizuna/contract';
// Not the contract's index: that would bring TypeBox and every schema (≈ 40 KB gzip) onto the alert path.
import { topics, parseTopic } from '@kizuna/contract/topics';
import { RECONNECT_DEFAULTS, scheduleReconnects, type ReconnectPolicy } from '@kizuna/contract/reconnect';
import { checkAreaAlert, checkMailWaiting, checkPersonalAlert } from './message-checks.ts';

export type LinkState = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface LinkHandlers {
  onAlert(alert: PersonalAlert, arrivedAt: number): void;
  /** `alert` is null when the retained area message was cleared (empty payload). */
  onArea(zone: string, alert: AreaAlert | null): void;
  onMail(mail: MailWaiting): void;
  onState(state: LinkState, detail?: string): void;
  /** Invalid or unexpected messages; never contains payload text (it may hold names). */
  onInvalid(topic: string, problem: string): void;
}

export interface LinkOptions {
  url: string;
  /** Other nodes of the same cluster, tried in turn when the current one does not answer. */
  fallbackUrls?: readonly string[] | undefined;
  /** A clean session instead of the persistent one (TvConfig.cleanSession). */
  cleanSession?: boolean | undefined;
  muni: string;
  device: string;
  username: string;
  password?: string | undefined;
  /** Reconnect backoff; omitted fields keep RECONNECT_DEFAULTS (1 s doubling up to 30 s). */
  reconnect?: Partial<ReconnectPolicy> | undefined;
  /** [0, 1) source of the jitter; tests pin it. Default Math.random. */
  random?: () => number;
  /**
   * A receipt not acknowledged (PUBACK) this long on a live connection fails, and the connection
   * is replaced (RECEIPT_ACK_TIMEOUT_MS by default; see publishReceipt).
   */
  receiptAckTimeoutMs?: number | undefined;
  /**
   * Subscriptions not answered (SUBACK) this long on a live connection: it is replaced
   * (SUBSCRIBE_TIMEOUT_MS by default; doubling with each one unanswered in a row, subscribeWait).
   */
  subscribeTimeoutMs?: number | undefined;
  /** How long to wait for a CONNACK (CONNECT_TIMEOUT_MS by default). */
  connectTimeoutMs?: number | undefined;
}

/**
 * Longer than any PUBACK took in the fault suite while the console was storing (seconds at most),
 * short enough that a TV on a connection that carries nothing more is back within a re-send or two.
 */
export const RECEIPT_ACK_TIMEOUT_MS = 20_000;

/**
 * A TV whose SUBSCRIBE is never answered stays connected and receives nothing: replaced after this
 * long (the attempt counts as not reached, so the next one goes to the next node).
 */
export const SUBSCRIBE_TIMEOUT_MS = 15_000;

/**
 * The wait for a SUBACK doubles with each connection in a row whose SUBSCRIBE went unanswered, up
 * to 8 times the first (2 minutes by default). A cluster busy with a lost node's sessions answers
 * SUBSCRIBEs late, not never: a TV that gives up adds a connection, a queue and its deletion to
 * that work (fault suite, 3,000 TVs: TVs cycling every 15 s, each leaving a queue behind until its
 * connection was closed, and the cluster not catching up for minutes).
 */
export const subscribeWait = (firstMs: number, unansweredInARow: number): number =>
  firstMs * 2 ** Math.min(unansweredInARow, 3);

/** What a link is doing, for diagnostics (the fault suite names why a TV is missing). */
export interface LinkInspection {
  /** The last state given to onState, and its detail (an error's message) if any. */
  state: LinkState;
  detail: string | undefined;
  /** Index of the URL the current or next attempt uses (0 = opts.url), and connection attempts made. */
  urlIndex: number;
  attempts: number;
  /** The scheduler's failed attempts since the last CONNACK, and whether a reconnect is pending. */
  backoffAttempt: number;
  reconnectPending: boolean;
  /** mqtt.js client flags. */
  connected: boolean;
  reconnecting: boolean;
  disconnecting: boolean;
  disconnected: boolean;
  /** The current stream is destroyed (closed or closing). */
  streamDestroyed: boolean;
  /** The last client events, oldest first, each as "<ms since the link started> <event>". */
  events: string[];
}

export interface Link {
  publishReceipt(r: Receipt): Promise<void>;
  readonly connected: boolean;
  /** A snapshot for diagnostics; changes nothing. */
  inspect(): LinkInspection;
  /** The network is back or the box resumed: retry now-ish instead of after the grown backoff. */
  retrySoon(): void;
  close(): Promise<void>;
}

/**
 * How long a TV waits for its CONNACK. A broker holds a CONNECT it has received until it can answer
 * (after a restart it answers a city's TVs in turn, the municipality first): giving up sooner only
 * sends the TV to the back of the queue after a backoff wait, and costs the broker one more login
 * (issue 21: at 8 s the tail of a 10,000-TV restart timed out and came back 2–30 s later).
 */
const CONNECT_TIMEOUT_MS = 20_000;

/** A connection's name: the attempt's number and a few random letters (the broker allows 1–32 of [A-Za-z0-9_-]). */
const connectionName = (attempt: number) => `${attempt.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export function connectLink(opts: LinkOptions, handlers: LinkHandlers): Link {
  // Kept for inspect(): the last state, and the last few client events (a short ring).
  const startedAt = performance.now();
  const events: string[] = [];
  const note = (event: string) => {
    events.push(`${Math.round(performance.now() - startedAt)} ${event}`);
    if (events.length > 16) events.shift();
  };
  let lastState: LinkState = 'connecting';
  let lastDetail: string | undefined;
  const h: LinkHandlers = {
    ...handlers,
    onState(state, detail) {
      lastState = state;
      lastDetail = detail;
      handlers.onState(state, detail);
    },
  };
  // Failover over a cluster's nodes: a TV stays on the node where it last got online; an attempt
  // that did not get its subscriptions answered (no CONNACK, or a node that closes the SUBSCRIBE
  // because the session's queue is on a lost node) moves the next attempt to the next node.
  // mqtt.js's own `servers` would move on every reconnect. Decided when the next attempt builds its
  // URL, so a failed attempt's two 'close' events count once.
  const servers = [opts.url, ...(opts.fallbackUrls ?? [])];
  let current = 0;
  let attempts = 0;
  let reached = false;
  const nextUrl = (_url: string, _opts: unknown, c?: { options: { clientId?: string } }) => {
    if (attempts++ > 0 && !reached) current = (current + 1) % servers.length;
    reached = false;
    // With a clean session each connection has a name of its own (`<username>~<connection>`): on a
    // RabbitMQ cluster the session's queue is named after the client id, and a TV that came back to
    // another node under its old name waited for the lost node's queue of that name to be deleted,
    // or was left subscribed and receiving nothing (broker/src/identity.ts, clientIdAllowed).
    if (opts.cleanSession && c) c.options.clientId = `${opts.username}~${connectionName(attempts)}`;
    note(`attempt ${attempts} to url ${current}${opts.cleanSession && c ? ` as ${c.options.clientId}` : ''}`);
    return servers[current]!;
  };
  const client: MqttClient = mqtt.connect(opts.url, {
    transformWsUrl: nextUrl,
    protocolVersion: 4,
    clean: opts.cleanSession ?? false,
    clientId: opts.username,
    username: opts.username,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    reconnectPeriod: 0, // scheduleReconnects below, not mqtt.js's fixed period
    connectTimeout: opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    keepalive: 30,
  });
  // The backoff restarts once the subscriptions are answered, not at the CONNACK: after a partition
  // (fault suite, 1,000 and 3,000 TVs) nodes accepted CONNECTs and answered no SUBSCRIBE, and a TV
  // back within a second of each SUBSCRIBE timeout kept them overloaded.
  const schedule = scheduleReconnects(
    client,
    { ...RECONNECT_DEFAULTS, ...opts.reconnect },
    { random: opts.random, resetOnConnect: false },
  );
  // With a clean session a QoS 1 subscription keeps nothing for the TV (a broker re-sends an
  // unacknowledged message only in a session the client resumes; the console's re-sender covers a
  // lost one), and on RabbitMQ 3.10 it is a durable queue on the TV's node that refuses the TV's
  // SUBSCRIBE on every other node while that node is away; a QoS 0 one is a transient queue the
  // other nodes drop when it goes (tv-app/test/cluster-node-lost.test.ts).
  const subscribeQos = opts.cleanSession ? 0 : 1;
  let unansweredInARow = 0;
  const own = topics.tvOwn(opts.muni, opts.device);
  const area = topics.areaAll(opts.muni);
  const receiptTopic = topics.tvReceipt(opts.muni, opts.device);
  const ackTimeoutMs = opts.receiptAckTimeoutMs ?? RECEIPT_ACK_TIMEOUT_MS;
  h.onState('connecting');

  // Publishes kept from a lost connection are failed at the next CONNACK, not replayed: mqtt.js
  // replays them one at a time, each waiting for its PUBACK, holds every new publish (and the
  // 'connect' event) behind them, so one never acknowledged would stop the TV for good. Their
  // callers (the receipt outbox) send them again; receipts are idempotent.
  // The store is emptied too: a forced clean-up (a CONNACK timeout) fails the publishes in flight
  // but keeps them in the store, and mqtt.js emits 'connect' (where the TV subscribes) only once
  // every stored one is acknowledged — never, on a node that does not (fault suite, 1,000 TVs: TVs
  // connected and never online again after a node kill, and after the auth service's restart).
  client.on('packetreceive', (packet) => {
    if (packet.cmd !== 'connack') return;
    for (const [id, kept] of Object.entries(client.outgoing)) {
      delete client.outgoing[Number(id)];
      kept.cb?.(new Error('connection replaced before the broker acknowledged it'));
    }
    client.outgoingStore = new mqtt.Store(); // every kept publish gone at once, failed ones included
  });

  client.on('connect', () => {
    // Both filters in one SUBSCRIBE: after a broker restart a city's TVs all subscribe at once, and
    // one packet, one SUBACK and one retained-message lookup per TV instead of two is what the broker
    // has to spare then (issue 21). A refused filter (0x80) fails mqtt.js' whole call, but the SUBACK's
    // codes are per filter, so the TV's own topic never depends on the area one.
    // With a present session the broker already has them; subscribing again is harmless and
    // repairs a session the broker lost.
    // 'online' only once the subscriptions are answered: before that, alerts could be missed.
    const filters = [own, area];
    const stream = client.stream;
    let answered = false;
    const waitMs = subscribeWait(opts.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS, unansweredInARow);
    const unanswered = setTimeout(() => {
      note(`subscribe unanswered after ${waitMs} ms${client.stream === stream ? '' : ' (old stream)'}`);
      if (!answered && client.connected && client.stream === stream) {
        unansweredInARow += 1;
        stream.destroy();
      }
    }, waitMs);
    client.subscribe(filters, { qos: subscribeQos }, (err, _granted, packet) => {
      const codes = (packet as { granted?: number[] } | undefined)?.granted;
      // no SUBACK: the connection went away (the next one subscribes again), or the timer replaces it
      if (!codes) return note(`subscribe failed: ${err?.message ?? 'no SUBACK'}`);
      answered = true;
      unansweredInARow = 0;
      note(`suback ${codes.join(',')}${client.stream === stream ? '' : ' (old stream)'}`);
      clearTimeout(unanswered);
      filters.forEach((filter, i) => {
        const code = codes[i];
        if (code === undefined || code >= 0x80)
          h.onInvalid(filter, `subscription refused${err ? `: ${err.message}` : ''}`);
      });
      if (client.connected && client.stream === stream) {
        reached = true;
        schedule.reset();
        h.onState('online');
      }
    });
  });
  client.on('reconnect', () => h.onState('reconnecting'));
  client.on('offline', () => h.onState('reconnecting'));
  client.on('close', () => {
    if (!client.connected) h.onState('reconnecting');
  });
  client.on('error', (err) => h.onState(client.connected ? 'online' : 'reconnecting', err.message));
  for (const event of ['connect', 'close', 'error', 'reconnect', 'offline', 'end'] as const)
    client.on(event, (e?: unknown) =>
      note(
        event === 'error' ? `error: ${(e as Error).message}` : `${event}${event === 'connect' ? ` ${current}` : ''}`,
      ),
    );

  /**
   * Parse and check a payload with the contract's validators compiled ahead of time
   * (message-checks.ts). The log says which message failed, not which field: naming it would take
   * TypeBox's error reporting (≈ 37 KB gzip) onto every TV; `decodeMessage` on the payload does.
   */
  function decode<T>(
    topic: string,
    payload: Uint8Array,
    kind: string,
    check: (v: unknown) => boolean,
    use: (v: T) => void,
  ) {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return h.onInvalid(topic, `invalid ${kind} message: payload is not JSON`);
    }
    if (check(value)) return use(value as T);
    h.onInvalid(topic, `invalid ${kind} message: it does not match the contract`);
  }

  client.on('message', (topic, payload) => {
    const arrivedAt = performance.now();
    const parsed = parseTopic(topic);
    if (!parsed) return h.onInvalid(topic, 'not a Kizuna topic');
    try {
      switch (parsed.kind) {
        case 'tv-alert':
          if (parsed.device !== opts.device || parsed.muni !== opts.muni) return h.onInvalid(topic, 'not this TV');
          return decode<PersonalAlert>(topic, payload, 'personal-alert', checkPersonalAlert, (a) =>
            h.onAlert(a, arrivedAt),
          );
        case 'area-alert':
          if (parsed.muni !== opts.muni) return h.onInvalid(topic, 'not this municipality');
          if (payload.length === 0) return h.onArea(parsed.zone, null);
          return decode<AreaAlert>(topic, payload, 'area-alert', checkAreaAlert, (a) => h.onArea(parsed.zone, a));
        case 'tv-mail':
          if (parsed.device !== opts.device) return h.onInvalid(topic, 'not this TV');
          return decode<MailWaiting>(topic, payload, 'mail-waiting', checkMailWaiting, h.onMail);
        case 'tv-receipt':
          return; // our own receipts, echoed by the tvOwn filter
        case 'tv-wake':
          return; // for the box's launcher hook: the applet, running, has the alert itself
        default:
          return h.onInvalid(topic, 'unexpected topic');
      }
    } catch (e) {
      h.onInvalid(topic, (e as Error).message);
    }
  });

  return {
    get connected() {
      return client.connected;
    },
    retrySoon: () => schedule.soon(),
    inspect: () => ({
      state: lastState,
      detail: lastDetail,
      urlIndex: current,
      attempts,
      backoffAttempt: schedule.attempt,
      reconnectPending: schedule.pending,
      connected: client.connected,
      reconnecting: client.reconnecting,
      disconnecting: client.disconnecting,
      disconnected: client.disconnected,
      streamDestroyed: client.stream?.destroyed ?? true,
      events: [...events],
    }),
    publishReceipt(r: Receipt): Promise<void> {
      // Only try while connected: mqtt.js would otherwise hold it in memory, lost on restart;
      // the outbox keeps it persisted until PUBACK instead.
      if (!client.connected) return Promise.reject(new Error('offline'));
      return new Promise((resolve, reject) => {
        // RabbitMQ 3.10 can keep a connection open after refusing a publish (its authorisation timed
        // out while the auth service was away) and acknowledge nothing more on it, while alerts still
        // arrive (fault suite, issue 22): the receipt fails, the outbox keeps it, and the connection
        // is replaced, so the next one carries it.
        const stream = client.stream;
        const timer = setTimeout(() => {
          reject(new Error(`receipt not acknowledged within ${ackTimeoutMs} ms`));
          if (client.connected && client.stream === stream) stream.destroy();
        }, ackTimeoutMs);
        client.publish(receiptTopic, JSON.stringify(r), { qos: 1 }, (err) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        schedule.stop();
        client.end(true, {}, () => resolve());
      }),
  };
}
