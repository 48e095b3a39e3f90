/**
 * OCSP interoperability with a third party: the verifier and the test authority's responder both
 * read and write OCSP DER by hand (no ASN.1 library), so they could agree with each other and
 * still deviate from RFC 6960. Here the OpenSSL CLI is the other side:
 *  1. `openssl ocsp` as client against our responder (with and without a nonce; good, then revoked);
 *  2. our verifier against `openssl ocsp` as responder (index.txt, signed by the issuing CA, whose
 *     key comes from the authority's data directory), with and without a nonce;
 *  3. broken answers over HTTP (truncated, flipped signature byte, wrong signer, tryLater, empty
 *     body, HTTP error) fail closed as status-unknown (KZ_JPKI_STATUS_UNKNOWN), never crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@kizuna/core';
import { createAuthority, type Authority } from '../src/authority.ts';
import { startAuthorityServer, type RunningAuthority } from '../src/authority-http.ts';
import { JpkiClient } from '../src/jpki-client.ts';
import { createVerifier, verificationError, type VerifyFailure } from '../src/verifier.ts';
import { ocspStatusSource } from '../src/status-source.ts';
import { HANAKO, SECRETS, TARO, openssl, tempDir, utf8 } from './fixtures.ts';

const t = tempDir('kz-ocsp-interop-');
const path = (name: string) => join(t.dir, name);
const pem = (der: Uint8Array, label = 'CERTIFICATE') =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
const report = utf8('現況届 OCSP interop');

let authority: Authority;
let server: RunningAuthority;
let hanako: { signSerial: string; signed: Uint8Array };
let taro: { signSerial: string; signed: Uint8Array };

/** openssl with stdout and stderr together (OpenSSL writes "Response verify OK" to stderr); never blocks the event loop. */
function opensslBoth(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { cwd: t.dir, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}\n${stderr}` }),
    );
  });
}

beforeAll(async () => {
  authority = await createAuthority({ dataDir: path('authority') });
  server = await startAuthorityServer({ authority, port: 0, logger: createLogger({ name: 't', level: 'silent' }) });
  const issue = async (who: typeof HANAKO) => {
    const c = await authority.issueCard(who, SECRETS);
    return { signSerial: c.signSerial, signed: await new JpkiClient(c.card).signCms(SECRETS.signPassword, report) };
  };
  hanako = await issue(HANAKO);
  taro = await issue(TARO);
  const anchors = authority.trustAnchors();
  writeFileSync(path('anchors.pem'), anchors.pem);
  writeFileSync(path('sign-ca.pem'), pem(anchors.sign));
  writeFileSync(path('hanako.pem'), pem(authority.certificate(hanako.signSerial)));
  writeFileSync(path('taro.pem'), pem(authority.certificate(taro.signSerial)));
  // the signing CA's key, as the authority keeps it, for OpenSSL's responder
  const store = JSON.parse(readFileSync(path('authority/authority.json'), 'utf8')) as {
    cas: { sign: { keyPkcs8: string } };
  };
  writeFileSync(path('sign-ca.key'), pem(Buffer.from(store.cas.sign.keyPkcs8, 'base64'), 'PRIVATE KEY'), {
    mode: 0o600,
  });
  // an unrelated key and certificate: a responder that is not the issuing CA
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'rogue.key',
      '-out',
      'rogue.pem',
      '-days',
      '2',
      '-subj',
      '/C=JP/CN=Rogue Responder',
    ],
    { cwd: t.dir },
  );
});

afterAll(async () => {
  await server?.close();
  t.cleanup();
});

describe('OpenSSL as client against our responder', () => {
  const ask = (leaf: string, nonce: boolean) =>
    opensslBoth([
      'ocsp',
      '-issuer',
      'sign-ca.pem',
      '-cert',
      leaf,
      '-url',
      `${server.url}/ocsp`,
      '-CAfile',
      'anchors.pem',
      '-resp_text',
      '-timeout',
      '20',
      ...(nonce ? [] : ['-no_nonce']),
    ]);

  it('verifies our signed answers (issuer-signed, RFC 6960 §4.2.2.2) with and without a nonce, good then revoked with the reason', async () => {
    for (const nonce of [true, false]) {
      const r = await ask('taro.pem', nonce);
      expect(r.out).toMatch(/Response verify OK/);
      expect(r.out).toMatch(/taro\.pem: good/);
      expect(r.out).toMatch(/Next Update:/);
      expect(r.out).not.toMatch(/WARNING|error/i);
      // OpenSSL found our nonce echoed (it warns "WARNING: no nonce in response" otherwise)
      if (nonce) expect(r.out).toMatch(/OCSP Nonce:/);
      else expect(r.out).not.toMatch(/OCSP Nonce:/);
      expect(r.code).toBe(0);
    }
    authority.revoke(taro.signSerial, 'card-lost');
    for (const nonce of [true, false]) {
      const r = await ask('taro.pem', nonce);
      expect(r.out).toMatch(/Response verify OK/);
      expect(r.out).toMatch(/taro\.pem: revoked/);
      expect(r.out).toMatch(/Reason: keyCompromise/);
      expect(r.out).toMatch(/Revocation Time:/);
    }
  });

  it('is told "unknown" for a serial the authority never issued, and is refused for a foreign issuer', async () => {
    const r = await opensslBoth([
      'ocsp',
      '-issuer',
      'sign-ca.pem',
      '-serial',
      '0x7fffffff01',
      '-url',
      `${server.url}/ocsp`,
      '-CAfile',
      'anchors.pem',
      '-timeout',
      '20',
    ]);
    expect(r.out).toMatch(/Response verify OK/);
    expect(r.out).toMatch(/0x7fffffff01: unknown/);
    const foreign = await opensslBoth([
      'ocsp',
      '-issuer',
      'rogue.pem',
      '-serial',
      '0x01',
      '-url',
      `${server.url}/ocsp`,
      '-CAfile',
      'anchors.pem',
      '-timeout',
      '20',
    ]);
    expect(foreign.out).toMatch(/Responder Error: unauthorized \(6\)/);
  });
});

/** `openssl ocsp` as an HTTP responder on a port it picks itself (-port 0, read back from its ACCEPT line). */
async function opensslResponder(
  index: string,
  signer: { cert: string; key: string },
  extra: string[] = [],
): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    'openssl',
    [
      'ocsp',
      '-index',
      index,
      '-CA',
      'sign-ca.pem',
      '-rsigner',
      signer.cert,
      '-rkey',
      signer.key,
      '-port',
      '0',
      '-ignore_err',
      ...extra,
    ],
    { cwd: t.dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { wildcard, port } = await new Promise<{ wildcard: string; port: number }>((resolve, reject) => {
    let seen = '';
    const onData = (b: Buffer) => {
      seen += b.toString();
      const m = /ACCEPT (\S*):(\d+)/.exec(seen);
      if (m) resolve({ wildcard: m[1]!, port: Number(m[2]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${seen}`)));
    setTimeout(() => reject(new Error(`openssl ocsp did not start: ${seen}`)), 20_000).unref();
  });
  return {
    // OpenSSL listens on every address ([::] is dual-stack unless net.ipv6.bindv6only is set)
    url: wildcard === '[::]' && v6only() ? `http://[::1]:${port}/` : `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

function v6only(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv6/bindv6only', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** UTCTime as index.txt spells it (YYMMDDHHMMSSZ). */
const utcTime = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:T]/g, '')
    .slice(2);

function serialOf(file: string): string {
  return openssl(['x509', '-in', file, '-noout', '-serial'], { cwd: t.dir })
    .trim()
    .replace(/^serial=/, '');
}

const CA_SIGNER = { cert: 'sign-ca.pem', key: 'sign-ca.key' };

describe('our verifier against OpenSSL as responder', () => {
  it('good with and without a nonce; revoked (index line R) with the reason', async () => {
    const serial = serialOf('hanako.pem');
    writeFileSync(path('index.txt'), `V\t491231235959Z\t\t${serial}\tunknown\t/CN=hanako\n`);
    let responder = await opensslResponder('index.txt', CA_SIGNER, ['-nmin', '5']);
    try {
      for (const ocspNonce of [true, false]) {
        const v = createVerifier({
          trustAnchors: authority.trustAnchors(),
          status: ocspStatusSource(responder.url, { timeoutMs: 20_000 }),
          ocspNonce,
        });
        const r = await v.verifyCms(hanako.signed);
        expect(r).toMatchObject({ ok: true, purpose: 'sign' });
        expect(r.ok && r.evidence.ocspResponse).toBeTruthy();
      }
    } finally {
      await responder.stop();
    }
    // revoked, and without -nmin (no nextUpdate: the verifier's maxAgeMs applies)
    writeFileSync(
      path('index-r.txt'),
      `R\t491231235959Z\t${utcTime(new Date(Date.now() - 60_000))},affiliationChanged\t${serial}\tunknown\t/CN=hanako\n`,
    );
    responder = await opensslResponder('index-r.txt', CA_SIGNER);
    try {
      for (const ocspNonce of [true, false]) {
        const v = createVerifier({
          trustAnchors: authority.trustAnchors(),
          status: ocspStatusSource(responder.url, { timeoutMs: 20_000 }),
          ocspNonce,
        });
        expect(await v.verifyCms(hanako.signed)).toMatchObject({
          ok: false,
          reason: 'revoked',
          revocationReason: 'affiliation-changed',
          lifeEvent: 'moved-or-renamed',
        });
      }
      // the other reasons in OpenSSL's spelling map to ours
      writeFileSync(
        path('index-r2.txt'),
        `R\t491231235959Z\t${utcTime(new Date(Date.now() - 60_000))},cessationOfOperation\t${serial}\tunknown\t/CN=hanako\n`,
      );
    } finally {
      await responder.stop();
    }
    responder = await opensslResponder('index-r2.txt', CA_SIGNER);
    try {
      const v = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: ocspStatusSource(responder.url, { timeoutMs: 20_000 }),
      });
      expect(await v.verifyCms(hanako.signed)).toMatchObject({
        ok: false,
        reason: 'revoked',
        revocationReason: 'cessation-of-operation',
        lifeEvent: 'died',
      });
    } finally {
      await responder.stop();
    }
  });

  it('status-unknown when OpenSSL does not know the serial or signs with a key that is not the issuing CA', async () => {
    writeFileSync(path('index-empty.txt'), '');
    let responder = await opensslResponder('index-empty.txt', CA_SIGNER);
    try {
      const v = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: ocspStatusSource(responder.url, { timeoutMs: 20_000 }),
      });
      expect(await v.verifyCms(hanako.signed)).toMatchObject({
        ok: false,
        reason: 'status-unknown',
        detail: expect.stringMatching(/does not know/),
      });
    } finally {
      await responder.stop();
    }
    const serial = serialOf('hanako.pem');
    writeFileSync(path('index-rogue.txt'), `V\t491231235959Z\t\t${serial}\tunknown\t/CN=hanako\n`);
    responder = await opensslResponder('index-rogue.txt', { cert: 'rogue.pem', key: 'rogue.key' });
    try {
      const v = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: ocspStatusSource(responder.url, { timeoutMs: 20_000 }),
      });
      expect(await v.verifyCms(hanako.signed)).toMatchObject({
        ok: false,
        reason: 'status-unknown',
        detail: expect.stringMatching(/not signed by/),
      });
    } finally {
      await responder.stop();
    }
  });
});

describe('broken answers over HTTP fail closed with a coded error', () => {
  /** Forwards each request to our responder and hands back a mangled answer (or an HTTP error). */
  let mangle: (good: Buffer) => { status?: number; body: Buffer } = (b) => ({ body: b });
  let proxy: Server;
  let proxyUrl: string;
  beforeAll(async () => {
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void authority.ocsp(new Uint8Array(Buffer.concat(chunks))).then(
          (good) => {
            const out = mangle(Buffer.from(good));
            res.writeHead(out.status ?? 200, { 'content-type': 'application/ocsp-response' }).end(out.body);
          },
          () => res.writeHead(500).end(),
        );
      });
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/ocsp`;
  });
  afterAll(() => new Promise<void>((ok) => proxy.close(() => ok())));

  const cases: [string, (good: Buffer) => { status?: number; body: Buffer }, RegExp][] = [
    ['truncated', (b) => ({ body: b.subarray(0, b.length - 7) }), /malformed/],
    ['cut in half', (b) => ({ body: b.subarray(0, b.length >> 1) }), /malformed/],
    [
      'a flipped signature byte',
      (b) => {
        const c = Buffer.from(b);
        c[c.length - 1]! ^= 0x01;
        return { body: c };
      },
      /not signed by/,
    ],
    ['tryLater', () => ({ body: Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]) }), /tryLater/],
    ['unauthorized', () => ({ body: Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x06]) }), /unauthorized/],
    ['an empty body', () => ({ body: Buffer.alloc(0) }), /malformed/],
    ['trailing bytes', (b) => ({ body: Buffer.concat([b, Buffer.of(0)]) }), /malformed/],
    ['HTTP 500', (b) => ({ status: 500, body: b }), /cannot be reached.*HTTP 500/],
  ];

  for (const ocspNonce of [true, false]) {
    it(`${ocspNonce ? 'with' : 'without'} a nonce: ${cases.map((c) => c[0]).join(', ')}`, async () => {
      const v = createVerifier({
        trustAnchors: authority.trustAnchors(),
        status: ocspStatusSource(proxyUrl, { timeoutMs: 20_000 }),
        ocspNonce,
      });
      mangle = (b) => ({ body: b });
      expect(await v.verifyCms(hanako.signed)).toMatchObject({ ok: true }); // the unmangled path works
      for (const [name, m, detail] of cases) {
        mangle = m;
        const r = await v.verifyCms(hanako.signed);
        expect(r, name).toMatchObject({ ok: false, reason: 'status-unknown', detail: expect.stringMatching(detail) });
        expect(verificationError(r as VerifyFailure), name).toMatchObject({
          code: 'KZ_JPKI_STATUS_UNKNOWN',
          statusCode: 503,
        });
      }
      mangle = (b) => ({ body: b });
    });
  }

  // Every byte is covered by the signature or checked by the parser; this found the verifier
  // accepting any parameters in signatureAlgorithm (RFC 4055 §5: NULL or absent).
  it('never crashes nor says "ok" on any single flipped byte', { timeout: 180_000 }, async () => {
    const v = createVerifier({
      trustAnchors: authority.trustAnchors(),
      status: ocspStatusSource(proxyUrl, { timeoutMs: 20_000 }),
      ocspNonce: false,
    });
    let len = 0;
    mangle = (b) => {
      len = b.length;
      return { body: b };
    };
    expect((await v.verifyCms(hanako.signed)).ok).toBe(true);
    const outcomes = new Set<string>();
    for (let i = 0; i < len; i++) {
      mangle = (b) => {
        const c = Buffer.from(b);
        c[i]! ^= 0x80;
        return { body: c };
      };
      const r = await v.verifyCms(hanako.signed);
      outcomes.add(r.ok ? 'ok' : r.reason);
    }
    mangle = (b) => ({ body: b });
    expect([...outcomes]).toEqual(['status-unknown']);
  });
});
