import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { dbEngines } from '@kizuna/test-utils';
import { decodeMessage, MailWaitingSchema, topics } from '@kizuna/contract';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';
import { loginPostbox } from '../src/postboxes.ts';

let pki: Pki;
let broker: Aedes;
let server: Server;
let mqttUrl: string;
beforeAll(async () => {
  pki = await createPki();
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  mqttUrl = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await new Promise<void>((ok) => broker.close(() => ok()));
});

const HOUR = 3600_000;

for (const engine of dbEngines()) {
  describe(`status changes and mail waiting (${engine.name})`, () => {
    let h: Harness;
    let publisher: mqtt.MqttClient;
    beforeAll(async () => {
      publisher = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `postbox-${engine.name}` });
      h = await openHarness(engine, pki, { mqtt: publisher, watchIntervalS: 3600 });
    });
    afterAll(async () => {
      await h.close();
      await publisher.endAsync();
    });
    const events = async (ins: { keyId: string; secret: string }, type: string) =>
      (await h.call(ins, 'GET', '/insurer/v1/events')).body.events.filter((e: any) => e.type === type);

    it('tells the insurer the same day when an enrolled signing certificate is revoked, with reason and time', async () => {
      const ins = await h.insurer();
      const died = await issueResident(pki.authority);
      const lost = await issueResident(pki.authority);
      const fine = await issueResident(pki.authority);
      const a = await enrolledWithNotice(h, died, ins, 'POL-D');
      const b = await enrolledWithNotice(h, lost, ins, 'POL-L');
      await enrolledWithNotice(h, fine, ins, 'POL-F');
      pki.authority.revoke(died.signSerial, 'died');
      pki.authority.revoke(lost.signSerial, 'card-lost');
      const watcher = h.app.gateway.watcher!;
      expect((await watcher.runOnce()).checked).toBe(0); // checked at enrolment; next check after the interval
      h.clock.advance(HOUR);
      const res = await watcher.runOnce();
      expect(res).toMatchObject({ revoked: 2, renewed: 0 });
      const revoked = await events(ins, 'certificate.revoked');
      expect(revoked.map((e: any) => [e.data.code, e.data.policy, e.data.reason]).sort()).toEqual(
        [
          [a.code, 'POL-D', 'died'],
          [b.code, 'POL-L', 'card-lost'],
        ].sort(),
      );
      expect(new Date(revoked[0].data.revokedAt).getTime()).toBeLessThanOrEqual(h.clock.now().getTime());
      const ph = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders;
      expect(ph.find((p: any) => p.policy === 'POL-D').certificateStatus).toBe('revoked');
      expect(ph.find((p: any) => p.policy === 'POL-F').certificateStatus).toBe('good');
      h.clock.advance(HOUR);
      await watcher.runOnce();
      expect(await events(ins, 'certificate.revoked')).toHaveLength(2); // told once
    });

    it('follows a renewal along the old → new link without alarming the insurer; the new card signs and logs in to the same post-box', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-R');
      const renewed = await pki.authority.renew(r.signSerial, { authPin: r.pin, signPassword: r.password });
      // a report signed by the new card before the watcher ran: accepted through the link
      const { JpkiClient } = await import('@kizuna/jpki');
      const newCard = {
        ...r,
        client: new JpkiClient(renewed.card),
        card: renewed.card,
        signSerial: renewed.signSerial,
        authSerial: renewed.authSerial,
      };
      const rep = await h.tv(f.token, 'POST', '/reports', await h.report(newCard, f.notice));
      expect(rep.status).toBe(201);
      h.clock.advance(HOUR);
      await h.app.gateway.watcher!.runOnce();
      expect(await events(ins, 'certificate.revoked')).toEqual([]);
      expect((await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0]).toMatchObject({
        status: 'active',
        certificateStatus: 'good',
      });
      const login = await loginPostbox(
        h.db,
        { authSerial: renewed.authSerial, previousSerials: [r.authSerial], ttlS: 60 },
        h.clock.now(),
      );
      expect(login.postboxId).toBe(f.postboxId);
    });

    it('a renewal found by the watcher first moves the enrolment to the new certificate', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-R2');
      const renewed = await pki.authority.renew(r.signSerial, { authPin: r.pin, signPassword: r.password });
      h.clock.advance(HOUR);
      const res = await h.app.gateway.watcher!.runOnce();
      expect(res.renewed).toBeGreaterThanOrEqual(1);
      const { rows } = await h.db.query<{ sign_serial: string }>(
        `SELECT sign_serial FROM gw_enrolments WHERE policy = 'POL-R2'`,
      );
      expect(rows[0]!.sign_serial).toBe(renewed.signSerial);
      pki.authority.revoke(renewed.signSerial, 'died');
      h.clock.advance(HOUR);
      await h.app.gateway.watcher!.runOnce();
      expect((await events(ins, 'certificate.revoked')).map((e: any) => e.data.reason)).toEqual(['died']);
    });

    it('a move is not a silent renewal: the insurer hears "moved-or-renamed"', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      await enrolledWithNotice(h, r, ins, 'POL-M');
      await pki.authority.renew(
        r.signSerial,
        { authPin: r.pin, signPassword: r.password },
        { reason: 'moved', person: { address: '絆市港2丁目3番4号' } },
      );
      h.clock.advance(HOUR);
      await h.app.gateway.watcher!.runOnce();
      expect((await events(ins, 'certificate.revoked')).map((e: any) => e.data.reason)).toEqual(['moved-or-renamed']);
    });

    it("tells the TV that mail is waiting — the unread count only — on the TV's own topic", async () => {
      const tv = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `tv-${engine.name}` });
      const got: string[] = [];
      const topic = topics.tvMail('999997', `tv-mail-${engine.name}`);
      tv.on('message', (t, p) => {
        if (t === topic) got.push(p.toString());
      });
      await tv.subscribeAsync(topic, { qos: 1 });
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r, { muni: '999997', device: `tv-mail-${engine.name}` });
      await h.enrol(token, r, ins.insurerId, 'POL-MAIL');
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
      const sent = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        kind: 'info',
        subject: '秘密の件名',
        body: '本文',
      });
      await h.tv(token, 'GET', `/notices/${sent.body.id}`);
      for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((ok) => setTimeout(ok, 20));
      expect(got.map((p) => decodeMessage(MailWaitingSchema, p).unread)).toEqual([1, 0]);
      expect(got.join('')).not.toContain('秘密');
      await tv.endAsync();
    });
  });
}
