/**
 * Answers holding personal data are not to be kept by any cache (issue 24, item 10, for the
 * gateway too): the post-box API (notices, disclosures) and the insurer API (policyholders) answer
 * with Cache-Control: no-store. Over real HTTP (fetch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { signRequest } from '../src/request-signing.ts';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

const engine = dbEngines()[0]!;
describe(`gateway answers are not cached (${engine.name})`, () => {
  let h: Harness;
  let pki: Pki;
  let base: string;
  beforeAll(async () => {
    pki = await createPki();
    h = await openHarness(engine, pki);
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('post-box and insurer answers say Cache-Control: no-store', async () => {
    const ins = await h.insurer();
    const { token, noticeId } = await enrolledWithNotice(h, await issueResident(pki.authority), ins, 'POL-NS');
    for (const path of ['/postbox/v1/notices', `/postbox/v1/notices/${noticeId}`, '/postbox/v1/disclosures']) {
      const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control'), path).toBe('no-store');
    }
    const path = '/insurer/v1/policyholders';
    const r = await fetch(`${base}${path}`, {
      headers: { authorization: signRequest(ins, 'GET', path, '', h.clock.now()) },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });
});
