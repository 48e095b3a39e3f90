/**
 * A NUL character (U+0000) in what an insurer or the operator sends (issue 23, item 7): a notice's
 * subject, body or externalRef, a webhook URL, an insurer's name — each a named 400
 * (KZ_BAD_INPUT, naming the field) with nothing stored, not a 500 from the database. Over real
 * HTTP (fetch), signed like any insurer's call, on every database engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { signRequest } from '../src/request-signing.ts';
import type { InsurerCredentials } from '../src/insurers.ts';
import {
  createPki,
  enrolledWithNotice,
  issueResident,
  OPERATOR_TOKEN,
  openHarness,
  type Harness,
  type Pki,
} from './helpers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`NUL characters at the gateway (${engine.name})`, () => {
    let h: Harness;
    let base: string;
    let ins: InsurerCredentials;
    let code: string;

    const send = async (method: string, path: string, body: unknown, auth: string) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as { code?: string; field?: string } };
    };
    const signed = (method: string, path: string, body: unknown) =>
      send(method, path, body, signRequest(ins, method, path, JSON.stringify(body), h.clock.now()));
    const count = async (sql: string) =>
      Number((await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0]!.n);

    beforeAll(async () => {
      h = await openHarness(engine, pki);
      ins = await h.insurer();
      const r = await issueResident(pki.authority);
      ({ code } = await enrolledWithNotice(h, r, ins, 'POL-NUL'));
      base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await h?.close();
    });

    it("in a notice's subject, body or externalRef", async () => {
      const before = await count('gw_notices');
      for (const [over, field] of [
        [{ subject: 'お知らせ\u0000' }, 'body/subject'],
        [{ body: '本文\u0000です' }, 'body/body'],
        [{ externalRef: 'ref-\u0000' }, 'body/externalRef'],
      ] as const) {
        const notice: Record<string, string> = { code, kind: 'info', subject: 's', body: 'b' };
        const r = await signed('POST', '/insurer/v1/notices', { ...notice, ...over });
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body).toMatchObject({ code: 'KZ_BAD_INPUT', field });
      }
      expect(await count('gw_notices')).toBe(before);
    });

    it('in a webhook URL', async () => {
      const r = await signed('PUT', '/insurer/v1/webhook', { url: 'https://hooks.example.jp/\u0000' });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/url' });
      expect(await count(`gw_insurers WHERE id = '${ins.insurerId}' AND webhook_url IS NOT NULL`)).toBe(0);
    });

    it("in an insurer's name (operator API)", async () => {
      const before = await count('gw_insurers');
      const r = await send(
        'POST',
        '/operator/v1/insurers',
        { id: 'ins-nul', name: '絆生命\u0000' },
        `Bearer ${OPERATOR_TOKEN}`,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/name' });
      expect(await count('gw_insurers')).toBe(before);
    });
  });
}
