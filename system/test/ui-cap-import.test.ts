/**
 * What staff see of an imported CAP document in Chromium (issue 20): a document with no evacuation
 * level becomes a draft that asks for it (レベル未定, send disabled until staff choose), the <info> in
 * a language TVs do not render is shown as not shown on TVs, and an area that reaches no one must
 * be confirmed in the send dialog before it can be sent. Screenshots under
 * test-output/screenshots/console/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { shot } from '@kizuna/test-utils';
import { loginPage, startUi, token, waitText, type UiHarness } from './helpers/ui-harness.ts';

let h: UiHarness;
let issuer: Page;
let bearer: string;

const capTime = (ms: number) => `${new Date(ms + 9 * 3600_000).toISOString().slice(0, 19)}+09:00`;
const info = (language: string, event: string, instruction: string, area: string) => `<info>
    <language>${language}</language><category>Met</category><event>${event}</event>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
    <eventCode><valueName>kizuna:hazard</valueName><value>flood</value></eventCode>
    <expires>${capTime(Date.now() + 3 * 3600_000)}</expires>
    <headline>${event}</headline><instruction>${instruction}</instruction>
    <area><areaDesc>Kawabe</areaDesc>${area}</area>
  </info>`;
/** A CAP 1.2 Alert with no evacuation level, in Japanese and Spanish. */
const doc = (identifier: string, area: string) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier}</identifier><sender>kasen@pref.example.jp</sender><sent>${capTime(Date.now())}</sent>
  <status>Exercise</status><msgType>Alert</msgType><scope>Public</scope>
  ${info('ja-JP', '洪水', '川沿いの道は通らないでください。', area)}
  ${info('es-US', 'Inundación', 'Evite la carretera del río.', area)}
</alert>`;
const ZONE = '<geocode><valueName>kizuna:zone</valueName><value>z-kawabe</value></geocode>';
const SEA = '<polygon>30.0,135.0 30.0,135.01 30.01,135.01 30.01,135.0 30.0,135.0</polygon>';

async function importCap(xml: string): Promise<{ id: string; state: string }> {
  const r = await fetch(`${h.url}/api/alerts/cap`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/cap+xml' },
    body: xml,
  });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()) as { id: string; state: string };
}

beforeAll(async () => {
  h = await startUi();
  bearer = await token(h, 'issuer');
  issuer = await loginPage(h, 'issuer');
}, 600_000);
afterAll(async () => {
  await h?.close();
});

describe('staff console: an imported CAP document', () => {
  it('asks for the level a document did not give, and shows the languages TVs do not', async () => {
    const a = await importCap(doc('JP-PREF-UI-0001', ZONE));
    expect(a.state).toBe('draft');
    await issuer.goto(`${h.url}/#/alerts/${a.id}`);
    await issuer.waitForSelector('form[data-level-question]');
    await waitText(issuer, '.alert-head', 'レベル未定');
    expect(await issuer.$eval('[data-action=send]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    // no TV preview while the level is not known: it would show a level nobody chose
    expect(await issuer.$('.tv-preview')).toBeNull();
    await waitText(issuer, '[data-not-shown] li[data-language="es-US"]', 'テレビには表示されません');
    await waitText(issuer, '[data-not-shown] li[data-language="es-US"]', 'Evite la carretera del río.');
    await shot(issuer, 'console', 'cap-level-question');

    await issuer.select('form[data-level-question] select[name=level]', '4');
    await issuer.click('form[data-level-question] button[type=submit]');
    await issuer.waitForFunction(() => !document.querySelector('[data-level-question]'), { timeout: 20_000 });
    await issuer.waitForSelector('[data-action=send]:not([disabled])');
    expect(await issuer.$('[data-level-unknown]')).toBeNull();
    await issuer.waitForSelector('.tv-preview iframe');
    // the Spanish text is still there, still not shown on TVs
    await waitText(issuer, '[data-not-shown] li[data-language="es-US"]', 'テレビには表示されません');
    await shot(issuer, 'console', 'cap-level-answered');
  });

  it('an area that reaches no one is sent only once staff confirm it in the send dialog', async () => {
    const a = await importCap(
      doc('JP-PREF-UI-0002', SEA)
        .replace(/<parameter>[\s\S]*?<\/parameter>/g, '')
        .replace(
          /<\/instruction>/g,
          '</instruction><parameter><valueName>EvacuationLevel</valueName><value>3</value></parameter>',
        ),
    );
    expect(a.state).toBe('draft');
    await issuer.goto(`${h.url}/#/alerts/${a.id}`);
    await issuer.waitForSelector('[data-reaches-no-one]');
    await issuer.click('[data-action=send]');
    await issuer.waitForSelector('dialog.send-confirm[open] input[data-ack="reaches-no-one"]');
    expect(await issuer.$eval('[data-action=confirm-send]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await shot(issuer, 'console', 'cap-reaches-no-one-confirm');
    await issuer.click('input[data-ack="reaches-no-one"]');
    await issuer.waitForSelector('[data-action=confirm-send]:not([disabled])');
    await issuer.click('[data-action=confirm-send]');
    await issuer.waitForSelector('article.alert-detail[data-state="active"]');
  });
});
