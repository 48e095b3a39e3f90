/**
 * Revocation news pushed by the authority: the gateway follows its change feed (jpki
 * authority-feed.ts; `GET /events?after=N&wait=S` over HTTP, or in-process) and has the status
 * watcher re-check each named serial at once — by a signed OCSP/CRL answer as always: the feed
 * only says where to look. The periodic re-check stays the safety net for anything missed while
 * the feed was down. The feed is read from the start at every start-up (it is small: one entry
 * per revocation) so nothing revoked while the gateway was away waits for the periodic pass.
 */
import type { Logger } from '@kizuna/core';

export interface FeedPage {
  events: { seq: number; serial: string }[];
  last: number;
}

/** Where the news comes from: the next page after `after`, waiting for news up to the source's own limit. */
export interface RevocationFeed {
  next(after: number, signal: AbortSignal): Promise<FeedPage>;
}

/** The authority's feed over HTTP (long poll of `waitS` seconds). */
export function httpRevocationFeed(authorityUrl: string, waitS = 25): RevocationFeed {
  return {
    async next(after, signal) {
      const url = new URL(`/events?after=${after}&wait=${waitS}`, authorityUrl);
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout((waitS + 10) * 1000)]) });
      if (!res.ok) throw new Error(`authority feed answered HTTP ${res.status}`);
      return (await res.json()) as FeedPage;
    },
  };
}

/** The feed of an authority in this process (npm start, tests). */
export function authorityRevocationFeed(
  authority: {
    changes(after: number): FeedPage;
    waitForChanges(after: number, ms: number, signal?: AbortSignal): Promise<void>;
  },
  waitMs = 25_000,
): RevocationFeed {
  return {
    async next(after, signal) {
      const now = authority.changes(after);
      if (now.events.length) return now;
      await authority.waitForChanges(after, waitMs, signal);
      return authority.changes(after);
    },
  };
}

export interface FeedFollower {
  start(): void;
  stop(): Promise<void>;
}

/** Reads the feed in a loop and hands each page's serials to `onSerials`; retries with backoff when the feed fails. */
export function followRevocationFeed(opts: {
  feed: RevocationFeed;
  onSerials(serials: string[]): Promise<unknown>;
  logger: Logger;
  /** First wait after a failure (ms); doubles up to a minute. */
  retryMs?: number;
}): FeedFollower {
  const retryMs = opts.retryMs ?? 1000;
  let stopper: AbortController | null = null;
  let loop: Promise<void> = Promise.resolve();

  async function run(signal: AbortSignal) {
    let after = 0;
    let delay = retryMs;
    let down = false;
    while (!signal.aborted) {
      try {
        const page = await opts.feed.next(after, signal);
        if (down) opts.logger.info('revocation feed is back');
        down = false;
        delay = retryMs;
        if (page.events.length) {
          await opts.onSerials([...new Set(page.events.map((e) => e.serial.toLowerCase()))]);
          after = page.events.at(-1)!.seq;
        } else if (page.last < after) {
          after = page.last; // the authority's register was reset: follow its numbering
        }
      } catch (err) {
        if (signal.aborted) break;
        if (!down)
          opts.logger.warn({ err: (err as Error).message }, 'revocation feed unavailable; periodic check continues');
        down = true;
        await new Promise<void>((ok) => {
          const t = setTimeout(ok, delay);
          signal.addEventListener('abort', () => (clearTimeout(t), ok()), { once: true });
        });
        delay = Math.min(delay * 2, 60_000);
      }
    }
  }

  return {
    start() {
      if (stopper) return;
      stopper = new AbortController();
      loop = run(stopper.signal);
    },
    async stop() {
      stopper?.abort();
      stopper = null;
      await loop;
    },
  };
}
