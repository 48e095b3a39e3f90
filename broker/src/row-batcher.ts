/**
 * Reads of single rows by key, coalesced: while one read runs, the keys asked for meanwhile wait
 * and share the next read. After a broker restart every device logs in at once; one query per
 * CONNECT (≈ 1 ms of the event loop each on PGlite) would compete with the sockets, one query per
 * batch costs about what one single read does (issue 21, docs/BENCHMARKS.md).
 *
 * Behind a read in flight alone, a storm still made one read per CONNECT: a PGlite read is over
 * before the next CONNECT arrives (measured: 3,000 logins, 3,000 reads, 3.2 s of 11 s). So while
 * reads keep coming (the last one ended less than `busyMs` ago) a new read first waits `gatherMs`
 * for more keys. A lone request after a quiet spell is read at once, not delayed; every answer
 * comes from a query started after it was asked, so a revocation committed before a CONNECT
 * still refuses it. (Not DataLoader: it batches per tick, while this batches behind the read in
 * flight and over a short window under load.)
 *
 * Keys for which `first(key)` holds go into the next read before every other waiting key, and
 * cut a gathering wait short: after a restart the municipality's login is read ahead of its TVs'.
 */
export interface RowBatcherOptions {
  /** Most keys per read. Default 1000. */
  maxBatch?: number;
  /** How long a read waits for more keys while reads keep coming. Default 0 (never waits). */
  gatherMs?: number;
  /** A read that ended this recently means reads keep coming. Default 5 × gatherMs. */
  busyMs?: number;
  /** Keys read before all others waiting (and without waiting to gather). Default: none. */
  first?: (key: string) => boolean;
}

export function rowBatcher<R>(
  read: (keys: string[]) => Promise<Map<string, R>>,
  opts: RowBatcherOptions = {},
): (key: string) => Promise<R | null> {
  const maxBatch = opts.maxBatch ?? 1000;
  const gatherMs = opts.gatherMs ?? 0;
  const busyMs = opts.busyMs ?? gatherMs * 5;
  const first = opts.first ?? (() => false);
  const waiting = new Map<string, Array<{ resolve(r: R | null): void; reject(e: unknown): void }>>();
  const waitingFirst = new Set<string>(); // the keys of `waiting` that go first
  const nextBatch = () => {
    const keys = [...waitingFirst].slice(0, maxBatch);
    for (const k of waiting.keys()) {
      if (keys.length >= maxBatch) break;
      if (!waitingFirst.has(k)) keys.push(k);
    }
    const batch = new Map(keys.map((k) => [k, waiting.get(k)!]));
    for (const k of keys) {
      waiting.delete(k);
      waitingFirst.delete(k);
    }
    return batch;
  };
  let running = false;
  let lastReadEnd = -Infinity;
  // The wait for more keys; cut short when a full batch is waiting.
  let gathered: (() => void) | undefined;
  const gather = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => ((gathered = undefined), resolve()), gatherMs);
      gathered = () => {
        clearTimeout(timer);
        gathered = undefined;
        resolve();
      };
    });
  async function drain() {
    running = true;
    try {
      while (waiting.size) {
        const batch = nextBatch();
        try {
          const rows = await read([...batch.keys()]);
          for (const [k, ws] of batch) for (const w of ws) w.resolve(rows.get(k) ?? null);
        } catch (e) {
          for (const ws of batch.values()) for (const w of ws) w.reject(e);
        }
        lastReadEnd = Date.now();
        if (waiting.size && waiting.size < maxBatch && gatherMs > 0) await gather();
      }
    } finally {
      running = false;
    }
  }
  function start() {
    running = true;
    if (gatherMs > 0 && Date.now() - lastReadEnd < busyMs) void gather().then(drain);
    else void drain();
  }
  return (key) =>
    new Promise((resolve, reject) => {
      const ws = waiting.get(key);
      if (ws) ws.push({ resolve, reject });
      else waiting.set(key, [{ resolve, reject }]);
      const isFirst = first(key);
      if (isFirst) waitingFirst.add(key);
      if (!running) start();
      else if (gathered && (isFirst || waiting.size >= maxBatch)) gathered();
    });
}
