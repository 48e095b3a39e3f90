/**
 * The TV screen of the TVs linked to a post-box (issue 23): 山田太郎's post-box is linked to two
 * TVs (his card logged in at both, each bound to him at the municipal console). On one of them,
 * with the remote only, he opens 「この郵便受けにつながっているテレビ」, sees both (this one
 * marked 「このテレビ」), removes the other after a confirmation; the gateway then lists one and
 * the removed TV gets no "mail waiting" for a new notice on the real broker, while this one shows
 * it on its Home. Then in English, both TVs linked again, he removes this TV itself (the screen
 * says its mail-waiting stops; the other TV still gets it, this one not, and its Home drops the
 * count it had). An expired session, on the TVs screen or opening a notice, asks for a new card
 * login rather than retrying the dead one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { Page } from 'puppeteer';
import { bindResidentToDevice } from '@kizuna/municipal-console';
import { topics } from '@kizuna/contract';
import { KEY, press, shot, visibleTexts, waitVisibleText } from '@kizuna/test-utils';
import { MUNI, startCardRig, type CardRig } from './helpers/card-rig.ts';
import { RemoteTyping } from './helpers/remote.ts';

let rig: CardRig;
beforeAll(async () => {
  rig = await startCardRig();
}, 300_000);
afterAll(async () => {
  await rig?.close();
});

type Tv = Awaited<ReturnType<CardRig['newTv']>>;

/** The card login a TV makes (challenge signed by the card's authentication key), naming the TV. */
async function cardLogin(id: string, tv: Tv): Promise<{ token: string; device: { linked: boolean } }> {
  const r = rig.resident(id);
  const app = rig.gateway.app;
  const ch = (await app.inject({ method: 'POST', url: '/postbox/v1/login/challenge' })).json();
  const signature = Buffer.from(await r.client.authSign(r.pin, Buffer.from(ch.challenge, 'base64'))).toString('base64');
  const certificate = Buffer.from(await r.client.readAuthCertificate()).toString('base64');
  const res = await app.inject({
    method: 'POST',
    url: '/postbox/v1/login',
    payload: { id: ch.id, signature, certificate, muni: MUNI, device: tv.device },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/**
 * What a TV receives on its mail topic over the real broker, with its own credentials.
 * `settled()` is a round trip on the same connection: whatever the broker sent this TV before
 * (the gateway's publishes are acknowledged before its HTTP answer) has arrived by then.
 */
async function listen(tv: Tv) {
  const c = await mqtt.connectAsync(rig.broker.mqttUrl, {
    ...tv.creds,
    clientId: tv.creds.username,
    protocolVersion: 4,
  });
  const got: { kind: string; unread: number }[] = [];
  c.on('message', (_t, m) => got.push(JSON.parse(m.toString())));
  const topic = topics.tvMail(MUNI, tv.device);
  await c.subscribeAsync(topic, { qos: 1 });
  return {
    got,
    settled: async () => {
      await c.unsubscribeAsync(topic);
      await c.subscribeAsync(topic, { qos: 1 });
    },
    close: () => c.endAsync(true),
  };
}

async function until(f: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Home → 郵便受け → 山田太郎's card (first) → PIN → the post-box list. */
async function openPostbox(page: Page, pinLabel: string, listText: string): Promise<void> {
  await press(page, KEY.Down);
  await press(page, KEY.Enter);
  await waitVisibleText(page, 'R00001', 'Flow');
  await press(page, KEY.Enter);
  await waitVisibleText(page, pinLabel, 'Flow', 20_000);
  await new RemoteTyping(page).pin('1234');
  await waitVisibleText(page, listText, 'Flow', 30_000);
}

let ins: Awaited<ReturnType<CardRig['gateway']['insurer']>>;
let sendNotice: (subject: string) => Promise<void>;
let token = '';
let here: Tv;
let there: Tv;

describe("the TV's screen of the TVs linked to a post-box", () => {
  it(
    'lists both TVs (this one marked), removes the other after a confirmation; the removed TV gets no mail-waiting',
    { timeout: 240_000 },
    async () => {
      here = await rig.newTv();
      there = await rig.newTv();
      const taro = rig.resident('R1');
      await bindResidentToDevice(rig.consoleDb, [
        { residentId: 'R1', deviceId: here.device, authSerial: taro.authSerial },
        { residentId: 'R1', deviceId: there.device, authSerial: taro.authSerial },
      ]);
      // The TV in Chromium is this TV's one broker client (client id = user name): the other TV is
      // heard with its own credentials, this one by what its Home shows.
      const thereMail = await listen(there);
      try {
        // his card at the other TV links it
        const s = await cardLogin('R1', there);
        expect(s.device.linked).toBe(true);
        token = s.token;
        const h = rig.gateway;
        ins = await h.insurer('tv-devices-life', 'テレビ生命');
        expect((await h.enrol(token, taro, ins.insurerId, 'POL-TV-1')).status).toBe(201);
        const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
        sendNotice = async (subject) => {
          const r = await h.call(ins, 'POST', '/insurer/v1/notices', {
            code,
            policy: 'POL-TV-1',
            kind: 'info',
            subject,
            body: '新しいお知らせです。',
          });
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        };

        // ... and at this TV, in Chromium with the remote
        const page = await rig.openTv(here.device, here.creds);
        await openPostbox(page, '利用者証明用の暗証番号', 'お知らせはありません。');
        // both get "mail waiting" now
        await sendNotice('お知らせ1');
        await until(() => thereMail.got.length === 1, 'mail-waiting on the other TV');

        await press(page, KEY.Down); // past 保険の契約を 郵便受けにつなぐ
        await waitVisibleText(page, 'この郵便受けにつながっているテレビ', 'Flow');
        await press(page, KEY.Enter);
        await waitVisibleText(page, 'つながっているテレビ', 'Flow', 20_000);
        await waitVisibleText(page, 'このテレビ', 'Flow');
        const other = `テレビ ${there.device}（市区町村コード ${MUNI}）`;
        await waitVisibleText(page, other, 'Flow');
        await waitVisibleText(page, 'つないだ日時：', 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-list-ja');

        // this TV first; the other one second: remove it, after the confirmation
        await press(page, KEY.Down);
        await press(page, KEY.Enter);
        await waitVisibleText(page, `${other}のつながりを外しますか？`, 'Flow');
        await waitVisibleText(page, 'そのテレビには、お知らせが届いたことが出なくなります', 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-confirm-ja');
        // focus starts on やめる: OK alone removes nothing
        await press(page, KEY.Enter);
        await waitVisibleText(page, 'このテレビ', 'Flow');
        expect((await h.tv(token, 'GET', '/devices')).body.devices).toHaveLength(2);
        await press(page, KEY.Down);
        await press(page, KEY.Enter);
        await waitVisibleText(page, `${other}のつながりを外しますか？`, 'Flow');
        await press(page, KEY.Right);
        await press(page, KEY.Enter); // 外す
        await waitVisibleText(page, `${other}のつながりを外しました。`, 'Flow', 20_000);
        await waitVisibleText(page, 'このテレビ', 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-removed-ja');

        const listed = (await h.tv(token, 'GET', '/devices')).body.devices;
        expect(listed).toEqual([{ muni: MUNI, device: here.device, linkedAt: expect.any(String) }]);

        // Home (Back twice): this TV got the first "mail waiting"; a new notice: here, none there
        await press(page, KEY.Back);
        await waitVisibleText(page, 'お知らせ 1通（未読 1通）', 'Flow', 20_000);
        await press(page, KEY.Back);
        await waitVisibleText(page, '新しいお知らせ 1通', 'Home', 20_000);
        await sendNotice('お知らせ2');
        await waitVisibleText(page, '新しいお知らせ 2通', 'Home', 20_000);
        await thereMail.settled();
        expect(thereMail.got).toEqual([expect.objectContaining({ kind: 'mail-waiting', unread: 1 })]);
        await page.close();
      } finally {
        await thereMail.close();
      }
    },
  );

  it(
    'removes this TV itself (English): says its mail-waiting stops; the gateway lists the other, only it gets mail-waiting',
    {
      timeout: 240_000,
    },
    async () => {
      // his card at the other TV again: linked again
      expect((await cardLogin('R1', there)).device.linked).toBe(true);
      const thereMail = await listen(there);
      try {
        // this TV is still linked: a new notice shows on its Home
        const page = await rig.openTv(here.device, here.creds, '&lang=en');
        await waitVisibleText(page, 'Mailbox', 'Home');
        await sendNotice('お知らせ3');
        await waitVisibleText(page, '3 new notice(s)', 'Home', 20_000);
        await until(() => thereMail.got.length === 1, 'mail-waiting on the other TV');
        await openPostbox(page, 'User authentication PIN', '3 notice(s), 3 unread');
        for (let i = 0; i < 4; i++) await press(page, KEY.Down); // past the notices and "Link an insurance policy"
        await waitVisibleText(page, 'TVs linked to this mailbox', 'Flow');
        await press(page, KEY.Enter);
        await waitVisibleText(page, 'Linked TVs', 'Flow', 20_000);
        await waitVisibleText(page, 'This TV', 'Flow');
        await waitVisibleText(page, `TV ${there.device} (municipality ${MUNI})`, 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-list-en');
        await press(page, KEY.Enter); // This TV (first)
        await waitVisibleText(page, 'Remove this TV from this mailbox?', 'Flow');
        await waitVisibleText(page, 'This TV will no longer show that a notice has arrived.', 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-confirm-en');
        await press(page, KEY.Right);
        await press(page, KEY.Enter); // Remove
        await waitVisibleText(
          page,
          'This TV was removed: it will no longer show that a notice has arrived.',
          'Flow',
          20_000,
        );
        await waitVisibleText(page, 'To link it again, open the mailbox on this TV with your card.', 'Flow');
        await waitVisibleText(page, `TV ${there.device} (municipality ${MUNI})`, 'Flow');
        await shot(page, 'tv-app', 'postbox-devices-removed-en');
        expect((await rig.gateway.tv(token, 'GET', '/devices')).body.devices).toEqual([
          { muni: MUNI, device: there.device, linkedAt: expect.any(String) },
        ]);

        // the TV's session goes on (a login, not a link): Back shows the notices; Home no longer
        // shows the count it got while linked (no update will come to correct it)
        await press(page, KEY.Back);
        await waitVisibleText(page, '3 notice(s), 3 unread', 'Flow', 20_000);
        await press(page, KEY.Back);
        await waitVisibleText(page, 'Mailbox', 'Home');
        await shot(page, 'tv-app', 'postbox-devices-home-after-en');
        expect((await visibleTexts(page, 'Home')).filter((t) => t.includes('new notice'))).toEqual([]);
        await page.close();

        // this TV, heard with its own credentials now that the page is gone: nothing for a new
        // notice, which the other TV does get
        const hereMail = await listen(here);
        try {
          await sendNotice('お知らせ4');
          await until(() => thereMail.got.length === 2, 'mail-waiting on the other TV');
          await hereMail.settled();
          expect(thereMail.got[1]).toMatchObject({ kind: 'mail-waiting', unread: 4 });
          expect(hereMail.got).toEqual([]);
        } finally {
          await hereMail.close();
        }
      } finally {
        await thereMail.close();
      }
    },
  );

  it('an expired session on the TVs screen asks for the card again', { timeout: 240_000 }, async () => {
    const page = await rig.openTv(here.device, here.creds);
    await openPostbox(page, '利用者証明用の暗証番号', 'お知らせ 4通（未読 4通）');
    for (let i = 0; i < 5; i++) await press(page, KEY.Down);
    await waitVisibleText(page, 'この郵便受けにつながっているテレビ', 'Flow');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'つないだ日時：', 'Flow', 20_000);
    rig.gateway.clock.advance(31 * 60_000); // past the 30-minute session
    await press(page, KEY.Enter); // このテレビ
    await waitVisibleText(page, 'このテレビのつながりを外しますか？', 'Flow');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'KZ_GW_SESSION_EXPIRED', 'Flow', 20_000);
    await shot(page, 'tv-app', 'postbox-devices-session-ja');
    await press(page, KEY.Enter); // もう一度: a new card login, not the dead session again
    await waitVisibleText(page, 'カードを選んでください', 'Flow', 20_000);
    await page.close();
  });
});

describe('an expired session elsewhere in the post-box', () => {
  it(
    'opening a notice after the session expired asks for the card again, not the dead session',
    { timeout: 240_000 },
    async () => {
      const page = await rig.openTv(here.device, here.creds);
      await openPostbox(page, '利用者証明用の暗証番号', 'お知らせ 4通（未読 4通）');
      rig.gateway.clock.advance(31 * 60_000);
      await press(page, KEY.Enter); // the newest notice
      await waitVisibleText(page, 'KZ_GW_SESSION_EXPIRED', 'Flow', 20_000);
      await press(page, KEY.Enter); // もう一度
      await waitVisibleText(page, 'カードを選んでください', 'Flow', 20_000);
      await page.close();
    },
  );
});
