/**
 * CAP 1.2 (OASIS Common Alerting Protocol, urn:oasis:names:tc:emergency:cap:1.2) in (the export: cap-export.ts).
 * Import checks the fields CAP requires and the ones Kizuna needs to act (an expiry, an area, a
 * hazard), naming the failing field as an XPath-like path, and keeps the document as given
 * (cap-document.ts). Japan's level travels as a <parameter> or <eventCode> (names: cap-level.ts;
 * none readable: a draft that asks staff), the hazard as an eventCode "kizuna:hazard" (else it
 * is read from <event>), zones as <geocode> "kizuna:zone".
 */
import {
  HAZARDS,
  type AlertStatus,
  type EvacuationLevel,
  type Hazard,
  type Language,
  type MsgType,
} from '@kizuna/contract';
import type { AlertSpec, CapDetails } from './alert-spec.ts';
import type { LonLat } from '../geo.ts';
import { CAP_NS, guardCap, type ElementAt } from './cap-guard.ts';
import { DEFAULT_CAP_LIMITS, type CapLimits } from './cap-limits.ts';
import { readCapDocument } from './cap-document.ts';
import { LEVEL_NAMES, levelNumber } from './cap-level.ts';

export { CAP_NS };

import {
  HAZARD_WORDS,
  CATEGORIES,
  URGENCY,
  SEVERITY,
  CERTAINTY,
  arr,
  bad,
  capLanguage,
  capTime,
  checkLengths,
  oneOf,
  pairs,
  parseCircle,
  parsePolygon,
  parseReferences,
  required,
  text,
  type CapReference,
  type Node,
} from './cap-fields.ts';

export { CAP_REFUSALS, type CapRefusal, type CapReference } from './cap-fields.ts';

export interface CapImport {
  msgType: MsgType;
  /** For Update and Cancel: the messages referenced (sender, identifier, sent). */
  references: CapReference[];
  /** The document's own identity: identifier, sender and sent, as written. */
  cap: CapDetails;
  /** What to issue (Alert) or change to (Update); a Cancel carries none. */
  spec?: AlertSpec | undefined;
  /** Where each element starts (for the schema check's refusals). */
  elements: ElementAt[];
}

/**
 * The checks made in this process (all but the schema's, which cap-schema.ts makes in a worker):
 * the guard's (cap-guard.ts), well-formedness, the limits, CAP's own rules and what Kizuna needs
 * to act. A Cancel needs no <info>: it lifts what it references.
 */
export function parseCap(xml: string, limits: CapLimits = DEFAULT_CAP_LIMITS): CapImport {
  if (typeof xml !== 'string' || !xml.trim()) throw bad('/', 'not-xml', 'body must be a CAP 1.2 XML document');
  // one pass, no recursion, no parser of its own: libxml2 (cap-schema.ts) checks the rest of XML
  const guarded = guardCap(xml, limits);
  if (guarded.wrongRoot) throw guarded.wrongRoot;
  const alert = guarded.root as Node;
  const p = '/alert';
  checkLengths(alert, p, limits.textChars);
  const identifier = required(alert, 'identifier', p);
  if (/[\s,<&]/.test(identifier))
    throw bad(`${p}/identifier`, 'identifier-characters', 'must not contain spaces, commas, < or &');
  const sender = required(alert, 'sender', p);
  if (/[\s,<&]/.test(sender))
    throw bad(`${p}/sender`, 'identifier-characters', 'must not contain spaces, commas, < or &');
  const sentText = required(alert, 'sent', p);
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
  const references = parseReferences(text(alert.references), `${p}/references`);
  if (msgType !== 'Alert' && references.length === 0)
    throw bad(`${p}/references`, 'references-required', `is required for ${msgType}`, { got: msgType });

  const infos = arr(alert.info) as Node[];
  if (infos.length === 0 && msgType !== 'Cancel') throw bad(`${p}/info`, 'required', 'at least one <info> is required');
  let level: EvacuationLevel | undefined;
  let hazard: Hazard | undefined;
  let expires: string | undefined;
  const extra: Partial<Record<Language, string>> = {};
  const zones = new Set<string>();
  let polygon: LonLat[] | undefined;
  let circle: AlertSpec['target']['circle'];
  let points = 0;
  let polygonText = '';
  const cap: CapDetails = { identifier, sender, sent: sentText };
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
    // the level: a <parameter> or <eventCode> named as in cap-level.ts; one it cannot read leaves it unknown
    for (const [kind, p2] of [
      ['parameter', pairs(info, 'parameter')],
      ['eventCode', pairs(info, 'eventCode')],
    ] as const) {
      for (const prm of p2) {
        if (!LEVEL_NAMES.includes(prm.name)) continue;
        const n = levelNumber(prm.value);
        if (n === undefined) continue;
        if (n !== 3 && n !== 4 && n !== 5)
          throw bad(`${ip}/${kind}[valueName=${prm.name}]/value`, 'level-value', 'must be 3, 4 or 5', {
            got: prm.value,
          });
        level ??= n;
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
    const tag = text(info.language) ?? 'en-US';
    const lang = capLanguage(tag);
    const instr = text(info.instruction);
    if (lang && instr && !extra[lang]) extra[lang] = instr.slice(0, 500);
    // a language Kizuna does not render is kept, and staff are told it is not shown on TVs
    if (!lang)
      (cap.notShown ??= []).push({
        language: tag,
        event,
        ...(text(info.headline) ? { headline: text(info.headline) } : {}),
        ...(text(info.description) ? { description: text(info.description) } : {}),
        ...(instr ? { instruction: instr } : {}),
        areaDesc: (arr(info.area) as Node[]).map((a) => text(a.areaDesc) ?? '').join('; '),
      });
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
        const pp = `${ap}/polygon[${m + 1}]`;
        const raw = text(poly) ?? '';
        // the same area in another language's <info>: the same text is read once (its points still count)
        const ring = polygon && raw === polygonText ? polygon : parsePolygon(raw, pp, limits.polygonPoints);
        points += ring.length;
        if (points > limits.points)
          throw bad(pp, 'too-many', `brings the points of all polygons over ${limits.points}`, {
            limit: limits.points,
          });
        if (ring === polygon || (polygon && JSON.stringify(polygon) === JSON.stringify(ring))) return;
        if (polygon)
          throw bad(
            pp,
            'one-polygon',
            'only one polygon per alert is supported; use zones (geocode kizuna:zone) for more',
          );
        polygon = ring;
        polygonText = raw;
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
  cap.document = readCapDocument(alert);
  if (references.length) cap.references = references.map((r) => `${r.sender},${r.identifier},${r.sent}`).join(' ');
  const base = { msgType: msgType as MsgType, references, cap, elements: guarded.elements };
  if (msgType === 'Cancel') return base;
  // no level Kizuna can read: an Alert becomes a draft that asks staff for it (routes/cap.ts)
  if (level === undefined) cap.warnings = ['level-unknown'];
  if (!hazard)
    throw bad(
      `${p}/info/eventCode[valueName=kizuna:hazard]`,
      'hazard-required',
      `is required when <event> names no known hazard (${HAZARDS.join(', ')})`,
      { allowed: HAZARDS.join(', ') },
    );
  if (!expires)
    throw bad(`${p}/info/expires`, 'expires-required', 'is required: Kizuna stops re-sending an alert when it expires');
  if (!zones.size && !polygon && !circle)
    throw bad(`${p}/info/area`, 'area-required', 'needs a polygon, a circle or a geocode kizuna:zone');
  return {
    ...base,
    spec: {
      // a stand-in until staff answer: a draft with 'level-unknown' cannot be sent (alert-service.ts)
      level: level ?? 3,
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
