/**
 * `npm run fuzz`: the broker fuzzer at length (issue 21). Prints a summary and exits 1 when an
 * oracle failed, something crashed, or the heap did not come back near its baseline.
 *
 *   npm run fuzz -- [--runs 100000] [--seconds 60] [--seed N] [--packets 8]
 */
import { parseArgs } from 'node:util';
import { fuzzBroker, HEAP_SLACK_MB } from './fuzz-run.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    packets: { type: 'string', default: '8' },
  },
});
const whole = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const s = await fuzzBroker({
  runs: whole('runs', values.runs),
  seconds: whole('seconds', values.seconds),
  seed: values.seed === undefined ? undefined : whole('seed', values.seed),
  maxPackets: whole('packets', values.packets),
});
const heapBack = s.heap.afterMb <= s.heap.baselineMb + HEAP_SLACK_MB;
console.log(`broker fuzz (seed ${s.seed})
  sessions            ${s.sessions} (${s.loggedIn} logged in, ${s.stayed} of them still when the canaries were sent; ${s.closedByBroker} closed by the broker)
  packets             ${s.packets} (${s.bytes} bytes) in ${s.seconds} s: ${s.packetsPerSecond} packets/s
  crashes             ${s.crashes} (uncaught exceptions and unhandled rejections)
  oracle failures     ${s.failure ? `1\n${s.failure}` : 0}
  heap                baseline ${s.heap.baselineMb} MB, high-water ${s.heap.highWaterMb} MB, after GC ${s.heap.afterMb} MB (${heapBack ? 'back' : 'NOT back'} within ${HEAP_SLACK_MB} MB)
  rss                 baseline ${s.rss.baselineMb} MB, high-water ${s.rss.highWaterMb} MB`);
process.exit(s.failure || s.crashes || !heapBack ? 1 : 0);
