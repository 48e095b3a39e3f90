/** The operator CLI as a new user meets it, and the error registry against docs/JPKI.md. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jpkiErrors } from '../src/errors.ts';
import { EmulatedCard } from '../src/emulated-card.ts';
import { tempDir } from './fixtures.ts';

const root = join(import.meta.dirname, '..', '..');
const cli = (args: string[]) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'jpki/src/cli.ts'), ...args],
      { cwd: root, timeout: 50_000 },
      (e, out, err) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out, err }),
    );
  });

describe('kizuna-authority CLI', () => {
  it('explains itself and every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['issue', 'list', 'status', 'revoke', 'renew', 'crl', 'anchors', 'serve'])
      expect(top.out).toContain(c);
    const help = await cli(['revoke', '--help']);
    for (const r of ['moved', 'renamed', 'died', 'card-lost', 'renewed']) expect(help.out).toContain(`"${r}"`);
    expect(help.out).toContain('Example');
  });

  it('issues, lists, revokes and shows status; bad input gives a coded one-line error', async () => {
    const t = tempDir();
    try {
      const d = ['-d', t.dir];
      const card = join(t.dir, 'h.card');
      const issued = await cli([
        ...d,
        'issue',
        '--name',
        '山田　花子',
        '--address',
        '絆市',
        '--birth-date',
        '1950-04-01',
        '--sex',
        '2',
        '--pin',
        '1234',
        '--password',
        'ABC123',
        '--card-key',
        'demo',
        '-o',
        card,
        '--label',
        'demo 1',
      ]);
      expect(issued.code).toBe(0);
      const sign = /signing certificate\s+([0-9a-f]+)/.exec(issued.out)![1]!;
      expect(existsSync(card)).toBe(true);
      expect(EmulatedCard.load(card, 'demo').label).toBe('demo 1');
      const list = await cli([...d, 'list']);
      expect(list.out).toContain(sign);
      expect(list.out).not.toContain('山田'); // no personal data in listings
      expect((await cli([...d, 'revoke', sign, '--reason', 'moved'])).out).toContain(
        `revoked sign certificate ${sign} (moved)`,
      );
      expect((await cli([...d, 'status', sign])).out).toMatch(/status\s+revoked — moved/);
      const again = await cli([...d, 'revoke', sign, '--reason', 'moved']);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/^error KZ_JPKI_ALREADY_REVOKED: /);
      const badPin = await cli([
        ...d,
        'issue',
        '--name',
        'A　B',
        '--address',
        'x',
        '--birth-date',
        '1950-04-01',
        '--sex',
        '1',
        '--pin',
        '12',
        '--password',
        'ABC123',
        '--card-key',
        'k',
        '-o',
        join(t.dir, 'x.card'),
      ]);
      expect(badPin.err).toMatch(/KZ_CARD_PIN_FORMAT/);
      expect((await cli([...d, 'revoke', sign, '--reason', 'stolen'])).err).toMatch(/Allowed choices/);
    } finally {
      t.cleanup();
    }
  });
});

describe('error registry', () => {
  it('documents every code in docs/JPKI.md', () => {
    const doc = readFileSync(join(root, 'docs/JPKI.md'), 'utf8');
    for (const code of Object.keys(jpkiErrors)) expect(doc, code).toContain(`\`${code}\``);
  });
});
