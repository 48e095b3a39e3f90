/**
 * ShelterPool's choices against a plain reading of its rules (distanceM for every candidate
 * shelter, rule by rule): the pool ranks by the haversine's inner term and computes each
 * distance once, and must pick the same shelter, resident after resident, as places run out.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Hazard } from '@kizuna/contract';
import { distanceM } from '../src/geo.ts';
import type { Shelter } from '../src/shelters/shelter-register.ts';
import { ShelterPool } from '../src/shelters/shelter-pool.ts';

interface RefSlot {
  shelter: Shelter;
  remaining: number;
}
type Home = { lat: number; lon: number } | null;

/** The rules as the module's comment states them, with nothing precomputed. */
function referenceChoose(slots: RefSlot[], home: Home, needsHelp: boolean, take = true): Shelter | undefined {
  const nearest = (ok: (s: RefSlot) => boolean) => {
    let best: RefSlot | undefined;
    let bestD = Infinity;
    for (const s of slots) {
      if (!ok(s)) continue;
      const d = home ? distanceM(home.lat, home.lon, s.shelter.lat, s.shelter.lon) : -s.remaining;
      if (d < bestD) {
        best = s;
        bestD = d;
      }
    }
    return best;
  };
  const pick = needsHelp
    ? (nearest((s) => s.shelter.welfare && s.remaining > 0) ??
      nearest((s) => !s.shelter.welfare && s.remaining > 0) ??
      nearest(() => true))
    : (nearest((s) => !s.shelter.welfare && s.remaining > 0) ??
      nearest((s) => !s.shelter.welfare) ??
      nearest(() => true));
  if (pick && take) pick.remaining -= 1;
  return pick?.shelter;
}

const HAZARDS: Hazard[] = ['flood', 'earthquake'];
// a city's extent: about 20 km across
const lat = fc.double({ min: 35.9, max: 36.1, noNaN: true });
const lon = fc.double({ min: 139.9, max: 140.1, noNaN: true });
const shelterArb = fc.record({
  lat,
  lon,
  capacity: fc.integer({ min: 0, max: 4 }),
  welfare: fc.boolean(),
  open: fc.boolean(),
  hazards: fc.subarray(HAZARDS, { minLength: 1 }),
  already: fc.integer({ min: 0, max: 3 }),
});
const residentArb = fc.record({ home: fc.option(fc.record({ lat, lon }), { freq: 6 }), needsHelp: fc.boolean() });

describe('ShelterPool', () => {
  it('chooses as the rules read, resident after resident, as places run out', () => {
    fc.assert(
      fc.property(
        fc.array(shelterArb, { minLength: 0, maxLength: 8 }),
        fc.array(residentArb, { maxLength: 40 }),
        (specs, residents) => {
          const shelters: Shelter[] = specs.map((s, i) => ({
            id: `sh-${i}`,
            name: `避難所${i}`,
            address: `絆市${i}`,
            lat: s.lat,
            lon: s.lon,
            capacity: s.capacity,
            hazards: s.hazards,
            welfare: s.welfare,
            open: s.open,
            serves: [],
          }));
          const occupancy = new Map(specs.map((s, i) => [`sh-${i}`, s.already]));
          const pool = new ShelterPool(shelters, occupancy, 'flood');
          const ref: RefSlot[] = shelters
            .filter((s) => s.open && s.hazards.includes('flood'))
            .map((s) => ({ shelter: s, remaining: s.capacity - (occupancy.get(s.id) ?? 0) }));
          expect(pool.size).toBe(ref.length);
          for (const r of residents) {
            expect(pool.peekNearest(r.home)?.id).toBe(
              (
                referenceChoose(
                  ref.filter((s) => !s.shelter.welfare && s.remaining > 0),
                  r.home,
                  false,
                  false,
                ) ??
                referenceChoose(
                  ref.filter((s) => !s.shelter.welfare),
                  r.home,
                  false,
                  false,
                )
              )?.id,
            );
            expect(pool.choose(r.home, r.needsHelp)?.id).toBe(referenceChoose(ref, r.home, r.needsHelp)?.id);
          }
          for (const s of ref) expect(pool.remaining(s.shelter.id)).toBe(s.remaining);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps an earlier choice while it is open and suited, and takes a place for it', () => {
    const s = (id: string, over: Partial<Shelter> = {}): Shelter => ({
      id,
      name: id,
      address: id,
      lat: 36,
      lon: 140,
      capacity: 2,
      hazards: ['flood'],
      welfare: false,
      open: true,
      serves: [],
      ...over,
    });
    const pool = new ShelterPool(
      [s('a'), s('closed', { open: false }), s('quake-only', { hazards: ['earthquake'] })],
      new Map(),
      'flood',
    );
    expect(pool.keep('a')?.id).toBe('a');
    expect(pool.remaining('a')).toBe(1);
    expect(pool.keep('closed')).toBeUndefined();
    expect(pool.keep('quake-only')).toBeUndefined();
    expect(pool.peek('a')?.id).toBe('a');
    expect(pool.remaining('a')).toBe(1);
  });

  it('sends people over capacity only when every suited shelter is full, and welfare places go to those who need help first', () => {
    const base = { address: '-', hazards: ['flood'] as Hazard[], open: true, serves: [] };
    const pool = new ShelterPool(
      [
        { ...base, id: 'near-welfare', name: 'w', lat: 36.0, lon: 140.0, capacity: 1, welfare: true },
        { ...base, id: 'far-school', name: 's', lat: 36.05, lon: 140.05, capacity: 1, welfare: false },
      ],
      new Map(),
      'flood',
    );
    const home = { lat: 36.0, lon: 140.0 };
    // someone who does not need help passes the nearer welfare shelter by
    expect(pool.choose(home, false)?.id).toBe('far-school');
    expect(pool.choose(home, true)?.id).toBe('near-welfare');
    // both full: the next goes over capacity to an ordinary shelter, not to the welfare one
    expect(pool.choose(home, false)?.id).toBe('far-school');
    expect(pool.remaining('far-school')).toBe(-1);
  });
});
