/** Password verifications in turn (verify-slots.ts): as many at once as allowed, stale turns skipped, urgent ones first. */
import { describe, expect, it } from 'vitest';
import { verifySlots } from '../src/verify-slots.ts';

/** A verification that ends when the test says so, recording that it ran. */
function gate(ran: string[], name: string) {
  let end!: () => void;
  const done = new Promise<void>((r) => (end = r));
  return { verify: async () => (ran.push(name), await done, name), end };
}

describe('verifySlots', () => {
  it('runs at most `size` verifications at once, the others in the order asked', async () => {
    const ran: string[] = [];
    const slots = verifySlots(2);
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(ran, n));
    const results = gates.map((g) => slots.run(() => true, g.verify, 'skipped'));
    await Promise.resolve();
    expect(ran).toEqual(['a', 'b']);
    gates[0]!.end();
    await expect.poll(() => ran).toEqual(['a', 'b', 'c']);
    for (const g of gates) g.end();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('skips a turn nobody waits for any more', async () => {
    const ran: string[] = [];
    const slots = verifySlots(1);
    const a = gate(ran, 'a');
    const first = slots.run(() => true, a.verify, 'skipped');
    const stale = slots.run(() => false, gate(ran, 'stale').verify, 'skipped');
    a.end();
    expect(await first).toBe('a');
    expect(await stale).toBe('skipped');
    expect(ran).toEqual(['a']);
  });

  it('gives a turn asked `first` before every waiting one', async () => {
    const ran: string[] = [];
    const slots = verifySlots(1);
    const gates = new Map(['tv0', 'tv1', 'tv2', 'muni'].map((n) => [n, gate(ran, n)]));
    const results = [...gates].map(([n, g]) => slots.run(() => true, g.verify, 'skipped', n === 'muni'));
    await Promise.resolve();
    expect(ran).toEqual(['tv0']); // the one running keeps its slot
    for (const g of gates.values()) g.end();
    await Promise.all(results);
    expect(ran).toEqual(['tv0', 'muni', 'tv1', 'tv2']);
  });
});
