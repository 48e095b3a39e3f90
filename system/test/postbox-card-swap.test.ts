/**
 * One card, one person, on the TV (issue 23, item 1): a card reader that answers with R00001's
 * authentication certificate and key but R00002's signing certificate and key (two people's cards
 * behind one slot). The TV logs in to 山田太郎's post-box with his PIN; a consent or a report
 * signed with 山田花子's password is refused by the gateway, the TV says the card is not the one
 * that logged in, and nothing of hers is disclosed, stored or enrolled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import type { EmulatedCard } from '@kizuna/jpki';
import { KEY, press, shot, waitVisibleText } from '@kizuna/test-utils';
import { startCardRig, type CardRig } from './helpers/card-rig.ts';
import { pressTimes, RemoteTyping } from './helpers/remote.ts';
/** Waits for a text on the TV, saying which in the log (the steps of a slow run are told apart). */
async function see(page: Page, text: string, ref: string, ms?: number): Promise<void> {
  process.stderr.write(`[card swap ${new Date().toISOString().slice(11, 19)}] waiting for ${text}\n`);
  await waitVisibleText(page, text, ref, ms);
}

/** EFs of the signing half of the JPKI application (jpki/src/constants.ts EF): certificate, CA, key, password. */
const SIGN_FILES = new Set([0x0001, 0x0002, 0x001a, 0x001b]);

/** One slot, two cards: the authentication half of `auth`, the signing half of `sign`. */
function swappedCard(auth: EmulatedCard, sign: EmulatedCard) {
  let current = auth;
  return async (apdu: Uint8Array): Promise<Uint8Array> => {
    const [, ins, p1] = apdu;
    if (ins === 0xa4 && p1 === 0x04) {
      await sign.transmit(apdu); // selecting the application resets both halves
      current = auth;
    } else if (ins === 0xa4 && p1 === 0x02) {
      current = SIGN_FILES.has((apdu[5]! << 8) | apdu[6]!) ? sign : auth;
    }
    return current.transmit(apdu);
  };
}

let rig: CardRig;
beforeAll(async () => {
  rig = await startCardRig({
    extraCards: (cards) => [
      {
        id: 'SWAP',
        label: 'R00001 山田 太郎（署名はR00002）',
        transmit: swappedCard(cards.get('R1')!.card, cards.get('R2')!.card),
      },
    ],
  });
}, 300_000);
afterAll(async () => {
  await rig?.close();
});

/** Home → 郵便受け → the swapped card (fifth) → R00001's PIN. */
async function openSwapped(page: Page): Promise<void> {
  await press(page, KEY.Down);
  await press(page, KEY.Enter);
  await see(page, 'R00001', 'Flow');
  await pressTimes(page, KEY.Down, 4);
  await press(page, KEY.Enter);
  await see(page, '利用者証明用の暗証番号', 'Flow');
  await new RemoteTyping(page).pin('1234');
}

async function nothingDisclosed(ins: { keyId: string; secret: string }) {
  const h = rig.gateway;
  for (const id of ['R1', 'R2']) {
    const { token } = await h.login(rig.resident(id));
    expect((await h.tv(token, 'GET', '/disclosures')).body.disclosures, id).toEqual([]);
  }
  const events = (await h.call(ins, 'GET', '/insurer/v1/events')).body.events as { type: string }[];
  expect(events.filter((e) => e.type === 'policyholder.enrolled' || e.type === 'report.received')).toEqual([]);
}

describe("the TV's post-box with a swapped card", () => {
  it(
    "a consent signed with another person's card: refused and explained, nothing disclosed, no enrolment",
    { timeout: 240_000 },
    async () => {
      const ins = await rig.gateway.insurer('swap-life', 'スワップ生命');
      const { device, creds } = await rig.newTv();
      const page = await rig.openTv(device, creds);
      await openSwapped(page);
      await see(page, 'お知らせはありません。', 'Flow', 30_000);
      await press(page, KEY.Enter); // 保険の契約を 郵便受けにつなぐ
      await see(page, 'スワップ生命', 'Flow', 20_000);
      await press(page, KEY.Enter);
      await see(page, '証券番号（英大文字・数字・ハイフン）', 'Flow');
      const kb = new RemoteTyping(page);
      await kb.type('SWAP1');
      await kb.ok();
      await see(page, '伝わる内容の確認', 'Flow');
      await press(page, KEY.Enter); // 同意して署名する
      await see(page, '署名用のパスワード', 'Flow');
      const pw = new RemoteTyping(page);
      await pw.type('HANAKO26');
      await pw.ok();
      await see(page, 'ログインしたカードと違うカードで署名されました', 'Flow', 30_000);
      await see(page, 'ログインしたご自分のカードで署名してください。', 'Flow');
      await see(page, 'KZ_GW_SIGNER_NOT_SESSION_CARD', 'Flow');
      await shot(page, 'tv-app', 'postbox-card-swap-consent-ja');
      await page.close();

      await nothingDisclosed(ins);
      // 山田花子 links her own policy herself: not taken
      const hanako = rig.resident('R2');
      const { token } = await rig.gateway.login(hanako);
      expect((await rig.gateway.enrol(token, hanako, ins.insurerId, 'SWAP1')).status).toBe(201);
    },
  );

  it(
    "a report signed with another person's card: refused and explained, nothing stored",
    { timeout: 240_000 },
    async () => {
      const h = rig.gateway;
      const taro = rig.resident('R1');
      const ins = await h.insurer('swap-report-life', '現況生命');
      const { token } = await h.login(taro);
      expect((await h.enrol(token, taro, ins.insurerId, 'SWAP-REP')).status).toBe(201);
      const code = (await h.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders[0].code;
      const sent = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code,
        policy: 'SWAP-REP',
        kind: 'status-check',
        subject: '現況届のお願い',
        body: 'ご本人の現況をお知らせください。',
      });
      expect(sent.status).toBe(201);

      const { device, creds } = await rig.newTv();
      const page = await rig.openTv(device, creds);
      await openSwapped(page);
      await see(page, '【現況届のお願い】現況届のお願い', 'Flow', 30_000);
      await press(page, KEY.Enter);
      await see(page, '回答する（現況届）', 'Flow');
      await press(page, KEY.Enter);
      await see(page, '元気です。氏名・住所に変わりはありません', 'Flow');
      await press(page, KEY.Enter);
      await see(page, '送る内容の確認', 'Flow');
      await press(page, KEY.Enter); // 署名して送る
      await see(page, '署名用のパスワード', 'Flow');
      const pw = new RemoteTyping(page);
      await pw.type('HANAKO26');
      await pw.ok();
      await see(page, 'ログインしたカードと違うカードで署名されました', 'Flow', 30_000);
      await shot(page, 'tv-app', 'postbox-card-swap-report-ja');
      await page.close();

      expect((await h.call(ins, 'GET', '/insurer/v1/reports')).body.reports).toEqual([]);
      const opened = await h.tv(token, 'GET', `/notices/${sent.body.id}`);
      expect(opened.body.status).not.toBe('answered');
    },
  );
});
