import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@kizuna/core';
import { startAuthorityServer, type RunningAuthority } from '@kizuna/jpki';
import { dbEngines } from '@kizuna/test-utils';
import { loadGatewayConfig } from '../src/config.ts';
import { httpRevocationFeed } from '../src/watch-feed.ts';
import { createPki, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';
import { startReceiver, type Delivery, type Receiver } from './receivers.ts';

let pki: Pki;
let authority: RunningAuthority;
beforeAll(async () => {
  pki = await createPki();
  authority = await startAuthorityServer({
    authority: pki.authority,
    port: 0,
    logger: createLogger({ name: 'ca', level: 'silent' }),
  });
});
afterAll(() => authority.close());

const within = <T>(ms: number, p: Promise<T>, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`${what}: nothing within ${ms} ms`)), ms)),
  ]);
const revokedEvent = (d: Delivery) => d.event.type === 'certificate.revoked';

/** An insurer with a webhook receiver, and a resident enrolled with it for `policy`. */
async function enrolledWithWebhook(h: Harness, policy: string) {
  const rx = await startReceiver();
  const ins = await h.insurer();
  expect((await h.call(ins, 'PUT', '/insurer/v1/webhook', { url: rx.url })).status).toBe(200);
  const r = await issueResident(pki.authority);
  const { token } = await h.login(r);
  expect((await h.enrol(token, r, ins.insurerId, policy)).status).toBe(201);
  return { rx, ins, r };
}

/** The background jobs as startGateway runs them. */
function startJobs(h: Harness, watchTickMs: number) {
  h.app.gateway.webhooks.start(500);
  h.app.gateway.watcher!.start(watchTickMs);
  h.app.gateway.feed?.start();
}

it('re-checks enrolments every 4 minutes by default, so a revocation is news within 5', () => {
  const { KZ_GATEWAY_WATCH_INTERVAL_S: s } = loadGatewayConfig({});
  expect((s * 9) / 8).toBeLessThanOrEqual(300); // interval + the watcher's tick (an eighth of it)
  expect(loadGatewayConfig({ KZ_GATEWAY_WATCH_INTERVAL_S: '30' }).KZ_GATEWAY_WATCH_INTERVAL_S).toBe(30);
});

for (const engine of dbEngines()) {
  describe(`revocation news, pushed (${engine.name})`, () => {
    const receivers: Receiver[] = [];
    afterAll(() => Promise.all(receivers.map((r) => r.close())));

    it("a revocation at the authority reaches the insurer's webhook within seconds through the change feed", async () => {
      // The periodic re-check is an hour away: only the feed can bring this news in time.
      const h = await openHarness(engine, pki, {
        revocationFeed: httpRevocationFeed(authority.url, 5),
        watchIntervalS: 3600,
        webhookAllowPrivate: ['127.0.0.0/8'],
      });
      try {
        const { rx, ins, r } = await enrolledWithWebhook(h, 'FEED-1');
        receivers.push(rx);
        startJobs(h, 60_000);
        await within(5000, rx.next(), 'the enrolment event'); // the feed has caught up meanwhile
        const t0 = Date.now();
        pki.authority.revoke(r.signSerial, 'died');
        const d = await within(5000, rx.next(revokedEvent), 'certificate.revoked');
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(d.event.data).toMatchObject({ policy: 'FEED-1', reason: 'died', crlReason: 'cessation-of-operation' });
        // the policyholder list knows too
        const { body } = await h.call(ins, 'GET', '/insurer/v1/policyholders');
        expect(body.policyholders).toEqual([
          expect.objectContaining({ policy: 'FEED-1', certificateStatus: 'revoked' }),
        ]);
      } finally {
        await h.close();
      }
    }, 90_000);

    it('with the feed down, the periodic re-check still delivers the news', async () => {
      const h = await openHarness(engine, pki, {
        revocationFeed: httpRevocationFeed('http://127.0.0.1:9', 5), // nothing listens there
        watchIntervalS: 2,
        webhookAllowPrivate: ['127.0.0.0/8'],
      });
      try {
        const { rx, ins, r } = await enrolledWithWebhook(h, 'SAFETY-1');
        receivers.push(rx);
        startJobs(h, 250);
        pki.authority.revoke(r.signSerial, 'card-lost');
        const d = await within(10_000, rx.next(revokedEvent), 'certificate.revoked');
        expect(d.event.data).toMatchObject({ policy: 'SAFETY-1', reason: 'card-lost', crlReason: 'key-compromise' });
        const { body } = await h.call(ins, 'GET', '/insurer/v1/policyholders');
        expect(body.policyholders[0].certificateStatus).toBe('revoked');
      } finally {
        await h.close();
      }
    }, 90_000);
  });
}
