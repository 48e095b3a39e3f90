/**
 * Issue 23, items 6–8 (part): idempotency keys as Stripe defines them, named 400s for bad
 * input, authentication before the body is read, no framework codes, /metrics not public, and
 * receipts that still verify after the receipt key is rotated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { verifyReceiptWithKeys } from '../src/receipts.ts';
import { signRequest } from '../src/request-signing.ts';
import {
  OPERATOR_TOKEN,
  createPki,
  enrolledWithNotice,
  issueResident,
  openHarness,
  type Harness,
  type Pki,
} from './helpers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const DAY = 86_400_000;

/**
 * This machine has no outside DNS, so the names the insurers register resolve through this table
 * (a public address for the receiver, an inside one for the attacker); every other name goes to the system resolver.
 */
const NAMES: Record<string, string> = { 'hooks.example.com': '93.184.215.14', 'inside.example.com': '10.1.2.3' };
const resolveAll = async (host: string) => {
  const address = NAMES[host];
  if (address) return [{ address, family: 4 }];
  const { lookup } = await import('node:dns/promises');
  return lookup(host, { all: true, verbatim: true });
};

for (const engine of dbEngines()) {
  describe(`gateway inputs, idempotency keys and receipt keys (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki, { webhookResolve: resolveAll });
    });
    afterAll(async () => {
      await h.close();
    });

    async function enrolled(policies: string[]) {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      for (const p of policies) expect((await h.enrol(token, r, ins.insurerId, p)).status).toBe(201);
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code as string;
      return { ins, r, token, code };
    }

    it('an externalRef reused with a different request is refused (409) naming what differs', async () => {
      const { ins, token, code } = await enrolled(['POL-1', 'POL-2']);
      const first = { code, policy: 'POL-1', kind: 'info', subject: '案内', body: '本文', externalRef: 'letter-1' };
      const a = await h.call(ins, 'POST', '/insurer/v1/notices', first);
      expect(a.status).toBe(201);
      // the same request again: the first notice, nothing new
      const again = await h.call(ins, 'POST', '/insurer/v1/notices', first);
      expect(again).toMatchObject({ status: 200, body: { id: a.body.id, duplicate: true } });
      for (const [change, differs] of [
        [{ subject: '別の件名' }, ['subject']],
        [{ body: '別の本文' }, ['body']],
        [{ kind: 'status-check' }, ['kind']],
        [{ policy: 'POL-2' }, ['policy']],
        [{ dueDate: '2099-01-01' }, ['dueDate']],
        [{ subject: 'x', body: 'y' }, ['subject', 'body']],
      ] as const) {
        const res = await h.call(ins, 'POST', '/insurer/v1/notices', { ...first, ...change });
        expect(res.status, JSON.stringify(change)).toBe(409);
        expect(res.body.code).toBe('KZ_GW_IDEMPOTENCY_MISMATCH');
        expect(res.body.details.differs).toEqual(differs);
        expect(res.body.message).toContain('letter-1');
      }
      // another recipient under the same key (the key is checked first, as Stripe does)
      const swapped = await h.call(ins, 'POST', '/insurer/v1/notices', { ...first, code: 'ph_someone-else' });
      expect(swapped).toMatchObject({ status: 409, body: { details: { differs: ['code'] } } });
      const notices = await h.tv(token, 'GET', '/notices');
      expect(notices.body.notices).toHaveLength(1);
    });

    it('the key outlives the notice: deleting the notice does not free it; it expires after the stated time', async () => {
      const { ins, token, code } = await enrolled(['POL-1']);
      const req = { code, kind: 'info', subject: '案内', body: '本文', externalRef: 'letter-del' };
      const a = await h.call(ins, 'POST', '/insurer/v1/notices', req);
      expect(a.status).toBe(201);
      expect((await h.tv(token, 'DELETE', `/notices/${a.body.id}`)).status).toBe(200);
      const same = await h.call(ins, 'POST', '/insurer/v1/notices', req);
      expect(same).toMatchObject({ status: 200, body: { id: a.body.id, duplicate: true } });
      const changed = await h.call(ins, 'POST', '/insurer/v1/notices', { ...req, subject: '再送' });
      expect(changed).toMatchObject({ status: 409, body: { code: 'KZ_GW_IDEMPOTENCY_MISMATCH' } });
      expect((await h.tv(token, 'GET', '/notices')).body.notices).toHaveLength(0);
      // retention frees the key after its time (90 days by default), not before
      h.clock.advance(89 * DAY);
      await h.app.gateway.retention();
      expect((await h.call(ins, 'POST', '/insurer/v1/notices', { ...req, subject: '再送' })).status).toBe(409);
      h.clock.advance(2 * DAY);
      const swept = await h.app.gateway.retention();
      expect(swept.idempotencyKeys).toBeGreaterThanOrEqual(1);
      const fresh = await h.call(ins, 'POST', '/insurer/v1/notices', { ...req, subject: '再送' });
      expect(fresh).toMatchObject({ status: 201, body: { duplicate: false } });
      expect(fresh.body.id).not.toBe(a.body.id);
    });

    it('bad input gets named 400s: an impossible due date, a huge event cursor, malformed webhook URLs', async () => {
      const { ins, code } = await enrolled(['POL-1']);
      for (const dueDate of ['2027-02-30', '2027-13-01', '2027-04-31', '2100-02-29']) {
        const res = await h.call(ins, 'POST', '/insurer/v1/notices', {
          code,
          kind: 'info',
          subject: 's',
          body: 'b',
          dueDate,
        });
        expect(res.status, dueDate).toBe(400);
        expect(res.body.code, dueDate).toBe('KZ_GW_DUE_DATE');
        expect(res.body.message, dueDate).toContain(dueDate);
      }
      const leap = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        dueDate: '2028-02-29',
      });
      expect(leap.status).toBe(201);
      for (const after of ['1e30', '9007199254740993', '-1']) {
        const res = await h.call(ins, 'GET', `/insurer/v1/events?after=${after}`);
        expect(res.status, after).toBe(400);
        expect(res.body.code, after).toBe('KZ_VALIDATION');
        expect(res.body.field, after).toBe('querystring/after');
      }
      for (const url of [
        '',
        ' ',
        'https:example.com',
        'https://example.com/\ud800',
        'https://example.com/#frag',
        'https://exa mple.com/',
        'http://',
      ]) {
        const res = await h.call(ins, 'PUT', '/insurer/v1/webhook', { url });
        expect(res.status, JSON.stringify(url)).toBe(400);
        expect(res.body.code, JSON.stringify(url)).toBe('KZ_GW_WEBHOOK_URL');
      }
      const op = await h.app.inject({
        method: 'POST',
        url: '/operator/v1/insurers',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
        payload: { id: 'bad-hook', name: 'x', webhookUrl: 'https:example.com' },
      });
      expect(op.statusCode).toBe(400);
      expect(op.json().code).toBe('KZ_GW_WEBHOOK_URL');
      // Names are judged by the addresses they resolve to: none, or an inside one, is refused by name.
      for (const [url, why] of [
        ['https://nowhere.invalid/kz', 'nowhere.invalid does not resolve'],
        ['https://inside.example.com/kz', '10.1.2.3 is not a public address'],
      ]) {
        const res = await h.call(ins, 'PUT', '/insurer/v1/webhook', { url });
        expect(res.status, url).toBe(400);
        expect(res.body, url).toMatchObject({ code: 'KZ_GW_WEBHOOK_URL' });
        expect(res.body.message, url).toContain(why);
      }
      expect((await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: 'https://hooks.example.com/kz' })).status).toBe(
        200,
      );
    });

    it('authenticates before reading the body: a stranger with a bad body gets 401, never 400 or 415', async () => {
      const ins = await h.insurer();
      const post = (headers: Record<string, string>, payload: string) =>
        h.app.inject({ method: 'POST', url: '/insurer/v1/notices', headers, payload });
      const json = { 'content-type': 'application/json' };
      for (const [headers, payload] of [
        [json, '{not json'],
        [json, '{"code": 1}'],
        [{ 'content-type': 'application/xml' }, '<hello/>'],
        [json, JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) })],
      ] as const) {
        const res = await post({ ...headers }, payload);
        expect(res.statusCode, payload.slice(0, 20)).toBe(401);
        expect(res.json().code).toBe('KZ_GW_AUTH_MISSING');
      }
      // a known key whose signature does not cover this body: still 401, before parsing
      const forged = await post(
        { ...json, authorization: signRequest(ins, 'POST', '/insurer/v1/notices', '{}', h.clock.now()) },
        '{not json',
      );
      expect(forged.statusCode).toBe(401);
      expect(forged.json().code).toBe('KZ_GW_AUTH_SIGNATURE');
      // signed correctly: then the body is parsed, and its error is a KZ_ code
      const body = '{not json';
      const signed = await post(
        { ...json, authorization: signRequest(ins, 'POST', '/insurer/v1/notices', body, h.clock.now()) },
        body,
      );
      expect(signed.statusCode).toBe(400);
      expect(signed.json().code).toBe('KZ_INVALID_JSON');
      const media = await post(
        {
          'content-type': 'application/xml',
          authorization: signRequest(ins, 'POST', '/insurer/v1/notices', 'x', h.clock.now()),
        },
        'x',
      );
      expect(media.statusCode).toBe(415);
      expect(media.json().code).toBe('KZ_UNSUPPORTED_MEDIA_TYPE');
      // the post-box: no session, bad body → 401
      const pb = await h.app.inject({
        method: 'POST',
        url: '/postbox/v1/reports',
        headers: json,
        payload: '{not json',
      });
      expect(pb.statusCode).toBe(401);
      expect(pb.json().code).toBe('KZ_GW_SESSION_MISSING');
      const pbType = await h.app.inject({
        method: 'POST',
        url: '/postbox/v1/enrolments',
        headers: { 'content-type': 'application/xml', authorization: 'Bearer nope' },
        payload: '<x/>',
      });
      expect(pbType.statusCode).toBe(401);
    });

    it('/metrics is not served to anyone on the gateway port', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).not.toBe(200);
      expect(res.body).not.toContain('http_request_duration_seconds');
    });

    it('a receipt signed before a key rotation still verifies against the published key set', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const n = await enrolledWithNotice(h, r, ins, 'POL-R');
      const before = await h.tv(n.token, 'POST', '/reports', await h.report(r, n.notice));
      expect(before.status).toBe(201);
      const oldKid = before.body.receipt.keyId as string;

      const rotated = await h.app.inject({
        method: 'POST',
        url: '/operator/v1/receipt-keys/rotate',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
      });
      expect(rotated.statusCode).toBe(201);
      expect(rotated.json().kid).not.toBe(oldKid);

      const n2 = await enrolledWithNotice(h, r, ins, 'POL-S');
      const after = await h.tv(n2.token, 'POST', '/reports', await h.report(r, n2.notice));
      expect(after.status).toBe(201);
      expect(after.body.receipt.keyId).toBe(rotated.json().kid);

      const { keys } = (await h.app.inject({ method: 'GET', url: '/postbox/v1/receipt-keys' })).json();
      const old = keys.find((k: { kid: string }) => k.kid === oldKid);
      expect(old).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(typeof old.nbf).toBe('number');
      expect(typeof old.exp).toBe('number');
      expect(keys.find((k: { kid: string }) => k.kid === rotated.json().kid).exp).toBeUndefined();
      expect(verifyReceiptWithKeys(before.body.receipt, keys)).toBe(true);
      expect(verifyReceiptWithKeys(after.body.receipt, keys)).toBe(true);
      // a receipt claiming the old key for a time after it was retired is refused
      const late = {
        ...before.body.receipt,
        receipt: { ...before.body.receipt.receipt, receivedAt: '2999-01-01T00:00:00.000Z' },
      };
      expect(verifyReceiptWithKeys(late, keys)).toBe(false);
      // tampered, or signed by a key not in the set
      expect(verifyReceiptWithKeys({ ...after.body.receipt, keyId: oldKid }, keys)).toBe(false);
      expect(
        verifyReceiptWithKeys(
          before.body.receipt,
          keys.filter((k: { kid: string }) => k.kid !== oldKid),
        ),
      ).toBe(false);
    });
  });
}
