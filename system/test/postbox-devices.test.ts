/**
 * Devices belong to their household (issue 23, item 5): the post-box links a TV for "mail
 * waiting" only when the TV's municipal console says it is bound to the resident whose card
 * logged in (the gateway asks the real console with its broker identity). Another household's
 * TV, named at login or linked later, is refused by name and gets nothing on the real broker;
 * the resident lists and removes the linked TVs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { bindResidentToDevice } from '@kizuna/municipal-console';
import { topics } from '@kizuna/contract';
import { MUNI, startCardRig, type CardRig } from './helpers/card-rig.ts';

let rig: CardRig;
beforeAll(async () => {
  rig = await startCardRig();
}, 300_000);
afterAll(async () => {
  await rig?.close();
});

/** The card login a TV makes (challenge signed by the card's authentication key), naming a TV. */
async function cardLogin(id: string, tv?: { muni: string; device: string }) {
  const r = rig.resident(id);
  const app = rig.gateway.app;
  const ch = (await app.inject({ method: 'POST', url: '/postbox/v1/login/challenge' })).json();
  const signature = Buffer.from(await r.client.authSign(r.pin, Buffer.from(ch.challenge, 'base64'))).toString('base64');
  const certificate = Buffer.from(await r.client.readAuthCertificate()).toString('base64');
  const res = await app.inject({
    method: 'POST',
    url: '/postbox/v1/login',
    payload: { id: ch.id, signature, certificate, ...tv },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** What a TV receives on its mail topic over the real broker, with its own credentials. */
async function listen(tv: Awaited<ReturnType<CardRig['newTv']>>) {
  const c = await mqtt.connectAsync(rig.broker.mqttUrl, {
    ...tv.creds,
    clientId: tv.creds.username,
    protocolVersion: 4,
  });
  const got: unknown[] = [];
  c.on('message', (_t, m) => got.push(JSON.parse(m.toString())));
  await c.subscribeAsync(topics.tvMail(MUNI, tv.device), { qos: 1 });
  return { got, close: () => c.endAsync(true) };
}

describe('TVs linked to a post-box', () => {
  it("another household's TV is refused by name and gets no mail-waiting; the resident lists and removes linked TVs", async () => {
    const own = await rig.newTv();
    const neighbours = await rig.newTv();
    await bindResidentToDevice(rig.consoleDb, [
      { residentId: 'R1', deviceId: own.device, authSerial: rig.resident('R1').authSerial },
      { residentId: 'R4', deviceId: neighbours.device, authSerial: rig.resident('R4').authSerial },
    ]);
    const ownMail = await listen(own);
    const theirMail = await listen(neighbours);
    try {
      // R1 names the neighbours' TV at login: logged in, but the TV is not linked, and why
      const s1 = await cardLogin('R1', { muni: MUNI, device: neighbours.device });
      expect(s1.device).toEqual({
        muni: MUNI,
        device: neighbours.device,
        linked: false,
        code: 'KZ_GW_DEVICE_NOT_BOUND',
      });
      const tv = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: object) =>
        rig.gateway.tv(s1.token, method, path, body as never);
      const put = await tv('POST', '/devices', { muni: MUNI, device: neighbours.device });
      expect(put.status).toBe(403);
      expect(put.body).toMatchObject({ code: 'KZ_GW_DEVICE_NOT_BOUND' });
      // a TV of another municipality
      expect((await tv('POST', '/devices', { muni: '999999', device: own.device })).body.code).toBe(
        'KZ_GW_DEVICE_NOT_BOUND',
      );
      expect((await tv('GET', '/devices')).body.devices).toEqual([]);

      // from the TV bound to R1 at the console: linked
      const s2 = await cardLogin('R1', { muni: MUNI, device: own.device });
      expect(s2.device).toEqual({ muni: MUNI, device: own.device, linked: true });
      expect((await tv('GET', '/devices')).body.devices).toMatchObject([{ muni: MUNI, device: own.device }]);

      // an insurer's notice: "mail waiting" reaches R1's TV, never the neighbours'
      const h = rig.gateway;
      const r1 = rig.resident('R1');
      const ins = await h.insurer();
      expect((await h.enrol(s1.token, r1, ins.insurerId, 'POL-DEV-1')).status).toBe(201);
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
      const send = (subject: string) =>
        h.call(ins, 'POST', '/insurer/v1/notices', { code, policy: 'POL-DEV-1', kind: 'info', subject, body: '…' });
      expect((await send('お知らせ1')).status).toBe(201);
      await until(() => ownMail.got.length >= 1);
      expect(ownMail.got[0]).toMatchObject({ kind: 'mail-waiting', unread: 1 });
      await new Promise((r) => setTimeout(r, 500));
      expect(theirMail.got).toEqual([]);

      // the resident removes their TV: no more mail-waiting there
      expect((await tv('DELETE', `/devices/${MUNI}/${own.device}`)).status).toBe(200);
      expect((await tv('GET', '/devices')).body.devices).toEqual([]);
      expect((await tv('DELETE', `/devices/${MUNI}/${own.device}`)).body.code).toBe('KZ_GW_UNKNOWN_DEVICE');
      expect((await send('お知らせ2')).status).toBe(201);
      await new Promise((r) => setTimeout(r, 1000));
      expect(ownMail.got).toHaveLength(1);
      expect(theirMail.got).toEqual([]);
    } finally {
      await ownMail.close();
      await theirMail.close();
    }
  });
});

async function until(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
