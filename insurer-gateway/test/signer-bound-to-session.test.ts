/**
 * One card, one person (issue 23, item 1): every signature the post-box accepts — a consent, a
 * report — must come from the card whose authentication certificate opened the session, matched
 * through the authority's link from signing to authentication certificate. A swapped card is
 * refused by name in both directions; nothing is disclosed, no enrolment is taken, and the other
 * person can still enrol her own policy. Sessions end with the card (item 8): a revoked
 * authentication or signing certificate ends its open sessions at the next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { buildConsentDocument } from '@kizuna/contract';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`signatures bound to the session's card (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki, { watchIntervalS: 3600 });
    });
    afterAll(async () => {
      await h.close();
    });
    const events = async (ins: { keyId: string; secret: string }) =>
      (await h.call(ins, 'GET', '/insurer/v1/events')).body.events as { type: string; data: any }[];

    for (const direction of ['R00001 logged in, R00002 signs', 'R00002 logged in, R00001 signs'] as const) {
      it(`consent with another person's signing certificate is refused (${direction}): nothing disclosed, no enrolment taken`, async () => {
        const ins = await h.insurer();
        const taro = await issueResident(pki.authority, { name: '山田　太郎' });
        const hanako = await issueResident(pki.authority, { name: '山田　花子' });
        const [holder, signer] = direction.startsWith('R00001') ? [taro, hanako] : [hanako, taro];
        const s = await h.login(holder);
        const { body: nonce } = await h.tv(s.token, 'POST', '/consent-nonce');
        const doc = buildConsentDocument({ insurer: ins.insurerId, policy: 'POL-SWAP', nonce: nonce.nonce });
        const res = await h.tv(s.token, 'POST', '/enrolments', await h.sign(signer, doc));
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({
          code: 'KZ_GW_SIGNER_NOT_SESSION_CARD',
          details: { reason: 'signer-not-session-card' },
        });
        expect(await events(ins)).toEqual([]);
        expect((await h.tv(s.token, 'GET', '/disclosures')).body.disclosures).toEqual([]);
        expect((await h.tv(s.token, 'GET', '/enrolments')).body.enrolments).toEqual([]);
        // the signer enrols her own policy herself: not taken, and the disclosure is in her post-box
        const own = await h.login(signer);
        const mine = await h.enrol(own.token, signer, ins.insurerId, 'POL-SWAP');
        expect(mine.status, JSON.stringify(mine.body)).toBe(201);
        const log = (await h.tv(own.token, 'GET', '/disclosures')).body.disclosures;
        expect(log).toMatchObject([{ insurerId: ins.insurerId, policy: 'POL-SWAP', purposeCode: 'enrolment' }]);
        expect((await h.tv(s.token, 'GET', '/disclosures')).body.disclosures).toEqual([]);
        const enrolled = (await events(ins)).filter((e) => e.type === 'policyholder.enrolled');
        expect(enrolled).toHaveLength(1);
        expect(enrolled[0]!.data.personal.name).toBe(signer === taro ? '山田　太郎' : '山田　花子');
      });

      it(`a report signed with another person's card is refused (${direction}): not stored, the attempt recorded`, async () => {
        const ins = await h.insurer();
        const taro = await issueResident(pki.authority);
        const hanako = await issueResident(pki.authority);
        const [holder, signer] = direction.startsWith('R00001') ? [taro, hanako] : [hanako, taro];
        const f = await enrolledWithNotice(h, holder, ins, `POL-REP-${direction.slice(4, 5)}`);
        const res = await h.tv(f.token, 'POST', '/reports', await h.report(signer, f.notice));
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({
          code: 'KZ_GW_SIGNER_NOT_SESSION_CARD',
          details: { reason: 'signer-not-session-card' },
        });
        expect((await h.call(ins, 'GET', '/insurer/v1/reports')).body.reports).toEqual([]);
        const { rows } = await h.db.query<{ reason: string }>(
          'SELECT reason FROM gw_report_attempts WHERE postbox_id = $1',
          [f.postboxId],
        );
        expect(rows.map((r) => r.reason)).toEqual(['signer-not-session-card']);
        // the holder's own card still answers it
        expect((await h.tv(f.token, 'POST', '/reports', await h.report(holder, f.notice))).status).toBe(201);
      });
    }

    it('a renewed card (new authentication and signing certificates) enrols and reports in its own session', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-RENEW');
      const renewed = await pki.authority.renew(r.signSerial, { authPin: r.pin, signPassword: r.password });
      const { JpkiClient } = await import('@kizuna/jpki');
      const card = {
        ...r,
        client: new JpkiClient(renewed.card),
        card: renewed.card,
        signSerial: renewed.signSerial,
        authSerial: renewed.authSerial,
      };
      const s = await h.login(card, undefined, [r.authSerial]);
      expect(s.postboxId).toBe(f.postboxId);
      expect((await h.tv(s.token, 'POST', '/reports', await h.report(card, f.notice))).status).toBe(201);
      expect((await h.enrol(s.token, card, ins.insurerId, 'POL-RENEW-2')).status).toBe(201);
    });
  });

  describe(`sessions end with the card (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki, { watchIntervalS: 60 });
    });
    afterAll(async () => {
      await h.close();
    });

    it('a revoked authentication certificate: the next request is 401 KZ_GW_SESSION_CARD_REVOKED', async () => {
      const r = await issueResident(pki.authority);
      const s = await h.login(r);
      expect((await h.tv(s.token, 'GET', '/notices')).status).toBe(200);
      pki.authority.revoke(r.authSerial, 'card-lost');
      h.clock.advance(6000); // past the few seconds a session is remembered in memory
      const res = await h.tv(s.token, 'GET', '/notices');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'KZ_GW_SESSION_CARD_REVOKED' });
      // and it stays ended
      expect((await h.tv(s.token, 'GET', '/senders')).body.code).toBe('KZ_GW_SESSION_CARD_REVOKED');
    });

    it("a revoked signing certificate found by the revocation watch ends that card's sessions", async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-MOVED');
      const other = await issueResident(pki.authority);
      const o = await h.login(other);
      pki.authority.revoke(r.signSerial, 'moved'); // the authentication certificate stays good
      h.clock.advance(61_000);
      expect(await h.app.gateway.watcher!.runOnce()).toMatchObject({ revoked: 1 });
      const res = await h.tv(f.token, 'GET', '/notices');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'KZ_GW_SESSION_CARD_REVOKED' });
      expect((await h.tv(o.token, 'GET', '/notices')).status).toBe(200); // another card's session goes on
    });
  });
}
