import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTTPMethods } from 'fastify';
import { dbEngines } from '@kizuna/test-utils';
import { signRequest, verifyWebhookSignature } from '../src/request-signing.ts';
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

/** A real HTTP receiver that fails its first `failFirst` deliveries, then stores each event id once. */
function receiver(failFirst: number) {
  const seen = new Map<string, { body: string; signature: string }>();
  const calls: string[] = [];
  let fails = failFirst;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const id = String(req.headers['idempotency-key']);
      calls.push(id);
      if (fails > 0) {
        fails -= 1;
        res.statusCode = 500;
        return res.end('down');
      }
      if (!seen.has(id)) seen.set(id, { body, signature: String(req.headers['kz-signature']) }); // idempotent on the receiving side
      res.statusCode = 204;
      res.end();
    });
  });
  return {
    seen,
    calls,
    server,
    url: () =>
      new Promise<string>((ok) =>
        server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as { port: number }).port}/hook`)),
      ),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

for (const engine of dbEngines()) {
  describe(`insurer access, emergency stop and webhooks (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki, {
        webhookBaseDelayMs: 1000,
        webhookMaxDelayMs: 60_000,
        webhookAllowPrivate: ['127.0.0.0/8'], // the receivers listen on loopback
      });
    });
    afterAll(async () => {
      await h.close();
    });
    const op = (method: HTTPMethods, url: string, payload?: object) =>
      h.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
        ...(payload ? { payload } : {}),
      });

    it('authenticates signed requests and names each failed check', async () => {
      const ins = await h.insurer();
      expect((await h.call(ins, 'GET', '/insurer/v1/me')).body).toMatchObject({ id: ins.insurerId, status: 'active' });
      const get = (authorization?: string) =>
        h.app
          .inject({ method: 'GET', url: '/insurer/v1/me', headers: authorization ? { authorization } : {} })
          .then((r) => r.json().code);
      expect(await get()).toBe('KZ_GW_AUTH_MISSING');
      expect(await get('Bearer abc')).toBe('KZ_GW_AUTH_MALFORMED');
      expect(await get(signRequest({ keyId: 'key_unknown', secret: 'x' }, 'GET', '/insurer/v1/me'))).toBe(
        'KZ_GW_AUTH_UNKNOWN_KEY',
      );
      expect(await get(signRequest({ keyId: ins.keyId, secret: 'wrong' }, 'GET', '/insurer/v1/me'))).toBe(
        'KZ_GW_AUTH_SIGNATURE',
      );
      expect(await get(signRequest(ins, 'GET', '/insurer/v1/policyholders'))).toBe('KZ_GW_AUTH_SIGNATURE'); // signed for another path
      expect(await get(signRequest(ins, 'GET', '/insurer/v1/me', '', new Date(Date.now() - 3600_000)))).toBe(
        'KZ_GW_AUTH_CLOCK_SKEW',
      );
      const once = signRequest(ins, 'GET', '/insurer/v1/me');
      expect(
        (await h.app.inject({ method: 'GET', url: '/insurer/v1/me', headers: { authorization: once } })).statusCode,
      ).toBe(200);
      expect(await get(once)).toBe('KZ_GW_AUTH_REPLAYED');
      // the body is covered: a changed body with the old signature fails
      const auth = signRequest(ins, 'PUT', '/insurer/v1/webhook', JSON.stringify({ url: null }));
      const tampered = await h.app.inject({
        method: 'PUT',
        url: '/insurer/v1/webhook',
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ url: 'http://evil.example/' }),
      });
      expect(tampered.json().code).toBe('KZ_GW_AUTH_SIGNATURE');
      // authentication comes before validation: an unsigned bad body says nothing about the schema
      const unsigned = await h.app.inject({ method: 'POST', url: '/insurer/v1/notices', payload: { nonsense: true } });
      expect(unsigned.json().code).toBe('KZ_GW_AUTH_MISSING');
    });

    it('rotates keys without downtime: two active keys, a third refused, the old one revoked', async () => {
      const ins = await h.insurer();
      const added = await op('POST', `/operator/v1/insurers/${ins.insurerId}/keys`);
      expect(added.statusCode).toBe(201);
      const k2 = added.json();
      expect((await h.call(ins, 'GET', '/insurer/v1/me')).status).toBe(200);
      expect((await h.call(k2, 'GET', '/insurer/v1/me')).status).toBe(200);
      expect((await op('POST', `/operator/v1/insurers/${ins.insurerId}/keys`)).json().code).toBe('KZ_GW_KEY_LIMIT');
      expect((await op('DELETE', `/operator/v1/insurers/${ins.insurerId}/keys/${ins.keyId}`)).statusCode).toBe(200);
      expect((await h.call(ins, 'GET', '/insurer/v1/me')).body.code).toBe('KZ_GW_AUTH_UNKNOWN_KEY');
      expect((await h.call(k2, 'GET', '/insurer/v1/me')).status).toBe(200);
      expect(
        (
          await h.app.inject({
            method: 'GET',
            url: '/operator/v1/insurers',
            headers: { authorization: 'Bearer wrong' },
          })
        ).json().code,
      ).toBe('KZ_GW_OPERATOR_AUTH');
    });

    it('delivers webhooks signed with HMAC, retrying with backoff after the endpoint fails, until acknowledged', async () => {
      const rx = receiver(2);
      const ins = await h.insurer();
      await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: await rx.url() });
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-HOOK'); // enrolled + notice.read events
      const wh = h.app.gateway.webhooks;
      const first = await wh.runOnce();
      expect(first).toMatchObject({ attempted: 2, delivered: 0 }); // both fail (500, 500)
      expect(await wh.runOnce()).toMatchObject({ attempted: 0 }); // not due yet: backoff
      h.clock.advance(1000);
      expect(await wh.runOnce()).toMatchObject({ attempted: 2, delivered: 2 });
      h.clock.advance(3_600_000);
      expect(await wh.runOnce()).toMatchObject({ attempted: 0 }); // acknowledged by 2xx: never again
      expect(rx.calls).toHaveLength(4);
      expect(rx.seen.size).toBe(2);
      const { webhookSecret } = ins;
      for (const { body, signature } of rx.seen.values()) {
        expect(verifyWebhookSignature(webhookSecret, body, signature, h.clock.now(), 7200)).toBe(true);
        expect(verifyWebhookSignature('another-secret', body, signature, h.clock.now(), 7200)).toBe(false);
      }
      const types = [...rx.seen.values()].map((x) => JSON.parse(x.body).type).sort();
      expect(types).toEqual(['notice.read', 'policyholder.enrolled']);
      expect((await h.call(ins, 'GET', '/insurer/v1/events?unacknowledged=true')).body.events).toEqual([]);
      await rx.close();
    });

    it('emergency stop: a suspended insurer is refused at once and its webhooks held; on resume nothing is lost', async () => {
      const rx = receiver(0);
      const ins = await h.insurer();
      await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: await rx.url() });
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-STOP');
      await h.app.gateway.webhooks.runOnce();
      const deliveredBefore = rx.seen.size;

      const s = await op('POST', `/operator/v1/insurers/${ins.insurerId}/suspend`, { reason: 'API key leaked' });
      expect(s.json()).toMatchObject({ status: 'suspended', statusReason: 'API key leaked' });
      const refused = await h.call(ins, 'GET', '/insurer/v1/reports');
      expect(refused).toMatchObject({ status: 403, body: { code: 'KZ_GW_INSURER_SUSPENDED' } });
      expect(
        (await h.call(ins, 'POST', '/insurer/v1/notices', { code: f.code, kind: 'info', subject: 's', body: 'b' })).body
          .code,
      ).toBe('KZ_GW_INSURER_SUSPENDED');
      // the resident still answers; the report is kept and its event held
      const rep = await h.tv(f.token, 'POST', '/reports', await h.report(r, f.notice));
      expect(rep.status).toBe(201);
      h.clock.advance(60_000);
      expect(await h.app.gateway.webhooks.runOnce()).toMatchObject({ attempted: 0 });
      expect(rx.seen.size).toBe(deliveredBefore);

      expect((await op('POST', `/operator/v1/insurers/${ins.insurerId}/resume`)).json().status).toBe('active');
      expect(await h.app.gateway.webhooks.runOnce()).toMatchObject({ attempted: 1, delivered: 1 });
      const held = [...rx.seen.values()].map((x) => JSON.parse(x.body)).find((e) => e.type === 'report.received');
      expect(held.data.reportId).toBe(rep.body.reportId);
      expect((await h.call(ins, 'GET', `/insurer/v1/reports/${rep.body.reportId}`)).status).toBe(200);
      await rx.close();
    });

    it('an insurer ends a policyholder that does not match its records; notices can no longer reach it', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-END');
      expect(
        (await h.call(ins, 'DELETE', `/insurer/v1/policyholders/${f.code}/policies/POL-END?reason=no%20match`)).status,
      ).toBe(200);
      expect(
        (
          await h.call(ins, 'POST', '/insurer/v1/notices', {
            code: f.code,
            policy: 'POL-END',
            kind: 'status-check',
            subject: 's',
            body: 'b',
          })
        ).body.code,
      ).toBe('KZ_GW_ENROLMENT_INACTIVE');
      expect((await h.tv(f.token, 'GET', `/notices/${f.noticeId}`)).body.code).toBe('KZ_GW_UNKNOWN_NOTICE'); // open request withdrawn with it
    });
  });
}
