/**
 * Reads one document of the Japan Meteorological Agency's disaster XML (防災情報XML, format of
 * https://xml.kishou.go.jp/): the three kinds a municipality acts on for evacuation —
 * 気象特別警報・警報・注意報 (VPWW53/54), 土砂災害警戒情報 (VXWW50) and 指定河川洪水予報 (VXKO50–70) —
 * into what the level mapping needs: the document's identity (EventID, Serial, InfoType,
 * ReportDateTime) and, per area code, the kinds in force. Anything else is refused with a named
 * reason (`details.reason`), never guessed at.
 *
 * The bytes pass the CAP import's gate first (alerts/cap-guard.ts): UTF-8, no DOCTYPE or entity
 * declaration at all, well-formed, at most 16 elements deep. Only then does fast-xml-parser build
 * the tree, with the attributes JMA keys its sections by (`<Warning type="…">`).
 */
import { XMLParser } from 'fast-xml-parser';
import { KzError } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import { decodeCap, guardCap } from '../alerts/cap-guard.ts';
import { DEFAULT_CAP_LIMITS } from '../alerts/cap-limits.ts';

export const JMA_NS = 'http://xml.kishou.go.jp/jmaxml1/';

/** Why a document was refused (details.reason). */
export const JMA_REFUSALS = {
  'utf-8': 'the bytes are not valid UTF-8',
  encoding: 'the XML declaration names an encoding other than UTF-8',
  doctype: 'the document holds a DOCTYPE or entity declaration',
  depth: 'elements nest deeper than 16',
  'not-xml': 'the document is not well-formed XML',
  'not-jma': 'the root is not <Report> in the JMA namespace http://xml.kishou.go.jp/jmaxml1/',
  'unsupported-kind':
    'Control/Title is not 気象特別警報・警報・注意報, 気象警報・注意報, 土砂災害警戒情報 or 指定河川洪水予報 (details.got)',
  required: 'an element the format requires is missing or empty (details.field)',
  status: 'Control/Status is not 通常, 訓練 or 試験',
  'info-type': 'Head/InfoType is not 発表, 訂正 or 取消',
  'date-time': 'a date-time is not ISO 8601 with an offset',
  serial: 'Head/Serial is not a whole number',
  'no-areas': 'the document names no area at all (no Body/Warning section of its kind)',
} as const;
export type JmaRefusal = keyof typeof JMA_REFUSALS;

export const jmaRefused = (reason: JmaRefusal, field: string, more: Record<string, string | number> = {}) =>
  consoleErrors.KZ_CONSOLE_JMA_INVALID(`${field}: ${JMA_REFUSALS[reason]}`, { field, reason, ...more });

/** Which of the three supported documents. */
export type JmaDocKind = 'weather-warning' | 'landslide' | 'river-flood';

const TITLES: Record<string, JmaDocKind> = {
  気象特別警報・警報・注意報: 'weather-warning',
  気象警報・注意報: 'weather-warning',
  土砂災害警戒情報: 'landslide',
  指定河川洪水予報: 'river-flood',
};

/** One kind in force (or lifted) for some areas: 大雨特別警報, 警戒 (土砂), 氾濫危険情報, … */
export interface JmaEntry {
  /** Kind/Name as JMA writes it. */
  name: string;
  code: string;
  /** Kind/Status (発表, 継続, 解除, 特別警報から警報, …); '' where the format has none. */
  status: string;
  /** Attention/Note and Addition/Note texts (大雨警報's 土砂災害警戒, 浸水警戒, …). */
  notes: string[];
  /** Area codes this entry applies to (市町村等, まとめた地域, river, or an inundation area's city). */
  areaCodes: string[];
  areaNames: string[];
}

export interface JmaDocument {
  kind: JmaDocKind;
  /** Control/Title. */
  title: string;
  status: '通常' | '訓練' | '試験';
  publishingOffice: string;
  /** Head/Title, e.g. 絆県気象警報・注意報. */
  headTitle: string;
  reportDateTime: string;
  /** Head/EventID ('' for warnings, where JMA leaves it empty). */
  eventId: string;
  infoType: '発表' | '訂正' | '取消';
  serial: number | null;
  headline: string;
  entries: JmaEntry[];
}

type Node = Record<string, unknown>;
const ARRAYS = new Set(['Warning', 'Item', 'Kind', 'Area', 'Note', 'Information']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

const textOf = (v: unknown): string => {
  if (typeof v === 'string') return v.trim();
  if (v && typeof v === 'object' && '#text' in v) return String((v as Node)['#text']).trim();
  return '';
};
const nodes = (v: unknown): Node[] =>
  Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : [];
const child = (n: Node | undefined, name: string): Node | undefined => nodes(n?.[name])[0];

function required(n: Node | undefined, name: string, path: string): string {
  const v = textOf(n?.[name]);
  if (!v) throw jmaRefused('required', `${path}/${name}`);
  return v;
}

// ISO 8601 with seconds and an offset or Z, as JMA writes (2026-07-01T10:00:00+09:00)
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The CAP gate's refusal as the JMA one with the same reason (its checks are format-neutral). */
function asJma<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KzError && e.code === 'KZ_CONSOLE_CAP_INVALID') {
      const d = (e.details ?? {}) as { reason?: string; line?: number; byte?: number };
      const reason = (d.reason && d.reason in JMA_REFUSALS ? d.reason : 'not-xml') as JmaRefusal;
      throw jmaRefused(reason, '/', {
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.byte !== undefined ? { byte: d.byte } : {}),
      });
    }
    throw e;
  }
}

/** Bytes → text: invalid UTF-8 is refused (reason utf-8), never repaired. */
export const decodeJma = (input: Uint8Array | string): string => asJma(() => decodeCap(input));

/** Bytes (or text) → the document, or a KZ_CONSOLE_JMA_INVALID naming the reason. */
export function parseJma(input: Uint8Array | string): JmaDocument {
  const xml = decodeJma(input);
  // its root check (<alert>) is ignored here: the root is checked below
  asJma(() => guardCap(xml, { ...DEFAULT_CAP_LIMITS, infos: Infinity, areas: Infinity }));
  const root = /<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(\s[^>]*)?>/.exec(
    xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''),
  );
  const ns = root
    ? new RegExp(`\\sxmlns${root[1] ? `:${root[1]}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(root[3] ?? '')?.[1]
    : undefined;
  if (!root || root[2] !== 'Report' || ns !== JMA_NS)
    throw jmaRefused('not-jma', '/Report', { got: root ? `${root[2]} ${ns ?? '(no namespace)'}` : '' });

  const report = (parser.parse(xml) as Node).Report as Node;
  const control = child(report, 'Control');
  const head = child(report, 'Head');
  if (!control) throw jmaRefused('required', '/Report/Control');
  if (!head) throw jmaRefused('required', '/Report/Head');
  const title = required(control, 'Title', '/Report/Control');
  const kind = TITLES[title];
  if (!kind) throw jmaRefused('unsupported-kind', '/Report/Control/Title', { got: title.slice(0, 100) });
  const status = required(control, 'Status', '/Report/Control');
  if (status !== '通常' && status !== '訓練' && status !== '試験')
    throw jmaRefused('status', '/Report/Control/Status', { got: status.slice(0, 40) });
  const infoType = required(head, 'InfoType', '/Report/Head');
  if (infoType !== '発表' && infoType !== '訂正' && infoType !== '取消')
    throw jmaRefused('info-type', '/Report/Head/InfoType', { got: infoType.slice(0, 40) });
  const reportDateTime = required(head, 'ReportDateTime', '/Report/Head');
  if (!DATE_TIME.test(reportDateTime) || Number.isNaN(Date.parse(reportDateTime)))
    throw jmaRefused('date-time', '/Report/Head/ReportDateTime', { got: reportDateTime.slice(0, 40) });
  const serialText = textOf(head.Serial);
  if (serialText && !/^\d{1,9}$/.test(serialText))
    throw jmaRefused('serial', '/Report/Head/Serial', { got: serialText.slice(0, 40) });

  const doc: JmaDocument = {
    kind,
    title,
    status,
    publishingOffice: required(control, 'PublishingOffice', '/Report/Control'),
    headTitle: required(head, 'Title', '/Report/Head'),
    reportDateTime: new Date(reportDateTime).toISOString(),
    eventId: textOf(head.EventID),
    infoType,
    serial: serialText ? Number(serialText) : null,
    headline: textOf(child(head, 'Headline')?.Text),
    entries: [],
  };
  // a 取消 withdraws what its EventID said before: it needs no body
  if (infoType === '取消') return doc;
  const body = child(report, 'Body');
  doc.entries =
    kind === 'weather-warning'
      ? warningEntries(body)
      : kind === 'landslide'
        ? landslideEntries(body)
        : riverEntries(head, body);
  if (doc.entries.length === 0) throw jmaRefused('no-areas', '/Report/Body/Warning');
  return doc;
}

const notesOf = (k: Node): string[] =>
  ['Attention', 'Addition'].flatMap((n) => nodes(k[n]).flatMap((x) => nodes(x.Note).map(textOf).filter(Boolean)));

function kindEntry(k: Node, areas: Node[]): JmaEntry {
  return {
    name: textOf(k.Name),
    code: textOf(k.Code),
    status: textOf(k.Status),
    notes: notesOf(k),
    areaCodes: areas.map((a) => textOf(a.Code)).filter(Boolean),
    areaNames: areas.map((a) => textOf(a.Name)).filter(Boolean),
  };
}

/** 気象警報・注意報: the sections per municipality (市町村等) and per group of them (市町村等をまとめた地域等). */
function warningEntries(body: Node | undefined): JmaEntry[] {
  const out: JmaEntry[] = [];
  for (const w of nodes(body?.Warning)) {
    const type = String(w['@type'] ?? '');
    if (!type.endsWith('（市町村等）') && !type.endsWith('（市町村等をまとめた地域等）')) continue;
    for (const item of nodes(w.Item)) {
      const areas = nodes(item.Area);
      for (const k of nodes(item.Kind)) if (textOf(k.Name)) out.push(kindEntry(k, areas));
    }
  }
  return out;
}

/** 土砂災害警戒情報: one item per municipality, Kind 警戒 / 解除 / なし. */
function landslideEntries(body: Node | undefined): JmaEntry[] {
  return nodes(body?.Warning)
    .filter((w) => String(w['@type'] ?? '') === '土砂災害警戒情報')
    .flatMap((w) => nodes(w.Item))
    .flatMap((item) => nodes(item.Kind).map((k) => kindEntry(k, nodes(item.Area))));
}

/**
 * 指定河川洪水予報: the forecast's kind (氾濫発生/危険/警戒/注意情報, 解除) from the headline's
 * 指定河川洪水予報（河川） section, and the areas it concerns: the rivers' codes and, from the body's
 * 浸水想定地区 items, the codes of the municipalities that may be flooded (CityCode).
 */
function riverEntries(head: Node, body: Node | undefined): JmaEntry[] {
  const cities: Node[] = [];
  for (const w of nodes(body?.Warning))
    for (const item of nodes(w.Item))
      if (nodes(item.Kind).some((k) => textOf(k.Name) === '浸水想定地区'))
        for (const a of nodes(child(item, 'Areas')?.Area))
          cities.push({ Code: textOf(a.CityCode) || textOf(a.Code), Name: textOf(a.City) || textOf(a.Name) });
  const out: JmaEntry[] = [];
  for (const info of nodes(child(head, 'Headline')?.Information)) {
    if (String(info['@type'] ?? '') !== '指定河川洪水予報（河川）') continue;
    for (const item of nodes(info.Item)) {
      const rivers = nodes(child(item, 'Areas')?.Area);
      for (const k of nodes(item.Kind)) out.push(kindEntry(k, [...rivers, ...cities]));
    }
  }
  return out;
}
