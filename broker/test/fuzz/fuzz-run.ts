/**
 * One bounded fuzz run (a count of sessions and a time limit, whichever comes first) with its
 * summary: sessions, packets and packets/s, crashes, the heap's high-water mark while fuzzing and
 * the heap after a full GC against the baseline taken after a warm-up (`npm run fuzz`, and the
 * small run in `npm test`).
 */
import fc from 'fast-check';
import type { BrokerLimits } from '../../src/index.ts';
import { collectGarbage, startFuzzTarget, type FuzzTarget } from './harness.ts';
import { fuzzSession } from './packets.ts';

export interface FuzzOptions {
  runs: number;
  seconds: number;
  seed?: number | undefined;
  /** Packets after the CONNECT, at most. */
  maxPackets?: number;
  limits?: Partial<BrokerLimits>;
  /** A target to reuse (left open); by default one is started and closed. */
  target?: FuzzTarget;
}

export interface FuzzSummary {
  seed: number;
  sessions: number;
  packets: number;
  bytes: number;
  seconds: number;
  packetsPerSecond: number;
  loggedIn: number;
  stayed: number;
  closedByBroker: number;
  crashes: number;
  /** The first oracle that failed, with the shrunk session; null when none did. */
  failure: string | null;
  heap: { baselineMb: number; highWaterMb: number; afterMb: number };
  rss: { baselineMb: number; highWaterMb: number };
}

/** Heap after a full GC may exceed the warm-up baseline by this much (fast-check's own state, JIT code). */
export const HEAP_SLACK_MB = 16;

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

export async function fuzzBroker(opts: FuzzOptions): Promise<FuzzSummary> {
  const target = opts.target ?? (await startFuzzTarget({ limits: opts.limits }));
  try {
    const arb = fuzzSession(target.cast, opts.maxPackets ?? 8);
    // Warm-up: the code paths (and the verification cache) are loaded before the baseline.
    for (const s of fc.sample(arb, { numRuns: 20, seed: 1 })) {
      try {
        await target.run(s);
      } catch {
        // an oracle failing here fails the run proper too, where fast-check shrinks it
      }
    }
    collectGarbage();
    const baseline = process.memoryUsage();
    let heapHigh = baseline.heapUsed;
    let rssHigh = baseline.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      heapHigh = Math.max(heapHigh, m.heapUsed);
      rssHigh = Math.max(rssHigh, m.rss);
    }, 20);
    const totals = { sessions: 0, packets: 0, bytes: 0, loggedIn: 0, stayed: 0, closedByBroker: 0 };
    const seed = opts.seed ?? Date.now() ^ (Math.random() * 0x100000000);
    const started = performance.now();
    const details = await fc.check(
      fc.asyncProperty(arb, async (session) => {
        const out = await target.run(session);
        totals.sessions++;
        totals.packets += out.written;
        totals.bytes += out.bytes;
        if (out.loggedIn) totals.loggedIn++;
        if (out.stayed) totals.stayed++;
        if (out.closedByBroker) totals.closedByBroker++;
      }),
      { numRuns: opts.runs, seed, interruptAfterTimeLimit: opts.seconds * 1000, markInterruptAsFailure: false },
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    collectGarbage();
    const after = process.memoryUsage();
    const failure = details.failed
      ? `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n  seed ${details.seed}, path ${details.counterexamplePath}`
      : null;
    return {
      seed,
      ...totals,
      seconds: Math.round(seconds * 10) / 10,
      packetsPerSecond: Math.round(totals.packets / seconds),
      crashes: target.crashes.length,
      failure,
      heap: { baselineMb: mb(baseline.heapUsed), highWaterMb: mb(heapHigh), afterMb: mb(after.heapUsed) },
      rss: { baselineMb: mb(baseline.rss), highWaterMb: mb(rssHigh) },
    };
  } finally {
    if (!opts.target) await target.close();
  }
}
