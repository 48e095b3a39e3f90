/**
 * Picking each resident's shelter: open, safe against this hazard (no flood-zone school in a
 * flood), a welfare shelter (福祉避難所) for those who need help when one has room, nearest
 * first, and never more people sent than places left (capacity − people already there −
 * people already sent there by this alert). Welfare places are kept for those who need them.
 */
import type { Hazard, ShelterRef } from '@kizuna/contract';
import type { Queryable } from '@kizuna/core';
import { distanceM } from './geo.ts';
import type { Shelter } from './register.ts';

interface Slot { shelter: Shelter; remaining: number }

export class ShelterPool {
  private readonly slots: Slot[];
  constructor(shelters: Shelter[], occupancy: Map<string, number>, hazard: Hazard) {
    this.slots = shelters.filter((s) => s.open && s.hazards.includes(hazard))
      .map((s) => ({ shelter: s, remaining: s.capacity - (occupancy.get(s.id) ?? 0) }));
  }

  get size(): number { return this.slots.length; }
  remaining(id: string): number | undefined { return this.slots.find((s) => s.shelter.id === id)?.remaining; }

  /** Keep an earlier choice (an Update must not move people around) if it is still open and suited. */
  keep(id: string): Shelter | undefined {
    const slot = this.slots.find((s) => s.shelter.id === id);
    if (!slot) return undefined;
    slot.remaining -= 1;
    return slot.shelter;
  }

  /** A shelter already chosen for this resident (a second TV of theirs): no second place taken. */
  peek(id: string): Shelter | undefined { return this.slots.find((s) => s.shelter.id === id)?.shelter; }

  /** The nearest ordinary shelter with room, for an area message (takes no place). */
  peekNearest(home: { lat: number; lon: number } | null): Shelter | undefined {
    return (this.nearest(home, (s) => !s.shelter.welfare && s.remaining > 0) ?? this.nearest(home, (s) => !s.shelter.welfare))?.shelter;
  }

  choose(home: { lat: number; lon: number } | null, needsHelp: boolean): Shelter | undefined {
    const by = (pred: (s: Slot) => boolean) => this.nearest(home, pred);
    const pick = needsHelp
      ? by((s) => s.shelter.welfare && s.remaining > 0) ?? by((s) => !s.shelter.welfare && s.remaining > 0) ?? by(() => true)
      : by((s) => !s.shelter.welfare && s.remaining > 0) ?? by((s) => !s.shelter.welfare) ?? by(() => true);
    if (!pick) return undefined;
    pick.remaining -= 1;
    return pick.shelter;
  }

  private nearest(home: { lat: number; lon: number } | null, pred: (s: Slot) => boolean): Slot | undefined {
    let best: Slot | undefined; let bestD = Infinity;
    for (const s of this.slots) {
      if (!pred(s)) continue;
      // without a home position, the fullest-remaining shelter is the best guess
      const d = home ? distanceM(home.lat, home.lon, s.shelter.lat, s.shelter.lon) : -s.remaining;
      if (d < bestD) { best = s; bestD = d; }
    }
    return best;
  }
}

export function shelterRef(s: Shelter, home: { lat: number; lon: number } | null): ShelterRef {
  return {
    id: s.id, name: s.name, address: s.address, lat: s.lat, lon: s.lon, welfare: s.welfare,
    ...(home ? { distanceM: Math.round(distanceM(home.lat, home.lon, s.lat, s.lon)) } : {}),
  };
}

/** People in each shelter now: check-ins minus check-outs and transfers, undone events excluded. */
export async function shelterOccupancy(q: Queryable): Promise<Map<string, number>> {
  const { rows } = await q.query<{ shelter_id: string; n: number }>(`
    SELECT shelter_id, SUM(CASE type WHEN 'check-in' THEN 1 WHEN 'check-out' THEN -1 WHEN 'transfer-out' THEN -1 ELSE 0 END)::int AS n
    FROM checkins c
    WHERE type <> 'undo' AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = c.event_id)
    GROUP BY shelter_id`);
  return new Map(rows.map((r) => [r.shelter_id, Math.max(0, Number(r.n))]));
}
