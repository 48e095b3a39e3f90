/**
 * Validation against the OASIS CAP 1.2 XML schema (schema/CAP-v1.2.xsd, the OASIS file as
 * published, copyright notice kept), offline, by libxml2's xmllint compiled to WebAssembly
 * (npm xmllint-wasm). It runs in a worker thread, so a large document does not stall the server;
 * one validation at a time. A refusal names the element's path (found from the line xmllint gives).
 */
import { readFileSync } from 'node:fs';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { capRefused, type ElementAt } from './cap-guard.ts';

const XSD = readFileSync(new URL('../../schema/CAP-v1.2.xsd', import.meta.url), 'utf8');

let queue: Promise<unknown> = Promise.resolve();

/** Where the schema error is: the element it names on the line it gives. */
function pathOf(message: string, line: number | undefined, at: ElementAt[]): string {
  const m = /Element '(?:\{[^}]*\})?([^']+)'/.exec(message);
  const local = m?.[1]?.replace(/^.*:/, '');
  if (!local) return '/alert';
  const same = at.filter((e) => e.local === local);
  const hit =
    same.find((e) => e.line === line) ?? same.filter((e) => line === undefined || e.line <= line).at(-1) ?? same[0];
  return hit?.path ?? '/alert';
}

/** Refuses (400 KZ_CONSOLE_CAP_INVALID, reason "schema") a document the CAP 1.2 schema does not accept. */
export async function validateCapSchema(xml: string, at: ElementAt[]): Promise<void> {
  const run = queue.then(() =>
    validateXML({
      xml: [{ fileName: 'alert.xml', contents: xml }],
      schema: [{ fileName: 'CAP-v1.2.xsd', contents: XSD }],
      // libxml2's tree of the largest document KZ_CONSOLE_CAP_MAX_BYTES allows (8 MiB) fits
      maxMemoryPages: 256 * memoryPages.MiB,
    }),
  );
  queue = run.catch(() => undefined);
  const r = await run.catch((e: unknown) => {
    throw capRefused(
      '/alert',
      'schema',
      `could not be checked against the CAP 1.2 schema (${String(e).slice(0, 200)})`,
    );
  });
  if (r.valid) return;
  const first = r.errors[0];
  const message = (first?.message ?? 'does not follow the CAP 1.2 schema')
    .replace(/^Schemas validity error : /, '')
    .replace(/\{urn:oasis:names:tc:emergency:cap:1\.2\}/g, 'cap:')
    .slice(0, 300);
  const field = pathOf(first?.message ?? '', first?.loc?.lineNumber, at);
  throw capRefused(field, 'schema', `does not follow the CAP 1.2 schema: ${message}`, {
    ...(first?.loc ? { line: first.loc.lineNumber } : {}),
  });
}
