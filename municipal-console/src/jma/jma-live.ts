/**
 * The open JMA suggestions pushed to every dashboard the moment they change: each change sends
 * the whole open list (a handful of rows), so a client never has to merge or miss an event.
 * Changes that come while a read is running are folded into one more read after it.
 */
import type { Logger } from '@kizuna/core';
import type { Send } from '../live/live-hub.ts';
import type { JmaSuggestion } from './jma-store.ts';

export class JmaLive {
  private readonly watchers = new Set<Send>();
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly read: () => Promise<JmaSuggestion[]>,
    private readonly logger: Logger,
  ) {}

  subscribe(send: Send): () => void {
    this.watchers.add(send);
    return () => this.watchers.delete(send);
  }

  /** The suggestions changed (a document applied, a draft made): tell every watcher now. */
  changed(): void {
    if (this.closed || this.watchers.size === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.read()
      .then((list) => {
        for (const send of this.watchers) send('suggestions', list);
      })
      .catch((e) => this.logger.warn({ err: e }, 'JMA suggestions push failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
  }

  close(): void {
    this.closed = true;
    this.watchers.clear();
  }
}
