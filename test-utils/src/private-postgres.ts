/**
 * A private PostgreSQL server for a suite that restarts it (the fault suite): its own data
 * directory in a temp dir, its own free port on loopback, trust authentication, started and
 * stopped with the distribution's initdb and pg_ctl. The machine's shared server is never touched.
 * PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const POSTGRES_BIN = process.env.KZ_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is closed, the server is back when this resolves. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!existsSync(join(POSTGRES_BIN, 'pg_ctl')))
    throw new Error(`no PostgreSQL binaries in ${POSTGRES_BIN} (apt-get install postgresql, or set KZ_POSTGRES_BIN)`);
  const dir = mkdtempSync(join(tmpdir(), 'kz-private-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, bin), ...args], { timeout: 120_000 })
      : run(join(POSTGRES_BIN, bin), args, { timeout: 120_000 });
  const port = await freePort();
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // loopback only, its socket in its own dir; fsync off: a test server, not a durability claim
  const options = `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=200`;
  const ctl = (action: 'start' | 'restart' | 'stop') =>
    pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-m', 'fast', '-o', options, action]);
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      await ctl('restart');
    },
    async close() {
      await ctl('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
