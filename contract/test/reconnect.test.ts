import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RECONNECT_DEFAULTS, reconnectDelay } from '../src/index.ts';

const policy = fc.record({ baseMs: fc.integer({ min: 1, max: 60_000 }), capMs: fc.integer({ min: 1, max: 600_000 }) });
// [0, 1) as Math.random gives it, including both ends of the range
const unit = fc.oneof(
  fc.constant(0),
  fc.constant(1 - Number.EPSILON),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
);

describe('reconnect backoff with full jitter', () => {
  it('always waits within [0, min(cap, base · 2^attempt)]', () => {
    fc.assert(
      fc.property(fc.nat(2000), policy, unit, (attempt, p, r) => {
        const d = reconnectDelay(attempt, p, () => r);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(p.capMs, p.baseMs * 2 ** attempt));
      }),
    );
  });

  it('spreads over the whole range: the jitter is full, not a fixed period with a little noise', () => {
    fc.assert(
      fc.property(fc.nat(40), policy, (attempt, p) => {
        const ceiling = Math.min(p.capMs, p.baseMs * 2 ** attempt);
        expect(reconnectDelay(attempt, p, () => 0)).toBe(0);
        expect(reconnectDelay(attempt, p, () => 1 - Number.EPSILON)).toBe(Math.max(0, Math.ceil(ceiling) - 1));
      }),
    );
  });

  it('doubles the ceiling per failed attempt until the cap', () => {
    const top = (n: number) => reconnectDelay(n, RECONNECT_DEFAULTS, () => 1 - Number.EPSILON) + 1;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(top)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});
