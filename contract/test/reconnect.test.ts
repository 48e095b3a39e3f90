import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { RECONNECT_DEFAULTS, reconnectDelay, scheduleReconnects } from '../src/index.ts';

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

describe('reconnecting soon when the network is back (issue 25)', () => {
  /** The scheduler's side of a client, by shape: events and the reconnect calls it makes. */
  function client() {
    const handlers: Record<string, (() => void)[]> = {};
    return {
      reconnects: 0,
      disconnecting: false,
      incomingStore: {},
      outgoingStore: {},
      on(event: string, fn: () => void) {
        (handlers[event] ??= []).push(fn);
        return this;
      },
      emit(event: string) {
        for (const fn of handlers[event] ?? []) fn();
      },
      reconnect() {
        this.reconnects += 1;
      },
    };
  }

  it('after many failed attempts, soon() forgets the grown ceiling and retries within the first one', () => {
    vi.useFakeTimers();
    try {
      const c = client();
      const waits: number[] = [];
      const s = scheduleReconnects(
        c,
        { baseMs: 1000, capMs: 30_000 },
        { random: () => 0.99, onScheduled: (d) => waits.push(d) },
      );
      for (let i = 0; i < 6; i++) {
        c.emit('close');
        vi.advanceTimersByTime(waits.at(-1)!);
      }
      c.emit('close'); // the 7th wait: ≈ 30 s
      expect(waits.at(-1)).toBeGreaterThan(29_000);
      const before = c.reconnects;
      s.soon();
      expect(waits.at(-1)).toBeLessThan(1000);
      vi.advanceTimersByTime(1000);
      expect(c.reconnects).toBe(before + 1);
      // Nothing pending (connected): soon() does nothing.
      c.emit('connect');
      s.soon();
      vi.advanceTimersByTime(60_000);
      expect(c.reconnects).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with resetOnConnect false, a CONNACK keeps the grown ceiling and reset() restarts it', () => {
    vi.useFakeTimers();
    try {
      const c = client();
      const attempts: number[] = [];
      const s = scheduleReconnects(
        c,
        { baseMs: 1000, capMs: 30_000 },
        { random: () => 0.5, onScheduled: (_d, a) => attempts.push(a), resetOnConnect: false },
      );
      for (let i = 0; i < 3; i++) {
        c.emit('close');
        expect(s.pending).toBe(true);
        vi.advanceTimersByTime(30_000);
        c.emit('connect'); // accepted, but (say) its SUBSCRIBE is never answered
      }
      c.emit('close');
      expect(attempts).toEqual([0, 1, 2, 3]);
      vi.advanceTimersByTime(30_000);
      c.emit('connect');
      s.reset(); // the connection is good
      c.emit('close');
      expect(attempts.at(-1)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
