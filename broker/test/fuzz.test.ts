/**
 * Issue 21, fuzzing: the fuzzer at a small size in every test run (a few seconds); `npm run fuzz`
 * runs it at length. Valid and invalid MQTT 3.1.1 packets and sessions against the embedded broker
 * with real credentials and the real policy (test/fuzz/): no crash, no foreign topic, every refusal
 * logged, nothing left behind, the heap back near its baseline.
 */
import { describe, expect, it } from 'vitest';
import { fuzzBroker, HEAP_SLACK_MB } from './fuzz/fuzz-run.ts';

describe('broker fuzzer (small run)', () => {
  it('survives 150 fuzz sessions: no crash, no oracle failure, the heap back near its baseline', async () => {
    const s = await fuzzBroker({ runs: 150, seconds: 20 });
    expect(s.failure).toBeNull();
    expect(s.crashes).toBe(0);
    expect(s.sessions).toBeGreaterThan(0);
    expect(s.loggedIn).toBeGreaterThan(0); // the sessions reach the policy, not only the parser
    expect(s.heap.afterMb).toBeLessThanOrEqual(s.heap.baselineMb + HEAP_SLACK_MB);
  });
});
