/**
 * The first gate of a CAP import, before any parser builds a tree: the bytes are UTF-8 (never
 * replaced with U+FFFD), there is no DOCTYPE or entity declaration at all (no external, parameter
 * or PUBLIC entity ever reaches a parser), elements nest no deeper than CAP can, the root is
 * <alert> in the CAP 1.2 namespace, and the counts stay within the configured limits. One linear
 * pass over the text, no recursion: its cost is bounded by the body size limit. It also records
 * where each element starts, so a schema error (which names a line) can name the element's path.
 */
import type { KzError } from '@kizuna/core';
import { consoleErrors } from '../errors.ts';
import type { CapLimits } from './cap-limits.ts';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';
/** CAP's deepest element is 4 below <alert>; an XML signature (xmldsig) goes a few deeper. */
export const CAP_MAX_DEPTH = 16;

/** Where an element starts: its path (/alert/info[2]/area[1]/polygon[1]) and 1-based line. */
export interface ElementAt {
  path: string;
  local: string;
  line: number;
}

export type GuardRefusal =
  'utf-8' | 'encoding' | 'doctype' | 'depth' | 'not-xml' | 'no-alert' | 'namespace' | 'too-many';

export const capRefused = (field: string, reason: string, why: string, more: Record<string, string | number> = {}) =>
  consoleErrors.KZ_CONSOLE_CAP_INVALID(`${field} ${why}`, { field, reason, ...more });

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Where the first byte sequence that is not UTF-8 starts (0-based); TextDecoder does not say. */
function firstBadUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return i;
    const second = b[i + 1] ?? 0;
    // overlong, surrogate and beyond-U+10FFFF forms are not UTF-8
    if (
      (c === 0xe0 && second < 0xa0) ||
      (c === 0xed && second > 0x9f) ||
      (c === 0xf0 && second < 0x90) ||
      (c === 0xf4 && second > 0x8f)
    )
      return i;
    for (let k = 1; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return b.length;
}

/** Bytes → text: invalid UTF-8 is refused, never repaired. */
export function decodeCap(body: Uint8Array | string): string {
  if (typeof body === 'string') return body;
  try {
    return fatalUtf8.decode(body);
  } catch {
    const i = firstBadUtf8(body);
    throw capRefused('/', 'utf-8', `is not valid UTF-8 (the sequence at byte ${i + 1})`, { byte: i + 1 });
  }
}

// One token of markup: comment, CDATA, processing instruction, declaration, end tag, start tag.
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>?|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The elements CAP allows more than one of: a path gives their index ([1] too), as every refusal writes it. */
export const REPEATED = new Set([
  'info',
  'area',
  'category',
  'responseType',
  'eventCode',
  'parameter',
  'resource',
  'polygon',
  'circle',
  'geocode',
]);
const COUNTED: Record<string, 'infos' | 'areas'> = { info: 'infos', area: 'areas' };

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REF = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;

/** Character data → text: the five predefined entities and character references, nothing else. */
function unescape(raw: string, line: () => number): string {
  if (raw.includes('<')) throw capRefused('/', 'not-xml', `is not well-formed XML (line ${line()}: a stray "<")`);
  if (!raw.includes('&')) return raw;
  const out = raw.replace(REF, (_m, name?: string, dec?: string, hex?: string) => {
    if (name) return ENTITY[name]!;
    const cp = dec ? Number(dec) : parseInt(hex!, 16);
    if (cp > 0x10ffff || cp === 0 || (cp >= 0xd800 && cp <= 0xdfff))
      throw capRefused('/', 'not-xml', `is not well-formed XML (line ${line()}: character reference ${cp})`);
    return String.fromCodePoint(cp);
  });
  if (raw.replace(REF, '').includes('&'))
    throw capRefused('/', 'not-xml', `is not well-formed XML (line ${line()}: "&" that is not an entity reference)`);
  return out;
}

export type CapNode = { [name: string]: CapValue };
export type CapValue = string | CapNode | CapValue[];

interface Open {
  qname: string;
  path: string;
  local: string;
  children: Map<string, number>;
  ns: Map<string, string>;
  node: CapNode;
  text: string[];
  hasChildren: boolean;
}

/**
 * The scan: refuses what no CAP 1.2 document holds and builds the element tree (children by
 * local name, a repeated one as an array, an element with text only as its trimmed text), with
 * where each element starts. A wrong root (another element, another namespace) is returned, not
 * thrown, so a document that is not even well-formed is refused as such first. Well-formedness
 * beyond what this scan sees (attributes, names) is libxml2's, in the schema check.
 */
export function guardCap(
  xml: string,
  limits: CapLimits,
): { elements: ElementAt[]; root?: CapNode; wrongRoot?: KzError } {
  const decl = /^\uFEFF?<\?xml\s[^?]*encoding\s*=\s*["']([^"']+)["']/.exec(xml);
  if (decl && decl[1]!.toLowerCase().replace('_', '-') !== 'utf-8')
    throw capRefused('/', 'encoding', `must be UTF-8 (the declaration says ${decl[1]})`, { got: decl[1]! });
  const out: ElementAt[] = [];
  const stack: Open[] = [];
  const counts: Record<string, number> = {};
  let wrongRoot: KzError | undefined;
  let root: CapNode | undefined;
  let line = 1;
  let at = 0;
  const lineAt = (to: number) => {
    for (let k = xml.indexOf('\n', at); k !== -1 && k < to; k = xml.indexOf('\n', k + 1)) line++;
    at = to;
    return line;
  };
  const notXml = (why: string, i: number) =>
    capRefused('/', 'not-xml', `is not well-formed XML (line ${lineAt(i)}: ${why})`, { line });
  const close = (o: Open, value: CapValue) => {
    const parent = stack.at(-1);
    if (!parent) {
      root = typeof value === 'string' ? {} : (value as CapNode);
      return;
    }
    parent.hasChildren = true;
    const had = parent.node[o.local];
    parent.node[o.local] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  };
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(xml); m; m = TOKEN.exec(xml)) {
    const t = m[0];
    const between = xml.slice(last, m.index);
    last = m.index + t.length;
    const top = stack.at(-1);
    if (top) top.text.push(unescape(between, () => lineAt(m!.index)));
    else if (between.replace(/^\uFEFF/, '').trim()) throw notXml('text outside the root element', m.index);
    if (t.startsWith('<![CDATA[')) {
      if (!top) throw notXml('CDATA outside the root element', m.index);
      top.text.push(t.slice(9, -3));
      continue;
    }
    if (t.startsWith('<!') && !t.startsWith('<!--')) {
      const what = /^<!\s*([A-Za-z]*)/.exec(t)![1] || 'declaration';
      throw capRefused('/', 'doctype', `must not contain a ${what} (CAP documents have no DTD or entities)`, {
        line: lineAt(m.index),
      });
    }
    if (m[1] !== undefined) {
      const o = stack.pop();
      if (!o || o.qname !== m[1]) throw notXml(`</${m[1]}> does not close <${o?.qname ?? ''}>`, m.index);
      const text = o.text.join('').trim();
      if (o.hasChildren && text) o.node['#text'] = text;
      close(o, o.hasChildren ? o.node : text);
      continue;
    }
    if (m[2] === undefined) continue;
    const qname = m[2];
    const colon = qname.indexOf(':');
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const parent = stack.at(-1);
    const ns = new Map(parent?.ns);
    ATTR.lastIndex = 0;
    for (let a = ATTR.exec(m[3] ?? ''); a; a = ATTR.exec(m[3] ?? '')) {
      const name = a[1]!;
      if (name === 'xmlns') ns.set('', a[2] ?? a[3] ?? '');
      else if (name.startsWith('xmlns:')) ns.set(name.slice(6), a[2] ?? a[3] ?? '');
    }
    const n = (parent?.children.get(qname) ?? 0) + 1;
    parent?.children.set(qname, n);
    // an index only where CAP allows more than one such element, as the other refusals write it
    const path = parent ? `${parent.path}/${local}${REPEATED.has(local) ? `[${n}]` : ''}` : `/${local}`;
    if (!parent) {
      const uri = ns.get(prefix) ?? '';
      if (out.length) throw notXml('more than one root element', m.index);
      else if (local !== 'alert') wrongRoot = capRefused('/alert', 'no-alert', 'root element is missing');
      else if (uri !== CAP_NS)
        wrongRoot = capRefused(
          '/alert',
          'namespace',
          `must be in the CAP 1.2 namespace ${CAP_NS} (got ${uri ? JSON.stringify(uri) : 'no namespace'})`,
          { allowed: CAP_NS, got: uri },
        );
    }
    out.push({ path, local, line: lineAt(m.index) });
    const limitName = stack.length === 1 || stack.length === 2 ? COUNTED[local] : undefined;
    if (limitName) {
      counts[limitName] = (counts[limitName] ?? 0) + 1;
      if (counts[limitName]! > limits[limitName])
        throw capRefused(path, 'too-many', `is one <${local}> too many (at most ${limits[limitName]})`, {
          limit: limits[limitName],
        });
    }
    const o: Open = { qname, path, local, children: new Map(), ns, node: {}, text: [], hasChildren: false };
    if (m[4] === '/') {
      close(o, '');
      continue;
    }
    if (stack.length >= CAP_MAX_DEPTH)
      throw capRefused(path, 'depth', `nests deeper than ${CAP_MAX_DEPTH} elements`, { limit: CAP_MAX_DEPTH });
    stack.push(o);
  }
  const tail = xml.slice(last);
  if (stack.length) throw notXml(`<${stack.at(-1)!.qname}> is not closed`, xml.length);
  if (tail.trim()) throw notXml('text after the root element', last);
  if (!root) throw capRefused('/alert', 'no-alert', 'root element is missing');
  return { elements: out, root, ...(wrongRoot ? { wrongRoot } : {}) };
}
