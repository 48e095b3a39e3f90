/**
 * Issue 20's CAP import benchmark: `npx tsx municipal-console/bench/cap-import.ts`
 *
 * What POST /api/alerts/cap does before it stores anything – bytes → UTF-8 text (decodeCap), the
 * guard, well-formedness, the rules and limits (parseCap, on the event loop) and the OASIS schema
 * (validateCapSchema, libxml2 in a worker) – for a document at each limit of the default
 * configuration (DEFAULT_CAP_LIMITS), all limits at once, and a 10,000-point polygon (refused: a
 * polygon may have 2,000). Baseline, same run: a small everyday document. Printed per document:
 * its size, the median import time, the time spent on the event loop (the synchronous part) and the
 * longest event-loop stall seen while importing (monitorEventLoopDelay, 1 ms resolution), each over
 * RUNS runs after one warm-up.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { decodeCap } from '../src/alerts/cap-guard.ts';
import { parseCap } from '../src/alerts/cap-import.ts';
import { validateCapSchema } from '../src/alerts/cap-schema.ts';
import { DEFAULT_CAP_LIMITS as L } from '../src/alerts/cap-limits.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const NS = 'urn:oasis:names:tc:emergency:cap:1.2';

function ring(n: number): string {
  const pts: string[] = [];
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    pts.push(`${(36.005 + 0.004 * Math.sin(a)).toFixed(6)},${(140.005 + 0.004 * Math.cos(a)).toFixed(6)}`);
  }
  return [...pts, pts[0]].join(' ');
}
const area = (inner = '<geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>') =>
  `<area><areaDesc>川辺地区</areaDesc>${inner}</area>`;
const info = (o: { description?: string; areas?: string[] } = {}) => `<info><language>ja-JP</language>
<category>Met</category><event>洪水</event><urgency>Immediate</urgency><severity>Severe</severity>
<certainty>Likely</certainty><expires>2026-11-23T23:00:00+09:00</expires><headline>避難指示</headline>
${o.description ? `<description>${o.description}</description>` : ''}<instruction>川沿いの道は通らないでください。</instruction>
<parameter><valueName>EvacuationLevel</valueName><value>4</value></parameter>${(o.areas ?? [area()]).join('')}</info>`;
const doc = (infos: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS}"><identifier>JP-999997-bench</identifier><sender>bousai@city.example.jp</sender>
<sent>2026-11-23T19:00:00+09:00</sent><status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
${infos.join('\n')}</alert>`;

const poly = (n: number) => area(`<polygon>${ring(n)}</polygon>`);
const perInfo = Math.floor(L.points / L.infos);
// the largest document within the byte limit: every <info> with a description of the longest text
const fill = (() => {
  const one = Math.min(L.textChars, Math.floor((L.bytes - 4096) / L.infos / 3));
  return Array.from({ length: L.infos }, () => info({ description: 'あ'.repeat(one) }));
})();
const DOCS: [string, string][] = [
  ['baseline: one <info>, one zone', doc([info()])],
  [`bytes: ${L.bytes} bytes (${L.infos} <info>s of Japanese text)`, doc(fill)],
  [`infos: ${L.infos} <info>s`, doc(Array.from({ length: L.infos }, () => info()))],
  [`areas: ${L.areas} <area>s`, doc([info({ areas: Array.from({ length: L.areas }, () => area()) })])],
  [`polygon points: one polygon of ${L.polygonPoints}`, doc([info({ areas: [poly(L.polygonPoints)] })])],
  [
    `points: ${L.points} in all (${L.points / L.polygonPoints} <info>s, the same polygon)`,
    doc(Array.from({ length: L.points / L.polygonPoints }, () => info({ areas: [poly(L.polygonPoints)] }))),
  ],
  [`text: a description of ${L.textChars} characters`, doc([info({ description: 'あ'.repeat(L.textChars) })])],
  [
    `all at once: ${L.infos} <info>s × ${L.areas / L.infos} <area>s, ${perInfo}-point polygons, long descriptions`,
    doc(
      Array.from({ length: L.infos }, () =>
        info({
          description: 'x'.repeat(Math.min(L.textChars, 8000)),
          areas: [poly(perInfo), ...Array.from({ length: L.areas / L.infos - 1 }, () => area())],
        }),
      ),
    ),
  ],
  ['a 10,000-point polygon (refused: too-many)', doc([info({ areas: [poly(10_000)] })])],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function importOnce(
  bytes: Buffer,
): Promise<{ total: number; sync: number; cpu: number; stall: number; outcome: string }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  let outcome = 'accepted';
  let sync = 0;
  let cpu = 0;
  const c0 = process.cpuUsage();
  try {
    const s0 = performance.now();
    const text = decodeCap(bytes);
    const cap = parseCap(text, L);
    sync = performance.now() - s0;
    const c = process.cpuUsage(c0);
    cpu = (c.user + c.system) / 1000;
    await validateCapSchema(text, cap.elements);
  } catch (e) {
    sync ||= performance.now() - t0;
    if (!cpu) {
      const c = process.cpuUsage(c0);
      cpu = (c.user + c.system) / 1000;
    }
    outcome = `refused ${(e as { details?: { reason?: string } }).details?.reason ?? (e as Error).message}`;
  }
  const total = performance.now() - t0;
  // let the histogram see the last tick, then read the longest delay past the 1 ms resolution
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  return { total, sync, cpu, stall: Math.max(0, h.max / 1e6 - 1), outcome };
}

console.log(
  `CAP import, ${RUNS} runs each (median; stall: the longest over all runs), limits: ${JSON.stringify({ ...L, trustedSenders: undefined })}`,
);
console.log(
  `machine: ${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the start`,
);
console.log(
  '| document | bytes | outcome | import ms | on the event loop: ms (fastest run) | its CPU ms | longest stall ms |',
);
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
// the machine's own noise floor: the longest stall while the process only waits as long as an import takes
{
  const stalls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    await new Promise((r) => setTimeout(r, 800));
    h.disable();
    stalls.push(Math.max(0, h.max / 1e6 - 1));
  }
  console.log(
    `| idle: no import, 800 ms of waiting (noise floor) | 0 | – | – | – | – | ${Math.max(...stalls).toFixed(1)} |`,
  );
}
for (const [name, xml] of DOCS) {
  const bytes = Buffer.from(xml, 'utf8');
  await importOnce(bytes); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await importOnce(bytes));
  const f = (x: number) => x.toFixed(1);
  console.log(
    `| ${name} | ${bytes.length} | ${runs[0]!.outcome} | ${f(median(runs.map((r) => r.total)))} | ${f(median(runs.map((r) => r.sync)))} (${f(Math.min(...runs.map((r) => r.sync)))}) | ${f(median(runs.map((r) => r.cpu)))} | ${f(Math.max(...runs.map((r) => r.stall)))} |`,
  );
}
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the end`,
);
