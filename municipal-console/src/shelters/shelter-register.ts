/** The municipality's shelters: their places, capacity, the hazards they take, whether open, and the zones they serve. */
import { coreErrors, type Db, type Queryable } from '@kizuna/core';
import { HAZARDS, type Hazard } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { appendAudit } from '../staff/audit.ts';
import { safeId } from '../register/safe-id.ts';
import { knownZones } from '../register/zones.ts';
import { LIMITS } from '../limits.ts';

const goodCapacity = (c: number) => Number.isInteger(c) && c >= 0 && c <= LIMITS.shelterCapacity;

export interface ShelterInput {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  hazards: Hazard[];
  welfare: boolean;
  open?: boolean;
  /** Zones whose residents this shelter expects (指定避難所): they are on its roster. */
  serves?: string[];
  /** Name and address for non-Japanese screens (romanised or translated, issue 18); optional. */
  nameLatin?: string | undefined;
  addressLatin?: string | undefined;
}
export type Shelter = Required<Omit<ShelterInput, 'nameLatin' | 'addressLatin'>> &
  Pick<ShelterInput, 'nameLatin' | 'addressLatin'>;

const now = () => new Date();

export async function addShelter(db: Db, s: ShelterInput, actor = 'system'): Promise<Shelter> {
  safeId(s.id, 'shelter id');
  if (!s.name?.trim() || !s.address?.trim()) throw coreErrors.KZ_VALIDATION('shelter name and address are required');
  if (!Number.isFinite(s.lat) || Math.abs(s.lat) > 90 || !Number.isFinite(s.lon) || Math.abs(s.lon) > 180)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY('shelter lat/lon out of range');
  if (
    s.name.length > LIMITS.nameLength ||
    s.address.length > LIMITS.textLength ||
    (s.nameLatin?.length ?? 0) > LIMITS.nameLength ||
    (s.addressLatin?.length ?? 0) > LIMITS.textLength
  )
    throw coreErrors.KZ_VALIDATION(
      `shelter name (${LIMITS.nameLength}) or address (${LIMITS.textLength}) is longer than its limit`,
    );
  if (!goodCapacity(s.capacity))
    throw coreErrors.KZ_VALIDATION(`shelter capacity must be a whole number from 0 to ${LIMITS.shelterCapacity}`, {
      field: 'capacity',
    });
  const bad = s.hazards.find((h) => !(HAZARDS as readonly string[]).includes(h));
  if (bad) throw coreErrors.KZ_VALIDATION(`shelter hazard ${JSON.stringify(bad)} is not one of ${HAZARDS.join(', ')}`);
  const open = s.open ?? true;
  const serves = [...new Set(s.serves ?? [])];
  await db.tx(async (q) => {
    if (serves.length) {
      const zones = await knownZones(q);
      const unknown = serves.find((z) => !zones.has(z));
      if (unknown) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ZONE(`${unknown} (shelter ${s.id} serves)`);
    }
    // a shelter is a public place: its fields go in the audit log as they were and became
    const before = await q.query<Record<string, unknown>>(
      'SELECT name, address, lat, lon, capacity, hazards, welfare, open, serves FROM shelters WHERE id = $1 FOR UPDATE',
      [s.id],
    );
    await q.query(
      `INSERT INTO shelters (id, name, address, lat, lon, capacity, hazards, welfare, open, serves, name_latin, address_latin)
        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
        capacity = EXCLUDED.capacity, hazards = EXCLUDED.hazards, welfare = EXCLUDED.welfare, open = EXCLUDED.open, serves = EXCLUDED.serves,
        name_latin = EXCLUDED.name_latin, address_latin = EXCLUDED.address_latin`,
      [
        s.id,
        s.name,
        s.address,
        s.lat,
        s.lon,
        s.capacity,
        s.hazards,
        s.welfare,
        open,
        serves,
        s.nameLatin?.trim() || null,
        s.addressLatin?.trim() || null,
      ],
    );
    const after = { name: s.name, address: s.address, lat: s.lat, lon: s.lon, capacity: s.capacity };
    const details = changes(before.rows[0] ?? {}, { ...after, hazards: s.hazards, welfare: s.welfare, open, serves });
    // an address, even a public one, stays out of the log: that it changed is enough
    if (details.address) details.address = { changed: true };
    await appendAudit(q, { actor, action: 'shelter.upsert', subject: s.id, details }, now());
  });
  return { ...s, open, serves };
}

/** What changed, field by field: { field: { from, to } } (from is absent for a new shelter). */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, to] of Object.entries(after)) {
    const from = before[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) out[k] = from === undefined ? { to } : { from, to };
  }
  return out;
}

export async function setShelterState(
  db: Db,
  id: string,
  patch: { open?: boolean; capacity?: number },
  actor: string,
): Promise<Shelter> {
  if (patch.capacity !== undefined && !goodCapacity(patch.capacity))
    throw coreErrors.KZ_VALIDATION(`capacity must be a whole number from 0 to ${LIMITS.shelterCapacity}`, {
      field: 'capacity',
    });
  return db.tx(async (q) => {
    const before = await q.query<{ open: boolean; capacity: number }>(
      'SELECT open, capacity FROM shelters WHERE id = $1 FOR UPDATE',
      [id],
    );
    const { rows } = await q.query<ShelterRow>(
      `UPDATE shelters SET open = COALESCE($2, open), capacity = COALESCE($3, capacity) WHERE id = $1 RETURNING *`,
      [id, patch.open ?? null, patch.capacity ?? null],
    );
    if (!rows[0] || !before.rows[0]) throw consoleErrors.KZ_CONSOLE_UNKNOWN_SHELTER(id);
    const details = changes(before.rows[0], { open: rows[0].open, capacity: rows[0].capacity });
    await appendAudit(q, { actor, action: 'shelter.update', subject: id, details }, now());
    return shelterFromRow(rows[0]);
  });
}

export interface ShelterRow {
  id: string;
  name: string;
  address: string;
  lat: number;
  lon: number;
  capacity: number;
  hazards: Hazard[];
  welfare: boolean;
  open: boolean;
  serves: string[] | null;
  name_latin?: string | null;
  address_latin?: string | null;
}
export const shelterFromRow = (r: ShelterRow): Shelter => ({
  id: r.id,
  name: r.name,
  address: r.address,
  lat: Number(r.lat),
  lon: Number(r.lon),
  capacity: Number(r.capacity),
  hazards: r.hazards,
  welfare: r.welfare,
  open: r.open,
  serves: r.serves ?? [],
  ...(r.name_latin ? { nameLatin: r.name_latin } : {}),
  ...(r.address_latin ? { addressLatin: r.address_latin } : {}),
});

export async function listShelters(db: Queryable): Promise<Shelter[]> {
  const { rows } = await db.query<ShelterRow>('SELECT * FROM shelters ORDER BY id');
  return rows.map(shelterFromRow);
}
