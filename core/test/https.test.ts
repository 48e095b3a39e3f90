/**
 * Encrypted transport: every Kizuna HTTP server is built on createHttpServer, which serves HTTPS
 * from configured PEM files. A client that trusts the CA gets through; one that does not is refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, createLogger, listen, type KzFastify } from '../src/index.ts';

let dir: string;
let app: KzFastify;
let url: string;

function get(u: string, ca?: Buffer): Promise<{ status: number; body: string; hsts: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(u, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          hsts: res.headers['strict-transport-security'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kz-tls-'));
  const o = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Kizuna test CA',
  );
  o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  o(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  app = await createHttpServer({
    name: 'tls-test',
    logger: createLogger({ name: 't', level: 'silent' }),
    tls: { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') },
  });
  url = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await app?.close();
});

describe('HTTPS', () => {
  it('listens on https and answers a client that trusts the CA, with HSTS', async () => {
    expect(url).toMatch(/^https:\/\//);
    const r = await get(`${url}/livez`, await readFile(join(dir, 'ca.pem')));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' });
    expect(r.hsts).toMatch(/max-age=\d+/);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(get(`${url}/livez`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
});
