/**
 * The verifier a terminal builds when it runs alone (server.ts): trust anchors from the
 * authority's /ca/anchors.pem or a pinned PEM file, revocation from its OCSP responder over
 * HTTP, fail closed whenever either cannot be had. Real authority server, real emulated cards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '@kizuna/core';
import {
  type Authority,
  createAuthority,
  createVerifier,
  JpkiClient,
  type RunningAuthority,
  startAuthorityServer,
} from '@kizuna/jpki';
import { buildTerminalApp, type TerminalApp } from '../src/app.ts';
import { authorityCardVerifier } from '../src/authority-verifier.ts';
import { jpkiCardVerifier } from '../src/verifier.ts';
import { quietLogger, IDS } from './helpers.ts';

const person = (name: string) => ({ name, address: '絆市川辺1-1', birthDate: '1970-07-07', sex: 1 as const });
const secrets = { authPin: '1234', signPassword: 'KIZUNA01' };

describe('card verifier against the authority over HTTP', () => {
  let authority: Authority;
  let server: RunningAuthority | null = null;
  let port: number;
  let dir: string;
  let db: Db;
  const apps: TerminalApp[] = [];
  const cards: Record<string, Uint8Array> = {};

  beforeAll(async () => {
    authority = await createAuthority();
    for (const who of ['good', 'lost']) {
      const issued = await authority.issueCard(person(who), secrets);
      cards[who] = await new JpkiClient(issued.card).readAuthCertificate();
      if (who === 'lost') authority.revoke(issued.authSerial, 'card-lost');
    }
    server = await startAuthorityServer({ authority, port: 0, logger: quietLogger() });
    port = Number(new URL(server.url).port);
    dir = await mkdtemp(join(tmpdir(), 'kz-anchors-'));
    db = await openDb({}); // taps write nothing: one store serves every terminal here
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await db?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function terminalWith(verifier: Parameters<typeof buildTerminalApp>[0]['verifier']) {
    const app = await buildTerminalApp({ db, logger: quietLogger(), ...IDS, verifier });
    apps.push(app);
    return (der: Uint8Array) =>
      app.inject({ method: 'POST', url: '/api/taps', payload: { certificate: Buffer.from(der).toString('base64') } });
  }

  it('refuses cards while the authority cannot be reached, then verifies once it is back (anchors fetched late)', async () => {
    await server!.close();
    server = null;
    const verifier = authorityCardVerifier({
      authorityUrl: `http://127.0.0.1:${port}`,
      logger: quietLogger(),
      timeoutMs: 2000,
    });
    expect(await verifier.prepare()).toBe(false);
    const tap = await terminalWith(verifier);
    const refused = await tap(cards.good!);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'KZ_SHELTER_CARD_STATUS_UNKNOWN' });
    server = await startAuthorityServer({ authority, port, logger: quietLogger() });
    const ok = await tap(cards.good!);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'unknown-card', present: false }); // verified; this shelter has no roster
    expect((await tap(cards.lost!)).json()).toMatchObject({ code: 'KZ_SHELTER_CARD_REVOKED' });
  });

  it('fails closed when the OCSP responder goes away after the anchors were loaded', async () => {
    const verifier = authorityCardVerifier({
      authorityUrl: `http://127.0.0.1:${port}/`,
      logger: quietLogger(),
      timeoutMs: 2000,
    });
    expect(await verifier.prepare()).toBe(true);
    const tap = await terminalWith(verifier);
    expect((await tap(cards.good!)).statusCode).toBe(200);
    await server!.close();
    server = null;
    expect((await tap(cards.good!)).json()).toMatchObject({ code: 'KZ_SHELTER_CARD_STATUS_UNKNOWN' });
    server = await startAuthorityServer({ authority, port, logger: quietLogger() });
  });

  it('trusts only a pinned anchors file: another authority’s CAs make the card invalid, a file that is not PEM loads nothing', async () => {
    const other = await createAuthority();
    const pinnedOther = join(dir, 'other.pem');
    await writeFile(pinnedOther, other.trustAnchors().pem);
    const verifier = authorityCardVerifier({
      authorityUrl: `http://127.0.0.1:${port}`,
      trustAnchorsFile: pinnedOther,
      logger: quietLogger(),
    });
    expect(await verifier.prepare()).toBe(true);
    const tap = await terminalWith(verifier);
    const r = await tap(cards.good!);
    expect(r.json()).toMatchObject({ code: 'KZ_SHELTER_CARD_INVALID' });
    expect(r.json().message).toContain('unknown-issuer');

    const pinnedRight = join(dir, 'right.pem');
    await writeFile(pinnedRight, authority.trustAnchors().pem);
    const right = authorityCardVerifier({
      authorityUrl: `http://127.0.0.1:${port}`,
      trustAnchorsFile: pinnedRight,
      logger: quietLogger(),
    });
    expect((await (await terminalWith(right))(cards.good!)).statusCode).toBe(200);

    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'not a certificate');
    expect(
      await authorityCardVerifier({
        authorityUrl: `http://127.0.0.1:${port}`,
        trustAnchorsFile: junk,
        logger: quietLogger(),
      }).prepare(),
    ).toBe(false);
    expect(
      await authorityCardVerifier({
        authorityUrl: `http://127.0.0.1:${port}`,
        trustAnchorsFile: join(dir, 'missing.pem'),
        logger: quietLogger(),
      }).prepare(),
    ).toBe(false);
  });

  it('takes the verifier the system launcher builds in-process (anchors as DER certificates, in-process OCSP)', async () => {
    const tap = await terminalWith(
      jpkiCardVerifier(
        createVerifier({ trustAnchors: authority.trustAnchors().certificates, status: authority.statusSource() }),
      ),
    );
    expect((await tap(cards.good!)).statusCode).toBe(200);
    expect((await tap(cards.lost!)).json()).toMatchObject({ code: 'KZ_SHELTER_CARD_REVOKED' });
  });
});
