import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { shelterErrors } from '../src/errors.ts';

describe('error registry', () => {
  it('documents every code in the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(shelterErrors)) expect(readme, code).toContain(`\`${code}\``);
  });
});
