/**
 * Resolving who an alert reaches: residents bound to an active TV whose home (or zone) lies in
 * the target, filtered by group; and the zones whose unbound TVs get the retained area message.
 */
import type { Queryable } from '@kizuna/core';
import type { Language } from '@kizuna/contract';
import { elderlyOn, type Target } from './alert-spec.ts';
import { pointInCircle, pointInPolygon, ringMeetsCircle, ringsOverlap } from '../geo.ts';
import type { Zone } from '../register/zones.ts';

export interface Candidate {
  residentId: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  sex: number;
  language: Language;
  needsHelp: boolean;
  elderly: boolean;
  lat: number | null;
  lon: number | null;
  zoneId: string;
  deviceId: string;
  deviceZoneId: string;
  /** The name in alphabet as registered (foreign residents), for non-Japanese screens. */
  familyNameLatin?: string | undefined;
  givenNameLatin?: string | undefined;
}

/** One candidate row as the resolve query returns it: a JSON array, in this order. */
type Row = [
  id: string,
  familyName: string,
  givenName: string,
  familyKana: string,
  givenKana: string,
  sex: number,
  language: Language,
  needsHelp: boolean,
  birthDate: string,
  lat: number | null,
  lon: number | null,
  zoneId: string,
  deviceId: string,
  deviceZone: string,
  familyNameLatin: string | null,
  givenNameLatin: string | null,
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

const REGISTER_QUERY = `
  SELECT coalesce(json_agg(json_build_array(r.id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.sex, r.language, r.needs_help,
           to_char(r.birth_date, 'YYYY-MM-DD'), r.lat, r.lon, r.zone_id, b.device_id, d.zone_id,
           r.family_name_latin, r.given_name_latin) ORDER BY r.id, b.device_id), '[]')::text
  FROM residents r
  JOIN bindings b ON b.resident_id = r.id AND b.status = 'active'
  JOIN devices d ON d.id = b.device_id AND d.status = 'active'`;

/**
 * The targetable register (every resident on an active binding to an active TV), kept between
 * alerts and read again only when `register_version` moved (migration 009): reading and decoding
 * it cost about 130 ms per 10,000 residents on PGlite, ahead of an alert's first message. The
 * key is the version row's writing transaction (xmin) with its value, so a bump that was rolled
 * back can never be mistaken for a later one.
 */
export class RegisterCache {
  private snap: { key: string; rows: Row[] } | null = null;
  /** Reads of the whole register so far (the first, and one per change). */
  loads = 0;

  async rows(q: Queryable): Promise<Row[]> {
    if (this.snap) {
      const {
        rows: [r],
      } = await q.query<{ key: string }>(`SELECT xmin::text || ':' || v::text AS key FROM register_version`);
      if (r?.key === this.snap.key) return this.snap.rows;
    }
    // one statement, one snapshot: the version and the rows it stands for
    const {
      rows: [res],
    } = await q.query<{ key: string; j: string }>(
      `SELECT (SELECT xmin::text || ':' || v::text FROM register_version) AS key, (${REGISTER_QUERY}) AS j`,
    );
    const rows = JSON.parse(res?.j ?? '[]') as Row[];
    this.loads += 1;
    this.snap = { key: res?.key ?? '', rows };
    return rows;
  }
}

export async function resolveRecipients(
  q: Queryable,
  t: Target,
  zones: Zone[],
  now: Date,
  cache?: RegisterCache,
): Promise<Candidate[]> {
  const listed = t.zones ?? [];
  const geo = !!(t.polygon || t.circle);
  // A shape is checked against home positions in JS; prefilter to the zones it touches.
  const scope = new Set(geo ? targetZones(t, zones) : listed);
  // The rows come back as one JSON text, parsed here: a city's worth of rows, 14 columns each, as
  // separate result rows cost 2–3× as much to decode on PGlite (the first fan-out chunk waits for it).
  const rows = cache
    ? await cache.rows(q)
    : (JSON.parse((await q.query<{ j: string }>(`SELECT (${REGISTER_QUERY}) AS j`)).rows[0]?.j ?? '[]') as Row[]);
  const listedSet = new Set(listed);
  const g = t.group ?? 'all';
  const out: Candidate[] = [];
  const isElderly = elderlyOn(now);
  for (const [
    id,
    familyName,
    givenName,
    familyKana,
    givenKana,
    sex,
    language,
    needsHelp,
    birthDate,
    lat0,
    lon0,
    zoneId,
    deviceId,
    deviceZone,
    familyNameLatin,
    givenNameLatin,
  ] of rows) {
    if (!scope.has(zoneId) && !scope.has(deviceZone)) continue;
    const lat = lat0 === null ? null : Number(lat0);
    const lon = lon0 === null ? null : Number(lon0);
    let inside = listedSet.has(zoneId) || listedSet.has(deviceZone);
    if (!inside && lat !== null && lon !== null) {
      inside =
        (!!t.polygon && pointInPolygon(lon, lat, t.polygon)) || (!!t.circle && pointInCircle(lon, lat, t.circle));
    }
    if (!inside) continue;
    const elderly = isElderly(birthDate);
    if (g === 'needs-help' && !needsHelp) continue;
    if (g === 'vulnerable' && !needsHelp && !elderly) continue;
    out.push({
      residentId: id,
      familyName,
      givenName,
      familyKana,
      givenKana,
      sex: Number(sex),
      language,
      needsHelp,
      elderly,
      lat,
      lon,
      zoneId,
      deviceId,
      deviceZoneId: deviceZone,
      ...(familyNameLatin && givenNameLatin ? { familyNameLatin, givenNameLatin } : {}),
    });
  }
  return out;
}
