/**
 * Receipts waiting to reach the broker. A receipt is kept (and persisted) until the broker
 * acknowledges it (PUBACK), so an answer given while offline, or just before a restart, is
 * sent when the connection returns. Receipts are idempotent per (alertId, ref, state) on the
 * console side, so sending one twice is harmless; losing one is not.
 */
import type { Answer, Receipt } from '@kizuna/contract';
import type { KeyValueStorage } from './alert-store.ts';

export type Publish = (r: Receipt) => Promise<void>;

export function makeReceipt(
  alertId: string,
  revision: number,
  state: Receipt['state'],
  at: Date,
  ref?: string,
  answer?: Answer,
): Receipt {
  return {
    v: 1,
    kind: 'receipt',
    alertId,
    revision,
    state,
    at: at.toISOString(),
    ...(ref ? { ref } : {}),
    ...(answer ? { answer } : {}),
  };
}

function keyOf(r: Receipt): string {
  return `${r.alertId}|${r.revision}|${r.state}|${r.ref ?? ''}`;
}

export class ReceiptOutbox {
  private pending = new Map<string, Receipt>();
  private publish: Publish | null = null;
  private flushing = false;
  private readonly key: string;

  constructor(
    private readonly storage: KeyValueStorage | null,
    device: string,
    private readonly onSent: (r: Receipt) => void = () => {},
  ) {
    this.key = `kz.tv.${device}.outbox`;
    try {
      const raw = storage?.getItem(this.key);
      for (const r of raw ? (JSON.parse(raw) as Receipt[]) : []) this.pending.set(keyOf(r), r);
    } catch {
      /* corrupt outbox: start empty */
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** Queue a receipt and try to send it now. */
  add(r: Receipt): void {
    this.pending.set(keyOf(r), r);
    this.save();
    void this.flush();
  }

  /** Set (or clear, when offline) the publisher; setting it sends what is waiting. */
  setPublisher(p: Publish | null): void {
    this.publish = p;
    if (p) void this.flush();
  }

  async flush(): Promise<void> {
    if (this.flushing || !this.publish) return;
    this.flushing = true;
    let failed = false;
    try {
      for (const [k, r] of [...this.pending]) {
        const p = this.publish;
        if (!p) break;
        try {
          await p(r);
          this.pending.delete(k);
          this.save();
          this.onSent(r);
        } catch {
          failed = true;
          break; // offline again: the next setPublisher() retries
        }
      }
    } finally {
      this.flushing = false;
    }
    // Something may have been added while we were sending.
    if (!failed && this.hasPublisher() && this.pending.size) queueMicrotask(() => void this.flush());
  }

  private hasPublisher(): boolean {
    return this.publish !== null;
  }

  private save(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify([...this.pending.values()]));
    } catch {
      /* memory only */
    }
  }
}
