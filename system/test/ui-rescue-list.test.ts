/**
 * Issue 19, item 4, in Chromium: the rescue list says where each person is (地区), whether the alert
 * reached their TV (sent → received → on screen → answered, with times), the latest answer with the
 * one it corrected, supporter and phone; and the 「助けが必要」 tile and the list agree — after a
 * need-help answer, and after that person checks in at the shelter door (the real terminal, their
 * card tapped), when both drop to nobody at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { shot } from '@kizuna/test-utils';
import { JpkiClient } from '@kizuna/jpki';
import { issueAlertAs, loginPage, SimTv, staffApi, startUi, type UiHarness } from './helpers/ui-harness.ts';

let h: UiHarness;
let issuer: Page;

beforeAll(async () => {
  h = await startUi();
  issuer = await loginPage(h, 'issuer');
}, 600_000);
afterAll(async () => {
  await h?.close();
});

/** The 「助けが必要」 tile of the alert page, as staff read it. */
const tile = (page: Page) => page.$eval('[data-counter="need-help"] dd', (e) => Number(e.textContent)).catch(() => -1);

describe('staff console: the rescue list', () => {
  it('shows 地区, delivery with times, the answer and its correction; tile and list agree before and after a check-in', async () => {
    const expires = new Date(Date.now() + 3 * 3600_000).toISOString();
    const tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
    const issued = await issueAlertAs(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Exercise',
      expires,
      target: { zones: ['z-kawabe'] },
    });
    expect(issued.status).toBe(200);
    const id = issued.body.id;
    const got = await Promise.all(tvs.map((t) => t.waitAlert(id)));
    const i = got.findIndex((a) => a.recipients.some((r) => r.needsHelp));
    expect(i).toBeGreaterThanOrEqual(0);
    const who = got[i]!.recipients.find((r) => r.needsHelp)!;
    const rev = got[i]!.revision;
    // the TV: received, on screen, "evacuating", then corrected to "need help"
    await tvs[i]!.receipt(id, rev, 'delivered');
    await tvs[i]!.receipt(id, rev, 'displayed');
    await tvs[i]!.receipt(id, rev, 'acknowledged', who.ref, 'evacuating');
    await new Promise((r) => setTimeout(r, 1100));
    await tvs[i]!.receipt(id, rev, 'acknowledged', who.ref, 'need-help');

    await issuer.goto(`${h.url}/#/alerts/${id}/rescue?after=0`);
    await issuer.waitForSelector('table.rescue-table tr.need-help');
    const heads = await issuer.$$eval('table.rescue-table thead th', (ths) => ths.map((e) => e.textContent?.trim()));
    expect(heads).toEqual(expect.arrayContaining(['地区', '届いた状況', '応答', '支援者', '電話']));
    const row = await issuer.$eval('table.rescue-table tr.need-help', (tr) => ({
      resident: tr.getAttribute('data-resident'),
      delivery: tr.getAttribute('data-delivery'),
      zone: tr.querySelector('.zone')?.textContent?.trim(),
      state: tr.querySelector('.delivery-state')?.textContent?.trim(),
      steps: [...tr.querySelectorAll('.delivery-steps li')].map((li) => li.getAttribute('data-step')),
      answer: tr.querySelector('.answer')?.textContent?.trim(),
      before: [...tr.querySelectorAll('.answer-history s')].map((s) => s.textContent?.trim()),
      supporter: tr.querySelector('.supporter')?.textContent?.trim(),
      phone: tr.querySelector('.phone')?.textContent?.trim(),
    }));
    expect(row).toMatchObject({
      delivery: 'answered',
      zone: '川辺地区',
      state: '応答あり',
      steps: ['stepSent', 'stepReceived', 'stepShown', 'stepAnswered'],
      answer: '助けが必要',
    });
    expect(row.before).toHaveLength(1);
    expect(row.before[0]).not.toBe('助けが必要');
    expect(row.supporter).not.toBe('');
    await shot(issuer, 'console', 'rescue-list-columns');

    // the tile on the alert page says the same as the list: one
    const page = await loginPage(h, 'issuer');
    await page.goto(`${h.url}/#/alerts/${id}`);
    await page.waitForFunction(() => !!document.querySelector('[data-counter="need-help"] dd'), { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('[data-counter="need-help"] dd')?.textContent === '1', {
      timeout: 20_000,
    });
    const listed = (
      await staffApi<{ counts: { needHelp: number } }>(h, `/api/alerts/${id}/rescue?afterSeconds=0`, 'issuer')
    ).body.counts.needHelp;
    expect(await tile(page)).toBe(listed);

    // the person arrives at the shelter door: their card is tapped at the terminal and checked in
    const card = h.system.seed.cards.find((c) => c.residentId === row.resident)!;
    const cert = await new JpkiClient({ transmit: async (apdu) => card.card.transmitSync(apdu) }).readAuthCertificate();
    const tap = await fetch(`${h.system.urls.shelter}/api/taps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: Buffer.from(cert).toString('base64') }),
    });
    const tapped = (await tap.json()) as { status: string; tap: string };
    expect(tap.status, JSON.stringify(tapped)).toBe(200);
    const checkIn = await fetch(`${h.system.urls.shelter}/api/check-ins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tap: tapped.tap }),
    });
    expect(checkIn.status, await checkIn.clone().text()).toBe(201);

    // at once: the tile shows nobody and the list has nobody, the same moment
    await page.waitForFunction(() => document.querySelector('[data-counter="need-help"] dd')?.textContent === '0', {
      timeout: 20_000,
    });
    await issuer.reload();
    // while the list loads it says so (never 「該当者はいません」 before it knows)
    await issuer.waitForSelector('article.rescue');
    expect(await issuer.$eval('article.rescue', (e) => e.textContent)).not.toContain('該当者はいません');
    await issuer.waitForSelector('table.rescue-table tbody tr, article.rescue p.empty');
    expect(await issuer.$(`tr[data-resident="${row.resident}"]`)).toBeNull();
    expect(await issuer.$('table.rescue-table tr.need-help')).toBeNull();
    const after = (
      await staffApi<{ counts: { needHelp: number } }>(h, `/api/alerts/${id}/rescue?afterSeconds=0`, 'issuer')
    ).body.counts.needHelp;
    expect(after).toBe(0);
    expect(await tile(page)).toBe(after);
    await shot(issuer, 'console', 'rescue-list-after-check-in');
    await page.close();
    await Promise.all(tvs.map((t) => t.close()));
  });
});
