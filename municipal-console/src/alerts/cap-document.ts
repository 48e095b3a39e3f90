/**
 * An imported CAP 1.2 document as it was given (issue 20): every <info> with its own language,
 * texts, parameters, geocodes and areas, and the <alert> fields around them, so an export of the
 * unchanged alert gives the document back (its identity triple, <sent> and content) and a
 * re-import of that export reads the same again. One table per element lists its children in the
 * schema's order; reading and writing both follow it. Not kept: a resource's <derefUri> (an
 * embedded file; its <uri> and <digest> are kept) and XML signatures.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { CAP_NS } from './cap-guard.ts';

type Node = { [name: string]: unknown };

/** A <valueName>/<value> pair (eventCode, parameter, geocode). */
export interface CapPair {
  valueName: string;
  value: string;
}
export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: string;
  uri?: string;
  digest?: string;
}
export interface CapArea {
  areaDesc: string;
  /** As written: "lat,lon lat,lon …". */
  polygon?: string[];
  /** As written: "lat,lon radius-km". */
  circle?: string[];
  geocode?: CapPair[];
  altitude?: string;
  ceiling?: string;
}
export interface CapInfo {
  language?: string;
  category: string[];
  event: string;
  responseType?: string[];
  urgency: string;
  severity: string;
  certainty: string;
  audience?: string;
  eventCode?: CapPair[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameter?: CapPair[];
  resource?: CapResource[];
  area?: CapArea[];
}
export interface CapDocument {
  identifier: string;
  sender: string;
  /** As written (with its offset): with sender and identifier, what a later <references> names. */
  sent: string;
  status: string;
  msgType: string;
  source?: string;
  scope: string;
  restriction?: string;
  addresses?: string;
  code?: string[];
  note?: string;
  references?: string;
  incidents?: string;
  info?: CapInfo[];
}

/** How a child is held: one text, repeated texts, repeated pairs, or repeated elements of their own table. */
type Kind = 'one' | 'many' | 'pairs' | Field[];
type Field = [name: string, kind: Kind];

const RESOURCE: Field[] = [
  ['resourceDesc', 'one'],
  ['mimeType', 'one'],
  ['size', 'one'],
  ['uri', 'one'],
  ['digest', 'one'],
];
const AREA: Field[] = [
  ['areaDesc', 'one'],
  ['polygon', 'many'],
  ['circle', 'many'],
  ['geocode', 'pairs'],
  ['altitude', 'one'],
  ['ceiling', 'one'],
];
const INFO: Field[] = [
  ['language', 'one'],
  ['category', 'many'],
  ['event', 'one'],
  ['responseType', 'many'],
  ['urgency', 'one'],
  ['severity', 'one'],
  ['certainty', 'one'],
  ['audience', 'one'],
  ['eventCode', 'pairs'],
  ['effective', 'one'],
  ['onset', 'one'],
  ['expires', 'one'],
  ['senderName', 'one'],
  ['headline', 'one'],
  ['description', 'one'],
  ['instruction', 'one'],
  ['web', 'one'],
  ['contact', 'one'],
  ['parameter', 'pairs'],
  ['resource', RESOURCE],
  ['area', AREA],
];
const ALERT: Field[] = [
  ['identifier', 'one'],
  ['sender', 'one'],
  ['sent', 'one'],
  ['status', 'one'],
  ['msgType', 'one'],
  ['source', 'one'],
  ['scope', 'one'],
  ['restriction', 'one'],
  ['addresses', 'one'],
  ['code', 'many'],
  ['note', 'one'],
  ['references', 'one'],
  ['incidents', 'one'],
  ['info', INFO],
];

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** The guard's tree holds an element with text only as its trimmed text; an empty one as "". */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : '');

function read(n: Node, fields: Field[]): Node {
  const out: Node = {};
  for (const [name, kind] of fields) {
    const v = n[name];
    if (v === undefined) continue;
    if (kind === 'one') out[name] = textOf(Array.isArray(v) ? v[0] : v);
    else if (kind === 'many') out[name] = list(v).map(textOf);
    else if (kind === 'pairs')
      out[name] = list(v).map((p) => ({
        valueName: textOf((p as Node).valueName),
        value: textOf((p as Node).value),
      }));
    else out[name] = list(v).map((c) => read(typeof c === 'object' && c ? (c as Node) : {}, kind));
  }
  return out;
}

/** The document in the guard's tree (cap-guard.ts), after the checks of cap-import.ts. */
export function readCapDocument(alert: Node): CapDocument {
  return read(alert, ALERT) as unknown as CapDocument;
}

function ordered(n: Node, fields: Field[]): Node {
  const out: Node = {};
  for (const [name, kind] of fields) {
    const v = n[name];
    if (v === undefined) continue;
    out[name] = Array.isArray(kind) ? (v as Node[]).map((c) => ordered(c, kind)) : v;
  }
  return out;
}

const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });

/** The document as CAP 1.2 XML, every element in the schema's order. */
export function writeCapDocument(doc: CapDocument): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    alert: { '@_xmlns': CAP_NS, ...ordered(doc as unknown as Node, ALERT) },
  }) as string;
}
