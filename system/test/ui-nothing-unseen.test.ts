/**
 * Issue 19, items 1 and 2 in Chromium: nothing goes out unseen.
 * 1. 「送信」 on a drill opens a confirmation naming the areas, level, hazard, 訓練 and the counts of
 *    people and TVs; nothing reaches a TV (real MQTT subscribers) until 「この内容で送信する」.
 * 2. The approver's page and the pending card show what goes out: areas by name, level, hazard, a
 *    large 本番 badge, the text per language, the TV preview and the counts.
 * Screenshots under test-output/screenshots/console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '@kizuna/test-utils';
import { loginPage, SimTv, startUi, type UiHarness, staffApi } from './helpers/ui-harness.ts';

let h: UiHarness;
beforeAll(async () => {
  h = await startUi();
}, 300_000);
afterAll(async () => {
  await h?.close();
});

const api = <T>(path: string, who: string, body?: unknown) => staffApi<T>(h, path, who, body);
const text = (page: import('puppeteer').Page, sel: string) =>
  page.$eval(sel, (e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim());
const zoneName = async (id: string) =>
  (await api<{ id: string; name: string }[]>('/api/zones', 'issuer')).body.find((z) => z.id === id)!.name;

describe('staff console: nothing goes out unseen', () => {
  it('a drill: 送信 opens a confirmation with areas, level, hazard, 訓練 and counts; nothing is published before 送信する', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const d = await api<{ id: string }>('/api/alerts', 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Exercise',
      draft: true,
      expires,
      target: { zones: ['z-kawabe'] },
      extra: { ja: '訓練です。川沿いの方は避難の練習をしてください。' },
    });
    expect(d.status).toBe(201);
    const id = d.body.id;
    const tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
    const issuer = await loginPage(h, 'issuer');
    await issuer.goto(`${h.url}/#/alerts/${id}`);
    await issuer.waitForSelector('[data-action=send]');
    await issuer.click('[data-action=send]');

    // the confirmation, with what the API says the send would reach
    await issuer.waitForSelector('dialog.send-confirm[open] [data-field=counts]');
    const k = (
      await api<{ counts: { residents: number; devices: number }; digest: string }>(
        `/api/alerts/${id}/confirmation`,
        'issuer',
      )
    ).body;
    expect(k.counts.devices).toBeGreaterThan(0);
    const dialog = await text(issuer, 'dialog.send-confirm');
    expect(dialog).toContain(await zoneName('z-kawabe'));
    expect(dialog).toContain('レベル4');
    expect(dialog).toContain('洪水');
    expect(await text(issuer, 'dialog.send-confirm .mode-badge')).toBe('訓練');
    expect(dialog).toContain(`住民 ${k.counts.residents}人`);
    expect(dialog).toContain(`TV ${k.counts.devices}台`);
    expect(dialog).toContain('訓練です。川沿いの方は');
    expect(await issuer.$eval('dialog.send-confirm', (e) => e.getAttribute('data-digest'))).toBe(k.digest);
    await shot(issuer, 'console', 'send-confirm-drill');

    // nothing is published while the confirmation is open, nor after やめる
    const state = async () => (await api<{ state: string; revision: number }>(`/api/alerts/${id}`, 'issuer')).body;
    expect(await state()).toMatchObject({ state: 'draft', revision: 0 });
    await issuer.click('[data-action=cancel-send]');
    await issuer.waitForFunction(() => !document.querySelector('dialog.send-confirm'));
    expect(await state()).toMatchObject({ state: 'draft', revision: 0 });
    expect(tvs.flatMap((t) => t.alerts)).toEqual([]);

    // 送信 → この内容で送信する: the TVs get it
    await issuer.click('[data-action=send]');
    await issuer.waitForSelector('dialog.send-confirm[open] [data-action=confirm-send]:not([disabled])');
    await issuer.click('[data-action=confirm-send]');
    await issuer.waitForSelector('article.alert-detail[data-state="active"]', { timeout: 20_000 });
    await Promise.all(tvs.map((t) => t.waitAlert(id)));
    await Promise.all(tvs.map((t) => t.close()));
  });

  it('a real alert: the approver sees areas by name, 本番, the text, the counts and the TV preview, on the page and the card', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const d = await api<{ id: string }>('/api/alerts', 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      draft: true,
      expires,
      target: { zones: ['z-kawabe'] },
      extra: { ja: '川の水位が上がっています。', en: 'The river is rising.' },
    });
    const id = d.body.id;
    const issuer = await loginPage(h, 'issuer');
    await issuer.goto(`${h.url}/#/alerts/${id}`);
    await issuer.waitForSelector('[data-action=send]');
    await issuer.click('[data-action=send]');
    await issuer.waitForSelector('dialog.send-confirm[open] [data-field=approval]');
    expect(await text(issuer, 'dialog.send-confirm .mode-badge')).toBe('本番');
    expect(await text(issuer, 'dialog.send-confirm [data-field=approval]')).toContain('承認');
    await shot(issuer, 'console', 'send-confirm-actual');
    await issuer.click('[data-action=confirm-send]');
    await issuer.waitForSelector('article.alert-detail[data-state="pending-approval"]');

    const pending = (
      await api<{ pending: { counts: { residents: number; devices: number } } }>(`/api/alerts/${id}`, 'approver')
    ).body.pending;
    const kawabe = await zoneName('z-kawabe');
    const approver = await loginPage(h, 'approver');
    // the pending card on the dashboard
    const card = `.alert-card.pending[data-alert="${id}"]`;
    await approver.waitForSelector(card);
    const cardText = await text(approver, card);
    expect(cardText).toContain(kawabe);
    expect(await text(approver, `${card} .mode-badge`)).toBe('本番');
    expect(cardText).toContain(`住民 ${pending.counts.residents}人`);
    expect(cardText).toContain('川の水位が上がっています。');
    await shot(approver, 'console', 'approver-card');

    // the approval page
    await approver.click(`${card} a`);
    await approver.waitForSelector('section.approval');
    const panel = await text(approver, 'section.approval');
    expect(await text(approver, 'section.approval .mode-badge')).toBe('本番');
    expect(panel).toContain(kawabe);
    expect(panel).toContain('レベル4');
    expect(panel).toContain('洪水');
    expect(panel).toContain('川の水位が上がっています。');
    expect(panel).toContain('The river is rising.');
    expect(panel).toContain(`住民 ${pending.counts.residents}人`);
    expect(panel).toContain(`TV ${pending.counts.devices}台`);
    // the per-recipient TV preview, in the approval panel
    await approver.waitForSelector('section.approval .tv-frame iframe');
    const frame = await (await approver.$('section.approval .tv-frame iframe'))!.contentFrame();
    await frame.waitForSelector('canvas', { timeout: 30_000 });
    await approver.$eval('section.approval', (e) => e.scrollIntoView());
    await shot(approver, 'console', 'approver-page');
  });

  it('a correction (update) opens its own confirmation; no TV gets it before 送信する', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const d = await api<{ id: string }>('/api/alerts', 'issuer', {
      level: 3,
      hazard: 'flood',
      status: 'Exercise',
      draft: true,
      expires,
      target: { zones: ['z-kawabe'] },
    });
    const id = d.body.id;
    const k0 = (await api<{ revision: number; digest: string }>(`/api/alerts/${id}/confirmation`, 'issuer')).body;
    const sent = await api(`/api/alerts/${id}/send`, 'issuer', { revision: k0.revision, digest: k0.digest });
    expect(sent.status).toBe(200);
    const tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
    const issuer = await loginPage(h, 'issuer');
    await issuer.goto(`${h.url}/#/alerts/${id}`);
    await issuer.waitForSelector('[data-action=correct]');
    await issuer.click('[data-action=correct]');
    await issuer.waitForSelector('form.correct select[name=level]');
    await issuer.select('form.correct select[name=level]', '4');
    await issuer.click('form.correct button[type=submit]');
    // stored as a draft revision, shown in its confirmation: 続報（更新）, level 4
    await issuer.waitForSelector('dialog.send-confirm[open] [data-field=counts]');
    expect(await text(issuer, '#send-confirm-title')).toContain('更新');
    expect(await text(issuer, 'dialog.send-confirm')).toContain('レベル4');
    await shot(issuer, 'console', 'send-confirm-update');
    await new Promise((r) => setTimeout(r, 1000));
    const before = (await api<{ revision: number; draft: { revision: number } | null }>(`/api/alerts/${id}`, 'issuer'))
      .body;
    expect(before).toMatchObject({ revision: 1, draft: { revision: 2 } });
    expect(tvs.flatMap((t) => t.alerts).filter((a) => a.alertId === id && a.revision > 1)).toEqual([]);
    // left without sending, the page keeps a button to review and send it
    await issuer.click('[data-action=cancel-send]');
    await issuer.waitForSelector('[data-action=send-draft]');
    await issuer.click('[data-action=send-draft]');
    await issuer.waitForSelector('dialog.send-confirm[open] [data-action=confirm-send]:not([disabled])');
    await issuer.click('[data-action=confirm-send]');
    await issuer.waitForFunction(() => !document.querySelector('dialog.send-confirm'), { timeout: 20_000 });
    for (const tv of tvs)
      await tv.waitAlert(id).then(async () => {
        const end = Date.now() + 20_000;
        while (!tv.alerts.some((a) => a.alertId === id && a.revision === 2) && Date.now() < end)
          await new Promise((r) => setTimeout(r, 100));
      });
    expect(tvs.every((t) => t.alerts.some((a) => a.alertId === id && a.revision === 2))).toBe(true);
    await Promise.all(tvs.map((t) => t.close()));
  });
});
