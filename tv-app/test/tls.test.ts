/**
 * The TV file server over TLS, like every other Kizuna server (core's createHttpServer): the
 * bundle and the forwarded post-box API are served over HTTPS with HSTS to a client that trusts
 * the CA, a client that does not is refused, and half a TLS configuration is a coded error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@kizuna/core';
import { startTvApp, type TvAppServer } from '../server/index.ts';
import { loadTvServerConfig, tvTlsFrom } from '../server/config.ts';
import { builtBundle } from './helpers/harness.ts';

let dir: string;
let tv: TvAppServer;
let upstream: Server;
let ca: Buffer;

function get(u: string, trust?: Buffer): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(u, { ca: trust, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kz-tv-tls-'));
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
    '/CN=Kizuna TV test CA',
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
  ca = await readFile(join(dir, 'ca.pem'));
  // A stand-in for the gateway's public post-box route: what reaches it proves the forwarding.
  upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const cfg = loadTvServerConfig({
    KZ_TV_TLS_CERT_FILE: join(dir, 'server.pem'),
    KZ_TV_TLS_KEY_FILE: join(dir, 'server.key'),
  });
  tv = await startTvApp({
    port: 0,
    distDir: await builtBundle(),
    logger: createLogger({ name: 'tv-tls', level: 'silent' }),
    tls: tvTlsFrom(cfg),
    upstreams: { gateway: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
  });
}, 120_000);

afterAll(async () => {
  await tv?.close();
  await new Promise((r) => upstream?.close(r));
});

describe('TV server over TLS', () => {
  it('serves the applet and the forwarded post-box API over HTTPS with HSTS', async () => {
    expect(tv.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await get(`${tv.url}/`, ca);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<script[^>]+src="\.\/assets\/[^"]+\.js"/);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(page.headers['content-security-policy']).toMatch(/connect-src 'self' ws: wss:/);
    const fwd = await get(`${tv.url}/gateway/postbox/v1/insurers`, ca);
    expect(fwd.status).toBe(200);
    expect(JSON.parse(fwd.body)).toEqual({ path: '/postbox/v1/insurers' });
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(get(`${tv.url}/`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('takes the TV pair first, else the one certificate of every server; half a pair is a coded error', () => {
    expect(tvTlsFrom({})).toBeUndefined();
    expect(tvTlsFrom({ KZ_TLS_CERT_FILE: '/c.pem', KZ_TLS_KEY_FILE: '/k.pem' })).toEqual({
      certFile: '/c.pem',
      keyFile: '/k.pem',
    });
    expect(
      tvTlsFrom({
        KZ_TV_TLS_CERT_FILE: '/tv.pem',
        KZ_TV_TLS_KEY_FILE: '/tv.key',
        KZ_TLS_CERT_FILE: '/c.pem',
        KZ_TLS_KEY_FILE: '/k.pem',
      }),
    ).toEqual({ certFile: '/tv.pem', keyFile: '/tv.key' });
    expect(() => tvTlsFrom({ KZ_TV_TLS_CERT_FILE: '/tv.pem' })).toThrow(
      expect.objectContaining({
        code: 'KZ_CONFIG_INVALID',
        message: expect.stringMatching(/KZ_TV_TLS_CERT_FILE and KZ_TV_TLS_KEY_FILE go together/),
      }),
    );
    expect(() => tvTlsFrom({ KZ_TLS_KEY_FILE: '/k.pem' })).toThrow(
      expect.objectContaining({ code: 'KZ_CONFIG_INVALID' }),
    );
  });
});
