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

interface Row {
  id: string; family_name: string; given_name: string; family_kana: string; given_kana: string; sex: number;
  language: Language; needs_help: boolean; birth_date: string; lat: number | null; lon: number | null;
  zone_id: string; device_id: string; device_zone: string;
}

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
  const { rows } = await q.query<Row>(`
    SELECT r.id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.sex, r.language, r.needs_help, to_char(r.birth_date, 'YYYY-MM-DD') AS birth_date,
           r.lat, r.lon, r.zone_id, b.device_id, d.zone_id AS device_zone
    FROM residents r
    JOIN bindings b ON b.resident_id = r.id AND b.status = 'active'
    JOIN devices d ON d.id = b.device_id AND d.status = 'active'
    WHERE r.zone_id = ANY($1::text[]) OR d.zone_id = ANY($1::text[])
    ORDER BY r.id, b.device_id`, [scope]);
  const listedSet = new Set(listed);
  const out: Candidate[] = [];
  for (const r of rows) {
    const lat = r.lat === null ? null : Number(r.lat); const lon = r.lon === null ? null : Number(r.lon);
    let inside = listedSet.has(r.zone_id) || listedSet.has(r.device_zone);
    if (!inside && lat !== null && lon !== null) {
      inside = (!!t.polygon && pointInPolygon(lon, lat, t.polygon)) || (!!t.circle && pointInCircle(lon, lat, t.circle));
    }
    if (!inside) continue;
    const elderly = ageOn(r.birth_date, now) >= ELDERLY_AGE;
    const c: Candidate = {
      residentId: r.id, familyName: r.family_name, givenName: r.given_name, familyKana: r.family_kana, givenKana: r.given_kana,
      sex: Number(r.sex), language: r.language, needsHelp: r.needs_help, elderly, lat, lon, zoneId: r.zone_id,
      deviceId: r.device_id, deviceZoneId: r.device_zone,
    };
    const g = t.group ?? 'all';
    if (g === 'needs-help' && !c.needsHelp) continue;
    if (g === 'vulnerable' && !c.needsHelp && !c.elderly) continue;
    out.push(c);
  }
  return out;
}
