/**
 * Live status for the staff screens over Server-Sent Events. Changes mark alerts dirty; at
 * most once per throttle interval (at once after a quiet spell) each dirty alert's figures are computed once and sent to
 * everyone watching, so a burst of 50,000 receipts costs a handful of queries, not 50,000.
 * One computation at a time, and the next one starts no sooner than twice the last one's
 * duration after it began: when the store is slow (a big alert, a busy embedded database), the
 * figures come less often and the writes of receipts and check-ins keep at least half of it.
 * A check-in (`arrived`) marks the active alerts dirty without telling the figures anything
 * but the residents it names: the app's figures (status.ts, LiveFigures) then read only those
 * people again, not the whole alert (issue 7: 1,000 check-ins/s with the dashboard open).
 */
import type { FastifyReply } from 'fastify';
import type { Logger } from '@kizuna/core';

export type Send = (event: string, data: unknown) => void;

export class LiveHub {
  private readonly perAlert = new Map<string, Set<Send>>();
  private readonly global = new Set<Send>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  private lastStart = 0;
  private lastMs = 0;

  constructor(
    private readonly o: {
      throttleMs: number;
      logger: Logger;
      /** Figures for one alert (sent as `status` to its watchers). */
      status(alertId: string): Promise<unknown>;
      /** One line per alert for the global stream (sent as `alert`). */
      summary(alertId: string): Promise<unknown>;
      /** Alerts still moving (their figures may change on any check-in). */
      activeAlerts(): Promise<string[]>;
      /** Told of `touch`: these alerts changed in some other way than an arrival. */
      changed?(alertIds: string[]): void;
      /** Told of `arrived`: shelter events were written for these residents. */
      arrivals?(residentIds: string[]): void;
    },
  ) {}

  /** The active alerts, asked again after any alert changed or after 5 s (one query per check-in batch was too many). */
  private active: { ids: Promise<string[]>; at: number } | null = null;

  get watchers(): number {
    return this.global.size + [...this.perAlert.values()].reduce((n, s) => n + s.size, 0);
  }

  /** These alerts changed (state, revision, recipients, receipts, answers): their figures are read again. */
  touch(alertIds: string[]): void {
    if (alertIds.length === 0) return;
    this.active = null;
    this.o.changed?.(alertIds);
    this.mark(alertIds);
  }

  /** Something that may change any active alert's figures (a binding, a check-in of unknown effect). */
  touchActive(): void {
    void this.activeAlerts()
      .then((ids) => this.touch(ids))
      .catch(() => undefined);
  }

  /** Shelter events were written for these residents: every active alert's "arrived" may change, nothing else. */
  arrived(residentIds: string[]): void {
    if (residentIds.length === 0) return;
    this.o.arrivals?.(residentIds);
    void this.activeAlerts()
      .then((ids) => this.mark(ids))
      .catch(() => undefined);
  }

  private activeAlerts(): Promise<string[]> {
    if (!this.active || Date.now() - this.active.at > 5_000) {
      const ids = this.o.activeAlerts();
      this.active = { ids, at: Date.now() };
      ids.catch(() => {
        if (this.active?.ids === ids) this.active = null;
      });
    }
    return this.active.ids;
  }

  private mark(alertIds: string[]) {
    for (const id of alertIds) this.dirty.add(id);
    this.schedule();
  }

  subscribe(alertId: string | null, send: Send): () => void {
    if (alertId === null) this.global.add(send);
    else {
      const set = this.perAlert.get(alertId) ?? new Set();
      set.add(send);
      this.perAlert.set(alertId, set);
    }
    return () => {
      if (alertId === null) this.global.delete(send);
      else {
        const set = this.perAlert.get(alertId);
        set?.delete(send);
        if (set && set.size === 0) this.perAlert.delete(alertId);
      }
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule() {
    if (this.timer || this.closed || this.running) return; // a running flush schedules the next one when it ends
    // Leading edge: after a quiet spell the first change goes out at once; changes arriving within
    // the window after a computation began wait for the window's end and go out together.
    const gap = Math.max(this.o.throttleMs, 2 * this.lastMs);
    const wait = this.lastStart ? Math.max(0, this.lastStart + gap - Date.now()) : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  /** Send the figures of every dirty alert now (after a flush already running). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const started = Date.now();
    this.running = this.send().finally(() => {
      this.running = null;
      this.lastStart = started;
      this.lastMs = Date.now() - started;
      if (this.dirty.size) this.schedule();
    });
    await this.running;
  }

  private async send(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const watchers = this.perAlert.get(id);
      try {
        if (watchers?.size) {
          const s = await this.o.status(id);
          for (const send of watchers) send('status', s);
        }
        if (this.global.size) {
          const s = await this.o.summary(id);
          for (const send of this.global) send('alert', s);
        }
      } catch (e) {
        this.o.logger.warn({ err: e, alertId: id }, 'live status update failed');
      }
    }
  }
}

/** Turn a reply into an SSE stream; returns the send function and a promise that settles when the client leaves. */
export function openSse(reply: FastifyReply, heartbeatMs = 15_000): { send: Send; closed: Promise<void> } {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  let id = 0;
  const send: Send = (event, data) => {
    if (!res.writableEnded) res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const beat = setInterval(() => {
    if (!res.writableEnded) res.write(': keep-alive\n\n');
  }, heartbeatMs);
  const closed = new Promise<void>((resolve) =>
    res.on('close', () => {
      clearInterval(beat);
      resolve();
    }),
  );
  return { send, closed };
}
