/**
 * Issue 19, item 5 ("the map is four rectangles") in Chromium: during a drill, 状況 shows a
 * MapLibre map whose rendered features are the register's zones (coloured by answer and arrival),
 * a shelter marker with its occupancy, and the rescue list's person as a point for an issuer and
 * for no approver (who is not shown people; the API refuses them the points). The approval page
 * outlines the alert's area on the map, and a draft's page its drawn polygon. Checked through maplibre's own API (queryRenderedFeatures)
 * from page.evaluate, not only that a canvas exists. Screenshots under
 * test-output/screenshots/console (map-drill-issuer, map-drill-approver, map-approval).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer';
import { shot } from '@kizuna/test-utils';
import { issueAlertAs, loginPage, SimTv, staffApi, startUi, type UiHarness } from './helpers/ui-harness.ts';

let h: UiHarness;
let drill: string;
let needHelpResident: string;
let shelterId: string;
let tvs: SimTv[] = [];
const expires = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  h = await startUi();
  const zones = [...new Set(h.system.tvs.map((t) => t.zone))];
  tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
  // a drill to every zone, published at once (the approval rule: real alerts only)
  const sent = await issueAlertAs<{ id: string; state: string }>(h, 'issuer', {
    level: 4,
    hazard: 'flood',
    status: 'Exercise',
    expires: expires(),
    target: { zones },
  });
  expect(sent.body.state).toBe('active');
  drill = sent.body.id;
  // one person of the riverside zone answers 「助けが必要」 on their TV
  const got = await tvs[0]!.waitAlert(drill);
  await tvs[0]!.receipt(drill, got.revision, 'delivered');
  await tvs[0]!.receipt(drill, got.revision, 'displayed');
  await tvs[0]!.receipt(drill, got.revision, 'acknowledged', got.recipients[0]!.ref, 'need-help');
  // someone arrives at the demo shelter terminal (typed in at the door)
  const r = await fetch(`${h.system.urls.shelter}/api/check-ins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ manual: { name: '地図 試験' } }),
  });
  expect(r.status).toBe(201);
  const until = Date.now() + 30_000;
  for (;;) {
    const shelters = await staffApi<{ id: string; occupancy?: number }[]>(h, '/api/shelters', 'issuer');
    const rescue = await staffApi<{ people?: { residentId: string; answer: string | null }[] }>(
      h,
      `/api/alerts/${drill}/rescue`,
      'issuer',
    );
    const at = shelters.body.find((s) => (s.occupancy ?? 0) > 0);
    const person = rescue.body.people?.find((p) => p.answer === 'need-help');
    if (at && person) {
      shelterId = at.id;
      needHelpResident = person.residentId;
      break;
    }
    if (Date.now() > until) throw new Error('no arrival or need-help answer reached the console');
    await new Promise((res) => setTimeout(res, 200));
  }
}, 300_000);
afterAll(async () => {
  for (const t of tvs) await t.close();
  await h?.close();
});

interface Rendered {
  zones: { zoneId: string; fill: string; progress: number }[];
  people: { residentId: string; answer: string }[];
  area: string[];
}
/** What maplibre drew, by layer (the map object hangs on its container as kzMap). */
function rendered(page: Page, name: string): Promise<Rendered> {
  return page.$eval(`[data-map="${name}"]`, (el) => {
    type F = { properties: Record<string, unknown> };
    const m = (el as HTMLElement & { kzMap?: { queryRenderedFeatures(o: { layers: string[] }): F[] } }).kzMap;
    if (!m) throw new Error('no map on the container');
    const q = (l: string) => m.queryRenderedFeatures({ layers: [l] }).map((f) => f.properties);
    const uniq = <T>(xs: T[], k: (x: T) => string) => [...new Map(xs.map((x) => [k(x), x])).values()];
    return {
      zones: uniq(q('kz-zones-fill'), (p) => String(p.zoneId)).map((p) => ({
        zoneId: String(p.zoneId),
        fill: String(p.fill),
        progress: Number(p.progress),
      })),
      people: uniq(q('kz-people'), (p) => String(p.residentId)).map((p) => ({
        residentId: String(p.residentId),
        answer: String(p.answer),
      })),
      area: [...new Set(q('kz-area-fill').map((p) => String(p.kind)))],
    };
  });
}

async function statusMapReady(page: Page) {
  await page.waitForSelector('.map-panel [data-map="status"][data-map-state="ready"]', { timeout: 30_000 });
  // the drill's figures are on the map (the riverside zone has answered)
  await page.waitForFunction(
    () => /\d+%/.test(document.querySelector('.map-panel .map-label[data-zone="z-kawabe"] .zp')?.textContent ?? ''),
    { timeout: 20_000 },
  );
}

describe('staff console: a real map (issue 19, item 5)', () => {
  it('状況 during a drill: zone polygons by progress, a shelter with its occupancy, the need-help person for an issuer', async () => {
    const page = await loginPage(h, 'issuer');
    await statusMapReady(page);
    const zones = await staffApi<{ id: string; polygon: number[][] }[]>(h, '/api/zones', 'issuer');
    // the person who needs help shows as a point
    await page.waitForFunction(
      (rid) => {
        const el = document.querySelector('[data-map="status"]') as HTMLElement & {
          kzMap?: { queryRenderedFeatures(o: { layers: string[] }): { properties: Record<string, unknown> }[] };
        };
        return !!el?.kzMap
          ?.queryRenderedFeatures({ layers: ['kz-people'] })
          .some((f) => f.properties.residentId === rid);
      },
      { timeout: 20_000 },
      needHelpResident,
    );
    const r = await rendered(page, 'status');
    // every zone of the register is drawn from its polygon, and none as a loading or not-targeted grey
    expect(r.zones.map((z) => z.zoneId).sort()).toEqual(zones.body.map((z) => z.id).sort());
    expect(zones.body.every((z) => z.polygon.length > 5)).toBe(true);
    const kawabe = r.zones.find((z) => z.zoneId === 'z-kawabe')!;
    expect(kawabe.progress).toBeGreaterThan(0);
    expect(['#e4e6ea', '#e4e4e4']).not.toContain(kawabe.fill);
    expect(r.people).toContainEqual({ residentId: needHelpResident, answer: 'need-help' });
    // the shelter's marker says its occupancy, the same as the API's
    const shelters = await staffApi<{ id: string; occupancy?: number; capacity: number }[]>(
      h,
      '/api/shelters',
      'issuer',
    );
    const s = shelters.body.find((x) => x.id === shelterId)!;
    await page.waitForSelector(`.map-shelter[data-shelter="${shelterId}"][data-occupancy="${s.occupancy}"]`);
    expect(await page.$eval(`.map-shelter[data-shelter="${shelterId}"] .ms-occ`, (e) => e.textContent)).toBe(
      `${s.occupancy}/${s.capacity}`,
    );
    expect(s.occupancy).toBeGreaterThan(0);
    expect(await page.$$eval('.map-shelter', (els) => els.length)).toBe(shelters.body.length);
    // no shelter's chip covers a zone's name and figures (the demo's 山手地区 was hidden under two)
    const covered = await page.$$eval('.map-label', (labels) => {
      const chips = [...document.querySelectorAll('.map-shelter')].map((c) => c.getBoundingClientRect());
      return labels.flatMap((l) => {
        const a = l.getBoundingClientRect();
        const hit = chips.some((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom);
        return hit ? [(l as HTMLElement).dataset.zone] : [];
      });
    });
    await shot(page, 'console', 'map-drill-issuer');
    expect(covered).toEqual([]);
    await page.browserContext().close();
  });

  it('an approver (not shown people) sees the zones and shelters but no person; the API refuses the points', async () => {
    const page = await loginPage(h, 'approver');
    await statusMapReady(page);
    await page.waitForSelector(`.map-shelter[data-shelter="${shelterId}"]`);
    // give a points request every chance to land before looking
    await new Promise((res) => setTimeout(res, 1500));
    const r = await rendered(page, 'status');
    expect(r.zones).toHaveLength(4);
    expect(r.people).toEqual([]);
    expect(await page.$eval('.map-panel .map-legend', (e) => e.textContent)).toContain('発令担当・管理者のみ');
    const refused = await staffApi<{ code: string }>(h, `/api/alerts/${drill}/rescue/points`, 'approver');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('KZ_CONSOLE_ROLE_REQUIRED');
    const allowed = await staffApi<{ points: { residentId: string }[] }>(
      h,
      `/api/alerts/${drill}/rescue/points`,
      'issuer',
    );
    expect(allowed.body.points.map((p) => p.residentId)).toContain(needHelpResident);
    // each read of the points is audited by resident id, as the rescue list's are
    const audit = await staffApi<{ actor: string; subject: string; details: { residentIds: string[] } }[]>(
      h,
      '/api/audit?action=read.rescue-map',
      'admin',
    );
    expect(
      audit.body.some(
        (e) => e.actor === 'issuer' && e.subject === drill && e.details.residentIds.includes(needHelpResident),
      ),
    ).toBe(true);
    expect(audit.body.some((e) => e.actor === 'approver')).toBe(false);
    await shot(page, 'console', 'map-drill-approver');
    await page.browserContext().close();
  });

  it('the approval page outlines the alert’s area on the map', async () => {
    const real = await issueAlertAs<{ id: string; state: string }>(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires: expires(),
      target: { zones: ['z-kawabe'] },
    });
    expect(real.body.state).toBe('pending-approval');
    const page = await loginPage(h, 'approver');
    await page.goto(`${h.url}/#/alerts/${real.body.id}`);
    await page.waitForSelector('[data-action=approve]');
    await page.waitForSelector('.approval [data-map="area"][data-map-state="ready"]', { timeout: 30_000 });
    const r = await rendered(page, 'area');
    expect(r.area).toContain('zone');
    const inArea = r.zones.filter((z) => z.fill === '#f6c3c3').map((z) => z.zoneId);
    expect(inArea).toEqual(['z-kawabe']);
    await page.$eval('.approval [data-map="area"]', (e) => e.scrollIntoView({ block: 'center' }));
    await shot(page, 'console', 'map-approval');
    await page.browserContext().close();
  });

  it('a draft with a drawn polygon shows that shape on its page before it is sent', async () => {
    const polygon = [
      [140.004, 36.004],
      [140.03, 36.002],
      [140.034, 36.012],
      [140.012, 36.016],
      [140.004, 36.004],
    ];
    const draft = await staffApi<{ id: string }>(h, '/api/alerts', 'issuer', {
      level: 3,
      hazard: 'flood',
      status: 'Exercise',
      expires: expires(),
      target: { polygon },
      draft: true,
    });
    expect(draft.status).toBe(201);
    const page = await loginPage(h, 'issuer');
    await page.goto(`${h.url}/#/alerts/${draft.body.id}`);
    await page.waitForSelector('.area-panel [data-map="area"][data-map-state="ready"]', { timeout: 30_000 });
    const r = await rendered(page, 'area');
    expect(r.area).toContain('polygon');
    await page.$eval('.area-panel', (e) => e.scrollIntoView({ block: 'center' }));
    await shot(page, 'console', 'map-draft-polygon');
    await page.browserContext().close();
  });
});
