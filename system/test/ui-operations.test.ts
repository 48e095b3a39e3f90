/**
 * Operations in Chromium (issue 6): CAP import → draft → send → CAP download round trip (and a
 * bad CAP named by field), the rescue list (need-help first, mark reached, print page, CSV), the
 * register import with bad rows (nothing half-imported) then good rows, unbinding a TV, closing a
 * shelter, the audit log with its verified chain, CSRF refusal, and the wall-screen English view.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { shot } from '@kizuna/test-utils';
import { loginPage, SimTv, startUi, token, waitText, type UiHarness } from './helpers/ui-harness.ts';

let h: UiHarness;
let admin: Page;
let bearer: string;
let alertId: string;

const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
  const r = await fetch(`${h.url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${bearer}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return {
    status: r.status,
    body: (r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text()) as T,
  };
};

beforeAll(async () => {
  h = await startUi();
  bearer = await token(h, 'admin');
  admin = await loginPage(h, 'admin');
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('staff console: operations', () => {
  it('imports a CAP 1.2 alert into a draft, sends it, and downloads it as CAP again', async () => {
    const expires = new Date(Date.now() + 3 * 3600_000).toISOString();
    const src = await api<{ id: string }>('/api/alerts', {
      body: {
        level: 3,
        hazard: 'landslide',
        status: 'Exercise',
        expires,
        target: { zones: ['z-yamate'] },
        draft: true,
      },
    });
    // sent as its confirmation showed it (issue 19)
    const k = (await api<{ revision: number; digest: string }>(`/api/alerts/${src.body.id}/confirmation`)).body;
    await api(`/api/alerts/${src.body.id}/send`, { body: { revision: k.revision, digest: k.digest } });
    const xml = (await api<string>(`/api/alerts/${src.body.id}/cap`)).body;
    expect(xml).toContain('urn:oasis:names:tc:emergency:cap:1.2');
    // As if it came from the prefecture's feed: its own identifier.
    const feed = xml.replace(/<identifier>[^<]+<\/identifier>/, '<identifier>JP-PREF-99-0001</identifier>');

    await admin.goto(`${h.url}/#/cap`);
    await admin.waitForSelector('form.cap textarea');
    await admin.$eval(
      'form.cap textarea',
      (e, v) => {
        (e as HTMLTextAreaElement).value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
      },
      feed.replace('<msgType>Alert</msgType>', '<msgType>Bogus</msgType>'),
    );
    await admin.click('form.cap button[type=submit]');
    await waitText(admin, '[role=alert]', 'KZ_CONSOLE_CAP_INVALID');
    expect(await admin.$eval('[role=alert]', (e) => e.textContent)).toBe(
      'エラー: CAP 1.2 を取り込んでいません。/alert/msgType は Alert, Update, Cancel, Ack, Error のいずれかにしてください（「Bogus」でした）。 (KZ_CONSOLE_CAP_INVALID)',
    );
    await shot(admin, 'console', 'cap-invalid');

    await admin.$eval(
      'form.cap textarea',
      (e, v) => {
        (e as HTMLTextAreaElement).value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
      },
      feed,
    );
    await admin.click('form.cap button[type=submit]');
    await admin.waitForSelector('article.alert-detail[data-state="draft"]');
    await waitText(admin, '.alert-head', '土砂災害');
    await waitText(admin, '.alert-head', '訓練');
    await admin.click('[data-action=send]');
    await admin.waitForSelector('dialog.send-confirm[open] [data-action=confirm-send]:not([disabled])');
    await admin.click('[data-action=confirm-send]');
    await admin.waitForSelector('article.alert-detail[data-state="active"]');
    const href = await admin.$eval('[data-action=cap]', (e) => (e as HTMLAnchorElement).href);
    const back = await admin.evaluate(async (u) => (await fetch(u)).text(), href);
    expect(back).toContain('<identifier>JP-PREF-99-0001</identifier>');
    // Same content, field by field (every <info> block: one per language).
    const all = (doc: string, tag: string) =>
      [
        ...new Set([...doc.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].flatMap((m) => m[1]!.split('; '))),
      ].sort();
    for (const tag of ['event', 'urgency', 'severity', 'certainty', 'areaDesc', 'status', 'language', 'headline'])
      expect(all(back, tag)).toEqual(all(xml, tag));
    await shot(admin, 'console', 'cap-imported');
  });

  it('lists people needing help for rescue teams, need-help first, marks one reached, prints and exports CSV', async () => {
    const tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
    const expires = new Date(Date.now() + 3 * 3600_000).toISOString();
    alertId = (
      await api<{ id: string }>('/api/alerts', {
        body: { level: 3, hazard: 'flood', status: 'Exercise', expires, target: { zones: ['z-kawabe'] }, draft: true },
      })
    ).body.id;
    const k = (await api<{ revision: number; digest: string }>(`/api/alerts/${alertId}/confirmation`)).body;
    expect(
      (await api(`/api/alerts/${alertId}/send`, { body: { revision: k.revision, digest: k.digest } })).status,
    ).toBe(200);
    const got = await Promise.all(tvs.map((t) => t.waitAlert(alertId)));
    const helpIdx = got.findIndex((a) => a.recipients.some((r) => r.needsHelp));
    expect(helpIdx).toBeGreaterThanOrEqual(0);
    const who = got[helpIdx]!.recipients.find((r) => r.needsHelp)!;
    await tvs[helpIdx]!.receipt(alertId, got[helpIdx]!.revision, 'acknowledged', who.ref, 'need-help');

    await admin.goto(`${h.url}/#/alerts/${alertId}/rescue?after=0`);
    await admin.waitForSelector('table.rescue-table tbody tr');
    // Need-help answer on top.
    await admin.waitForFunction(
      () => document.querySelector('table.rescue-table tbody tr')?.classList.contains('need-help'),
      { timeout: 20_000 },
    );
    const rows = await admin.$$eval('table.rescue-table tbody tr', (rs) =>
      rs.map((r) => ({ id: r.getAttribute('data-resident'), answer: r.querySelector('.answer')?.textContent })),
    );
    expect(rows[0]!.answer).toBe('助けが必要');
    expect(rows.length).toBeGreaterThan(1);
    const first = rows[0]!.id!;
    await admin.click(`tr[data-resident="${first}"] [data-action=reached]`);
    await waitText(admin, `tr[data-resident="${first}"]`, '✓ admin');
    await shot(admin, 'console', 'rescue-list');
    await admin.emulateMediaType('print');
    expect(await admin.$eval('header.top', (e) => getComputedStyle(e).display)).toBe('none');
    await shot(admin, 'console', 'rescue-print');
    await admin.emulateMediaType('screen');

    const csv = await admin.evaluate(
      async (u) => (await fetch(u)).text(),
      `${h.url}/api/alerts/${alertId}/rescue.csv?afterSeconds=0`,
    );
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('residentId,name,reading,address,phone,supporter');
    expect(lines.length).toBe(rows.length + 1);
    expect(lines[1]).toContain('need-help');
    expect(lines[1]).toContain('admin');
    await Promise.all(tvs.map((t) => t.close()));
  });

  it('imports the register extract only when every row is good, reporting each bad row in Japanese (and English)', async () => {
    const head =
      'id,familyName,givenName,familyKana,givenKana,address,birthDate,sex,language,needsHelp,supporter,phone,household,zone,lat,lon';
    const good =
      'R90001,試験,一郎,シケン,イチロウ,絆市川辺1-1,1950-04-01,1,ja,true,試験 花子,090-0000-0000,H90001,z-kawabe,36.01,140.01';
    const bad = [
      head,
      good,
      'R90002,試験,二郎,シケン,ジロウ,絆市川辺1-2,1950-02-30,1,ja,false,,,H90001,z-kawabe,,',
      'R90003,試験,三郎,シケン,サブロウ,絆市川辺1-3,1960-01-01,1,fr,maybe,,,,z-nowhere,,',
      good,
      'R90004,,四郎,シケン,シロウ,絆市川辺1-4,1960-01-01,7,ja,no,,,,z-kawabe,abc',
    ].join('\n');
    const residentsBefore = (await api<unknown[]>('/api/residents?limit=1000')).body.length;
    await admin.goto(`${h.url}/#/residents`);
    await admin.waitForSelector('form.import textarea');
    // The file picker is the page's own (the browser's says "Choose File" whatever the page's language).
    expect(await admin.$$eval('form.import .file-pick > *', (es) => es.map((e) => e.textContent))).toEqual([
      'CSVファイル',
      'ファイルを選択',
      '選択されていません',
    ]);
    const file = join(await mkdtemp(join(tmpdir(), 'kz-register-')), '住民抽出.csv');
    await writeFile(file, `\uFEFF${bad}\r\n`);
    await (await admin.$('form.import input[type=file]'))!.uploadFile(file);
    await waitText(admin, 'form.import .file-name', '住民抽出.csv');
    expect(await admin.$eval('form.import textarea', (e) => (e as HTMLTextAreaElement).value)).toContain('R90004');
    await admin.click('form.import button[type=submit]');
    await admin.waitForSelector('table.row-errors');
    const report = () =>
      admin.$$eval('table.row-errors tbody tr', (rs) =>
        rs.map((r) => ({
          row: r.getAttribute('data-row'),
          id: r.children[1]!.textContent,
          problems: [...r.querySelectorAll('li')].map((li) => ({
            code: li.getAttribute('data-problem'),
            text: li.textContent,
          })),
        })),
      );
    const ja = await report();
    expect(ja.map((r) => r.row)).toEqual(['3', '4', '5', '6']);
    expect(ja[0]!.problems).toEqual([
      { code: 'bad-date', text: '生年月日「1950-02-30」は正しい日付ではありません（例：1950-04-01）。' },
    ]);
    expect(ja[1]!.problems).toEqual([
      {
        code: 'bad-language',
        text: '言語「fr」には対応していません。ja（日本語）、ja-x-easy（やさしい日本語）、en（英語）、zh（中国語）、ko（韓国語）、vi（ベトナム語）、pt（ポルトガル語）のいずれかにしてください。',
      },
      {
        code: 'bad-boolean',
        text: '要支援「maybe」は使えません。「はい」か「いいえ」（1 か 0 でも可）にしてください。',
      },
      { code: 'unknown-zone', text: '地区「z-nowhere」は登録されていません。' },
    ]);
    expect(ja[2]!.problems).toEqual([{ code: 'duplicate-id', text: '住民番号「R90001」が2行目と重複しています。' }]);
    expect(ja[3]!.problems.map((p) => p.text)).toEqual([
      '項目の数が15個あります。見出し行は16個です。',
      '氏が空欄です。',
      '性別「7」は使えません。1（男性）、2（女性）、3（不明）のいずれかにしてください。',
      '緯度「abc」は数値ではありません。',
      '経度がありません。緯度と経度は両方入れるか、両方空欄にしてください。',
    ]);
    const box = await admin.$eval('[role=alert]', (e) => ({
      code: e.getAttribute('data-code'),
      text: e.textContent ?? '',
    }));
    expect(box.code).toBe('KZ_CONSOLE_CSV_INVALID');
    expect(box.text).toContain('誤りのある行が 4 行あります。');
    expect(box.text).toContain('何も取り込んでいません。');
    // No English in the Japanese report: only the file's own values (in 「」) and ids may be Latin.
    expect(box.text.replace(/「[^」]*」/g, '').replace(/\b(?:R\d+|ja-x-easy|[a-z]{2})\b/g, '')).not.toMatch(
      /[A-Za-z]{2,}/,
    );
    await shot(admin, 'console', 'register-import-bad-rows');
    // Nothing half-imported: not even the good line 2.
    expect((await api(`/api/residents/R90001`)).status).toBe(404);
    expect((await api<unknown[]>('/api/residents?limit=1000')).body.length).toBe(residentsBefore);

    // The same report, worded in English from the same codes.
    await admin.click('button.lang');
    await waitText(admin, 'table.row-errors', 'is not a real date');
    const en = await report();
    expect(en[0]!.problems[0]!.text).toBe('Birth date "1950-02-30" is not a real date (e.g. 1950-04-01).');
    expect(en[2]!.problems[0]!.text).toBe('Resident ID "R90001" repeats line 2.');
    await shot(admin, 'console', 'register-import-bad-rows-en');
    await admin.click('button.lang');
    await waitText(admin, 'table.row-errors', '正しい日付ではありません');

    await admin.$eval(
      'form.import textarea',
      (e, v) => {
        (e as HTMLTextAreaElement).value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
      },
      [head, good].join('\n'),
    );
    await admin.click('form.import button[type=submit]');
    await waitText(admin, '[role=status]', '1 件を取り込みました');
    expect((await api<{ needsHelp: boolean }>(`/api/residents/R90001`)).body.needsHelp).toBe(true);
    await admin.waitForSelector('tr[data-resident="R90001"]');
    // The zone by its name, not its id.
    await waitText(admin, 'tr[data-resident="R90001"] td[data-zone="z-kawabe"]', '川辺地区');
    expect(await admin.$eval('tr[data-resident="R90001"] td[data-zone]', (e) => e.textContent)).toBe('川辺地区');

    // Unbind a bound TV: the reason in Japanese, with who did it.
    const bound = h.system.tvs.find((t) => t.residents.length > 0)!;
    const rid = bound.residents[0]!;
    const li = `tr[data-resident="${rid}"] li[data-device="${bound.device}"]`;
    admin.once('dialog', (d) => void d.accept());
    await admin.click(`${li} [data-action=unbind]`);
    await admin.waitForSelector(`${li} [data-status=unbound]`);
    await waitText(admin, li, '解除済み');
    await waitText(admin, `${li} .reason`, '職員（admin）が解除');
    await admin.waitForSelector(`${li} .ended`);
    expect(await admin.$eval(`${li} .reason`, (e) => e.getAttribute('data-reason'))).toBe('staff-unbind');
    expect(await admin.$eval(`${li}`, (e) => e.textContent)).not.toMatch(/staff|unbound/i);
    const zoneCell = await admin.$eval(`tr[data-resident="${rid}"] td[data-zone]`, (e) => ({
      id: e.getAttribute('data-zone'),
      text: e.textContent,
    }));
    expect(zoneCell.text).not.toBe(zoneCell.id);
    expect(zoneCell.text).toMatch(/地区$/);
    const api1 = (
      await api<{ devices: { deviceId: string; status: string; reasonCode: string; endedBy: string }[] }>(
        `/api/residents/${rid}`,
      )
    ).body.devices.find((d) => d.deviceId === bound.device);
    expect(api1).toMatchObject({ status: 'unbound', reasonCode: 'staff-unbind', endedBy: 'admin' });
    // Someone else ended a binding while this page was open: the error in Japanese, and the list catches up.
    const other = h.system.tvs.find((t) => t.device !== bound.device && t.residents.length > 0)!;
    const li2 = `tr[data-resident="${other.residents[0]!}"] li[data-device="${other.device}"]`;
    await admin.waitForSelector(`${li2} [data-action=unbind]`);
    expect(
      (await api('/api/bindings/unbind', { body: { residentId: other.residents[0]!, deviceId: other.device } })).status,
    ).toBe(200);
    admin.once('dialog', (d) => void d.accept());
    await admin.click(`${li2} [data-action=unbind]`);
    await admin.waitForSelector('.residents > [role=alert][data-code=KZ_CONSOLE_NOT_BOUND]');
    expect(await admin.$eval('.residents > [role=alert]', (e) => e.textContent)).toBe(
      'エラー: このTVとの連携はすでに解除されています。一覧を更新しました。 (KZ_CONSOLE_NOT_BOUND)',
    );
    await waitText(admin, `${li2} .reason`, '職員（admin）が解除');
    await admin.$eval(`tr[data-resident="${rid}"]`, (e) => e.scrollIntoView({ block: 'center' }));
    await shot(admin, 'console', 'residents');
    await admin.click('button.lang');
    await waitText(admin, `${li} .reason`, 'unbound by staff (admin)');
    await waitText(admin, 'tr[data-resident="R90001"] td[data-zone]', 'Kawabe');
    await admin.$eval(`tr[data-resident="${rid}"]`, (e) => e.scrollIntoView({ block: 'center' }));
    await shot(admin, 'console', 'residents-en');
    await admin.click('button.lang');
    await waitText(admin, `${li} .reason`, '職員（admin）が解除');
  });

  it('closes a shelter and the dashboard shows it closed', async () => {
    await admin.goto(`${h.url}/#/shelters`);
    await admin.waitForSelector('tr[data-shelter="sh-kominkan"] [data-action=close]');
    await admin.click('tr[data-shelter="sh-kominkan"] [data-action=close]');
    await admin.waitForSelector('tr[data-shelter="sh-kominkan"] [data-action=open]');
    expect(
      (await api<{ id: string; open: boolean }[]>('/api/shelters')).body.find((s) => s.id === 'sh-kominkan')?.open,
    ).toBe(false);
    await shot(admin, 'console', 'shelters');
  });

  it('shows the audit log with a verified chain, searchable', async () => {
    await admin.goto(`${h.url}/#/audit`);
    await admin.waitForSelector('[data-chain="ok"]');
    await waitText(admin, 'table.audit-table', 'rescue.reached');
    await admin.type('input[name=q]', 'binding.unbind');
    await admin.click('form.search button');
    await admin.waitForFunction(() => {
      const rs = [...document.querySelectorAll('table.audit-table tbody tr')];
      return rs.length > 0 && rs.every((r) => r.textContent!.includes('binding.unbind'));
    });
    await admin.$eval('input[name=q]', (e) => {
      (e as HTMLInputElement).value = '';
    });
    await admin.click('form.search button');
    await waitText(admin, 'table.audit-table', 'disclosure.rescue-csv');
    await shot(admin, 'console', 'audit');
  });

  it('refuses a cookie-authenticated write without the CSRF header', async () => {
    const r = await admin.evaluate(async () => {
      const res = await fetch('/api/shelters/sh-kominkan', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: '{"open":true}',
      });
      return { status: res.status, body: (await res.json()) as { code: string } };
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('KZ_CONSOLE_CSRF');
    expect(
      (await api<{ id: string; open: boolean }[]>('/api/shelters')).body.find((s) => s.id === 'sh-kominkan')?.open,
    ).toBe(false);
  });

  it('works on a wall screen, in English', async () => {
    const wall = await loginPage(h, 'issuer', 'en');
    await wall.setViewport({ width: 1920, height: 1080 });
    await wall.goto(`${h.url}/#/`);
    await waitText(wall, 'h2', 'Active alerts');
    await wall.waitForSelector(`.alert-card[data-alert="${alertId}"] [data-counter="targeted"]`);
    await shot(wall, 'console', 'wall-dashboard-en');
    await wall.browserContext().close();
  });
});
