/** Shared by the jpki tests: one authority per test file (RSA key generation is slow-ish). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import type { Person } from '../src/personal.ts';

export const HANAKO: Person = { name: '山田　花子', address: '絆市山手一丁目2番3号', birthDate: '1950-04-01', sex: 2 };
export const TARO: Person = { name: '佐藤　太郎', address: '絆市駅前二丁目5番1号', birthDate: '1989-01-08', sex: 1 };
export const SECRETS = { authPin: '1234', signPassword: 'ABC123' };

export function tempDir(prefix = 'kz-jpki-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const utf8 = (s: string) => new TextEncoder().encode(s);

/** Runs the openssl CLI; returns stdout, throws with stderr on failure. */
export function openssl(args: string[], opts: { cwd?: string; input?: string | Uint8Array } = {}): string {
  return execFileSync('openssl', args, {
    cwd: opts.cwd,
    input: opts.input,
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}

/** openssl without blocking the event loop: needed when it talks to a server in this process. */
export function opensslAsync(args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd: opts.cwd, timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}
