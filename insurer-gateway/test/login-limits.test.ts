/**
 * Login challenges per client (issue 23, item 8): one client asking for challenges without end is
 * refused with a named 429 after its share, and can no longer fill the challenge store's global
 * cap — every other resident still gets a challenge and logs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { createChallengeService } from '@kizuna/jpki';
import { challengeLogin } from '../src/jpki-adapters.ts';
import { createPki, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

describe('login challenges per client', () => {
  let pki: Pki;
  let h: Harness;
  beforeAll(async () => {
    pki = await createPki();
    // A small global cap (30 open challenges) so that one client could fill it before.
    h = await openHarness(dbEngines()[0]!, pki, {
      challenges: challengeLogin(createChallengeService({ verifier: pki.verifier, maxOpen: 30 })),
    });
  });
  afterAll(async () => {
    await h.close();
  });
  const challenge = (ip: string) =>
    h.app.inject({ method: 'POST', url: '/postbox/v1/login/challenge', remoteAddress: ip });

  it('refuses a client past its share with 429 KZ_GW_LOGIN_RATE_LIMITED; another client still logs in', async () => {
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push((await challenge('203.0.113.7')).statusCode);
    expect(answers.filter((s) => s === 200)).toHaveLength(20);
    expect(answers.filter((s) => s === 503)).toEqual([]);
    const refused = await challenge('203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'KZ_GW_LOGIN_RATE_LIMITED', details: { retryAfterS: 60 } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // another resident, from another address, is not turned away and logs in with the card
    const r = await issueResident(pki.authority);
    const ch = await challenge('198.51.100.20');
    expect(ch.statusCode).toBe(200);
    const { id, challenge: nonce } = ch.json();
    const signature = Buffer.from(await r.client.authSign(r.pin, Buffer.from(nonce, 'base64'))).toString('base64');
    const certificate = Buffer.from(await r.client.readAuthCertificate()).toString('base64');
    const login = await h.app.inject({
      method: 'POST',
      url: '/postbox/v1/login',
      remoteAddress: '198.51.100.20',
      payload: { id, signature, certificate },
    });
    expect(login.statusCode, login.body).toBe(200);
  });
});
