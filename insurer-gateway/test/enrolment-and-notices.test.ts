import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64');

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`enrolment, notices and isolation (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki);
    });
    afterAll(async () => {
      await h.close();
    });

    it('enrols by signed consent: the insurer gets the four verified items once, the resident sees the disclosure', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority, { name: '佐藤　花子' });
      const { token } = await h.login(r);
      const e = await h.enrol(token, r, ins.insurerId, 'POL-0001');
      expect(e.status).toBe(201);
      const ev = await h.call(ins, 'GET', '/insurer/v1/events');
      expect(ev.status).toBe(200);
      const enrolled = ev.body.events.find((x: any) => x.type === 'policyholder.enrolled');
      expect(enrolled.data).toMatchObject({
        policy: 'POL-0001',
        personal: { name: '佐藤　花子', birthDate: '1941-04-12', sex: 1 },
      });
      expect(enrolled.data.code).toMatch(/^ph_/);
      expect(JSON.stringify(enrolled.data)).not.toContain('pb_'); // never the post-box id
      const d = await h.tv(token, 'GET', '/disclosures');
      expect(d.body.disclosures).toHaveLength(1);
      expect(d.body.disclosures[0]).toMatchObject({
        insurerId: ins.insurerId,
        items: ['name', 'address', 'birthDate', 'sex'],
        purposeCode: 'enrolment',
        policy: 'POL-0001',
      });
      expect(d.body.disclosures[0].purpose).toContain('POL-0001');
      const ph = await h.call(ins, 'GET', '/insurer/v1/policyholders');
      expect(ph.body.policyholders).toEqual([
        expect.objectContaining({
          code: enrolled.data.code,
          policy: 'POL-0001',
          status: 'active',
          certificateStatus: 'good',
        }),
      ]);
    });

    it('refuses a consent nonce used twice, a second link of the same policy, and an unknown insurer', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      expect((await h.enrol(token, r, ins.insurerId, 'P-1')).status).toBe(201);
      const again = await h.enrol(token, r, ins.insurerId, 'P-1');
      expect(again.body.code).toBe('KZ_GW_ALREADY_ENROLLED');
      const other = await issueResident(pki.authority);
      const o = await h.login(other);
      expect((await h.enrol(o.token, other, ins.insurerId, 'P-1')).body.code).toBe('KZ_GW_POLICY_TAKEN');
      const unknown = await h.enrol(token, r, 'no-such-insurer', 'P-2');
      expect(unknown.status).toBe(422);
      expect(unknown.body.details.reason).toBe('insurer-unknown');
    });

    it('delivers a notice: mail counted, read receipt to the insurer on first open, attachment served', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      await h.enrol(token, r, ins.insurerId, 'POL-A');
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
      const sent = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 'お知らせ',
        body: '年金のお支払い日について',
        dueDate: '2999-12-31',
        attachments: [{ filename: 'letter.png', mediaType: 'image/png', data: PNG }],
      });
      expect(sent.status).toBe(201);
      const list = await h.tv(token, 'GET', '/notices');
      expect(list.body.unread).toBe(1);
      expect(list.body.notices[0]).toMatchObject({ id: sent.body.id, sender: { id: ins.insurerId }, status: 'unread' });
      expect(list.body.notices[0].body).toBeUndefined();
      const before = await h.call(ins, 'GET', `/insurer/v1/notices/${sent.body.id}`);
      expect(before.body).toMatchObject({ status: 'unread', readAt: null });
      const open = await h.tv(token, 'GET', `/notices/${sent.body.id}`);
      expect(open.body).toMatchObject({
        status: 'read',
        body: '年金のお支払い日について',
        attachments: [expect.objectContaining({ filename: 'letter.png', mediaType: 'image/png' })],
      });
      await h.tv(token, 'GET', `/notices/${sent.body.id}`); // a second open sends no second receipt
      const reads = (await h.call(ins, 'GET', '/insurer/v1/events')).body.events.filter(
        (e: any) => e.type === 'notice.read',
      );
      expect(reads).toHaveLength(1);
      expect(reads[0].data).toMatchObject({ noticeId: sent.body.id, code });
      const att = await h.tv(token, 'GET', `/notices/${sent.body.id}/attachments/${open.body.attachments[0].id}`);
      expect(att.status).toBe(200);
      expect(Buffer.from(att.body).toString('base64')).toBe(PNG);
      expect((await h.call(ins, 'GET', `/insurer/v1/notices/${sent.body.id}`)).body.status).toBe('read');
    });

    it('refuses a notice from a sender the resident blocked, and bad attachments and due dates, with named codes', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      await h.enrol(token, r, ins.insurerId, 'POL-B');
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
      expect((await h.tv(token, 'PUT', `/senders/${ins.insurerId}`, { allowed: false })).status).toBe(200);
      const refused = await h.call(ins, 'POST', '/insurer/v1/notices', { code, kind: 'info', subject: 's', body: 'b' });
      expect(refused).toMatchObject({ status: 403, body: { code: 'KZ_GW_SENDER_REFUSED' } });
      await h.tv(token, 'PUT', `/senders/${ins.insurerId}`, { allowed: true });
      expect(
        (await h.call(ins, 'POST', '/insurer/v1/notices', { code, kind: 'info', subject: 's', body: 'b' })).status,
      ).toBe(201);
      const fake = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        attachments: [{ filename: 'x.pdf', mediaType: 'application/pdf', data: PNG }],
      });
      expect(fake.body).toMatchObject({ code: 'KZ_GW_ATTACHMENT_INVALID' });
      expect(fake.body.message).toContain('content is not application/pdf');
      const exe = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        attachments: [{ filename: 'x.exe', mediaType: 'application/x-msdownload', data: 'TVo=' }],
      });
      expect(exe.body.code).toBe('KZ_GW_ATTACHMENT_INVALID');
      const past = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        dueDate: '2001-01-01',
      });
      expect(past.body.code).toBe('KZ_GW_DUE_DATE');
      const noPolicy = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'status-check',
        subject: 's',
        body: 'b',
      });
      expect(noPolicy.body.code).toBe('KZ_GW_UNKNOWN_POLICYHOLDER');
      const unknown = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code: 'ph_nobody',
        kind: 'info',
        subject: 's',
        body: 'b',
      });
      expect(unknown).toMatchObject({ status: 404, body: { code: 'KZ_GW_UNKNOWN_POLICYHOLDER' } });
      const missing = await h.call(ins, 'POST', '/insurer/v1/notices', { code, kind: 'info', body: 'b' });
      expect(missing).toMatchObject({ status: 400, body: { code: 'KZ_VALIDATION' } });
      const idem1 = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        externalRef: 'letter-42',
      });
      const idem2 = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: 's',
        body: 'b',
        externalRef: 'letter-42',
      });
      expect(idem2).toMatchObject({ status: 200, body: { id: idem1.body.id, duplicate: true } });
    });

    it("keeps insurers apart: a second insurer cannot see or touch the first one's policyholders, notices, reports or events", async () => {
      const first = await h.insurer();
      const second = await h.insurer();
      const r = await issueResident(pki.authority);
      const { code, noticeId, token, notice } = await enrolledWithNotice(h, r, first, 'POL-ISO');
      const rep = await h.tv(token, 'POST', '/reports', await h.report(r, notice));
      expect(rep.status).toBe(201);
      const evs = (await h.call(first, 'GET', '/insurer/v1/events')).body.events;
      expect(evs.length).toBeGreaterThan(0);

      expect((await h.call(second, 'GET', '/insurer/v1/policyholders')).body.policyholders).toEqual([]);
      expect((await h.call(second, 'GET', '/insurer/v1/notices')).body.notices).toEqual([]);
      expect((await h.call(second, 'GET', '/insurer/v1/reports')).body.reports).toEqual([]);
      expect((await h.call(second, 'GET', '/insurer/v1/events')).body.events).toEqual([]);
      expect((await h.call(second, 'GET', `/insurer/v1/notices/${noticeId}`)).body.code).toBe('KZ_GW_UNKNOWN_NOTICE');
      expect((await h.call(second, 'GET', `/insurer/v1/reports/${rep.body.reportId}`)).body.code).toBe(
        'KZ_GW_UNKNOWN_REPORT',
      );
      expect((await h.call(second, 'POST', `/insurer/v1/reports/${rep.body.reportId}/ack`)).body.code).toBe(
        'KZ_GW_UNKNOWN_REPORT',
      );
      expect((await h.call(second, 'POST', `/insurer/v1/events/${evs[0].id}/ack`)).body.code).toBe(
        'KZ_GW_UNKNOWN_EVENT',
      );
      expect((await h.call(second, 'DELETE', `/insurer/v1/notices/${noticeId}`)).body.code).toBe(
        'KZ_GW_UNKNOWN_NOTICE',
      );
      // the first insurer's code means nothing to the second, and the resident never allowed the second
      expect(
        (await h.call(second, 'POST', '/insurer/v1/notices', { code, kind: 'info', subject: 's', body: 'b' })).body
          .code,
      ).toBe('KZ_GW_UNKNOWN_POLICYHOLDER');
      expect((await h.call(second, 'DELETE', `/insurer/v1/policyholders/${code}/policies/POL-ISO`)).body.code).toBe(
        'KZ_GW_UNKNOWN_POLICYHOLDER',
      );
      // and it still all works for the first
      expect((await h.call(first, 'GET', `/insurer/v1/reports/${rep.body.reportId}`)).status).toBe(200);
    });

    it("withdrawal by the insurer and the resident's deletion rules", async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token, noticeId } = await enrolledWithNotice(h, r, ins, 'POL-W');
      expect((await h.tv(token, 'DELETE', `/notices/${noticeId}`)).body.code).toBe('KZ_GW_NOTICE_STATE');
      expect((await h.call(ins, 'DELETE', `/insurer/v1/notices/${noticeId}`)).status).toBe(200);
      expect((await h.call(ins, 'DELETE', `/insurer/v1/notices/${noticeId}`)).body.code).toBe('KZ_GW_NOTICE_STATE');
      expect((await h.tv(token, 'GET', `/notices/${noticeId}`)).body.code).toBe('KZ_GW_UNKNOWN_NOTICE');
      expect((await h.tv(token, 'DELETE', `/notices/${noticeId}`)).status).toBe(200);
    });

    it('logs in with the card (challenge–response, revocation checked): first login opens the post-box, the next reaches it again', async () => {
      const r = await issueResident(pki.authority);
      const cert = Buffer.from(await r.client.readAuthCertificate()).toString('base64');
      const login = async (muni?: string, device?: string) => {
        const ch = (await h.app.inject({ method: 'POST', url: '/postbox/v1/login/challenge' })).json();
        const signature = Buffer.from(await r.client.authSign(r.pin, Buffer.from(ch.challenge, 'base64'))).toString(
          'base64',
        );
        return {
          ch,
          res: await h.app.inject({
            method: 'POST',
            url: '/postbox/v1/login',
            payload: { id: ch.id, signature, certificate: cert, ...(muni ? { muni, device } : {}) },
          }),
        };
      };
      const first = await login('999997', 'tv-0001');
      expect(first.res.statusCode).toBe(200);
      expect(first.res.json()).toMatchObject({ created: true, unread: 0 });
      const second = await login();
      expect(second.res.json()).toMatchObject({ created: false, postboxId: first.res.json().postboxId });
      expect((await h.tv(second.res.json().token, 'GET', '/notices')).status).toBe(200);
      // replaying an answered challenge, a wrong signature, and a revoked card are refused by name
      const replay = await h.app.inject({
        method: 'POST',
        url: '/postbox/v1/login',
        payload: { id: first.ch.id, signature: 'AAAA', certificate: cert },
      });
      expect(replay.json()).toMatchObject({ code: 'KZ_GW_LOGIN_FAILED', details: { reason: 'challenge-replayed' } });
      const ch = (await h.app.inject({ method: 'POST', url: '/postbox/v1/login/challenge' })).json();
      const wrong = await h.app.inject({
        method: 'POST',
        url: '/postbox/v1/login',
        payload: { id: ch.id, signature: Buffer.alloc(256, 1).toString('base64'), certificate: cert },
      });
      expect(wrong.json()).toMatchObject({ code: 'KZ_GW_LOGIN_FAILED', details: { reason: 'bad-signature' } });
      pki.authority.revoke(r.authSerial, 'card-lost');
      const revoked = await login();
      expect(revoked.res.json()).toMatchObject({ code: 'KZ_GW_LOGIN_FAILED', details: { reason: 'revoked' } });
    });

    it('refuses post-box calls without a valid session', async () => {
      const none = await h.app.inject({ method: 'GET', url: '/postbox/v1/notices' });
      expect(none.json()).toMatchObject({ code: 'KZ_GW_SESSION_MISSING' });
      const bad = await h.app.inject({
        method: 'GET',
        url: '/postbox/v1/notices',
        headers: { authorization: 'Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      });
      expect(bad.json()).toMatchObject({ code: 'KZ_GW_SESSION_EXPIRED' });
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      h.clock.advance(2 * 3600_000);
      expect((await h.tv(token, 'GET', '/notices')).body.code).toBe('KZ_GW_SESSION_EXPIRED');
      h.clock.advance(-2 * 3600_000);
      const s = await h.login(r);
      expect((await h.tv(s.token, 'POST', '/logout')).status).toBe(200);
      expect((await h.tv(s.token, 'GET', '/notices')).body.code).toBe('KZ_GW_SESSION_EXPIRED');
    });
  });
}
