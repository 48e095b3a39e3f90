/**
 * Linking an insurance policy to the post-box from the TV (issue 5, "a resident links a policy to
 * the post-box once, with a consent signed by the signing certificate") against the real insurer
 * gateway: card login, choose the insurer, type the policy number on the keyboard, review who
 * receives which items and why, a wrong signing password first (tries left shown), then the right
 * one; the insurer receives the enrolment with the verified four items, the disclosure is logged
 * for the resident, and linking the same policy again is explained. A card whose signing
 * password is locked is explained before any typing, and nothing is linked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, press, shot, waitVisibleText } from '@kizuna/test-utils';
import { startCardRig, type CardRig } from './helpers/card-rig.ts';
import { pressTimes, RemoteTyping } from './helpers/remote.ts';

let rig: CardRig;
let ins: Awaited<ReturnType<CardRig['gateway']['insurer']>>;
beforeAll(async () => {
  rig = await startCardRig();
  ins = await rig.gateway.insurer('ins-kizuna-life', 'きずな生命');
}, 120_000);
afterAll(async () => {
  await rig?.close();
});

/** Home → 郵便受け → card n → PIN → the (empty) list → 保険の契約をつなぐ → the insurer list. */
async function openEnrol(
  page: import('puppeteer').Page,
  card: number,
  pin: string,
  words: { pin: string; list: string; insurers: string },
): Promise<void> {
  await press(page, KEY.Down);
  await press(page, KEY.Enter);
  await waitVisibleText(page, 'R00001', 'Flow');
  await pressTimes(page, KEY.Down, card);
  await press(page, KEY.Enter);
  await waitVisibleText(page, words.pin, 'Flow');
  await new RemoteTyping(page).pin(pin);
  await waitVisibleText(page, words.list, 'Flow', 20_000);
  await press(page, KEY.Enter); // the first item of an empty post-box: link a policy
  await waitVisibleText(page, words.insurers, 'Flow', 20_000);
}

async function policyholders(): Promise<{ policy: string; status: string }[]> {
  return (await rig.gateway.call(ins, 'GET', '/insurer/v1/policyholders')).body.policyholders;
}

describe('linking a policy (enrolment) from the TV', () => {
  it('insurer, policy number, review, wrong password then the right one: linked, the insurer has the verified items, the disclosure is logged', async () => {
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds);
    await openEnrol(page, 2, '3456', {
      pin: '利用者証明用の暗証番号',
      list: '保険の契約を 郵便受けにつなぐ',
      insurers: 'お知らせを受け取りたい保険会社を選んでください',
    });
    await waitVisibleText(page, 'まだ、どの保険の契約もつないでいません。', 'Flow');
    await shot(page, 'tv-app', 'enrol-insurer-ja');
    await press(page, KEY.Enter); // きずな生命
    await waitVisibleText(page, '証券番号（英大文字・数字・ハイフン）', 'Flow');
    const kb = new RemoteTyping(page);
    await kb.type('POL-KIYOSHI-7');
    await waitVisibleText(page, 'POL-KIYOSHI-7', 'Flow'); // not a secret: shown as typed
    await shot(page, 'tv-app', 'enrol-policy-ja');
    await kb.ok();
    await waitVisibleText(page, '伝わる内容の確認', 'Flow');
    await waitVisibleText(page, '受け取る保険会社：きずな生命', 'Flow');
    await waitVisibleText(page, '証券番号：POL-KIYOSHI-7', 'Flow');
    await waitVisibleText(page, '伝わる情報：氏名・住所・生年月日・性別', 'Flow');
    await shot(page, 'tv-app', 'enrol-review-ja');
    await press(page, KEY.Enter); // 同意して署名する
    await waitVisibleText(page, '署名用のパスワード', 'Flow');
    const pw = new RemoteTyping(page);
    await pw.type('WRONG1');
    await pw.ok();
    await waitVisibleText(page, 'パスワードが違います。 あと4回まちがえるとロックされます。', 'Flow', 20_000);
    await shot(page, 'tv-app', 'enrol-wrong-password-ja');
    expect(await policyholders()).toEqual([]);
    await pw.type('KIYOSHI1');
    await pw.ok();
    await waitVisibleText(page, 'つなぎました', 'Flow', 30_000);
    await waitVisibleText(page, 'きずな生命の証券番号 POL-KIYOSHI-7 を、この郵便受けにつなぎました。', 'Flow');
    await shot(page, 'tv-app', 'enrol-done-ja');

    // The insurer: one policyholder for that policy, and the enrolment event with the verified items.
    expect(await policyholders()).toMatchObject([{ policy: 'POL-KIYOSHI-7', status: 'active' }]);
    const events = (await rig.gateway.call(ins, 'GET', '/insurer/v1/events')).body.events as {
      type: string;
      data: { policy: string; personal: { name: string; birthDate: string } };
    }[];
    const enrolled = events.filter((e) => e.type === 'policyholder.enrolled');
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]!.data).toMatchObject({
      policy: 'POL-KIYOSHI-7',
      personal: { name: '佐藤　清', birthDate: '1938-01-20' },
    });

    // Back to the list, and the same policy again: listed as linked, and explained when retried.
    await press(page, KEY.Enter);
    await waitVisibleText(page, '保険の契約を 郵便受けにつなぐ', 'Flow');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'つないである契約：きずな生命（証券番号 POL-KIYOSHI-7）', 'Flow', 20_000);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '証券番号（英大文字・数字・ハイフン）', 'Flow');
    const again = new RemoteTyping(page);
    await again.type('POL-KIYOSHI-7');
    await again.ok();
    await waitVisibleText(page, '伝わる内容の確認', 'Flow');
    await press(page, KEY.Enter);
    await waitVisibleText(page, '署名用のパスワード', 'Flow');
    const pw2 = new RemoteTyping(page);
    await pw2.type('KIYOSHI1');
    await pw2.ok();
    await waitVisibleText(page, 'この契約は、もうつないであります', 'Flow', 30_000);
    await waitVisibleText(page, 'KZ_GW_ALREADY_ENROLLED', 'Flow');
    await shot(page, 'tv-app', 'enrol-already-linked-ja');
    expect(await policyholders()).toHaveLength(1);
    await page.close();
  }, 240_000);

  it('the disclosure of the enrolment shows in My information (post-box log)', async () => {
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds);
    await pressTimes(page, KEY.Down, 2); // わたしの情報
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'わたしの情報の提供記録', 'Flow');
    await press(page, KEY.Down);
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'R00001', 'Flow');
    await pressTimes(page, KEY.Down, 2);
    await press(page, KEY.Enter);
    await waitVisibleText(page, '利用者証明用の暗証番号', 'Flow', 20_000); // digits before the field are lost
    await new RemoteTyping(page).pin('3456');
    await waitVisibleText(page, 'きずな生命：氏名・住所・生年月日・性別', 'Flow', 20_000);
    await waitVisibleText(page, 'POL-KIYOSHI-7', 'Flow');
    await page.close();
  }, 120_000);

  it('a card whose signing password is locked is explained before any typing, and nothing is linked (English)', async () => {
    // Five wrong signing passwords straight on the card lock it (the authentication PIN still works).
    const r4 = rig.resident('R4');
    for (let i = 0; i < 5; i++) await r4.client.signCms('000000', new Uint8Array([1])).catch(() => undefined);
    const { device, creds } = await rig.newTv();
    const page = await rig.openTv(device, creds, '&lang=en');
    await openEnrol(page, 3, '4567', {
      pin: 'User authentication PIN',
      list: 'Link an insurance policy',
      insurers: 'Choose the insurer whose notices you want to receive',
    });
    await shot(page, 'tv-app', 'enrol-insurer-en');
    await press(page, KEY.Enter);
    await waitVisibleText(page, 'Policy number (capital letters, digits, hyphen)', 'Flow');
    const kb = new RemoteTyping(page);
    await kb.type('POL-ICHIRO-1');
    await shot(page, 'tv-app', 'enrol-policy-en');
    await kb.ok();
    await waitVisibleText(page, 'Check what will be shared', 'Flow');
    await waitVisibleText(page, 'Shared: name, address, birth date, sex', 'Flow');
    await shot(page, 'tv-app', 'enrol-review-en');
    await press(page, KEY.Enter); // Agree and sign
    await waitVisibleText(page, "The card's signing password is locked", 'Flow', 20_000);
    await waitVisibleText(page, 'reset the signing password', 'Flow');
    await waitVisibleText(page, 'KZ_CARD_LOCKED', 'Flow');
    await shot(page, 'tv-app', 'enrol-locked-en');
    expect((await policyholders()).map((p) => p.policy)).not.toContain('POL-ICHIRO-1');
    // Back leads home, never a dead end.
    await press(page, KEY.Back);
    await waitVisibleText(page, 'Register a card', 'Home');
    await page.close();
  }, 180_000);
});
