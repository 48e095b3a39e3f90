/**
 * The live hub's throttle: a change after a quiet spell goes out at once; a burst inside the
 * window is coalesced into one computation per alert at the window's end; a slow store widens
 * the window so the writes keep their share.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '@kizuna/core';
import { LiveHub } from '../src/live/live-hub.ts';

function hub(throttleMs: number, costMs = 0) {
  const computed: { id: string; at: number }[] = [];
  const sent: { event: string; data: unknown; at: number }[] = [];
  const h = new LiveHub({
    throttleMs,
    logger: createLogger({ name: 'test', level: 'silent' }),
    status: async (id) => {
      await new Promise((r) => setTimeout(r, costMs));
      computed.push({ id, at: Date.now() });
      return { id, n: computed.length };
    },
    summary: async (id) => ({ id }),
    activeAlerts: async () => ['a1'],
  });
  h.subscribe('a1', (event, data) => sent.push({ event, data, at: Date.now() }));
  h.subscribe('a2', (event, data) => sent.push({ event, data, at: Date.now() }));
  return { h, computed, sent };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live hub throttle', () => {
  it('sends the first change after a quiet spell at once, not after the window', async () => {
    const { h, sent } = hub(1000);
    const t0 = Date.now();
    h.touch(['a1']);
    await sleep(100);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.at - t0).toBeLessThan(500);
    h.close();
  });

  it('coalesces a burst inside the window into one computation per alert, sent when the window ends', async () => {
    const { h, computed, sent } = hub(1000);
    h.touch(['a1']);
    await sleep(20);
    const t1 = Date.now();
    for (let i = 0; i < 500; i++) h.touch(i % 2 ? ['a1'] : ['a2']);
    await sleep(300);
    expect(computed).toHaveLength(1); // only the leading one so far
    await sleep(1200);
    expect(computed.map((c) => c.id).sort()).toEqual(['a1', 'a1', 'a2']);
    expect(computed[1]!.at - t1).toBeGreaterThanOrEqual(900);
    expect(sent.filter((s) => s.event === 'status')).toHaveLength(3);
    h.close();
  });

  it('waits twice the last computation when the store is slower than the window', async () => {
    const { h, computed } = hub(50, 500);
    h.touch(['a1']);
    await sleep(600);
    expect(computed).toHaveLength(1);
    h.touch(['a1']);
    await sleep(100); // inside 2 × 500 ms of the first computation's start
    expect(computed).toHaveLength(1);
    await sleep(1200);
    expect(computed).toHaveLength(2);
    expect(computed[1]!.at - computed[0]!.at).toBeGreaterThanOrEqual(900);
    h.close();
  });

  it('sends nothing after close', async () => {
    const { h, sent } = hub(50);
    h.close();
    h.touch(['a1']);
    await sleep(100);
    expect(sent).toHaveLength(0);
  });

  it('a check-in tells the figures only whose arrival to read again and marks the active alerts; the active list is asked again after an alert changed', async () => {
    const changed: string[][] = [];
    const arrivals: string[][] = [];
    const sent: unknown[] = [];
    let asked = 0;
    const h = new LiveHub({
      throttleMs: 10,
      logger: createLogger({ name: 'test', level: 'silent' }),
      status: async (id) => ({ id }),
      summary: async (id) => ({ id }),
      activeAlerts: async () => {
        asked += 1;
        return ['a1'];
      },
      changed: (ids) => changed.push(ids),
      arrivals: (ids) => arrivals.push(ids),
    });
    h.subscribe('a1', (_e, data) => sent.push(data));
    h.arrived(['R1', 'R2']);
    await sleep(50);
    expect(arrivals).toEqual([['R1', 'R2']]);
    expect(changed).toEqual([]);
    expect(sent).toEqual([{ id: 'a1' }]);
    h.arrived([]); // a batch of hand check-ins names no one: nothing to read, nothing to send
    await sleep(50);
    expect(sent).toHaveLength(1);
    h.arrived(['R3']);
    await sleep(50);
    expect(sent).toHaveLength(2);
    expect(asked).toBe(1);
    h.touch(['a1']);
    expect(changed).toEqual([['a1']]);
    h.arrived(['R4']);
    await sleep(50);
    expect(asked).toBe(2);
    expect(arrivals).toEqual([['R1', 'R2'], ['R3'], ['R4']]);
    h.close();
  });
});
