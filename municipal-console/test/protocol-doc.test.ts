/** docs/PROTOCOL.md's console sections are generated from the schemas and the error registry: keep them current. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleSections } from '../src/protocol-doc.ts';
import { consoleErrors } from '../src/errors.ts';
import { uiErrors } from '../src/routes/ui-errors.ts';

const doc = readFileSync(fileURLToPath(new URL('../../docs/PROTOCOL.md', import.meta.url)), 'utf8');

describe('docs/PROTOCOL.md', () => {
  it('holds the current Alerts, Receipts and Console API sections (run npx tsx municipal-console/src/protocol-doc.ts)', () => {
    expect(doc.includes(consoleSections())).toBe(true);
  });
  it('documents every console error code', () => {
    for (const code of [...Object.keys(consoleErrors), ...Object.keys(uiErrors)]) expect(doc).toContain(`\`${code}\``);
  });
});
