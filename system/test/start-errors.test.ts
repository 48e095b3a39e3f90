/**
 * `npm start` with a bad configuration ends with one line on stderr that says what to fix, and a
 * non-zero exit: never a stack trace.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const zeroPorts = Object.fromEntries(
  ['CONSOLE', 'TV', 'SHELTER', 'BROKER', 'BROKER_WS', 'AUTHORITY', 'GATEWAY', 'BRIDGE'].map((p) => [
    `KZ_${p}_PORT`,
    '0',
  ]),
);

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'system/src/start.ts'], {
      cwd: root,
      env: { ...process.env, KZ_DATA_DIR: 'memory', KZ_LOG_LEVEL: 'silent', ...zeroPorts, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

let held: Server;
let heldPort = 0;
beforeAll(async () => {
  held = createServer();
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => {
  held.close();
});

const oneLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter((l) => !/^npm warn/.test(l));

describe('npm start with a bad configuration', () => {
  it('names the variable whose value is wrong', async () => {
    const r = await start({ KZ_CONSOLE_PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^kizuna: KZ_CONFIG_INVALID: .*KZ_CONSOLE_PORT/);
  });

  it('says which database could not be reached', async () => {
    const r = await start({ KZ_CONSOLE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/kizuna' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/KZ_DB_UNREACHABLE: .*127\.0\.0\.1:1\/kizuna/);
  });

  it('says which port is taken', async () => {
    const r = await start({ KZ_AUTHORITY_PORT: String(heldPort) });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`KZ_PORT_IN_USE: port is already in use: 127.0.0.1:${heldPort}`);
  });

  it("refuses a part's setting it cannot apply, naming it (never ignores it)", async () => {
    const r = await start({ KZ_GATEWAY_AUTHORITY_URL: 'http://ca.example:18840' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^kizuna: KZ_CONFIG_INVALID: .*KZ_GATEWAY_AUTHORITY_URL/);
  });

  it('refuses half a TLS configuration', async () => {
    const r = await start({ KZ_TLS_CERT_FILE: '/nonexistent/cert.pem' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/KZ_TLS_CERT_FILE and KZ_TLS_KEY_FILE go together/);
  });
});
