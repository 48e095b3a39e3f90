/**
 * Webhook delivery: each unacknowledged event of an active insurer with a webhook URL is POSTed,
 * signed with the insurer's webhook secret (request-signing.ts `webhookSignature`), until the
 * receiver answers 2xx — retried with exponential backoff (base·2^attempts, capped). The event id
 * is the idempotency key. A suspended insurer's events are held, not dropped, and go out on resume.
 *
 * Each insurer has its own worker (its events in order, one at a time); at most `concurrency`
 * workers run at once, so a receiver that hangs delays only its own events. The timestamp and
 * signature are made the moment each request is sent. Every attempt is recorded (status,
 * latency, error) for the insurer to read, and an insurer may replay an event at once.
 */
import type { Db, Logger } from '@kizuna/core';
import type { Clock, WebhookFetch } from './ports.ts';
import { webhookSignature } from './request-signing.ts';
import { sequenceEvents } from './events.ts';
import { gatewayErrors as E } from './errors.ts';
import { webhookDestinations, type WebhookDestinations } from './webhook-destinations.ts';
import { webhookSender } from './webhook-send.ts';

export interface DispatcherOptions {
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Sends one request; by default node:http(s) under the destination rules of `allowPrivate`. */
  fetch?: WebhookFetch | undefined;
  /** Where the default sender may connect (default: public HTTPS addresses only). */
  destinations?: WebhookDestinations | undefined;
  /** First retry delay (ms); doubles per failed attempt. */
  baseDelayMs?: number | undefined;
  /** Longest delay between attempts (ms). */
  maxDelayMs?: number | undefined;
  /** Per-attempt timeout (ms). */
  timeoutMs?: number | undefined;
  /** Most insurers delivered to at once. */
  concurrency?: number | undefined;
  batch?: number | undefined;
}

export interface WebhookAttempt {
  at: string;
  trigger: 'scheduled' | 'replay';
  /** The receiver's HTTP status; null when no answer came (refused, timeout, connection error). */
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export interface WebhookDispatcher {
  /** Delivers everything due now, every insurer; resolves when those deliveries are done. */
  runOnce(): Promise<{ attempted: number; delivered: number }>;
  /** Sends one event of this insurer now (acknowledged or not), and records the attempt. */
  replay(insurerId: string, eventId: string): Promise<WebhookAttempt>;
  /** Looks for due deliveries at once (when started): a new event need not wait for the tick. */
  kick(): void;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

interface DueRow {
  seq: string;
  id: string;
  insurer_seq: string;
  type: string;
  payload: unknown;
  created_at: Date;
  attempts: number;
  webhook_url: string;
  webhook_secret: string;
}

export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

const DUE = `e.acked_at IS NULL AND e.next_attempt_at <= $1 AND i.status = 'active' AND i.webhook_url IS NOT NULL`;

export function createWebhookDispatcher(opts: DispatcherOptions): WebhookDispatcher {
  const send = opts.fetch ?? webhookSender(opts.destinations ?? webhookDestinations());
  const base = opts.baseDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 3_600_000;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  const batch = opts.batch ?? 100;
  /** Insurers with a worker running (queued or sending): never two workers for one insurer. */
  const workers = new Map<string, Promise<{ attempted: number; delivered: number }>>();
  let slots = concurrency;
  const waiting: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  /** Aborts requests in flight when the dispatcher stops (a hanging receiver must not hold shutdown). */
  let shutdown = new AbortController();

  const acquire = () => (slots > 0 ? ((slots -= 1), Promise.resolve()) : new Promise<void>((ok) => waiting.push(ok)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else slots += 1;
  };

  /** One POST, timed, with a signature made now; records the attempt and returns it. */
  async function attempt(r: DueRow, trigger: WebhookAttempt['trigger']): Promise<WebhookAttempt> {
    const data = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
    const body = JSON.stringify({
      id: r.id,
      seq: Number(r.insurer_seq),
      type: r.type,
      createdAt: new Date(r.created_at).toISOString(),
      data,
    });
    let status: number | null = null;
    let error: string | null = null;
    const sentAt = opts.clock.now();
    const t0 = performance.now();
    try {
      ({ status } = await send(r.webhook_url, {
        method: 'POST',
        body,
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), shutdown.signal]),
        headers: {
          'content-type': 'application/json',
          'idempotency-key': r.id,
          'kz-event-id': r.id,
          'kz-event-type': r.type,
          'kz-signature': webhookSignature(r.webhook_secret, body, sentAt),
        },
      }));
      if (status < 200 || status > 299)
        error = status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    } catch (e) {
      const err = e as Error;
      error = (err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : err.message)
        .replaceAll('\0', '')
        .slice(0, 200);
    }
    const latencyMs = Math.round(performance.now() - t0);
    const now = opts.clock.now();
    await opts.db.tx(async (q) => {
      await q.query(
        'INSERT INTO gw_webhook_attempts (event_seq, attempted_at, trigger, http_status, latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6)',
        [r.seq, sentAt, trigger, status, latencyMs, error],
      );
      if (!error) {
        await q.query(
          'UPDATE gw_events SET acked_at = COALESCE(acked_at, $2), attempts = attempts + 1, last_error = NULL WHERE seq = $1',
          [r.seq, now],
        );
      } else if (trigger === 'scheduled') {
        const attempts = r.attempts + 1;
        await q.query('UPDATE gw_events SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE seq = $1', [
          r.seq,
          attempts,
          new Date(now.getTime() + backoffMs(attempts, base, max)),
          error,
        ]);
      }
    });
    if (error) opts.logger.warn({ event: r.id, trigger, error }, 'webhook delivery failed');
    return { at: sentAt.toISOString(), trigger, status, latencyMs, error };
  }

  /** This insurer's due events, in its order, one at a time. */
  async function work(insurerId: string) {
    await acquire();
    try {
      if (stopping) return { attempted: 0, delivered: 0 };
      await sequenceEvents(opts.db, insurerId);
      const { rows } = await opts.db.query<DueRow>(
        `SELECT e.seq, e.id, e.insurer_seq, e.type, e.payload, e.created_at, e.attempts, i.webhook_url, i.webhook_secret
         FROM gw_events e JOIN gw_insurers i ON i.id = e.insurer_id
         WHERE e.insurer_id = $2 AND e.insurer_seq IS NOT NULL AND ${DUE} ORDER BY e.insurer_seq LIMIT $3`,
        [opts.clock.now(), insurerId, batch],
      );
      let delivered = 0;
      let attempted = 0;
      for (const r of rows) {
        if (stopping) break;
        attempted += 1;
        if (!(await attempt(r, 'scheduled')).error) delivered += 1;
      }
      return { attempted, delivered };
    } finally {
      release();
    }
  }

  /** Starts a worker for each insurer with something due and none running; returns the started ones. */
  async function dispatch() {
    const { rows } = await opts.db.query<{ insurer_id: string }>(
      `SELECT DISTINCT e.insurer_id FROM gw_events e JOIN gw_insurers i ON i.id = e.insurer_id WHERE ${DUE}`,
      [opts.clock.now()],
    );
    const started: Promise<{ attempted: number; delivered: number }>[] = [];
    for (const { insurer_id: id } of rows) {
      if (workers.has(id)) continue;
      const p = work(id).finally(() => workers.delete(id));
      workers.set(id, p);
      started.push(p);
    }
    return started;
  }

  const tick = () => {
    if (stopping) return;
    dispatch()
      .then((started) => started.forEach((p) => p.catch((err) => opts.logger.error({ err }, 'webhook worker failed'))))
      .catch((err) => opts.logger.error({ err }, 'webhook pass failed'));
  };

  return {
    async runOnce() {
      const results = await Promise.all(await dispatch());
      return results.reduce(
        (a, r) => ({ attempted: a.attempted + r.attempted, delivered: a.delivered + r.delivered }),
        {
          attempted: 0,
          delivered: 0,
        },
      );
    },
    async replay(insurerId, eventId) {
      await sequenceEvents(opts.db, insurerId);
      const { rows } = await opts.db.query<DueRow & { webhook_url: string | null }>(
        `SELECT e.seq, e.id, e.insurer_seq, e.type, e.payload, e.created_at, e.attempts, i.webhook_url, i.webhook_secret
         FROM gw_events e JOIN gw_insurers i ON i.id = e.insurer_id WHERE e.insurer_id = $1 AND e.id = $2`,
        [insurerId, eventId],
      );
      const r = rows[0];
      if (!r) throw E.KZ_GW_UNKNOWN_EVENT(eventId);
      if (!r.webhook_url) throw E.KZ_GW_WEBHOOK_UNSET(insurerId);
      return attempt(r, 'replay');
    },
    kick() {
      if (timer) tick();
    },
    start(intervalMs) {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      shutdown.abort();
      await Promise.allSettled([...workers.values()]);
      stopping = false;
      shutdown = new AbortController();
    },
  };
}

/** Every attempt to deliver this insurer's event, oldest first. */
export async function listAttempts(db: Db, insurerId: string, eventId: string): Promise<WebhookAttempt[]> {
  const { rows: ev } = await db.query<{ seq: string }>('SELECT seq FROM gw_events WHERE insurer_id = $1 AND id = $2', [
    insurerId,
    eventId,
  ]);
  if (!ev[0]) throw E.KZ_GW_UNKNOWN_EVENT(eventId);
  const { rows } = await db.query<{
    attempted_at: Date;
    trigger: WebhookAttempt['trigger'];
    http_status: number | null;
    latency_ms: number;
    error: string | null;
  }>(
    'SELECT attempted_at, trigger, http_status, latency_ms, error FROM gw_webhook_attempts WHERE event_seq = $1 ORDER BY id',
    [ev[0].seq],
  );
  return rows.map((r) => ({
    at: new Date(r.attempted_at).toISOString(),
    trigger: r.trigger,
    status: r.http_status,
    latencyMs: r.latency_ms,
    error: r.error,
  }));
}
