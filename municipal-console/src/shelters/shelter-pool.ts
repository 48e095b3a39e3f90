/**
 * Picking each resident's shelter: open, safe against this hazard (no flood-zone school in a
 * flood), a welfare shelter (福祉避難所) for those who need help when one has room, nearest
 * first, and never more people sent than places left (capacity − people already there −
 * people already sent there by this alert). Welfare places are kept for those who need them.
 */
import type { Hazard, ShelterRef } from '@kizuna/contract';
import type { Queryable } from '@kizuna/core';
import { cosLat, distanceM, haversineTerm } from '../geo.ts';
import type { Shelter } from './shelter-register.ts';

interface Slot {
  shelter: Shelter;
  remaining: number;
  cosLat: number;
}
type Rule = (s: Slot) => boolean;

// Module-level rules, tried in order: closures made per resident cost more than the choice itself at 10,000 residents.
const WELFARE_WITH_ROOM: Rule = (s) => s.shelter.welfare && s.remaining > 0;
const ORDINARY_WITH_ROOM: Rule = (s) => !s.shelter.welfare && s.remaining > 0;
const ORDINARY: Rule = (s) => !s.shelter.welfare;
const ANY: Rule = () => true;
/** Those who need help: a welfare shelter with room, else an ordinary one with room, else any (over capacity). */
const FOR_NEEDS_HELP = [WELFARE_WITH_ROOM, ORDINARY_WITH_ROOM, ANY] as const;
/** Everyone else: an ordinary shelter with room, else an ordinary one (over capacity), else any. */
const FOR_OTHERS = [ORDINARY_WITH_ROOM, ORDINARY, ANY] as const;
/** An area message names an ordinary shelter. */
const FOR_AREA = [ORDINARY_WITH_ROOM, ORDINARY] as const;

export class ShelterPool {
  private readonly slots: Slot[];
  private readonly byId: Map<string, Slot>;
  /** Each slot's closeness to the home being placed (reused: one array per pool, not per resident). */
  private readonly keys: Float64Array;
  constructor(shelters: Shelter[], occupancy: Map<string, number>, hazard: Hazard) {
    this.slots = shelters
      .filter((s) => s.open && s.hazards.includes(hazard))
      .map((s) => ({ shelter: s, remaining: s.capacity - (occupancy.get(s.id) ?? 0), cosLat: cosLat(s.lat) }));
    this.byId = new Map(this.slots.map((s) => [s.shelter.id, s]));
    this.keys = new Float64Array(this.slots.length);
  }

  get size(): number {
    return this.slots.length;
  }
  remaining(id: string): number | undefined {
    return this.byId.get(id)?.remaining;
  }

  /** Keep an earlier choice (an Update must not move people around) if it is still open and suited. */
  keep(id: string): Shelter | undefined {
    const slot = this.byId.get(id);
    if (!slot) return undefined;
    slot.remaining -= 1;
    return slot.shelter;
  }

  /** A shelter already chosen for this resident (a second TV of theirs): no second place taken. */
  peek(id: string): Shelter | undefined {
    return this.byId.get(id)?.shelter;
  }

  /** The nearest ordinary shelter with room, for an area message (takes no place). */
  peekNearest(home: { lat: number; lon: number } | null): Shelter | undefined {
    return this.nearest(home, FOR_AREA)?.shelter;
  }

  choose(home: { lat: number; lon: number } | null, needsHelp: boolean): Shelter | undefined {
    const pick = this.nearest(home, needsHelp ? FOR_NEEDS_HELP : FOR_OTHERS);
    if (!pick) return undefined;
    pick.remaining -= 1;
    return pick.shelter;
  }

  /**
   * The nearest slot the first rule that matches any slot allows. Slots are ranked by the
   * haversine's inner term, which orders them as distanceM does, without its square root and
   * arcsine; each slot's is computed once, whichever rule picks.
   */
  private nearest(home: { lat: number; lon: number } | null, rules: readonly Rule[]): Slot | undefined {
    const { slots, keys } = this;
    if (home) {
      const cos = cosLat(home.lat);
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        keys[i] = haversineTerm(home.lat, home.lon, cos, s.shelter.lat, s.shelter.lon, s.cosLat);
      }
    } else {
      // without a home position, the fullest-remaining shelter is the best guess
      for (let i = 0; i < slots.length; i++) keys[i] = -slots[i]!.remaining;
    }
    for (const rule of rules) {
      let best = -1;
      for (let i = 0; i < slots.length; i++) if (rule(slots[i]!) && (best < 0 || keys[i]! < keys[best]!)) best = i;
      if (best >= 0) return slots[best];
    }
    return undefined;
  }
}

export function shelterRef(s: Shelter, home: { lat: number; lon: number } | null): ShelterRef {
  return {
    id: s.id,
    name: s.name,
    address: s.address,
    ...(s.nameLatin ? { nameLatin: s.nameLatin } : {}),
    ...(s.addressLatin ? { addressLatin: s.addressLatin } : {}),
    lat: s.lat,
    lon: s.lon,
    welfare: s.welfare,
    ...(home ? { distanceM: Math.round(distanceM(home.lat, home.lon, s.lat, s.lon)) } : {}),
  };
}

/** People in each shelter now: check-ins minus check-outs and transfers, undone events excluded. */
/** Who is at each shelter now, and how many of them need care (要配慮), from the terminals' events. */
export interface ShelterFigures {
  present: number;
  needsCare: number;
  /** Of those present, evacuees from outside the municipality (域外避難者): a valid card not on the roster. */
  outside: number;
}

export async function shelterFigures(q: Queryable): Promise<Map<string, ShelterFigures>> {
  const { rows } = await q.query<{ shelter_id: string; n: number; care: number }>(`
    SELECT shelter_id,
      SUM(CASE type WHEN 'check-in' THEN 1 WHEN 'check-out' THEN -1 WHEN 'transfer-out' THEN -1 ELSE 0 END)::int AS n,
      SUM(CASE WHEN needs_care IS NOT TRUE THEN 0 WHEN type = 'check-in' THEN 1
               WHEN type IN ('check-out', 'transfer-out') THEN -1 ELSE 0 END)::int AS care
    FROM checkins c
    WHERE type <> 'undo' AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = c.event_id)
    GROUP BY shelter_id`);
  // an outside evacuee is present from their check-in until a check-out or transfer of the same card (or hand-typed entry)
  const { rows: out } = await q.query<{ shelter_id: string; n: number }>(`
    SELECT c.shelter_id, count(*)::int AS n FROM checkins c
    WHERE c.type = 'check-in' AND c.resident_id IS NULL AND (c.event->>'outside') = 'true'
      AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = c.event_id)
      AND NOT EXISTS (
        SELECT 1 FROM checkins o WHERE o.shelter_id = c.shelter_id AND o.type IN ('check-out', 'transfer-out') AND o.at >= c.at
          AND (o.cert_serial = c.cert_serial OR o.check_in = c.event_id)
          AND NOT EXISTS (SELECT 1 FROM checkins u WHERE u.type = 'undo' AND u.undoes = o.event_id))
    GROUP BY c.shelter_id`);
  const outside = new Map(out.map((r) => [r.shelter_id, Number(r.n)]));
  return new Map(
    rows.map((r) => [
      r.shelter_id,
      {
        present: Math.max(0, Number(r.n)),
        needsCare: Math.max(0, Number(r.care)),
        outside: outside.get(r.shelter_id) ?? 0,
      },
    ]),
  );
}

export async function shelterOccupancy(q: Queryable): Promise<Map<string, number>> {
  return new Map([...(await shelterFigures(q))].map(([id, f]) => [id, f.present]));
}
