import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { verifyWebhookSignature } from '../src/request-signing.ts';
import { createPki, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';
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
      expect(Math.abs(d.at - signedAt(d.signature))).toBeLessThanOrEqual(1000);
      expect(verifyWebhookSignature(fast.webhookSecret, d.body, d.signature, new Date(), 5)).toBe(true);
      // the hanging insurer was tried one event at a time, and only itself waited
      expect(hanging.deliveries.length).toBeLessThanOrEqual(2);
      await h.app.gateway.webhooks.stop();
    }, 20_000);
  });
}
