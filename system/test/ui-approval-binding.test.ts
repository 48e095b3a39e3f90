/**
 * Issue 24, item 1 in Chromium: the approval page binds the approval to what it shows. While the
 * approver's page is open the issuer changes the alert (level 5, every zone); approving then gives
 * the 409 message, nothing reaches a TV, and the page shows the new content for a fresh look.
 * Screenshots under test-output/screenshots/console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '@kizuna/test-utils';
import {
  loginPage,
  SimTv,
  startUi,
  waitText,
  type UiHarness,
  staffApi,
  issueAlertAs,
  updateAlertAs,
} from './helpers/ui-harness.ts';

let h: UiHarness;
beforeAll(async () => {
  h = await startUi();
}, 300_000);
afterAll(async () => {
  await h?.close();
});

interface Pending {
  revision: number;
  digest: string;
}

const api = <T>(path: string, who: string, body?: unknown) => staffApi<T>(h, path, who, body);
/** What waits for approval, as approve carries it: its revision and digest. */
async function pendingOf(id: string): Promise<Pending> {
  const { revision, digest } = (await api<{ pending: Pending }>(`/api/alerts/${id}`, 'approver')).body.pending;
  return { revision, digest };
}

describe('staff console: approval bound to what the approver was shown', () => {
  it('content changed while the approval page is open: approving answers 409, publishes nothing, shows the new content', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const issued = await issueAlertAs(h, 'issuer', {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires,
      target: { zones: ['z-kawabe'] },
    });
    expect(issued.status).toBe(200);
    const id = issued.body.id;
    // revision 1 approved (as the approval page would: its revision and digest)
    const first = await api(`/api/alerts/${id}/approve`, 'approver', await pendingOf(id));
    expect(first.status).toBe(200);
    const tvs = await Promise.all(h.system.tvs.filter((t) => t.zone === 'z-kawabe').map((t) => SimTv.connect(h, t)));
    const update = await updateAlertAs(h, 'issuer', id, {
      level: 4,
      extra: { ja: '第二報：川沿いの道は通行止め' },
    });
    expect(update.status).toBe(200);

    const approver = await loginPage(h, 'approver');
    await approver.goto(`${h.url}/#/alerts/${id}`);
    await approver.waitForSelector('section.approval[data-revision="2"]');
    await waitText(approver, 'section.approval [data-field=text]', '第二報');
    await shot(approver, 'console', 'approval-panel');

    // the issuer changes it again while the approver looks at revision 2
    const again = await updateAlertAs(h, 'issuer', id, {
      level: 5,
      target: { zones: h.system.tvs.map((t) => t.zone).filter((z, i, all) => all.indexOf(z) === i) },
    });
    expect(again.status).toBe(200);
    await approver.click('[data-action=approve]');
    await approver.waitForSelector('[role=alert][data-code="KZ_CONSOLE_APPROVAL_STALE"]');
    expect(await approver.$eval('[role=alert]', (e) => e.textContent)).toContain('承認していません');
    // the page now shows the new content: revision 3, level 5, still waiting
    await approver.waitForSelector('section.approval[data-revision="3"]');
    expect(await approver.$eval('article.alert-detail', (e) => e.getAttribute('data-state'))).toBe('active');
    expect(await approver.$eval('section.approval [data-field=level]', (e) => e.textContent)).toContain('5');
    await shot(approver, 'console', 'approval-stale');
    const a = (await api<{ revision: number; level: number }>(`/api/alerts/${id}`, 'approver')).body;
    expect(a).toMatchObject({ revision: 1, level: 4 });
    await new Promise((r) => setTimeout(r, 1000));
    for (const tv of tvs) expect(tv.alerts.filter((x) => x.alertId === id && x.revision > 1)).toEqual([]);

    // approving what is shown now publishes it
    await approver.click('[data-action=approve]');
    await approver.waitForFunction(() => !document.querySelector('section.approval'), { timeout: 20_000 });
    const end = Date.now() + 20_000;
    while (!tvs[0]!.alerts.some((x) => x.alertId === id && x.revision === 3)) {
      if (Date.now() > end) throw new Error('revision 3 did not reach the TV');
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(tvs.map((t) => t.close()));
  });
});
