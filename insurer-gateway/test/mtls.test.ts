/**
 * Mutual TLS per insurer, over a real HTTPS socket: the gateway asks for a client certificate
 * (verified against its client CA bundle) and maps the certificate's SHA-256 fingerprint to one
 * insurer; no API key is needed then. Certificates are made with the OpenSSL CLI.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { startGateway } from '../src/app.ts';
import { createInsurer } from '../src/insurers.ts';
import { signRequest } from '../src/request-signing.ts';
import { createPki, OPERATOR_TOKEN, silentLogger, type Pki } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'kz-gw-mtls-'));
const f = (name: string) => join(dir, name);
const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

/** A self-signed CA; a leaf signed by a CA. */
function makeCa(name: string): void {
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f(`${name}.key`),
    '-out',
    f(`${name}.crt`),
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}
function makeLeaf(name: string, ca: string, ext: string): void {
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f(`${name}.key`),
    '-out',
    f(`${name}.csr`),
    '-subj',
    `/CN=${name}`,
  );
  writeFileSync(f(`${name}.ext`), ext);
  ssl(
    'x509',
    '-req',
    '-in',
    f(`${name}.csr`),
    '-CA',
    f(`${ca}.crt`),
    '-CAkey',
    f(`${ca}.key`),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    f(`${name}.crt`),
    '-extfile',
    f(`${name}.ext`),
  );
}
const fingerprint = (name: string) =>
  new X509Certificate(readFileSync(f(`${name}.crt`))).fingerprint256.replace(/:/g, '').toLowerCase();

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
  makeCa('client-ca');
  makeCa('server-ca');
  makeCa('rogue-ca');
  makeLeaf('server', 'server-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  for (const c of ['ins-a', 'ins-a-next', 'ins-b', 'unregistered'])
    makeLeaf(c, 'client-ca', 'extendedKeyUsage=clientAuth\n');
  makeLeaf('rogue', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const engine of dbEngines()) {
  describe(`mutual TLS per insurer (${engine.name})`, () => {
    let gw: Awaited<ReturnType<typeof startGateway>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    beforeAll(async () => {
      db = await engine.open();
      gw = await startGateway({
        db,
        logger: silentLogger(),
        verifier: pki.verifier,
        port: 0,
        operatorToken: OPERATOR_TOKEN,
        tls: {
          certFile: f('server.crt'),
          keyFile: f('server.key'),
          caFile: f('client-ca.crt'),
          requestClientCert: true,
        },
      });
    });
    afterAll(async () => {
      await gw.close();
      await db.drop();
    });

    const call = (
      method: string,
      path: string,
      opts: { client?: string; headers?: Record<string, string>; body?: unknown } = {},
    ) =>
      new Promise<{ status: number; body: any }>((ok, fail) => {
        const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
        const req = request(
          new URL(path, gw.url),
          {
            method,
            ca: readFileSync(f('server-ca.crt')),
            agent: false,
            ...(opts.client
              ? { cert: readFileSync(f(`${opts.client}.crt`)), key: readFileSync(f(`${opts.client}.key`)) }
              : {}),
            headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const s = Buffer.concat(chunks).toString();
              ok({ status: res.statusCode ?? 0, body: s ? JSON.parse(s) : undefined });
            });
          },
        );
        req.on('error', fail);
        req.end(text);
      });
    const op = (method: string, path: string, body?: unknown) =>
      call(method, `/operator/v1${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` }, body });

    it('knows each insurer by its own client certificate, and refuses no certificate, an unregistered one and one of another CA', async () => {
      const a = await createInsurer(db, { id: 'mtls-a', name: 'A生命' });
      const b = await createInsurer(db, { id: 'mtls-b', name: 'B生命' });
      expect(gw.url).toMatch(/^https:/);
      expect(
        (await op('POST', '/insurers/mtls-a/client-certificates', { fingerprint: fingerprint('ins-a') })).status,
      ).toBe(200);
      expect(
        (await op('POST', '/insurers/mtls-b/client-certificates', { fingerprint: fingerprint('ins-b') })).status,
      ).toBe(200);
      expect(
        (await op('POST', '/insurers/nobody/client-certificates', { fingerprint: fingerprint('unregistered') })).body
          .code,
      ).toBe('KZ_GW_UNKNOWN_INSURER');

      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a' })).body).toMatchObject({
        id: a.insurerId,
        status: 'active',
      });
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-b' })).body).toMatchObject({ id: b.insurerId });
      // no certificate, a certificate of the right CA but not registered, one of another CA: no access
      expect((await call('GET', '/insurer/v1/me')).body.code).toBe('KZ_GW_AUTH_MISSING');
      expect((await call('GET', '/insurer/v1/me', { client: 'unregistered' })).body.code).toBe('KZ_GW_AUTH_MISSING');
      expect((await call('GET', '/insurer/v1/me', { client: 'rogue' })).body.code).toBe('KZ_GW_AUTH_MISSING');
      // a registered certificate of another insurer does not lend itself to a signed request: the key decides
      const signed = signRequest(a, 'GET', '/insurer/v1/me');
      expect(
        (await call('GET', '/insurer/v1/me', { client: 'ins-b', headers: { authorization: signed } })).body,
      ).toMatchObject({ id: a.insurerId });
    });

    it('rotates a client certificate without downtime and stops a suspended insurer at once', async () => {
      expect(
        (await op('POST', '/insurers/mtls-a/client-certificates', { fingerprint: fingerprint('ins-a-next') })).status,
      ).toBe(200);
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a' })).status).toBe(200);
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a-next' })).status).toBe(200);
      expect((await op('DELETE', `/insurers/mtls-a/client-certificates/${fingerprint('ins-a')}`)).status).toBe(200);
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a' })).body.code).toBe('KZ_GW_AUTH_MISSING');
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a-next' })).body).toMatchObject({ id: 'mtls-a' });
      expect((await op('DELETE', `/insurers/mtls-a/client-certificates/${fingerprint('ins-a')}`)).body.code).toBe(
        'KZ_GW_UNKNOWN_KEY',
      );
      expect((await op('DELETE', `/insurers/mtls-b/client-certificates/${fingerprint('ins-a-next')}`)).body.code).toBe(
        'KZ_GW_UNKNOWN_KEY',
      );

      expect((await op('POST', '/insurers/mtls-a/suspend', { reason: 'certificate key leaked' })).status).toBe(200);
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a-next' })).body.code).toBe('KZ_GW_INSURER_SUSPENDED');
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-b' })).status).toBe(200);
      expect((await op('POST', '/insurers/mtls-a/resume')).status).toBe(200);
      expect((await call('GET', '/insurer/v1/me', { client: 'ins-a-next' })).status).toBe(200);
    });
  });
}
