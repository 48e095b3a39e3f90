/**
 * docs/ARCHITECTURE.md names files as `part/path/to/file.ts` in backticks. Code moves; the page must
 * follow it. Every backticked repository path (one starting with a workspace folder or `docs/`,
 * with any `#anchor`, `:line`, or trailing function name stripped) must exist on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOC = 'docs/ARCHITECTURE.md';

/** The workspace folders (from the root package.json) and docs/. */
function folders(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return [...pkg.workspaces, 'docs'];
}

/** Backticked repository paths in a markdown text, in order of appearance, without duplicates. */
function repoPaths(markdown: string, roots: readonly string[]): string[] {
  // Fenced blocks are not inline code: drop them so their ``` do not pair with inline backticks.
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
  const found = new Set<string>();
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1]!.trim();
    if (!roots.some((r) => span.startsWith(`${r}/`))) continue;
    // The path is the leading run of path characters: this strips `#anchor`, `:line` or `:fn`,
    // and a function name after a space or in parentheses (`file.ts fanOut`, `file.ts (fanOut)`).
    const path = /^[A-Za-z0-9_.\-/@[\]]+/.exec(span)![0].replace(/[.]+$/, '');
    found.add(path);
  }
  return [...found];
}

describe('docs/ARCHITECTURE.md', () => {
  const doc = readFileSync(join(root, DOC), 'utf8');
  const paths = repoPaths(doc, folders());

  it('names files of the repository (the extraction finds them)', () => {
    expect(paths.length).toBeGreaterThan(40);
  });

  it('names only paths that exist', () => {
    const missing = paths.filter((p) => !existsSync(join(root, p)));
    expect(missing, `${DOC} names ${missing.length} path(s) that do not exist:\n  ${missing.join('\n  ')}`).toEqual([]);
  });

  it('strips anchors, line numbers and function names from a path', () => {
    const md = [
      '`jpki/src/verifier.ts#createVerifier` `jpki/src/verifier.ts:120` `core/src/http.ts createHttpServer`',
      '`broker/src/policy.ts (canReceive)` `docs/PROTOCOL.md#receipts` `@kizuna/jpki/bridge-client` `/api/live`',
      '```sh',
      'not-a-part/x.ts `contract/src/ignored.ts`',
      '```',
    ].join('\n');
    expect(repoPaths(md, folders())).toEqual([
      'jpki/src/verifier.ts',
      'core/src/http.ts',
      'broker/src/policy.ts',
      'docs/PROTOCOL.md',
    ]);
  });
});
