/**
 * Password verifications take turns here, as many at once as libuv's pool has threads (a hash
 * with Mosquitto's few iterations runs on the event loop itself: password-hash.ts), rather than
 * all queueing inside the pool: a turn that comes for a login nobody waits for any more
 * (its device timed out and closed the socket, and will retry) is skipped instead of costing
 * a hash check (≈ 0.1 ms of PBKDF2 now, ≈ 2–3 ms of scrypt before). Without this, a restart's storm collapses: every device's retry queues
 * another verification behind the stale ones, and every CONNECT times out before its turn
 * (issue 21, seen in the reconnect-storm benchmark). Hand-written: a FIFO of waiters, nothing to
 * configure that p-limit would add.
 *
 * A turn asked with `first` goes before every waiting one: the municipality's and the shelters'
 * own logins, whose alert or check-ins the city waits for, are not queued behind its TVs.
 */
export interface VerifySlots {
  /**
   * Runs `verify` in turn (before every waiting turn if `first`); resolves `skipped` without running
   * it if `stillWanted()` is false by then.
   */
  run<T>(stillWanted: () => boolean, verify: () => Promise<T>, skipped: T, first?: boolean): Promise<T>;
}

export function verifySlots(size: number): VerifySlots {
  let free = Math.max(1, size);
  const waiting: Array<() => void> = [];
  const waitingFirst: Array<() => void> = [];
  const release = () => {
    const next = waitingFirst.shift() ?? waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    async run(stillWanted, verify, skipped, first = false) {
      if (free > 0) free -= 1;
      else await new Promise<void>((r) => (first ? waitingFirst : waiting).push(r));
      try {
        return stillWanted() ? await verify() : skipped;
      } finally {
        release();
      }
    },
  };
}
