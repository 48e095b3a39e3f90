/**
 * Issue 19, item 7 in Chromium on the whole system: any resident at any shelter.
 * At 絆市立第一小学校 (which serves 駅前地区 only, and no alert sent anyone there) a terminal's
 * kiosk greets 山田 太郎 of 川辺地区 by name and offers his household; after its sync it does the
 * same with no console and no broker at all (a resident of 港地区); and a valid card of someone
 * from outside the municipality is checked in as an outside evacuee (域外避難者), which the
 * console's shelter figures count as such. Real console, broker, authority, card bridge and
 * terminal; screenshots under test-output/screenshots/evacuation-center.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer';
import { createVerifier, startCardBridge, type BridgeCard, type RunningBridge } from '@kizuna/jpki';
import { jpkiCardVerifier, startTerminal } from '@kizuna/evacuation-center';
import { quietLogger, screenshotDir } from '@kizuna/test-utils';
import { loginPage, startUi, staffApi, type UiHarness } from './helpers/ui-harness.ts';

const SHELTER = 'sh-daiichi';
let h: UiHarness;
let bridge: RunningBridge;
let dataDir: string;
let creds: { username: string; password: string };
let shots: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startUi({ width: 1280, height: 800 });
  const db = h.system.consoleDb;
  // the school expects 駅前地区 only: 川辺地区 and 港地区 are someone else's
  await db.query(`UPDATE shelters SET serves = ARRAY['z-ekimae'] WHERE id = $1`, [SHELTER]);
  const one = async (sql: string) => (await db.query<{ id: string }>(sql)).rows[0]!.id;
  ids.taro = await one(`SELECT id FROM residents WHERE family_name = '山田' AND given_name = '太郎'`);
  ids.minato = await one(`
    SELECT r.id FROM residents r WHERE r.zone_id = 'z-minato'
      AND (SELECT count(*) FROM residents o WHERE o.household_id = r.household_id) >= 2 ORDER BY r.id LIMIT 1`);
  const outsider = await h.system.authority.issueCard(
    {
      name: '外村　一郎',
      nameKana: 'ソトムラ　イチロウ',
      address: '東京都千代田区1-1',
      birthDate: '1980-01-01',
      sex: 1,
    },
    { authPin: '1234', signPassword: 'OUTSIDE01' },
    { label: '市外の方のカード' },
  );
  const cards: BridgeCard[] = h.system.seed.cards.map((c) => ({
    id: c.residentId,
    label: c.label,
    transmit: (apdu: Uint8Array) => c.card.transmit(apdu),
  }));
  cards.push({ id: 'outsider', label: '市外の方のカード', transmit: (apdu) => outsider.card.transmit(apdu) });
  bridge = await startCardBridge({ port: 0, cards, logger: quietLogger() });
  const issued = await staffApi<{ username: string; password: string }>(
    h,
    `/api/shelters/${SHELTER}/terminals/door-2/credentials`,
    'admin',
    {},
  );
  expect(issued.status).toBe(201);
  creds = issued.body;
  dataDir = await mkdtemp(join(tmpdir(), 'kz-any-shelter-'));
  shots = await screenshotDir('evacuation-center');
});
afterAll(async () => {
  await terminal?.close();
  await bridge?.close();
  await h?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

let terminal: Awaited<ReturnType<typeof startTerminal>> | undefined;
let page: Page;

/** The second door of the school: its own store in dataDir; online with the console and broker, or with neither. */
async function openTerminal(online: boolean) {
  const a = h.system.authority;
  terminal = await startTerminal({
    dataDir,
    logger: quietLogger(),
    muni: '999997',
    shelter: SHELTER,
    terminal: 'door-2',
    port: 0,
    verifier: jpkiCardVerifier(createVerifier({ trustAnchors: a.trustAnchors(), status: a.statusSource() })),
    cardBridgeUrl: bridge.url,
    mqttCredentials: creds,
    ...(online ? { mqttUrl: h.system.urls.mqtt, consoleUrl: h.system.urls.console } : {}),
  });
  page = await h.browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(terminal.url);
  await page.waitForSelector('body[data-ready=true]');
}

const screen = (name: string) => page.waitForSelector(`[data-screen="${name}"]`, { timeout: 15_000 });
const text = (sel: string) => page.$eval(sel, (e) => (e as HTMLElement).innerText);
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) as `${string}.png` });
const tap = async (card: string) => {
  await page.waitForSelector('#reader[data-state=ready]');
  await page.select('#reader-card', card);
  await page.click('[data-action=hold-card]');
};
const home = async () => {
  await page.keyboard.press('Escape');
  await page.waitForSelector('.home');
};
async function shelterFigures() {
  const r = await staffApi<{ id: string; occupancy: number; outside?: number }[]>(h, '/api/shelters', 'admin');
  return r.body.find((s) => s.id === SHELTER)!;
}
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('any resident at any shelter (issue 19, item 7)', () => {
  it('checks in 山田 太郎 of 川辺地区 at a school that does not serve his zone, with his household offered', async () => {
    await openTerminal(true);
    await tap(ids.taro!);
    await screen('confirm');
    expect(await text('.person.main .name')).toContain('山田 太郎');
    expect(await page.$$eval('label.person:not(.main) .name', (n) => n.map((e) => e.textContent))).toContain(
      '山田 花子 さん',
    );
    // 花子 came too
    await page.click('label.person:not(.main) input[type=checkbox]');
    expect(await text('[data-action=check-in]')).toBe('受付する（2人）');
    await shot('21-any-shelter-household');
    await page.click('[data-action=check-in]');
    await screen('done');
    expect(await text('.names')).toContain('山田 花子');
    const f = await until(shelterFigures, (s) => s.occupancy >= 2);
    expect(f.occupancy).toBe(2);
    await home();
  });

  it('counts a valid card from outside the municipality as an outside evacuee, with only what they agree to give', async () => {
    await tap('outsider');
    await screen('outside-card');
    expect(await text('main h2')).toBe('市外の方のカードです（域外避難者）');
    expect(await text('main .lead')).toContain('マイナンバーは読み取りも記録もしません');
    await page.type('#f-name', '外村 一郎');
    await shot('22-outside-evacuee');
    await page.click('[data-action=check-in]');
    await screen('done');
    const f = await until(shelterFigures, (s) => (s.outside ?? 0) >= 1);
    expect(f).toMatchObject({ occupancy: 3, outside: 1 });
    await home();
    // and in the staff UI's shelter table, in its own column
    const staff = await loginPage(h, 'issuer');
    await staff.goto(`${h.url}/#/shelters`);
    await staff.waitForSelector(`tr[data-shelter=${SHELTER}] [data-figure=outside]`);
    expect(
      await staff.$eval('.shelters-table thead', (e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ')),
    ).toContain('域外避難者');
    expect(await staff.$eval(`tr[data-shelter=${SHELTER}] [data-figure=outside]`, (e) => e.textContent)).toBe('1');
    await staff.screenshot({ path: join(shots, '24-console-shelters-outside.png') as `${string}.png` });
    await staff.browserContext().close();
  });

  it('after its sync, checks in a resident of 港地区 with their household with no console and no broker', async () => {
    await page.close();
    await terminal!.close();
    terminal = undefined;
    await openTerminal(false);
    const status = (await (await fetch(`${terminal!.url}/api/status`)).json()) as {
      link: { configured: boolean };
      roster: { people: number; wholeMunicipality: boolean };
    };
    expect(status.link.configured).toBe(false);
    expect(status.roster).toMatchObject({ people: h.system.seed.residents.length, wholeMunicipality: true });
    await tap(ids.minato!);
    await screen('confirm');
    const household = await page.$$eval('label.person:not(.main)', (n) => n.length);
    expect(household).toBeGreaterThanOrEqual(1);
    await shot('23-any-shelter-offline');
    await page.click('[data-action=check-in]');
    await screen('done');
    await page.waitForFunction(() => document.querySelector('#occ-present')?.textContent === '4');
    await home();
    // the outside evacuee checked in before is known offline too
    await tap('outsider');
    await screen('card-already');
  });
});
