/**
 * The authority's change feed: every revocation (a renewal, a move or a change of name revokes
 * the old certificate too) gets the next number of one counter kept in the register, so a
 * relying party can ask "what changed after N" and hear of a revocation in seconds instead of
 * at its next periodic check. It carries serials, reasons and links only; CRLs publish as much.
 */
import type { CertKind } from './profile.ts';
import type { AuthorityReason } from './revocation-reason.ts';
import type { AuthorityStore, CertRecord, StoreData } from './authority-store.ts';

export interface AuthorityChange {
  seq: number;
  serial: string;
  kind: CertKind;
  status: 'revoked';
  reason: AuthorityReason;
  revokedAt: string;
  /** The certificate that replaced this one (renewal, move, change of name). */
  renewedTo?: string;
}

export interface AuthorityChanges {
  events: AuthorityChange[];
  /** The latest number given out: ask again with `after` = the last event's seq (or this). */
  last: number;
}

/** Numbers a change to `r` inside a store update. */
export function stampChange(d: StoreData, r: CertRecord): void {
  d.changeSeq = (d.changeSeq ?? 0) + 1;
  r.changeSeq = d.changeSeq;
}

export function createChangeFeed(store: AuthorityStore) {
  const listeners = new Set<() => void>();
  // The register is scanned once per revision, not once per question.
  let index: { revision: number; changes: AuthorityChange[] } | null = null;

  function all(): AuthorityChange[] {
    const d = store.read()!;
    if (index?.revision === d.revision) return index.changes;
    const changes = Object.values(d.certs)
      .filter((r) => r.changeSeq !== undefined && r.status === 'revoked')
      .map((r): AuthorityChange => ({
        seq: r.changeSeq!,
        serial: r.serial,
        kind: r.kind,
        status: 'revoked',
        reason: r.reason!,
        revokedAt: r.revokedAt!,
        ...(r.renewedTo ? { renewedTo: r.renewedTo } : {}),
      }))
      .sort((a, b) => a.seq - b.seq);
    index = { revision: d.revision, changes };
    return changes;
  }

  return {
    changes(after: number, limit = 500): AuthorityChanges {
      const list = all();
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
      return { events: list.slice(lo, lo + limit), last: store.read()!.changeSeq ?? 0 };
    },
    /** Tells waiting long-polls of a change made in this process. */
    notify() {
      for (const l of [...listeners]) l();
    },
    /**
     * Resolves when there is a change after `after`, `ms` passed or `signal` aborted. A change made
     * by another process (the CLI on the same data directory) is seen by re-reading every 250 ms.
     */
    wait(after: number, ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          clearInterval(poll);
          listeners.delete(check);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const check = () => {
          if ((store.read()!.changeSeq ?? 0) > after) done();
        };
        const timeout = setTimeout(done, ms);
        const poll = setInterval(check, 250);
        listeners.add(check);
        signal?.addEventListener('abort', done);
        if (signal?.aborted) done();
        else check();
      });
    },
  };
}
