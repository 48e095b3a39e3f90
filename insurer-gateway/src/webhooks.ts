/**
 * Webhook delivery: each unacknowledged event of an active insurer with a webhook URL is POSTed,
 * signed with the insurer's webhook secret (request-signing.ts `webhookSignature`), until the
 * receiver answers 2xx — retried with exponential backoff (base·2^attempts, capped). The event id
 * is the idempotency key. A suspended insurer's events are held, not dropped, and go out on resume.
 */
import type { Logger, Queryable } from '@kizuna/core';
import type { Clock, WebhookFetch } from './ports.ts';
import { webhookSignature } from './request-signing.ts';

export interface DispatcherOptions {
  db: Queryable;
  logger: Logger;
  clock: Clock;
  fetch?: WebhookFetch | undefined;
  /** First retry delay (ms); doubles per failed attempt. */
  baseDelayMs?: number;
  /** Longest delay between attempts (ms). */
  maxDelayMs?: number;
  /** Per-attempt timeout (ms). */
  timeoutMs?: number;
  batch?: number;
}

export interface WebhookDispatcher {
  /** One pass over due deliveries; resolves when they are done. */
  runOnce(): Promise<{ attempted: number; delivered: number }>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const defaultFetch: WebhookFetch = async (url, init) => {
  const res = await fetch(url, init);
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
};

export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

export function createWebhookDispatcher(opts: DispatcherOptions): WebhookDispatcher {
  const send = opts.fetch ?? defaultFetch;
  const base = opts.baseDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 3_600_000;
  const timeoutMs = opts.timeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function runOnce() {
    const now = opts.clock.now();
    const { rows } = await opts.db.query<{
      id: string;
      seq: string;
      type: string;
      payload: unknown;
      created_at: Date;
      attempts: number;
      webhook_url: string;
      webhook_secret: string;
    }>(
      `SELECT e.id, e.seq, e.type, e.payload, e.created_at, e.attempts, i.webhook_url, i.webhook_secret
       FROM gw_events e JOIN gw_insurers i ON i.id = e.insurer_id
       WHERE e.acked_at IS NULL AND e.next_attempt_at <= $1 AND i.status = 'active' AND i.webhook_url IS NOT NULL
       ORDER BY e.seq LIMIT $2`,
      [now, opts.batch ?? 100],
    );
    let delivered = 0;
    for (const r of rows) {
      const data = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
      const body = JSON.stringify({
        id: r.id,
        seq: Number(r.seq),
        type: r.type,
        createdAt: new Date(r.created_at).toISOString(),
        data,
      });
      let status = 0;
      let error: string | null = null;
      try {
        ({ status } = await send(r.webhook_url, {
          method: 'POST',
          body,
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'idempotency-key': r.id,
            'kz-event-id': r.id,
            'kz-event-type': r.type,
            'kz-signature': webhookSignature(r.webhook_secret, body, now),
          },
        }));
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      } catch (e) {
        error = (e as Error).message.slice(0, 200);
      }
      if (!error) {
        await opts.db.query(
          'UPDATE gw_events SET acked_at = COALESCE(acked_at, $2), attempts = attempts + 1, last_error = NULL WHERE id = $1',
          [r.id, now],
        );
        delivered += 1;
      } else {
        const attempts = r.attempts + 1;
        await opts.db.query('UPDATE gw_events SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1', [
          r.id,
          attempts,
          new Date(now.getTime() + backoffMs(attempts, base, max)),
          error,
        ]);
        opts.logger.warn({ event: r.id, attempts, error }, 'webhook delivery failed; will retry');
      }
    }
    return { attempted: rows.length, delivered };
  }

  return {
    runOnce: () => {
      const p = running.then(runOnce, runOnce);
      running = p.catch(() => undefined);
      return p;
    },
    start(intervalMs) {
      if (timer) return;
      const tick = () => {
        const p = running.then(runOnce, runOnce).catch((err) => opts.logger.error({ err }, 'webhook pass failed'));
        running = p;
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running.catch(() => undefined);
    },
  };
}
