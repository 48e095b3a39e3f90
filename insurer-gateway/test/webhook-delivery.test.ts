import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { verifyWebhookSignature } from '../src/request-signing.ts';
import { OPERATOR_TOKEN, createPki, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';
import { signedAt, startReceiver, type Delivery, type Receiver } from './receivers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const within = <T>(ms: number, p: Promise<T>, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`${what}: nothing within ${ms} ms`)), ms)),
  ]);

for (const engine of dbEngines()) {
  describe(`webhooks like a bank's (${engine.name})`, () => {
    // The operator allows loopback explicitly: the receivers below listen on 127.0.0.1.
    let h: Harness;
    // No private range allowed: the production default.
    let strict: Harness;
    const receivers: Receiver[] = [];
    const receiver = async (...a: Parameters<typeof startReceiver>) => {
      const r = await startReceiver(...a);
      receivers.push(r);
      return r;
    };
    beforeAll(async () => {
      h = await openHarness(engine, pki, { webhookAllowPrivate: ['127.0.0.0/8', '::1/128'] });
      strict = await openHarness(engine, pki);
    });
    afterAll(async () => {
      await h.close();
      await strict.close();
      await Promise.all(receivers.map((r) => r.close()));
    });

    it("six events to a hanging endpoint do not delay another insurer's event, and its signature is made at sending", async () => {
      const hanging = await receiver('hang');
      const healthy = await receiver();
      const slow = await h.insurer();
      const fast = await h.insurer();
      await h.call(slow, 'PUT', '/insurer/v1/webhook', { url: hanging.url });
      await h.call(fast, 'PUT', '/insurer/v1/webhook', { url: healthy.url });
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      for (let i = 1; i <= 6; i++) expect((await h.enrol(token, r, slow.insurerId, `SLOW-${i}`)).status).toBe(201);

      h.app.gateway.webhooks.start(100);
      await within(3000, hanging.next(), 'first delivery to the hanging receiver');
      await new Promise((ok) => setTimeout(ok, 1500)); // the hanging receiver holds its worker
      const sentAt = Date.now();
      expect((await h.enrol(token, r, fast.insurerId, 'FAST-1')).status).toBe(201);
      const d: Delivery = await within(3000, healthy.next(), "the healthy insurer's event");
      expect(d.event).toMatchObject({ type: 'policyholder.enrolled', data: { policy: 'FAST-1' } });
      expect(d.at - sentAt).toBeLessThan(3000);
      // signed when sent: its timestamp is the moment of sending, not when a pass began
      // (whole seconds, so up to 1 s older than the moment of sending, plus the trip; before: 30 s and more)
      expect(d.at - signedAt(d.signature)).toBeGreaterThanOrEqual(0);
      expect(d.at - signedAt(d.signature)).toBeLessThan(2500);
      expect(verifyWebhookSignature(fast.webhookSecret, d.body, d.signature, new Date(), 5)).toBe(true);
      // the hanging insurer was tried one event at a time, and only itself waited
      expect(hanging.deliveries.length).toBeLessThanOrEqual(2);
      await h.app.gateway.webhooks.stop();
      await h.call(slow, 'PUT', '/insurer/v1/webhook', { url: null }); // leaves the later tests alone
    }, 20_000);

    it('refuses destinations that are not HTTPS on a public address, unless the operator allowed the range', async () => {
      const ins = await strict.insurer();
      const put = (url: string) => strict.call(ins, 'PUT', '/insurer/v1/webhook', { url });
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'https://127.0.0.1/hook',
        'https://10.1.2.3/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://[::1]/hook',
        'https://[::ffff:127.0.0.1]/hook',
        'https://[fd00::1]/hook',
        'https://localhost/hook', // a name: judged by what it resolves to
        'http://93.184.216.34/hook', // public, but plain HTTP
        'ftp://93.184.216.34/hook',
      ]) {
        const res = await put(url);
        expect(res, url).toMatchObject({ status: 400, body: { code: 'KZ_GW_WEBHOOK_URL' } });
      }
      expect((await put('https://93.184.216.34/hook')).status).toBe(200);
      // the operator's allowance covers its ranges only
      const allowed = await h.insurer();
      expect((await h.call(allowed, 'PUT', '/insurer/v1/webhook', { url: 'http://127.0.0.1:9/hook' })).status).toBe(
        200,
      );
      expect((await h.call(allowed, 'PUT', '/insurer/v1/webhook', { url: 'http://10.1.2.3/hook' })).body.code).toBe(
        'KZ_GW_WEBHOOK_URL',
      );
      // the operator's registration of an insurer follows the same rules
      const op = await strict.app.inject({
        method: 'POST',
        url: '/operator/v1/insurers',
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
        payload: { id: 'ins-private', name: '内部', webhookUrl: 'https://192.168.1.10/hook' },
      });
      expect(op.json()).toMatchObject({ code: 'KZ_GW_WEBHOOK_URL' });
    });

    it('checks the addresses DNS gives when connecting, not only at registration', async () => {
      const rx = await receiver();
      const ins = await strict.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await strict.login(r);
      expect((await strict.enrol(token, r, ins.insurerId, 'DNS-1')).status).toBe(201);
      // The name was public when registered; now it resolves to loopback (stands in for a DNS change).
      const port = new URL(rx.url).port;
      for (const url of [`https://localhost:${port}/hook`, `http://127.0.0.1:${port}/hook`]) {
        await strict.db.query('UPDATE gw_insurers SET webhook_url = $2 WHERE id = $1', [ins.insurerId, url]);
        strict.clock.advance(3_600_000);
        expect(await strict.app.gateway.webhooks.runOnce()).toMatchObject({ attempted: 1, delivered: 0 });
      }
      expect(rx.deliveries).toHaveLength(0);
      const { body: ev } = await strict.call(ins, 'GET', '/insurer/v1/events');
      const { body } = await strict.call(ins, 'GET', `/insurer/v1/events/${ev.events[0].id}/attempts`);
      expect(body.attempts).toHaveLength(2);
      for (const a of body.attempts) {
        expect(a).toMatchObject({ trigger: 'scheduled', status: null });
        expect(a.error).toMatch(/destination refused: .* is not a public address/);
      }
    });

    it('follows no redirect: a 3xx is a failed attempt, recorded, and the body never reaches the new target', async () => {
      const target = await receiver();
      const redirecting = await receiver((res) => {
        res.writeHead(307, { location: target.url });
        res.end();
      });
      const ins = await h.insurer();
      await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: redirecting.url });
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      expect((await h.enrol(token, r, ins.insurerId, 'REDIR-1')).status).toBe(201);
      await h.app.gateway.webhooks.runOnce();
      expect(redirecting.deliveries).toHaveLength(1);
      expect(target.deliveries).toHaveLength(0);
      const { body: ev } = await h.call(ins, 'GET', '/insurer/v1/events?unacknowledged=true');
      expect(ev.events).toHaveLength(1);
      const { body } = await h.call(ins, 'GET', `/insurer/v1/events/${ev.events[0].id}/attempts`);
      expect(body.attempts).toEqual([
        expect.objectContaining({ status: 307, error: 'HTTP 307 (redirects are not followed)', trigger: 'scheduled' }),
      ]);
    });

    it('lists the attempts of an event with status, latency and error, and replays one at once', async () => {
      let fail = 1;
      const rx = await receiver((res) => {
        res.statusCode = fail-- > 0 ? 503 : 204;
        res.end();
      });
      const ins = await h.insurer();
      const other = await h.insurer();
      await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: rx.url });
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      expect((await h.enrol(token, r, ins.insurerId, 'REPLAY-1')).status).toBe(201);
      await h.app.gateway.webhooks.runOnce();
      expect(rx.deliveries).toHaveLength(1);
      const { body: ev } = await h.call(ins, 'GET', '/insurer/v1/events');
      const id = ev.events[0].id as string;

      const replayed = await h.call(ins, 'POST', `/insurer/v1/events/${id}/replay`);
      expect(replayed).toMatchObject({ status: 200, body: { trigger: 'replay', status: 204, error: null } });
      const { body } = await h.call(ins, 'GET', `/insurer/v1/events/${id}/attempts`);
      expect(body.attempts.map((a: { status: number }) => a.status)).toEqual([503, 204]);
      expect(body.attempts[0]).toMatchObject({ trigger: 'scheduled', error: 'HTTP 503' });
      for (const a of body.attempts) {
        expect(a.latencyMs).toBeGreaterThanOrEqual(0);
        expect(Date.parse(a.at)).not.toBeNaN();
      }
      // a delivered replay acknowledges the event; a replay of an acknowledged event still sends it
      expect((await h.call(ins, 'GET', '/insurer/v1/events?unacknowledged=true')).body.events).toEqual([]);
      expect((await h.call(ins, 'POST', `/insurer/v1/events/${id}/replay`)).body.status).toBe(204);
      expect(rx.deliveries.map((d) => d.event.id)).toEqual([id, id, id]);

      // another insurer's event is unknown; without a webhook there is nothing to replay to
      for (const path of [`/insurer/v1/events/${id}/attempts`, `/insurer/v1/events/${id}/replay`]) {
        const res = await h.call(other, path.endsWith('replay') ? 'POST' : 'GET', path);
        expect(res).toMatchObject({ status: 404, body: { code: 'KZ_GW_UNKNOWN_EVENT' } });
      }
      await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: null });
      expect(await h.call(ins, 'POST', `/insurer/v1/events/${id}/replay`)).toMatchObject({
        status: 409,
        body: { code: 'KZ_GW_WEBHOOK_UNSET' },
      });
    });
  });
}
