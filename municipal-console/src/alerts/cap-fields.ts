/**
 * The field-level rules of a CAP 1.2 import (cap-import.ts puts them together): CAP's code lists
 * and dateTime, polygons and circles, text lengths, <references> triples, and how a refusal names
 * the element (an XPath-like path) and the reason.
 */
import type { Hazard, Language } from '@kizuna/contract';
import { LANGUAGES } from '@kizuna/contract';
import type { LonLat } from '../geo.ts';
import { REPEATED, capRefused } from './cap-guard.ts';

/** One "sender,identifier,sent" of <references>. */
export interface CapReference {
  sender: string;
  identifier: string;
  sent: string;
}

export const CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
];
export const URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
export const SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
export const CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
// CAP's dateTime: offset required, no "Z" (CAP 1.2 §3.3.2)
export const CAP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

export const HAZARD_WORDS: [RegExp, Hazard][] = [
  [/flood|洪水|浸水|氾濫|大雨/i, 'flood'],
  [/landslide|土砂|がけ崩れ/i, 'landslide'],
  [/storm.?surge|高潮/i, 'storm-surge'],
  [/tsunami|津波/i, 'tsunami'],
  [/earthquake|地震/i, 'earthquake'],
  [/volcan|噴火|火山/i, 'volcano'],
  [/fire|火災/i, 'fire'],
];

/**
 * Why an import was refused (details.reason of KZ_CONSOLE_CAP_INVALID, with details.field and,
 * where they apply, details.allowed / got / point): the staff page words each in its own language.
 */
export const CAP_REFUSALS = [
  'not-xml',
  'no-alert',
  'namespace',
  'required',
  'one-of',
  'date-time',
  'identifier-characters',
  'not-shown',
  'not-an-alert',
  'references-required',
  'level-value',
  'polygon-point',
  'polygon-points',
  'polygon-open',
  'circle-format',
  'circle-range',
  'one-polygon',
  'one-circle',
  'level-required',
  'hazard-required',
  'expires-required',
  'area-required',
  'utf-8',
  'encoding',
  'doctype',
  'depth',
  'too-many',
  'too-long',
  'schema',
  'reference-format',
] as const;
export type CapRefusal = (typeof CAP_REFUSALS)[number];
export const bad = (field: string, reason: CapRefusal, why: string, more: Record<string, string | number> = {}) =>
  capRefused(field, reason, why, more);

export type Node = Record<string, unknown>;
export const arr = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v)).trim();
  return s || undefined;
}

export function required(n: Node, key: string, path: string): string {
  const v = text(n[key]);
  if (!v) throw bad(`${path}/${key}`, 'required', 'is required');
  return v;
}
export function oneOf(n: Node, key: string, path: string, allowed: string[]): string {
  const v = required(n, key, path);
  if (!allowed.includes(v))
    throw bad(`${path}/${key}`, 'one-of', `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`, {
      allowed: allowed.join(', '),
      got: v,
    });
  return v;
}
export function capTime(n: Node, key: string, path: string, need = true): string | undefined {
  const v = need ? required(n, key, path) : text(n[key]);
  if (v === undefined) return undefined;
  if (!CAP_TIME.test(v) || Number.isNaN(Date.parse(v)))
    throw bad(
      `${path}/${key}`,
      'date-time',
      `must be a CAP dateTime like 2026-11-23T19:00:00+09:00 (got ${JSON.stringify(v)})`,
      { got: v },
    );
  return new Date(v).toISOString();
}

export function capLanguage(tag: string | undefined): Language | undefined {
  const t = (tag ?? 'en-US').toLowerCase();
  if (t === 'ja-x-easy' || t === 'ja-jp-x-easy') return 'ja-x-easy';
  const base = t.split('-')[0]!;
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : undefined;
}

/** "lat,lon lat,lon …" → closed [lon, lat] ring. */
export function parsePolygon(s: string, path: string, limit: number): LonLat[] {
  const words = s.trim().split(/\s+/);
  if (words.length > limit)
    throw bad(path, 'too-many', `has ${words.length} points (at most ${limit})`, { limit, got: words.length });
  const pts = words.map((pair, i) => {
    const [lat, lon] = pair.split(',').map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat!) > 90 || Math.abs(lon!) > 180)
      throw bad(path, 'polygon-point', `point ${i + 1} is not "lat,lon"`, { point: i + 1 });
    return [lon!, lat!] as LonLat;
  });
  if (pts.length < 4) throw bad(path, 'polygon-points', 'needs at least 4 points (CAP polygons are closed)');
  const [f, l] = [pts[0]!, pts[pts.length - 1]!];
  if (f[0] !== l[0] || f[1] !== l[1]) throw bad(path, 'polygon-open', 'first and last points must be the same');
  return pts;
}

export function parseCircle(s: string, path: string) {
  const m = /^\s*(-?[\d.]+),(-?[\d.]+)\s+([\d.]+)\s*$/.exec(s);
  if (!m) throw bad(path, 'circle-format', 'must be "lat,lon radius-km"');
  const [lat, lon, km] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || !(km > 0)) throw bad(path, 'circle-range', 'is out of range');
  return { lat, lon, radiusM: km * 1000 };
}

export function pairs(n: Node, key: string): { name: string; value: string }[] {
  return arr(n[key]).map((p) => ({ name: text((p as Node).valueName) ?? '', value: text((p as Node).value) ?? '' }));
}

/**
 * Every text longer than the limit, named by its path (the tree is at most CAP_MAX_DEPTH deep).
 * Polygons have their own limit (points); an embedded resource (derefUri) only the body size.
 */
export function checkLengths(n: unknown, path: string, max: number): void {
  if (typeof n === 'string') {
    if (n.length > max) throw bad(path, 'too-long', `is ${n.length} characters (at most ${max})`, { limit: max });
    return;
  }
  if (!n || typeof n !== 'object') return;
  for (const [k, v] of Object.entries(n as Node)) {
    if (k.startsWith('@_') || k === 'polygon' || k === 'derefUri') continue;
    if (Array.isArray(v)) v.forEach((x, i) => checkLengths(x, `${path}/${k}[${i + 1}]`, max));
    else checkLengths(v, `${path}/${k}${REPEATED.has(k) ? '[1]' : ''}`, max);
  }
}

/** "sender,identifier,sent" triples, each part as CAP 1.2 §3.2.1 writes it. */
export function parseReferences(s: string | undefined, path: string): CapReference[] {
  return (s ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((ref) => {
      const parts = ref.split(',');
      if (
        parts.length !== 3 ||
        parts.some((x) => !x) ||
        !CAP_TIME.test(parts[2]!) ||
        Number.isNaN(Date.parse(parts[2]!))
      )
        throw bad(path, 'reference-format', `must be "sender,identifier,sent" triples (got ${JSON.stringify(ref)})`, {
          got: ref.slice(0, 200),
        });
      return { sender: parts[0]!, identifier: parts[1]!, sent: parts[2]! };
    });
}
