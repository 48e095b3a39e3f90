/**
 * Resolving who an alert reaches: residents bound to an active TV whose home (or zone) lies in
 * the target, filtered by group; and the zones whose unbound TVs get the retained area message.
 */
import type { Queryable } from '@kizuna/core';
import type { Language } from '@kizuna/contract';
import { ageOn, ELDERLY_AGE, type Target } from './alert-spec.ts';
import { pointInCircle, pointInPolygon, ringMeetsCircle, ringsOverlap } from './geo.ts';
import type { Zone } from './register.ts';

export interface Candidate {
  residentId: string; familyName: string; givenName: string; familyKana: string; givenKana: string;
  sex: number; language: Language; needsHelp: boolean; elderly: boolean;
  lat: number | null; lon: number | null; zoneId: string; deviceId: string; deviceZoneId: string;
}

/** One candidate row as the resolve query returns it: a JSON array, in this order. */
type Row = [
  id: string, familyName: string, givenName: string, familyKana: string, givenKana: string, sex: number, language: Language,
  needsHelp: boolean, birthDate: string, lat: number | null, lon: number | null, zoneId: string, deviceId: string, deviceZone: string,
];

/** Zones the target touches: listed ones, and those a polygon or circle overlaps. */
export function targetZones(t: Target, zones: Zone[]): string[] {
  const out = new Set(t.zones ?? []);
  for (const z of zones) {
    if (t.polygon && ringsOverlap(z.ring, t.polygon)) out.add(z.id);
    if (t.circle && ringMeetsCircle(z.ring, t.circle)) out.add(z.id);
  }
  return [...out].sort();
}

export async function resolveRecipients(q: Queryable, t: Target, zones: Zone[], now: Date): Promise<Candidate[]> {
  const listed = t.zones ?? [];
  const geo = !!(t.polygon || t.circle);
  // A shape is checked against home positions in JS; prefilter to the zones it touches.
  const scope = geo ? targetZones(t, zones) : listed;
  // The rows come back as one JSON text, parsed here: a city's worth of rows, 14 columns each, as
  // separate result rows cost 2–3× as much to decode on PGlite (the first fan-out chunk waits for it).
  const { rows: [res] } = await q.query<{ j: string }>(`
    SELECT coalesce(json_agg(json_build_array(r.id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.sex, r.language, r.needs_help,
             to_char(r.birth_date, 'YYYY-MM-DD'), r.lat, r.lon, r.zone_id, b.device_id, d.zone_id) ORDER BY r.id, b.device_id), '[]')::text AS j
    FROM residents r
    JOIN bindings b ON b.resident_id = r.id AND b.status = 'active'
    JOIN devices d ON d.id = b.device_id AND d.status = 'active'
    WHERE r.zone_id = ANY($1::text[]) OR d.zone_id = ANY($1::text[])`, [scope]);
  const rows = JSON.parse(res?.j ?? '[]') as Row[];
  const listedSet = new Set(listed);
  const g = t.group ?? 'all';
  const out: Candidate[] = [];
  for (const [id, familyName, givenName, familyKana, givenKana, sex, language, needsHelp, birthDate, lat0, lon0, zoneId, deviceId, deviceZone] of rows) {
    const lat = lat0 === null ? null : Number(lat0); const lon = lon0 === null ? null : Number(lon0);
    let inside = listedSet.has(zoneId) || listedSet.has(deviceZone);
    if (!inside && lat !== null && lon !== null) {
      inside = (!!t.polygon && pointInPolygon(lon, lat, t.polygon)) || (!!t.circle && pointInCircle(lon, lat, t.circle));
    }
    if (!inside) continue;
    const elderly = ageOn(birthDate, now) >= ELDERLY_AGE;
    if (g === 'needs-help' && !needsHelp) continue;
    if (g === 'vulnerable' && !needsHelp && !elderly) continue;
    out.push({
      residentId: id, familyName, givenName, familyKana, givenKana, sex: Number(sex), language, needsHelp, elderly, lat, lon, zoneId,
      deviceId, deviceZoneId: deviceZone,
    });
  }
  return out;
}
