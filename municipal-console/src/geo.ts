/**
 * Plane geometry on lon/lat, enough for a municipality's zones (a few km): ray-casting point in
 * polygon, haversine distance. GeoJSON order ([lon, lat]) everywhere except CAP, which writes
 * "lat,lon" (cap.ts converts).
 */
import { consoleErrors } from './errors.ts';

export type LonLat = [number, number];
export interface Circle {
  lat: number;
  lon: number;
  radiusM: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** cos(latitude) as haversineTerm takes it: a caller comparing many points against one computes it once per point. */
export const cosLat = (lat: number): number => Math.cos(lat * RAD);

/**
 * The haversine's inner term (degrees in, each latitude's cosLat given): distanceM grows with it,
 * so it ranks points by distance without the square root and arcsine.
 */
export function haversineTerm(
  lat1: number,
  lon1: number,
  cos1: number,
  lat2: number,
  lon2: number,
  cos2: number,
): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  return Math.sin(dLat / 2) ** 2 + cos1 * cos2 * Math.sin(dLon / 2) ** 2;
}

export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a = haversineTerm(lat1, lon1, cosLat(lat1), lat2, lon2, cosLat(lat2));
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Ray casting; points on an edge may fall either way, which is fine for house locations. */
export function pointInPolygon(lon: number, lat: number, ring: readonly LonLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInCircle(lon: number, lat: number, c: Circle): boolean {
  return distanceM(lat, lon, c.lat, c.lon) <= c.radiusM;
}

/** A closed ring of at least four [lon, lat] positions inside the valid ranges; names the problem otherwise. */
export function checkRing(ring: unknown, what = 'polygon'): LonLat[] {
  if (!Array.isArray(ring) || ring.length < 4)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what} needs at least 4 positions (closed ring)`);
  for (const [i, p] of ring.entries()) {
    if (
      !Array.isArray(p) ||
      p.length < 2 ||
      typeof p[0] !== 'number' ||
      typeof p[1] !== 'number' ||
      !Number.isFinite(p[0]) ||
      !Number.isFinite(p[1]) ||
      Math.abs(p[0]) > 180 ||
      Math.abs(p[1]) > 90
    ) {
      throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what}[${i}] is not a [lon, lat] position`);
    }
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1])
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what} is not closed (first and last positions differ)`);
  return ring.map((p: number[]) => [p[0]!, p[1]!]);
}

export function checkCircle(c: Circle, what = 'circle'): Circle {
  if (!Number.isFinite(c.lat) || Math.abs(c.lat) > 90)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what}.lat is out of range`);
  if (!Number.isFinite(c.lon) || Math.abs(c.lon) > 180)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what}.lon is out of range`);
  if (!Number.isFinite(c.radiusM) || c.radiusM <= 0)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`${what}.radiusM must be positive`);
  return c;
}

/** Whether two shapes may overlap: any vertex of one inside the other (enough for zone squares and targets). */
export function ringsOverlap(a: readonly LonLat[], b: readonly LonLat[]): boolean {
  return a.some(([x, y]) => pointInPolygon(x, y, b)) || b.some(([x, y]) => pointInPolygon(x, y, a));
}

export function ringMeetsCircle(ring: readonly LonLat[], c: Circle): boolean {
  if (pointInPolygon(c.lon, c.lat, ring)) return true;
  if (ring.some(([x, y]) => pointInCircle(x, y, c))) return true;
  // closest point of each edge to the centre (flat approximation, fine at city scale)
  const kx = Math.cos((c.lat * Math.PI) / 180);
  for (let i = 1; i < ring.length; i++) {
    const [x1, y1] = ring[i - 1]!;
    const [x2, y2] = ring[i]!;
    const dx = (x2 - x1) * kx;
    const dy = y2 - y1;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((c.lon - x1) * kx * dx + (c.lat - y1) * dy) / len2));
    if (distanceM(c.lat, c.lon, y1 + t * dy, x1 + (t * dx) / kx) <= c.radiusM) return true;
  }
  return false;
}
