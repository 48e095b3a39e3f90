/** Login reads coalesced (row-batcher.ts): at once when quiet, gathered under a storm, never stale. */
import { describe, expect, it } from 'vitest';
import { rowBatcher } from '../src/row-batcher.ts';
import { sleep } from './mqtt-helpers.ts';

function recordingReader(delayMs = 0, fail?: string) {
  const reads: string[][] = [];
  let version = 0;
  const read = async (keys: string[]) => {
    reads.push(keys);
    const seen = version; // the row as it was when the read started
    await sleep(delayMs);
    if (fail && keys.includes(fail)) throw new Error(`read of ${fail} failed`);
    return new Map(keys.map((k) => [k, `${k}@${seen}`]));
  };
  return { reads, read, bump: () => (version += 1) };
}

describe('rowBatcher', () => {
  it('reads a lone key at once, without waiting to gather', async () => {
    const r = recordingReader();
    const get = rowBatcher(r.read, { gatherMs: 50 });
    const p = get('a');
    expect(r.reads).toEqual([['a']]); // started in the same tick
    expect(await p).toBe('a@0');
  });

  it('gathers the logins that come while reads keep coming into one read', async () => {
    const r = recordingReader();
    const get = rowBatcher(r.read, { gatherMs: 30, busyMs: 200 });
    await get('k0');
    // Logins that come just after a read is over: without gathering, the first would be read alone.
    const answers = ['k1', 'k2', 'k3', 'k4', 'k5'].map(get);
    expect(r.reads).toEqual([['k0']]); // waiting to gather
    expect(await Promise.all(answers)).toEqual(['k1@0', 'k2@0', 'k3@0', 'k4@0', 'k5@0']);
    expect(r.reads).toEqual([['k0'], ['k1', 'k2', 'k3', 'k4', 'k5']]);
  });

  it('without a gather window, reads the first key of a burst alone (the old behaviour)', async () => {
    const r = recordingReader();
    const get = rowBatcher(r.read);
    await get('k0');
    await Promise.all(['k1', 'k2', 'k3', 'k4', 'k5'].map(get));
    expect(r.reads).toEqual([['k0'], ['k1'], ['k2', 'k3', 'k4', 'k5']]);
  });

  it('answers a key asked during a read from a later read (a revocation committed before the ask is seen)', async () => {
    const r = recordingReader(20);
    const get = rowBatcher(r.read, { gatherMs: 5 });
    const first = get('a');
    r.bump(); // the row changes after the first read started
    const second = get('a');
    expect(await first).toBe('a@0');
    expect(await second).toBe('a@1');
    expect(r.reads).toEqual([['a'], ['a']]);
  });

  it('rejects the keys of a failed read and goes on with the next batch', async () => {
    const r = recordingReader(10, 'bad');
    const get = rowBatcher(r.read, { gatherMs: 5 });
    const bad = get('bad');
    const next = get('good'); // waits behind the failing read
    await expect(bad).rejects.toThrow('read of bad failed');
    expect(await next).toBe('good@0');
  });

  it('reads a full batch at once, without waiting', async () => {
    const r = recordingReader(10);
    const get = rowBatcher(r.read, { gatherMs: 1000, busyMs: 10_000, maxBatch: 3 });
    await get('warm'); // now "busy"
    const t0 = Date.now();
    await Promise.all(['a', 'b', 'c'].map(get));
    expect(Date.now() - t0).toBeLessThan(900);
    expect(r.reads[1]).toEqual(['a', 'b', 'c']);
  });

  it('reads keys marked first ahead of the keys waiting before them, without waiting to gather', async () => {
    const r = recordingReader(10);
    const get = rowBatcher(r.read, { gatherMs: 1000, busyMs: 10_000, maxBatch: 3, first: (k) => k.startsWith('muni') });
    await get('warm'); // now "busy": a read gathers for up to 1 s
    const t0 = Date.now();
    const tvs = ['tv1', 'tv2', 'tv3', 'tv4'].map(get);
    const muni = get('muni1');
    expect(await muni).toBe('muni1@0');
    expect(Date.now() - t0).toBeLessThan(900); // not behind the gathering wait
    expect(r.reads[1]).toEqual(['muni1', 'tv1', 'tv2']); // first, then the oldest others up to the batch size
    expect(await Promise.all(tvs)).toEqual(['tv1@0', 'tv2@0', 'tv3@0', 'tv4@0']);
  });
});
