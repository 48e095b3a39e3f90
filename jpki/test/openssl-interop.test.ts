/**
 * Interoperability: a chain made with the openssl CLI (req, x509, ca), CMS made with
 * `openssl cms -sign -binary -md sha256 -outform DER` (attached and detached), revocation by a
 * CRL from `openssl ca -gencrl`. Our verifier must treat them exactly like the card's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVerifier, type Verifier } from '../src/verifier.ts';
import { crlStatusSource } from '../src/status-source.ts';
import { POLICY } from '../src/constants.ts';
import { openssl, tempDir } from './fixtures.ts';

const t = tempDir('kz-openssl-');
const run = (...args: string[]) => openssl(args, { cwd: t.dir });
const file = (name: string) => new Uint8Array(readFileSync(join(t.dir, name)));

const CA_CNF = `
[ ca ]
default_ca = issuing
[ issuing ]
dir = .
database = ./db/index.txt
new_certs_dir = ./db/certs
serial = ./db/serial
crlnumber = ./db/crlnumber
certificate = ./issuing.pem
private_key = ./issuing.key
default_md = sha256
default_days = 365
default_crl_days = 1
policy = loose
unique_subject = no
copy_extensions = none
[ loose ]
countryName = optional
commonName = supplied
[ sign_ext ]
keyUsage = critical, digitalSignature, nonRepudiation
certificatePolicies = critical, ${POLICY.sign}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ plain_ext ]
keyUsage = critical, digitalSignature, nonRepudiation
`;

const content = Buffer.from('現況届 (OpenSSL)\r\nline two\n\x00binary');
let anchors: string;
let verifierWith: (crl: string, extra?: object) => Verifier;

function issue(name: string, ext: string): void {
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/C=JP/CN=${name}`,
  );
  run('ca', '-batch', '-config', 'ca.cnf', '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', ext, '-notext');
}

function sign(name: string, detached: boolean, out: string): Uint8Array {
  run(
    'cms',
    '-sign',
    '-binary',
    '-md',
    'sha256',
    '-outform',
    'DER',
    '-in',
    'content.bin',
    '-signer',
    `${name}.pem`,
    '-inkey',
    `${name}.key`,
    ...(detached ? [] : ['-nodetach']),
    '-out',
    out,
  );
  return file(out);
}

function crl(out: string): string {
  run('ca', '-gencrl', '-config', 'ca.cnf', '-out', `${out}.pem`);
  run('crl', '-in', `${out}.pem`, '-outform', 'DER', '-out', `${out}.der`);
  return `${out}.der`;
}

beforeAll(() => {
  mkdirSync(join(t.dir, 'db', 'certs'), { recursive: true });
  writeFileSync(join(t.dir, 'db', 'index.txt'), '');
  writeFileSync(join(t.dir, 'db', 'serial'), '1000\n');
  writeFileSync(join(t.dir, 'db', 'crlnumber'), '01\n');
  writeFileSync(join(t.dir, 'ca.cnf'), CA_CNF);
  writeFileSync(join(t.dir, 'content.bin'), content);
  writeFileSync(
    join(t.dir, 'issuing.ext'),
    'basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n',
  );
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-days',
    '3650',
    '-sha256',
    '-subj',
    '/C=JP/O=Interop/CN=Interop Root',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'issuing.key',
    '-out',
    'issuing.csr',
    '-subj',
    '/C=JP/O=Interop/CN=Interop Signing CA',
  );
  run(
    'x509',
    '-req',
    '-in',
    'issuing.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-out',
    'issuing.pem',
    '-days',
    '1825',
    '-sha256',
    '-extfile',
    'issuing.ext',
  );
  issue('alice', 'sign_ext');
  issue('bob', 'sign_ext');
  issue('plain', 'plain_ext');
  anchors = readFileSync(join(t.dir, 'root.pem'), 'utf8') + readFileSync(join(t.dir, 'issuing.pem'), 'utf8');
  verifierWith = (crlFile, extra = {}) =>
    createVerifier({ trustAnchors: anchors, status: crlStatusSource([file(crlFile)]), ...extra });
});

afterAll(() => t.cleanup());

describe('OpenSSL-made chain and CMS', () => {
  it('verifies attached and detached CMS from openssl cms -sign, with the status from an openssl CRL', async () => {
    const v = verifierWith(crl('crl-1'));
    const att = await v.verifyCms(sign('alice', false, 'att.der'));
    expect(att).toMatchObject({ ok: true, purpose: 'sign' });
    expect(att.ok && Buffer.from(att.content).equals(content)).toBe(true);
    expect(att.ok && att.signingTime).toBeInstanceOf(Date);
    expect(att.ok && att.personal).toBeUndefined(); // no JPKI personal items in a foreign profile
    expect(att.ok && att.evidence.crl).toBeTruthy();
    expect(await v.verifyCms(sign('alice', true, 'det.der'), { detachedContent: content })).toMatchObject({ ok: true });
  });

  it("refuses them for the same reasons as the card's own", async () => {
    const v = verifierWith(crl('crl-2'));
    const att = sign('alice', false, 'att2.der');
    const i = Buffer.from(att).indexOf(content.subarray(0, 8));
    const tampered = Uint8Array.from(att);
    tampered[i + 2]! ^= 1;
    expect(await v.verifyCms(tampered)).toMatchObject({ ok: false, reason: 'content-tampered' });
    expect(await v.verifyCms(sign('alice', true, 'det2.der'), { detachedContent: Buffer.from('other') })).toMatchObject(
      { ok: false, reason: 'content-tampered' },
    );
    expect(await v.verifyCms(sign('alice', true, 'det3.der'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await v.verifyCms(sign('plain', false, 'plain.der'))).toMatchObject({
      ok: false,
      reason: 'wrong-certificate-type',
    });
    expect(await v.verifyCms(att, { at: new Date(Date.now() + 400 * 86400_000) })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('sees a revocation made with openssl ca -revoke in the next CRL, with its reason', async () => {
    const signed = sign('bob', false, 'bob.der');
    expect((await verifierWith(crl('crl-3')).verifyCms(signed)).ok).toBe(true);
    run('ca', '-config', 'ca.cnf', '-revoke', 'bob.pem', '-crl_reason', 'keyCompromise');
    expect(await verifierWith(crl('crl-4')).verifyCms(signed)).toMatchObject({
      ok: false,
      reason: 'revoked',
      revocationReason: 'key-compromise',
      lifeEvent: 'card-lost',
    });
    // alice is not affected
    expect((await verifierWith('crl-4.der').verifyCms(sign('alice', false, 'att4.der'))).ok).toBe(true);
  });

  it('has no answer, so no "ok", without a CRL of this issuer or with a stale one', async () => {
    const v = createVerifier({ trustAnchors: anchors, status: crlStatusSource([]) });
    expect(await v.verifyCms(sign('alice', false, 'att5.der'))).toMatchObject({ ok: false, reason: 'status-unknown' });
    const later = verifierWith('crl-4.der', { clock: () => new Date(Date.now() + 2 * 86400_000) });
    expect(await later.verifyCms(file('att5.der'))).toMatchObject({
      ok: false,
      reason: 'status-unknown',
      detail: expect.stringMatching(/stale/),
    });
    // a CRL signed by another CA under the same name is not accepted
    run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'evil.key',
      '-out',
      'evil.csr',
      '-subj',
      '/C=JP/O=Interop/CN=Interop Signing CA',
    );
    run('x509', '-req', '-in', 'evil.csr', '-signkey', 'evil.key', '-out', 'evil.pem', '-days', '30');
    writeFileSync(
      join(t.dir, 'evil.cnf'),
      CA_CNF.replace('./issuing.pem', './evil.pem').replace('./issuing.key', './evil.key'),
    );
    run('ca', '-gencrl', '-config', 'evil.cnf', '-out', 'evil-crl.pem');
    run('crl', '-in', 'evil-crl.pem', '-outform', 'DER', '-out', 'evil-crl.der');
    expect(await verifierWith('evil-crl.der').verifyCms(file('att5.der'))).toMatchObject({
      ok: false,
      reason: 'status-unknown',
      detail: expect.stringMatching(/not signed by/),
    });
  });

  it('refuses a signer from an OpenSSL CA that is not configured', async () => {
    const { createAuthority } = await import('../src/authority.ts');
    const a = await createAuthority();
    const v = createVerifier({ trustAnchors: a.trustAnchors(), status: a.statusSource() });
    expect(await v.verifyCms(sign('alice', false, 'att6.der'))).toMatchObject({ ok: false, reason: 'unknown-issuer' });
  });
});
