/**
 * import → export → import is a fixed point (issue 20): for any schema-valid CAP 1.2 document the
 * generator makes (fast-check, bounded runs) and for the OASIS-style example, what the export of
 * an imported alert gives back reads the same as the document, is itself schema-valid, and
 * exports byte for byte the same again.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HAZARDS } from '@kizuna/contract';
import { parseCap } from '../src/alerts/cap-import.ts';
import { toCap } from '../src/alerts/cap-export.ts';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import type { AlertView, RevisionView } from '../src/alerts/alert-views.ts';
import { floodAlert, NS, OASIS_STYLE, ring } from './cap-documents.ts';

const OWN = 'kizuna.muni-999997.jp';

/** What an import makes of a document (everything but where its elements stand). */
function imported(xml: string) {
  const { elements: _e, ...rest } = parseCap(xml);
  return rest;
}

/** The export of the alert an import of `xml` creates (its first revision, as GET /api/alerts/:id/cap writes it). */
function exportOf(xml: string): string {
  const x = imported(xml);
  const spec = x.spec!;
  const a = { identifier: x.cap.identifier, sender: x.cap.sender, status: spec.status } as AlertView;
  const rev = { revision: 1, msgType: x.msgType, spec, createdAt: '2026-11-23T10:00:00.000Z' } as RevisionView;
  return toCap(a, rev, [], OWN);
}

function fixedPoint(xml: string): string {
  const out = exportOf(xml);
  expect(imported(out)).toEqual(imported(xml));
  expect(exportOf(out)).toBe(out);
  return out;
}

/** The OASIS CAP 1.2 schema's verdict on many documents at once (libxml2 compiles the schema once). */
async function schemaErrors(docs: string[]): Promise<string[]> {
  const r = await validateXML({
    xml: docs.map((contents, i) => ({ fileName: `doc-${i}.xml`, contents })),
    schema: [
      { fileName: 'CAP-v1.2.xsd', contents: readFileSync(new URL('../schema/CAP-v1.2.xsd', import.meta.url), 'utf8') },
    ],
  });
  return r.errors.map((e) => `${e.loc?.fileName}:${e.loc?.lineNumber} ${e.message}`);
}

// ---------------------------------------------------------------- the generator

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const el = (name: string, v: string | undefined) => (v === undefined ? '' : `<${name}>${esc(v)}</${name}>`);
const pair = (name: string, [n, v]: [string, string]) =>
  `<${name}><valueName>${esc(n)}</valueName><value>${esc(v)}</value></${name}>`;

/** Text as others write it: Japanese, accents, emoji, markup characters, line breaks, spaces at the ends. */
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '7',
    ' ',
    '&',
    '<',
    '>',
    '"',
    "'",
    ']]>',
    '川',
    '辺',
    'é',
    'ñ',
    '😀',
    '\n',
    '\t',
    '；',
  ),
  minLength: 1,
  maxLength: 24,
});
const token = fc.stringMatching(/^[A-Za-z0-9._@-]{1,24}$/);
const time = fc
  .record({
    s: fc.integer({ min: 1_700_000_000, max: 1_900_000_000 }),
    off: fc.constantFrom('+09:00', '-05:00', '+00:00'),
  })
  .map(({ s, off }) => {
    const sign = off.startsWith('-') ? -1 : 1;
    const shifted = new Date((s + sign * Number(off.slice(1, 3)) * 3600) * 1000);
    return `${shifted.toISOString().slice(0, 19)}${off}`;
  });
const some = <T>(a: fc.Arbitrary<T>, max = 2) => fc.array(a, { maxLength: max });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const LEVELS = ['3', '4', '5', '４', 'レベル4', '警戒レベル5', 'Level 3', '高齢者等避難', '避難指示', '緊急安全確保'];
const level = fc.option(
  fc.tuple(fc.constantFrom('EvacuationLevel', '警戒レベル', '避難情報', '発令区分'), fc.constantFrom(...LEVELS)),
  { nil: undefined },
);
const otherPairs = some(fc.tuple(fc.constantFrom('JIS', 'SAME', 'RiverName', 'EventID', 'VTEC'), text), 3);
/** One polygon and one circle per document (Kizuna targets one of each); each area may repeat them. */
const shapes = fc.record({
  polygon: fc.constantFrom(ring(5), ring(12), ring(8, 35.9, 139.9)),
  circle: opt(fc.constantFrom('36.005,140.005 0.5', '35.1,139.2 2')),
});

const area = (s: { polygon: string; circle: string | undefined }, first: boolean) =>
  fc
    .record({
      desc: text.map((t) => `区域${t}`),
      polygon: fc.boolean(),
      circle: fc.boolean(),
      geocode: otherPairs,
      zone: fc.boolean(),
      altitude: opt(fc.integer({ min: 0, max: 3000 }).map(String)),
    })
    .map(
      (a) =>
        `<area>${el('areaDesc', a.desc)}${a.polygon || first ? el('polygon', s.polygon) : ''}${a.circle && s.circle ? el('circle', s.circle) : ''}${a.geocode.map((g) => pair('geocode', g)).join('')}${a.zone ? pair('geocode', ['kizuna:zone', 'z-kawabe']) : ''}${el('altitude', a.altitude)}</area>`,
    );

const info = (s: { polygon: string; circle: string | undefined }, first: boolean) =>
  fc
    .record({
      language: opt(fc.constantFrom('ja-JP', 'en-US', 'es-US', 'ko-KR', 'ja-JP-x-easy', 'pt-BR')),
      category: fc.uniqueArray(fc.constantFrom('Geo', 'Met', 'Safety', 'Infra', 'Other'), {
        minLength: 1,
        maxLength: 2,
      }),
      event: fc.tuple(fc.constantFrom('洪水', 'Flood', '土砂災害', 'Tsunami', 'Something'), opt(text)),
      responseType: fc.uniqueArray(fc.constantFrom('Shelter', 'Evacuate', 'Prepare', 'Monitor'), { maxLength: 2 }),
      urgency: fc.constantFrom('Immediate', 'Expected', 'Future', 'Past', 'Unknown'),
      severity: fc.constantFrom('Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'),
      certainty: fc.constantFrom('Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'),
      audience: opt(text),
      hazard: opt(fc.constantFrom(...HAZARDS)),
      effective: opt(time),
      onset: opt(time),
      expires: first ? time.map((t) => t as string | undefined) : opt(time),
      senderName: opt(text),
      headline: opt(text),
      description: opt(text),
      instruction: opt(text),
      web: opt(fc.constantFrom('https://bousai.example.jp/a?b=1&c=2', 'http://www.example.org/')),
      contact: opt(text),
      level,
      parameter: otherPairs,
      resource: opt(
        fc.tuple(
          text.map((t) => `図${t}`),
          fc.constantFrom('image/gif', 'application/pdf'),
          opt(fc.nat(99999).map(String)),
        ),
      ),
      areas: fc.tuple(area(s, first), some(area(s, false), 1)),
    })
    .map(
      (i) =>
        `<info>${el('language', i.language)}${i.category.map((c) => el('category', c)).join('')}${el('event', `${i.event[0]}${i.event[1] ?? ''}`)}${i.responseType.map((r) => el('responseType', r)).join('')}${el('urgency', i.urgency)}${el('severity', i.severity)}${el('certainty', i.certainty)}${el('audience', i.audience)}${i.hazard || first ? pair('eventCode', ['kizuna:hazard', i.hazard ?? 'flood']) : ''}${el('effective', i.effective)}${el('onset', i.onset)}${el('expires', i.expires)}${el('senderName', i.senderName)}${el('headline', i.headline)}${el('description', i.description)}${el('instruction', i.instruction)}${el('web', i.web)}${el('contact', i.contact)}${i.level ? pair('parameter', i.level) : ''}${i.parameter.map((p) => pair('parameter', p)).join('')}${i.resource ? `<resource>${el('resourceDesc', i.resource[0])}${el('mimeType', i.resource[1])}${el('size', i.resource[2])}</resource>` : ''}${[i.areas[0], ...i.areas[1]].join('')}</info>`,
    );

const document = shapes.chain((s) =>
  fc
    .record({
      identifier: token,
      sender: token,
      sent: time,
      status: fc.constantFrom('Actual', 'Exercise', 'Test'),
      update: fc.option(fc.tuple(token, token, time), { nil: undefined }),
      source: opt(text),
      scope: fc.constantFrom('Public', 'Restricted', 'Private'),
      code: some(token),
      note: opt(text),
      incidents: opt(token),
      infos: fc.tuple(info(s, true), some(info(s, false), 2)),
    })
    .map(
      (d) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS}">${el('identifier', d.identifier)}${el('sender', d.sender)}${el('sent', d.sent)}${el('status', d.status)}${el('msgType', d.update ? 'Update' : 'Alert')}${el('source', d.source)}${el('scope', d.scope)}${d.scope === 'Restricted' ? el('restriction', 'staff only') : ''}${d.scope === 'Private' ? el('addresses', 'bousai@city.example.jp "city office"') : ''}${d.code.map((c) => el('code', c)).join('')}${el('note', d.note)}${d.update ? el('references', d.update.join(',')) : ''}${el('incidents', d.incidents)}
${[d.infos[0], ...d.infos[1]].join('\n')}
</alert>`,
    ),
);

describe('CAP import → export → import', () => {
  it('is a fixed point for every document the generator makes', () => {
    fc.assert(
      fc.property(document, (xml) => {
        fixedPoint(xml);
      }),
      { numRuns: 100 },
    );
  });
  it('the generator makes schema-valid documents, and their exports are schema-valid too', async () => {
    const docs = fc.sample(document, { numRuns: 40, seed: 20 });
    expect(await schemaErrors([...docs, ...docs.map(fixedPoint)])).toEqual([]);
  });
  it('is a fixed point for the OASIS-style example and the Japanese/English flood alert', async () => {
    const docs = [OASIS_STYLE, floodAlert()];
    expect(await schemaErrors([...docs, ...docs.map(fixedPoint)])).toEqual([]);
  });
});
