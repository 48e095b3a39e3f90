import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokerErrors } from '../src/index.ts';

describe('error registry', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it.each(Object.keys(brokerErrors))('documents %s in broker/README.md', (code) => {
    expect(readme).toContain(`\`${code}\``);
  });
  it('gives every code a 4xx or 5xx status and a message', () => {
    for (const f of Object.values(brokerErrors)) {
      expect(f.status).toBeGreaterThanOrEqual(400);
      expect(f().message.length).toBeGreaterThan(5);
    }
  });
});
