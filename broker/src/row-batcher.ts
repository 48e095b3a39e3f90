/**
 * Reads of single rows by key, coalesced: while one read runs, the keys asked for meanwhile wait
 * and share the next read. After a broker restart every device logs in at once; one query per
 * CONNECT (≈ 0.5–0.9 ms of the event loop each on PGlite) would compete with the sockets, one
 * query per batch costs about what one single read does (issue 21, docs/BENCHMARKS.md). A lone
 * request is read at once, not delayed; every answer comes from a query started after it was
 * asked, so a revocation committed before a CONNECT still refuses it.
 * (Not DataLoader: it batches per tick, while this batches behind the read in flight.)
 */
export function rowBatcher<R>(
  read: (keys: string[]) => Promise<Map<string, R>>,
  maxBatch = 1000,
): (key: string) => Promise<R | null> {
  const waiting = new Map<string, Array<{ resolve(r: R | null): void; reject(e: unknown): void }>>();
  let running = false;
  async function drain() {
    running = true;
    try {
      while (waiting.size) {
        const batch = new Map([...waiting].slice(0, maxBatch));
        for (const k of batch.keys()) waiting.delete(k);
        try {
          const rows = await read([...batch.keys()]);
          for (const [k, ws] of batch) for (const w of ws) w.resolve(rows.get(k) ?? null);
        } catch (e) {
          for (const ws of batch.values()) for (const w of ws) w.reject(e);
        }
      }
    } finally {
      running = false;
    }
  }
  return (key) =>
    new Promise((resolve, reject) => {
      const ws = waiting.get(key);
      if (ws) ws.push({ resolve, reject });
      else waiting.set(key, [{ resolve, reject }]);
      if (!running) void drain();
    });
}
