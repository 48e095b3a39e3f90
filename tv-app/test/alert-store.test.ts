/**
 * The alert rules without a browser: revisions, cancel tombstones, expiry, persistence and
 * the outbox that keeps receipts until the broker has them.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PersonalAlert, Receipt } from '@kizuna/contract';
import { AlertStore, type KeyValueStorage } from '../src/alerts/alert-store.ts';
import { ReceiptOutbox, makeReceipt } from '../src/alerts/receipt-outbox.ts';

class MemStorage implements KeyValueStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

const T0 = Date.parse('2026-06-01T09:00:00Z');
function alert(over: Partial<PersonalAlert> = {}): PersonalAlert {
  return {
    v: 1,
    kind: 'personal-alert',
    alertId: 'al-1',
    revision: 1,
    msgType: 'Alert',
    status: 'Actual',
    level: 4,
    hazard: 'flood',
    sent: new Date(T0).toISOString(),
    expires: new Date(T0 + 3600_000).toISOString(),
    zone: { id: 'z1', name: '川辺地区' },
    recipients: [
      { ref: 'r1', displayName: 'A さん', language: 'ja', needsHelp: false, headline: 'h', instruction: 'i' },
      { ref: 'r2', displayName: 'B さん', language: 'ja', needsHelp: true, headline: 'h', instruction: 'i' },
    ],
    ...over,
  };
}

describe('AlertStore', () => {
  it('keeps the highest revision: updates replace, older or equal revisions are ignored', () => {
    let now = T0;
    const s = new AlertStore(null, 'tv1', () => now);
    expect(s.accept(alert()).outcome).toBe('new');
    expect(s.accept(alert()).outcome).toBe('duplicate');
    expect(s.accept(alert({ revision: 3, msgType: 'Update', level: 5 })).outcome).toBe('updated');
    expect(s.accept(alert({ revision: 2, msgType: 'Update', level: 3 })).outcome).toBe('stale');
    expect(s.get('al-1')!.alert.level).toBe(5);
    expect(s.get('al-1')!.updated).toBe(true);
    now += 1;
  });

  it('an update asks every recipient again', () => {
    const s = new AlertStore(null, 'tv1', () => T0);
    s.accept(alert());
    s.answer('al-1', 'r1', 'evacuating');
    s.answer('al-1', 'r2', 'need-help');
    expect(s.needingAnswer()).toBeUndefined();
    s.accept(alert({ revision: 2, msgType: 'Update' }));
    expect(s.needingAnswer()?.alert.revision).toBe(2);
  });

  it('a cancel removes the alert and keeps stragglers of lower revisions out', () => {
    const s = new AlertStore(null, 'tv1', () => T0);
    s.accept(alert());
    expect(s.accept(alert({ revision: 2, msgType: 'Cancel' }))).toMatchObject({
      outcome: 'cancelled',
      alertId: 'al-1',
      wasShown: true,
    });
    expect(s.active()).toEqual([]);
    expect(s.accept(alert({ revision: 1 })).outcome).toBe('stale');
    expect(s.accept(alert({ revision: 2, msgType: 'Update' })).outcome).toBe('stale');
    // a Cancel that does not say why leaves no line for Home
    expect(s.ended()).toEqual([]);
  });

  it('a lifting is remembered for Home, with its time, until the alert would have ended (and across a restart)', () => {
    let now = T0;
    const mem = new Map<string, string>();
    const storage = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
    };
    const s = new AlertStore(storage, 'tv1', () => now);
    const expires = new Date(T0 + 3600_000).toISOString();
    s.accept(alert({ expires }));
    const sent = new Date(T0 + 60_000).toISOString();
    expect(s.accept(alert({ revision: 2, msgType: 'Cancel', end: 'lifted', sent, expires }))).toMatchObject({
      outcome: 'cancelled',
      end: 'lifted',
    });
    expect(s.ended()).toEqual([expect.objectContaining({ end: 'lifted', at: sent, level: 4, expires })]);
    expect(new AlertStore(storage, 'tv1', () => now).ended()).toHaveLength(1);
    now = T0 + 3600_000;
    expect(s.ended()).toEqual([]);
  });

  it('never returns an expired alert as current, and refuses one that arrives expired', () => {
    let now = T0;
    const s = new AlertStore(null, 'tv1', () => now);
    s.accept(alert({ expires: new Date(T0 + 1000).toISOString() }));
    expect(s.active()).toHaveLength(1);
    expect(s.msToNextExpiry()).toBe(1000);
    now = T0 + 1000;
    expect(s.active()).toEqual([]); // even before expire() runs
    expect(s.expire()).toEqual(['al-1']);
    expect(s.accept(alert({ alertId: 'al-2', expires: new Date(T0).toISOString() })).outcome).toBe('expired');
  });

  it('rejects answers for unknown alerts or recipients', () => {
    const s = new AlertStore(null, 'tv1', () => T0);
    s.accept(alert());
    expect(s.answer('nope', 'r1', 'evacuating')).toBeUndefined();
    expect(s.answer('al-1', 'r9', 'evacuating')).toBeUndefined();
  });

  it('orders the most severe, then newest, first', () => {
    const s = new AlertStore(null, 'tv1', () => T0);
    s.accept(alert({ alertId: 'a3', level: 3 }));
    s.accept(alert({ alertId: 'a5', level: 5 }));
    s.accept(alert({ alertId: 'a4new', level: 4, sent: new Date(T0 + 10).toISOString() }));
    s.accept(alert({ alertId: 'a4old', level: 4 }));
    expect(s.active().map((e) => e.alert.alertId)).toEqual(['a5', 'a4new', 'a4old', 'a3']);
  });

  it('survives a restart: active alerts, answers and tombstones come back; expired ones do not', () => {
    let now = T0;
    const st = new MemStorage();
    const s1 = new AlertStore(st, 'tv1', () => now);
    s1.accept(alert());
    s1.answer('al-1', 'r1', 'evacuating');
    s1.accept(alert({ alertId: 'gone', revision: 1 }));
    s1.accept(alert({ alertId: 'gone', revision: 2, msgType: 'Cancel' }));
    s1.accept(alert({ alertId: 'short', expires: new Date(T0 + 10).toISOString() }));
    now = T0 + 100;
    const s2 = new AlertStore(st, 'tv1', () => now);
    expect(s2.active().map((e) => e.alert.alertId)).toEqual(['al-1']);
    expect(s2.get('al-1')!.answers).toEqual({ r1: 'evacuating' });
    expect(s2.accept(alert({ alertId: 'gone', revision: 1 })).outcome).toBe('stale');
  });

  it('starts clean from corrupt storage instead of failing', () => {
    const st = new MemStorage();
    st.setItem('kz.tv.tv1.alerts', '{not json');
    const s = new AlertStore(st, 'tv1', () => T0);
    expect(s.active()).toEqual([]);
  });

  it('whatever order revisions arrive in, the highest non-cancelled one is current (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([1, 2, 3, 4, 5, 6], { minLength: 1 }), (revs) => {
        const s = new AlertStore(null, 'tv1', () => T0);
        for (const r of revs) s.accept(alert({ revision: r, msgType: r === 1 ? 'Alert' : 'Update' }));
        expect(s.get('al-1')!.alert.revision).toBe(Math.max(...revs));
      }),
    );
  });
});

describe('ReceiptOutbox', () => {
  const r1 = makeReceipt('al-1', 1, 'delivered', new Date(T0));
  const r2 = makeReceipt('al-1', 1, 'acknowledged', new Date(T0), 'r1', 'need-help');

  it('builds contract receipts', () => {
    expect(r2).toEqual({
      v: 1,
      kind: 'receipt',
      alertId: 'al-1',
      revision: 1,
      state: 'acknowledged',
      at: new Date(T0).toISOString(),
      ref: 'r1',
      answer: 'need-help',
    });
    expect(r1).not.toHaveProperty('ref');
  });

  it('keeps receipts while offline and across a restart, then sends each once online', async () => {
    const st = new MemStorage();
    const o1 = new ReceiptOutbox(st, 'tv1');
    o1.add(r1);
    o1.add(r2);
    expect(o1.size).toBe(2);
    const sent: Receipt[] = [];
    const o2 = new ReceiptOutbox(st, 'tv1', (r) => sent.push(r));
    expect(o2.size).toBe(2);
    let fail = true;
    o2.setPublisher(async () => {
      if (fail) throw new Error('offline');
    });
    await o2.flush();
    expect(o2.size).toBe(2);
    fail = false;
    o2.setPublisher(async () => {});
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((r) => r.state)).toEqual(['delivered', 'acknowledged']);
    expect(o2.size).toBe(0);
    expect(new ReceiptOutbox(st, 'tv1').size).toBe(0);
  });
});
