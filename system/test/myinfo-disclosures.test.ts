/**
 * My information → the disclosure log shows the municipality's own disclosures (the console's
 * GET /api/bind/disclosures with the TV's credentials: card binding, shelter rosters, the rescue
 * list downloaded by staff) next to the post-box's (insurers), in the resident's language, the
 * purposes and recipients in words. Another TV's resident never shows. Real keys, real servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { KEY, press, shot, waitVisibleText } from '@kizuna/test-utils';
import { audit, bindResidentToDevice, createStaff } from '@kizuna/municipal-console';
import { startCardRig, type CardRig } from './helpers/card-rig.ts';
import { pressTimes, RemoteTyping } from './helpers/remote.ts';

let rig: CardRig;
let tv: Awaited<ReturnType<CardRig['newTv']>>;

const disclose = (resident: string, at: string, party: string, purpose: string, items: string[]) =>
  rig.consoleDb.query('INSERT INTO disclosures (resident_id, at, party, purpose, items) VALUES ($1, $2, $3, $4, $5)', [
    resident,
    at,
    party,
    purpose,
    items,
  ]);

beforeAll(async () => {
  rig = await startCardRig();
  tv = await rig.newTv();
  const other = await rig.newTv();
  await bindResidentToDevice(rig.consoleDb, [
    { residentId: 'R1', deviceId: tv.device },
    { residentId: 'R2', deviceId: other.device },
  ]);
  // What binding.ts, roster.ts and the rescue-list CSV download write.
  await disclose(
    'R1',
    '2026-11-20T01:00:00Z',
    'municipality 999996',
    'card binding to TV x: personal items read from the signing certificate and matched to the register',
    ['name', 'address', 'birth-date', 'sex', 'signing-certificate-serial', 'authentication-certificate-serial'],
  );
  await disclose(
    'R1',
    '2026-11-21T02:00:00Z',
    'shelter sh-school (第一小学校)',
    'shelter roster: greet and check in evacuees at the door',
    ['name', 'name-reading', 'care-needs'],
  );
  await disclose(
    'R2',
    '2026-11-21T03:00:00Z',
    'shelter sh-hall (川辺公民館)',
    'shelter roster: greet and check in evacuees at the door',
    ['name', 'household'],
  );
  await createStaff(rig.consoleDb, { username: 'rescuer', password: 'rescuer-password-1', roles: ['issuer'] });
  await audit(
    rig.consoleDb,
    {
      actor: 'rescuer',
      action: 'disclosure.rescue-csv',
      subject: 'alert-1',
      details: { people: 2, residentIds: ['R1', 'R2'] },
    },
    new Date('2026-11-22T05:00:00Z'),
  );
}, 120_000);
afterAll(async () => {
  await rig?.close();
});

/** Every text under the flow, visible or scrolled away. */
const allTexts = (page: Page) =>
  page.evaluate(() =>
    [...(document.querySelector('[ref="Flow"]')?.querySelectorAll('[texture-text]') ?? [])]
      .map((e) => e.getAttribute('texture-text') ?? '')
      .join('\n'),
  );

/** Home → わたしの情報 → 提供記録 → card 0 (R1) → PIN. */
async function openLog(page: Page, title: string, chooseCard: string, pinLabel: string) {
  await pressTimes(page, KEY.Down, 2);
  await press(page, KEY.Enter);
  await waitVisibleText(page, title, 'Flow', 20_000);
  await press(page, KEY.Down);
  await press(page, KEY.Enter);
  await waitVisibleText(page, chooseCard, 'Flow', 20_000);
  await press(page, KEY.Enter);
  await waitVisibleText(page, pinLabel, 'Flow', 20_000);
  await new RemoteTyping(page).pin('1234');
}

describe("My information: the municipality's disclosures", () => {
  it("Japanese: the city office's log (rescue list, shelter roster, card binding) in words, next to the insurers' (none yet)", async () => {
    const page = await rig.openTv(tv.device, tv.creds);
    await openLog(page, 'わたしの情報の提供記録', 'カードを選んでください', '利用者証明用の暗証番号');
    await waitVisibleText(page, '【市役所からの提供】', 'Flow', 20_000);
    await waitVisibleText(page, '山田 太郎さんの情報', 'Flow');
    await waitVisibleText(page, '救助の名簿', 'Flow');
    await waitVisibleText(page, '【保険会社への提供】', 'Flow');
    await waitVisibleText(page, '保険会社への提供はありません。', 'Flow');
    const text = await allTexts(page);
    // newest first; recipients by role or shelter name; purposes and items as words, not codes
    const order = ['救助の名簿', '避難所の受付', 'このテレビへのカードの登録'].map((t) => text.indexOf(t));
    expect(
      order.every((i) => i >= 0),
      text,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const t of [
      '市役所の職員（避難情報を出す担当）',
      '避難所「第一小学校」',
      '電子証明書の番号',
      'ふりがな',
      '必要な支援',
      '2026年11月22日 14:00',
    ])
      expect(text.replace(/\n/g, ''), t).toContain(t);
    for (const t of ['rescuer', 'rescue-list', 'shelter-roster', 'card-binding', 'name-reading', 'sh-school'])
      expect(text, t).not.toContain(t);
    // another TV's resident (R2, with a shelter roster of its own) never shows
    expect(text).not.toContain('山田 花子');
    expect(text).not.toContain('川辺公民館');
    await shot(page, 'tv-app', 'myinfo-disclosures-muni-ja');
    // Back returns to the My information menu
    await press(page, KEY.Back);
    await waitVisibleText(page, '登録したカード', 'Flow', 20_000);
    await page.close();
  });

  it('English: the same log in English words', async () => {
    const page = await rig.openTv(tv.device, tv.creds, '&lang=en');
    await openLog(page, 'Who received my information', 'Choose your card', 'User authentication PIN');
    await waitVisibleText(page, 'Given by the city office', 'Flow', 20_000);
    await waitVisibleText(page, 'Given to insurers', 'Flow');
    const text = (await allTexts(page)).replace(/\n/g, ' ');
    for (const t of [
      'city office staff (issuing alerts)',
      'the shelter "第一小学校"',
      'rescue list (to go and help',
      'registering the card on this TV',
      'certificate number',
    ])
      expect(text, t).toContain(t);
    expect(text).not.toContain('川辺公民館');
    await shot(page, 'tv-app', 'myinfo-disclosures-muni-en');
    await page.close();
  });
});
