/** The municipality's zones (地区): the areas alerts target and TVs and residents belong to. */
import { createHash } from 'node:crypto';
import { coreErrors, type Db, type Queryable } from '@kizuna/core';
import { checkRing, type LonLat } from '../geo.ts';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { safeId } from './safe-id.ts';
import { LIMITS } from '../limits.ts';

export interface ZoneInput {
  id: string;
  name: string;
  nameEn?: string | undefined;
  polygon: LonLat[] | { type: 'Polygon'; coordinates: LonLat[][] };
}
export interface Zone {
  id: string;
  name: string;
  nameEn: string | null;
  ring: LonLat[];
}

const now = () => new Date();

export async function addZone(db: Db, z: ZoneInput, actor = 'system'): Promise<Zone> {
  safeId(z.id, 'zone id');
  if (!z.name?.trim()) throw coreErrors.KZ_VALIDATION('zone name is empty');
  for (const [k, v] of [
    ['name', z.name],
    ['nameEn', z.nameEn],
  ] as const)
    if (v && v.length > LIMITS.nameLength)
      throw coreErrors.KZ_VALIDATION(`zone ${k} is longer than ${LIMITS.nameLength} characters`, { field: k });
  const given = Array.isArray(z.polygon) ? z.polygon : z.polygon?.coordinates?.[0];
  if (Array.isArray(given) && given.length > LIMITS.polygonPoints)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`zone ${z.id} polygon has more than ${LIMITS.polygonPoints} positions`);
  const ring = checkRing(Array.isArray(z.polygon) ? z.polygon : z.polygon?.coordinates?.[0], `zone ${z.id} polygon`);
  const geo = { type: 'Polygon', coordinates: [ring] };
  await db.tx(async (q) => {
    await q.query(
      `INSERT INTO zones (id, name, name_en, polygon) VALUES ($1, $2, $3, $4::jsonb)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, polygon = EXCLUDED.polygon`,
      [z.id, z.name, z.nameEn ?? null, JSON.stringify(geo)],
    );
    // what the zone became; the polygon by its size and digest (it can be large)
    const polygon = { points: ring.length, sha256: createHash('sha256').update(JSON.stringify(geo)).digest('hex') };
    const details = { name: z.name, nameEn: z.nameEn ?? null, polygon };
    await appendAudit(q, { actor, action: 'zone.upsert', subject: z.id, details }, now());
  });
  return { id: z.id, name: z.name, nameEn: z.nameEn ?? null, ring };
}

export async function listZones(db: Queryable): Promise<Zone[]> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    name_en: string | null;
    polygon: { coordinates: LonLat[][] };
  }>('SELECT * FROM zones ORDER BY id');
  return rows.map((r) => ({ id: r.id, name: r.name, nameEn: r.name_en, ring: r.polygon.coordinates[0]! }));
}

/** Zone ids, to check the rows that name one. */
export async function knownZones(q: Queryable): Promise<Set<string>> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM zones');
  return new Set(rows.map((r) => r.id));
}

/** The middle of a zone (the home of a resident without coordinates); null without a ring. */
export function zoneCentre(z: Zone | undefined): { lat: number; lon: number } | null {
  if (!z || z.ring.length === 0) return null;
  const pts = z.ring.slice(0, -1);
  return { lon: pts.reduce((s, p) => s + p[0], 0) / pts.length, lat: pts.reduce((s, p) => s + p[1], 0) / pts.length };
}
