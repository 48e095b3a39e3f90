/**
 * Issue 21, fuzzing: the fuzzer at a small size in every test run; `npm run fuzz` runs it at
 * length. Valid and invalid MQTT 3.1.1 packets and sessions against the embedded broker with real
 * credentials and the real policy (test/fuzz/): no crash, no foreign topic, every refusal logged,
 * nothing left behind, the heap back near its baseline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'aedes';
import { fuzzBroker, HEAP_SLACK_MB } from './fuzz/fuzz-run.ts';
import { startFuzzTarget, type FuzzTarget } from './fuzz/harness.ts';

let target: FuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(() => target?.close());

describe('broker fuzzer (small run)', () => {
  it('survives 100 fuzz sessions: no crash, no oracle failure, the heap back near its baseline', async () => {
    const s = await fuzzBroker({ runs: 100, seconds: 10, target });
    expect(s.failure).toBeNull();
    expect(s.crashes).toBe(0);
    expect(s.sessions).toBeGreaterThan(0);
    expect(s.stayed).toBeGreaterThan(0); // sessions reach the policy and the canaries, not only the parser
    expect(s.heap.afterMb).toBeLessThanOrEqual(s.heap.baselineMb + HEAP_SLACK_MB);
  });

  // Last: it breaks the broker on purpose.
  it('fails on a broker that forwards what the policy refuses (the oracles can see a leak)', async () => {
    const aedes = target.broker.aedes as unknown as {
      authorizeSubscribe: (c: Client, sub: unknown, cb: (e: null, s: unknown) => void) => void;
      authorizeForward: (c: Client, p: unknown) => unknown;
    };
    aedes.authorizeSubscribe = (_c, sub, cb) => cb(null, sub);
    aedes.authorizeForward = (_c, p) => p;
    const s = await fuzzBroker({ runs: 200, seconds: 20, seed: 21, target });
    expect(s.failure).toMatch(/^policy: /);
  });
});
