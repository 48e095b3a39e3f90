import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dbEngines } from '@kizuna/test-utils';
import type { Db } from '@kizuna/core';
import type { ShelterEvent } from '@kizuna/contract';
import { makeRoster, terminalOn } from './helpers.ts';

for (const engine of dbEngines()) {
  describe(`check-in rules on ${engine.name}`, () => {
    let db: (Db & { drop(): Promise<void> }) | null = null;
    afterEach(async () => {
      await db?.drop();
      db = null;
    });

    it('checks in by hand, counts people needing care separately, and queues each event in the outbox', async () => {
      db = await engine.open();
      const { terminal, store } = await terminalOn(db, { capacity: 5 });
      const a = await terminal.checkIn({ manual: { name: '  山田   太郎 ', ageGroup: 'senior', needsCare: true } });
      const b = await terminal.checkIn({ manual: { name: 'Child visitor', ageGroup: 'child' } });
      expect(a.events.map((e) => [e.type, e.seq])).toEqual([['check-in', 1]]);
      expect(b.events[0]!.seq).toBe(2);
      expect(b.occupancy).toMatchObject({ present: 2, needsCare: 1, capacity: 5, level: 'ok' });
      expect(await store.backlog()).toMatchObject({ count: 2 });
      const present = await terminal.present();
      expect(present.map((p) => p.displayName).sort()).toEqual(['Child visitor', '山田 太郎']);
      const rows = await store.unsent(0, 10);
      const ev = JSON.parse(rows[0]!.payload) as ShelterEvent;
      expect(rows[0]!.topic).toBe('kz/999997/shelter/sh-test/terminal/t1/event');
      expect(ev).toMatchObject({
        v: 1,
        kind: 'shelter-event',
        seq: 1,
        type: 'check-in',
        manual: { name: '山田 太郎', ageGroup: 'senior', needsCare: true },
      });
    });

    it('refuses a manual check-in with a blank name and one with neither a tap nor a name', async () => {
      db = await engine.open();
      const { terminal, store } = await terminalOn(db);
      await expect(terminal.checkIn({ manual: { name: '   ' } })).rejects.toMatchObject({
        code: 'KZ_SHELTER_BAD_REQUEST',
        message: /name is empty/,
      });
      await expect(terminal.checkIn({})).rejects.toMatchObject({ code: 'KZ_SHELTER_BAD_REQUEST' });
      expect(await store.lastSeq()).toBe(0);
    });

    it('warns near capacity, refuses past it unless staff confirm, and counts the override', async () => {
      db = await engine.open();
      const { terminal } = await terminalOn(db, { capacity: 3, warnRatio: 0.6 });
      await terminal.checkIn({ manual: { name: 'A' } });
      const second = await terminal.checkIn({ manual: { name: 'B' } });
      expect(second.occupancy).toMatchObject({ present: 2, warnAt: 1, level: 'warn' });
      const third = await terminal.checkIn({ manual: { name: 'C' } });
      expect(third.occupancy.level).toBe('full');
      await expect(terminal.checkIn({ manual: { name: 'D' } })).rejects.toMatchObject({
        code: 'KZ_SHELTER_FULL',
        details: { present: 3, capacity: 3, adding: 1 },
      });
      const forced = await terminal.checkIn({ manual: { name: 'D' }, override: true });
      expect(forced.occupancy.present).toBe(4);
    });

    it('checks out and transfers people, refusing someone who is not here', async () => {
      db = await engine.open();
      const { terminal } = await terminalOn(db);
      await terminal.checkIn({ manual: { name: 'A', needsCare: true } });
      await terminal.checkIn({ manual: { name: 'B' } });
      const [p1, p2] = await terminal.present();
      const out = await terminal.checkOut({ personKeys: [p1!.personKey] });
      expect(out.occupancy.present).toBe(1);
      const moved = await terminal.checkOut({ personKeys: [p2!.personKey], toShelter: 'sh-other' });
      expect(moved.events[0]!.type).toBe('transfer-out');
      expect(moved.occupancy).toMatchObject({ present: 0, needsCare: 0 });
      await expect(terminal.checkOut({ personKeys: [p1!.personKey] })).rejects.toMatchObject({
        code: 'KZ_SHELTER_NOT_PRESENT',
      });
      await expect(terminal.checkOut({ personKeys: ['m:x'], toShelter: 'sh-test' })).rejects.toMatchObject({
        code: 'KZ_SHELTER_BAD_REQUEST',
      });
    });

    it('undoes its own events once, and an undone check-out puts the person back', async () => {
      db = await engine.open();
      const { terminal, store } = await terminalOn(db);
      const ci = await terminal.checkIn({ manual: { name: 'A' } });
      const [p] = await terminal.present();
      const co = await terminal.checkOut({ personKeys: [p!.personKey] });
      expect(co.occupancy.present).toBe(0);
      const u1 = await terminal.undo([co.events[0]!.eventId]);
      expect(u1.occupancy.present).toBe(1);
      const u2 = await terminal.undo([ci.events[0]!.eventId]);
      expect(u2.occupancy.present).toBe(0);
      await expect(terminal.undo([ci.events[0]!.eventId])).rejects.toMatchObject({
        code: 'KZ_SHELTER_UNDO_REFUSED',
        message: /already undone/,
      });
      await expect(terminal.undo([u2.events[0]!.eventId])).rejects.toMatchObject({ code: 'KZ_SHELTER_UNDO_REFUSED' });
      await expect(terminal.undo(['no-such-event'])).rejects.toMatchObject({ code: 'KZ_SHELTER_UNDO_REFUSED' });
      // a peer's event cannot be undone here
      await store.ingest('t2', {
        v: 1,
        kind: 'shelter-event',
        eventId: 'peer-event-1',
        seq: 1,
        type: 'check-in',
        at: new Date().toISOString(),
        manual: { name: 'P' },
      });
      await expect(terminal.undo(['peer-event-1'])).rejects.toMatchObject({
        code: 'KZ_SHELTER_UNDO_REFUSED',
        message: /another terminal/,
      });
      expect(await store.lastSeq()).toBe(4);
    });

    it('stores a peer event once however often it arrives', async () => {
      db = await engine.open();
      const { store, terminal } = await terminalOn(db);
      const ev: ShelterEvent = {
        v: 1,
        kind: 'shelter-event',
        eventId: 'e-peer-0001',
        seq: 7,
        type: 'check-in',
        at: new Date().toISOString(),
        rosterKey: 'p-1',
        needsCare: true,
      };
      expect(await store.ingest('t2', ev)).toBe(true);
      expect(await store.ingest('t2', ev)).toBe(false);
      expect(await terminal.occupancy()).toMatchObject({ present: 1, needsCare: 1 });
      expect(await store.backlog()).toMatchObject({ count: 0 });
    });

    it('never reuses a seq after its own events come back from the console', async () => {
      db = await engine.open();
      const { store, terminal } = await terminalOn(db);
      await store.ingest('t1', {
        v: 1,
        kind: 'shelter-event',
        eventId: 'e-old-0042',
        seq: 42,
        type: 'check-in',
        at: new Date().toISOString(),
        manual: { name: 'X' },
      });
      const r = await terminal.checkIn({ manual: { name: 'Y' } });
      expect(r.events[0]!.seq).toBe(43);
    });

    it('gives the same occupancy whatever order the events of several terminals arrive in (property)', async () => {
      db = await engine.open();
      const roster = await makeRoster([{ key: 'p1', name: 'A', household: 'h1' }]);
      const base = Date.parse('2026-11-23T10:00:00Z');
      // A history over 3 people and 3 terminals: check-ins, check-outs and undos of a terminal's own events.
      const events: { terminal: string; ev: ShelterEvent }[] = [];
      const seqs: Record<string, number> = { ta: 0, tb: 0, tc: 0 };
      const script: [string, ShelterEvent['type'], string, number?][] = [
        ['ta', 'check-in', 'p1'],
        ['tb', 'check-in', 'p2'],
        ['tc', 'check-in', 'p1'],
        ['ta', 'check-out', 'p1'],
        ['tb', 'undo', 'p2', 1],
        ['tc', 'check-in', 'p3'],
        ['tb', 'check-in', 'p2'],
        ['ta', 'transfer-out', 'p3'],
      ];
      script.forEach(([terminal, type, who, undoSeq], i) => {
        seqs[terminal]! += 1;
        const eventId = `ev-${terminal}-${seqs[terminal]}`;
        const ev: ShelterEvent =
          type === 'undo'
            ? {
                v: 1,
                kind: 'shelter-event',
                eventId,
                seq: seqs[terminal]!,
                type,
                at: new Date(base + i * 1000).toISOString(),
                undoes: `ev-${terminal}-${undoSeq}`,
              }
            : {
                v: 1,
                kind: 'shelter-event',
                eventId,
                seq: seqs[terminal]!,
                type,
                at: new Date(base + i * 1000).toISOString(),
                rosterKey: who,
                ...(type === 'transfer-out' ? { toShelter: 'sh-2' } : {}),
              };
        events.push({ terminal, ev });
      });
      // Replayed in full: p1 out, p2 in (re-checked in after the undo), p3 transferred.
      const runs: number[] = [];
      await terminalOn(db);
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length }), async (order) => {
          await db!.exec('TRUNCATE shelter_events, presence');
          const { store, terminal } = await terminalOn(db!, { rosterData: roster, ids: { terminal: 'tz' } });
          for (const { terminal: t, ev } of order) await store.ingest(t, ev);
          const occ = await terminal.occupancy();
          runs.push(occ.present);
          expect((await terminal.present()).map((p) => p.personKey)).toEqual(['r:p2']);
        }),
        { numRuns: 15 },
      );
      expect(new Set(runs)).toEqual(new Set([1]));
    });
  });
}
