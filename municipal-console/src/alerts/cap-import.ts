/**
 * CAP 1.2 (OASIS Common Alerting Protocol, urn:oasis:names:tc:emergency:cap:1.2) in (the export: cap-export.ts).
 * Import checks the fields CAP requires and the ones Kizuna needs to act (the evacuation level,
 * an expiry, an area), naming the failing field as an XPath-like path. Japan's level travels as
 * <parameter><valueName>EvacuationLevel</valueName>, the hazard as an eventCode
 * "kizuna:hazard" (else it is read from <event>), zones as <geocode> "kizuna:zone".
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  HAZARDS,
  LANGUAGES,
  type AlertStatus,
  type EvacuationLevel,
  type Hazard,
  type Language,
  type MsgType,
} from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import type { AlertSpec, CapDetails } from './alert-spec.ts';
import type { LonLat } from '../geo.ts';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
const CATEGORIES = [
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
const URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
const SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
const CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'];
// CAP's dateTime: offset required, no "Z" (CAP 1.2 §3.3.2)
const CAP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;
const LEVEL_NAMES = ['EvacuationLevel', '警戒レベル'];

const HAZARD_WORDS: [RegExp, Hazard][] = [
  [/flood|洪水|浸水|氾濫|大雨/i, 'flood'],
  [/landslide|土砂|がけ崩れ/i, 'landslide'],
  [/storm.?surge|高潮/i, 'storm-surge'],
  [/tsunami|津波/i, 'tsunami'],
  [/earthquake|地震/i, 'earthquake'],
  [/volcan|噴火|火山/i, 'volcano'],
  [/fire|火災/i, 'fire'],
];

export interface CapImport {
  msgType: MsgType;
  /** For Update and Cancel: the CAP identifiers referenced (sender,identifier,sent triples). */
  references: string[];
  spec: AlertSpec;
}

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
] as const;
export type CapRefusal = (typeof CAP_REFUSALS)[number];
const bad = (field: string, reason: CapRefusal, why: string, more: Record<string, string | number> = {}) =>
  consoleErrors.KZ_CONSOLE_CAP_INVALID(`${field} ${why}`, { field, reason, ...more });

type Node = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v)).trim();
  return s || undefined;
}

function required(n: Node, key: string, path: string): string {
  const v = text(n[key]);
  if (!v) throw bad(`${path}/${key}`, 'required', 'is required');
  return v;
}
function oneOf(n: Node, key: string, path: string, allowed: string[]): string {
  const v = required(n, key, path);
  if (!allowed.includes(v))
    throw bad(`${path}/${key}`, 'one-of', `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`, {
      allowed: allowed.join(', '),
      got: v,
    });
  return v;
}
function capTime(n: Node, key: string, path: string, need = true): string | undefined {
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

function capLanguage(tag: string | undefined): Language | undefined {
  const t = (tag ?? 'en-US').toLowerCase();
  if (t === 'ja-x-easy' || t === 'ja-jp-x-easy') return 'ja-x-easy';
  const base = t.split('-')[0]!;
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : undefined;
}

/** "lat,lon lat,lon …" → closed [lon, lat] ring. */
function parsePolygon(s: string, path: string): LonLat[] {
  const pts = s
    .trim()
    .split(/\s+/)
    .map((pair, i) => {
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

function parseCircle(s: string, path: string) {
  const m = /^\s*(-?[\d.]+),(-?[\d.]+)\s+([\d.]+)\s*$/.exec(s);
  if (!m) throw bad(path, 'circle-format', 'must be "lat,lon radius-km"');
  const [lat, lon, km] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || !(km > 0)) throw bad(path, 'circle-range', 'is out of range');
  return { lat, lon, radiusM: km * 1000 };
}

function pairs(n: Node, key: string): { name: string; value: string }[] {
  return arr(n[key]).map((p) => ({ name: text((p as Node).valueName) ?? '', value: text((p as Node).value) ?? '' }));
}

export function parseCap(xml: string): CapImport {
  if (typeof xml !== 'string' || !xml.trim()) throw bad('/', 'not-xml', 'body must be a CAP 1.2 XML document');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw bad('/', 'not-xml', `is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`, {
      line: valid.err.line,
    });
  const doc = new XMLParser({
    ignoreAttributes: false,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
  }).parse(xml) as Node;
  const alert = doc.alert as Node | undefined;
  if (!alert || typeof alert !== 'object') throw bad('/alert', 'no-alert', 'root element is missing');
  if (alert['@_xmlns'] !== undefined && alert['@_xmlns'] !== CAP_NS)
    throw bad('/alert/@xmlns', 'namespace', `must be ${CAP_NS}`, { allowed: CAP_NS, got: String(alert['@_xmlns']) });
  const p = '/alert';
  const identifier = required(alert, 'identifier', p);
  if (/[\s,<&]/.test(identifier))
    throw bad(`${p}/identifier`, 'identifier-characters', 'must not contain spaces, commas, < or &');
  const sender = required(alert, 'sender', p);
  capTime(alert, 'sent', p);
  const status = oneOf(alert, 'status', p, ['Actual', 'Exercise', 'System', 'Test', 'Draft']);
  if (status === 'System' || status === 'Draft')
    throw bad(
      `${p}/status`,
      'not-shown',
      `${status} messages are not shown to residents; use Actual, Exercise or Test`,
      { got: status },
    );
  const msgType = oneOf(alert, 'msgType', p, ['Alert', 'Update', 'Cancel', 'Ack', 'Error']);
  if (msgType === 'Ack' || msgType === 'Error')
    throw bad(`${p}/msgType`, 'not-an-alert', `${msgType} is not an alert to publish`, { got: msgType });
  oneOf(alert, 'scope', p, ['Public', 'Restricted', 'Private']);
  const references = (text(alert.references) ?? '').split(/\s+/).filter(Boolean);
  if (msgType !== 'Alert' && references.length === 0)
    throw bad(`${p}/references`, 'references-required', `is required for ${msgType}`, { got: msgType });

  const infos = arr(alert.info) as Node[];
  if (infos.length === 0) throw bad(`${p}/info`, 'required', 'at least one <info> is required');
  let level: EvacuationLevel | undefined;
  let hazard: Hazard | undefined;
  let expires: string | undefined;
  const extra: Partial<Record<Language, string>> = {};
  const zones = new Set<string>();
  let polygon: LonLat[] | undefined;
  let circle: AlertSpec['target']['circle'];
  const cap: CapDetails = { identifier, sender };
  infos.forEach((info, i) => {
    const ip = `${p}/info[${i + 1}]`;
    const cats = arr(info.category).map(text);
    if (cats.length === 0) throw bad(`${ip}/category`, 'required', 'is required');
    cats.forEach((c, j) => {
      if (!CATEGORIES.includes(c ?? ''))
        throw bad(`${ip}/category[${j + 1}]`, 'one-of', `must be one of ${CATEGORIES.join(', ')}`, {
          allowed: CATEGORIES.join(', '),
          got: c ?? '',
        });
    });
    const event = required(info, 'event', ip);
    const urgency = oneOf(info, 'urgency', ip, URGENCY);
    const severity = oneOf(info, 'severity', ip, SEVERITY);
    const certainty = oneOf(info, 'certainty', ip, CERTAINTY);
    const exp = capTime(info, 'expires', ip, false);
    if (exp) expires = expires && expires < exp ? expires : exp;
    for (const prm of pairs(info, 'parameter')) {
      if (LEVEL_NAMES.includes(prm.name)) {
        const n = Number(prm.value);
        if (n !== 3 && n !== 4 && n !== 5)
          throw bad(`${ip}/parameter[valueName=${prm.name}]/value`, 'level-value', 'must be 3, 4 or 5', {
            got: prm.value,
          });
        level = n;
      }
    }
    for (const ec of pairs(info, 'eventCode')) {
      if (ec.name === 'kizuna:hazard') {
        if (!(HAZARDS as readonly string[]).includes(ec.value))
          throw bad(
            `${ip}/eventCode[valueName=kizuna:hazard]/value`,
            'one-of',
            `must be one of ${HAZARDS.join(', ')}`,
            { allowed: HAZARDS.join(', '), got: ec.value },
          );
        hazard = ec.value as Hazard;
      }
    }
    hazard ??= HAZARD_WORDS.find(([re]) => re.test(event))?.[1];
    const lang = capLanguage(text(info.language));
    const instr = text(info.instruction);
    if (lang && instr && !extra[lang]) extra[lang] = instr.slice(0, 500);
    if (i === 0)
      Object.assign(cap, {
        event,
        category: cats as string[],
        urgency,
        severity,
        certainty,
        headline: text(info.headline),
        description: text(info.description),
        web: text(info.web),
        senderName: text(info.senderName),
      });
    (arr(info.area) as Node[]).forEach((area, k) => {
      const ap = `${ip}/area[${k + 1}]`;
      const desc = required(area, 'areaDesc', ap);
      // CAP repeats the areas in every <info> (one per language): keep each area once.
      if (!(cap.areaDesc ?? '').split('; ').includes(desc))
        cap.areaDesc = cap.areaDesc ? `${cap.areaDesc}; ${desc}` : desc;
      arr(area.polygon).forEach((poly, m) => {
        const ring = parsePolygon(text(poly) ?? '', `${ap}/polygon[${m + 1}]`);
        if (polygon && JSON.stringify(polygon) === JSON.stringify(ring)) return; // the same area in another language's <info>
        if (polygon)
          throw bad(
            `${ap}/polygon[${m + 1}]`,
            'one-polygon',
            'only one polygon per alert is supported; use zones (geocode kizuna:zone) for more',
          );
        polygon = ring;
      });
      arr(area.circle).forEach((c, m) => {
        const cc = parseCircle(text(c) ?? '', `${ap}/circle[${m + 1}]`);
        if (circle && JSON.stringify(circle) === JSON.stringify(cc)) return;
        if (circle) throw bad(`${ap}/circle[${m + 1}]`, 'one-circle', 'only one circle per alert is supported');
        circle = cc;
      });
      for (const g of pairs(area, 'geocode')) if (g.name === 'kizuna:zone') zones.add(g.value);
    });
  });
  if (level === undefined)
    throw bad(
      `${p}/info/parameter[valueName=EvacuationLevel]`,
      'level-required',
      'is required (3, 4 or 5: 警戒レベル)',
    );
  if (!hazard)
    throw bad(
      `${p}/info/eventCode[valueName=kizuna:hazard]`,
      'hazard-required',
      `is required when <event> names no known hazard (${HAZARDS.join(', ')})`,
      { allowed: HAZARDS.join(', ') },
    );
  if (!expires)
    throw bad(`${p}/info/expires`, 'expires-required', 'is required: Kizuna stops re-sending an alert when it expires');
  if (!zones.size && !polygon && !circle && msgType !== 'Cancel')
    throw bad(`${p}/info/area`, 'area-required', 'needs a polygon, a circle or a geocode kizuna:zone');
  if (references.length) cap.references = references.join(' ');
  return {
    msgType: msgType as MsgType,
    references,
    spec: {
      level,
      hazard,
      status: status as AlertStatus,
      expires,
      target: {
        ...(zones.size ? { zones: [...zones] } : {}),
        ...(polygon ? { polygon } : {}),
        ...(circle ? { circle } : {}),
      },
      ...(Object.keys(extra).length ? { extra } : {}),
      cap,
    },
  };
}
