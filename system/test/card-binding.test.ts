/**
 * Card binding from the TV (issue 5) on the real path: the bridge's card list, the signing
 * password typed on the on-screen keyboard with the arrow keys, the console's nonce, the card's
 * CMS signature, POST /api/bind, then a second resident on the same TV; and the bad paths:
 * wrong password with tries left, a card locked by wrong entries, a revoked certificate, the
 * console unreachable, no card reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, press, shot, visibleTexts, waitVisibleText } from '@kizuna/test-utils';
import { startCardRig, type CardRig } from './helpers/card-rig.ts';
import { pressTimes, RemoteTyping } from './helpers/remote.ts';

let rig: CardRig;
beforeAll(async () => {
  rig = await startCardRig();
}, 120_000);
afterAll(async () => {
  await rig?.close();
});

const activeBindings = async (device: string) =>
  (
    await rig.consoleDb.query<{ resident_id: string }>(
      "SELECT resident_id FROM bindings WHERE device_id = $1 AND status = 'active' ORDER BY resident_id",
      [device],
    )
  ).rows.map((r) => r.resident_id);

/** Home (nothing bound: "Register a card" has the focus) → the card list → the n-th card. */
async function chooseCard(page: import('puppeteer').Page, n: number): Promise<void> {
  await press(page, KEY.Enter);
  await waitVisibleText(page, 'カードを選んでください', 'Flow');
  await pressTimes(page, KEY.Down, n);
  await press(page, KEY.Enter);
  await waitVisibleText(page, '署名用のパスワード', 'Flow');
}

describe('card binding', () => {
  it('binds two residents to one TV; a wrong password first shows the tries left', async () => {
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds);
    await waitVisibleText(page, 'まだマイナンバーカードが登録されていません', 'Home');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'R00001 山田 太郎', 'Flow');
    await waitVisibleText(page, 'このテレビには、まだだれも登録されていません', 'Flow');
    await shot(page, 'tv-app', 'bind-choose-card-ja');
    await press(page, KEY.Enter); // the first card
    await waitVisibleText(page, '署名用のパスワード', 'Flow');

    const kb = new RemoteTyping(page);
    await kb.type('TARO2025');
    await waitVisibleText(page, '●●●●●●●●', 'Flow');
    // The secret itself is never on screen (nor in the inspector's mirror).
    expect((await visibleTexts(page, 'Flow')).join('|')).not.toContain('TARO');
    await shot(page, 'tv-app', 'bind-password-ja');
    await kb.ok();
    await waitVisibleText(page, 'パスワードが違います。 あと4回まちがえるとロックされます。', 'Flow');
    await shot(page, 'tv-app', 'bind-wrong-password-ja');
    expect(await activeBindings(device)).toEqual([]);

    await kb.type('TARO2026');
    await kb.ok();
    await waitVisibleText(page, '登録しました', 'Flow', 30_000);
    await waitVisibleText(page, '山田 太郎さんを このテレビに登録しました', 'Flow');
    await shot(page, 'tv-app', 'bind-done-ja');
    expect(await activeBindings(device)).toEqual(['R1']);

    // Register another person: the same TV, the second card.
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'このテレビに登録済みの方：山田 太郎', 'Flow');
    await pressTimes(page, KEY.Down, 1);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '署名用のパスワード', 'Flow');
    const kb2 = new RemoteTyping(page);
    await kb2.type('HANAKO26');
    await kb2.ok();
    await waitVisibleText(page, '山田 花子さんを このテレビに登録しました', 'Flow', 30_000);
    expect(await activeBindings(device)).toEqual(['R1', 'R2']);

    // Home now names both.
    await press(page, KEY.Right);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '山田 太郎', 'Home');
    await waitVisibleText(page, '山田 花子', 'Home');
    await shot(page, 'tv-app', 'home-bound-ja');
    await page.close();
  }, 180_000); // three passwords typed with the arrows (≈ 100 key presses): 56 s alone, over 60 s beside another browser suite

  it('a card locked by wrong passwords is explained with what to do next (English)', async () => {
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds, '&lang=en');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'Choose your card', 'Flow');
    await pressTimes(page, KEY.Down, 3); // R00004 鈴木 一郎
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'Signing password', 'Flow');
    const kb = new RemoteTyping(page);
    for (let left = 4; left >= 2; left--) {
      await kb.type('000000');
      await kb.ok();
      await waitVisibleText(page, `${left} more wrong tries will lock it.`, 'Flow', 20_000);
    }
    // the last try is said once, not as "1 more wrong tries" and again as the last
    await kb.type('000000');
    await kb.ok();
    await waitVisibleText(page, 'One more mistake locks it', 'Flow', 20_000);
    expect(await visibleTexts(page, 'Flow')).not.toContainEqual(expect.stringContaining('1 more wrong tries'));
    await shot(page, 'tv-app', 'bind-last-try-en');
    await kb.type('000000');
    await kb.ok();
    await waitVisibleText(page, "The card's signing password is locked", 'Flow', 20_000);
    await waitVisibleText(page, 'reset the signing password', 'Flow');
    await waitVisibleText(page, 'KZ_CARD_LOCKED', 'Flow');
    await shot(page, 'tv-app', 'bind-locked-en');
    expect(await activeBindings(device)).toEqual([]);
    // Back leads home, never a dead end.
    await press(page, KEY.Back);
    await waitVisibleText(page, 'Register a card', 'Home');

    // Opening the same card again goes straight to the explanation: the card says 0 tries left.
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'Choose your card', 'Flow');
    await pressTimes(page, KEY.Down, 3);
    await press(page, KEY.Enter);
    await waitVisibleText(page, "The card's signing password is locked", 'Flow');
    await page.close();
  }, 180_000); // five passwords typed with the arrows

  it('a revoked signing certificate is refused by the console and explained', async () => {
    const card = rig.cards.get('R3')!;
    rig.authority.revoke(card.signSerial, 'moved');
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds);
    await chooseCard(page, 2); // R00003 佐藤 清
    const kb = new RemoteTyping(page);
    await kb.type('KIYOSHI1');
    await kb.ok();
    await waitVisibleText(page, 'このカードの電子証明書は失効しています', 'Flow', 30_000);
    await waitVisibleText(page, '市区町村の窓口で電子証明書を新しく発行', 'Flow');
    await waitVisibleText(page, 'KZ_CONSOLE_BIND_CERT_REVOKED', 'Flow');
    await shot(page, 'tv-app', 'bind-revoked-ja');
    expect(await activeBindings(device)).toEqual([]);
    await page.close();
  });

  it('an unreachable console says nothing was sent; a missing card reader says so; both lead back home', async () => {
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds, '&console=http%3A%2F%2F127.0.0.1%3A9');
    await chooseCard(page, 0);
    const kb = new RemoteTyping(page);
    await kb.type('TARO2026');
    await kb.ok();
    await waitVisibleText(page, 'サーバーにつながりません', 'Flow', 30_000);
    await waitVisibleText(page, 'まだ何も送られていません', 'Flow');
    await shot(page, 'tv-app', 'bind-network-ja');
    await press(page, KEY.Right); // "ホームに戻る"
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'カードを登録する', 'Home');
    await page.close();

    const noReader = await rig.openTv(device, creds, '&bridge=ws%3A%2F%2F127.0.0.1%3A9');
    await press(noReader, KEY.Enter);
    await waitVisibleText(noReader, 'カードリーダーにつながりません', 'Flow', 30_000);
    await shot(noReader, 'tv-app', 'bind-no-reader-ja');
    await press(noReader, KEY.Back);
    await waitVisibleText(noReader, 'カードを登録する', 'Home');
    await noReader.close();
  });
});
