import { describe, expect, it } from 'vitest';
import { isMunicipalityCode, isSafeId, LANGUAGES } from '@kizuna/contract';
import { displayName } from '@kizuna/municipal-console';
import { DEMO_MUNI, DEMO_SHELTERS, DEMO_ZONES, demoResidents, demoTvs } from '../src/demo-data.ts';

describe('demo municipality', () => {
  const residents = demoResidents();
  it('has a format-valid municipality code', () => expect(isMunicipalityCode(DEMO_MUNI.code)).toBe(true));
  it('has a few dozen residents with unique ids, some needing help, several languages', () => {
    expect(residents.length).toBeGreaterThanOrEqual(30);
    expect(new Set(residents.map((r) => r.id)).size).toBe(residents.length);
    expect(residents.filter((r) => r.needsHelp).length).toBeGreaterThanOrEqual(5);
    expect(new Set(residents.map((r) => r.language)).size).toBe(LANGUAGES.length);
  });
  it('names its foreign residents in their own script, and its shelters for non-Japanese screens (issue 18)', () => {
    const john = residents.find((r) => r.familyName === 'スミス')!;
    expect(john.language).toBe('en');
    expect(displayName('en', john)).toBe('John Smith');
    for (const r of residents.filter((x) => /^[\u30a0-\u30ff・]+$/u.test(x.familyName + x.givenName)))
      expect([r.familyNameLatin, r.givenNameLatin].every(Boolean), r.familyName).toBe(true);
    for (const sh of DEMO_SHELTERS) expect(sh.nameLatin && sh.addressLatin, sh.id).toMatch(/^[\x20-\x7e]+$/);
  });
  it('has at least one household of two on one TV, and an unbound TV', () => {
    const tvs = demoTvs(residents);
    const sizes = new Map<string, number>();
    for (const r of residents) sizes.set(r.household, (sizes.get(r.household) ?? 0) + 1);
    expect([...sizes.values()].some((n) => n >= 2)).toBe(true);
    expect(tvs.some((t) => t.household === '')).toBe(true);
    expect(tvs.every((t) => isSafeId(t.id))).toBe(true);
  });
  it('gives every card a valid PIN and signing password', () => {
    for (const r of residents) {
      expect(r.authPin).toMatch(/^\d{4}$/);
      expect(r.signPassword).toMatch(/^[A-Z0-9]{6,16}$/);
    }
  });
  it('places every home inside its zone and every zone in use', () => {
    for (const r of residents) {
      const z = DEMO_ZONES.find((zz) => zz.id === r.zone)!;
      const lons = z.polygon.map((p) => p[0]);
      const lats = z.polygon.map((p) => p[1]);
      expect(r.lon).toBeGreaterThan(Math.min(...lons));
      expect(r.lon).toBeLessThan(Math.max(...lons));
      expect(r.lat).toBeGreaterThan(Math.min(...lats));
      expect(r.lat).toBeLessThan(Math.max(...lats));
    }
    expect(new Set(residents.map((r) => r.zone)).size).toBe(DEMO_ZONES.length);
    expect(DEMO_SHELTERS.some((s) => s.welfare)).toBe(true);
  });
  // issue 19, item 5: the map shows districts, not four equal boxes
  it('has zones shaped like districts that tile the city: each home and shelter in exactly one zone, its own', () => {
    const inside = (lon: number, lat: number, ring: [number, number][]) => {
      let yes = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]!;
        const [xj, yj] = ring[j]!;
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) yes = !yes;
      }
      return yes;
    };
    for (const z of DEMO_ZONES) {
      expect(z.polygon.at(0)).toEqual(z.polygon.at(-1));
      // not a rectangle: more corners, and not all on two longitudes
      expect(z.polygon.length).toBeGreaterThan(8);
      expect(new Set(z.polygon.map((p) => p[0])).size).toBeGreaterThan(4);
    }
    for (const r of residents)
      expect(DEMO_ZONES.filter((z) => inside(r.lon, r.lat, z.polygon)).map((z) => z.id)).toEqual([r.zone]);
    for (const s of DEMO_SHELTERS) expect(DEMO_ZONES.filter((z) => inside(s.lon, s.lat, z.polygon))).toHaveLength(1);
    // neighbours share their border point for point (no gap, no overlap)
    for (let i = 0; i + 1 < DEMO_ZONES.length; i++) {
      const a = new Set(DEMO_ZONES[i]!.polygon.map((p) => p.join()));
      const shared = DEMO_ZONES[i + 1]!.polygon.filter((p) => a.has(p.join()));
      expect(new Set(shared.map((p) => p.join())).size).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('demo guide', () => {
  it('docs/DEMO.md is current with the demo data (regenerate: npx tsx system/src/demo-guide.ts)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { demoGuide, DEMO_GUIDE_PATH } = await import('../src/demo-guide.ts');
    expect(await readFile(DEMO_GUIDE_PATH, 'utf8')).toBe(demoGuide());
  });
});

describe('.env.example', () => {
  it('lists every validated variable of every server (regenerate: npx tsx system/src/env-example.ts)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { envExampleText, ENV_EXAMPLE_PATH } = await import('../src/env-example.ts');
    expect(await readFile(ENV_EXAMPLE_PATH, 'utf8')).toBe(await envExampleText());
  });
});
