/**
 * The alert journeys of the alerts issue, end to end through the real parts as `npm start` runs
 * them (console, embedded broker with its access policy, TV applets in Chromium): approval rules,
 * update, cancel, expiry, a TV that was off catching up, and a "need help" answer reaching the
 * rescue list. Only the console's HTTP API and the remote's keys drive it; nothing here publishes
 * MQTT. Each journey uses its own zone so that one's alerts never cover another's TVs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { isVisible, KEY, press, shot, waitHidden, waitTakeoverReady, waitVisibleText } from '@kizuna/test-utils';
import { startSystemRig, type StaffName, type SystemRig } from './helpers/system-rig.ts';
import type { RunningSystem, TvLink } from '../src/system.ts';

const WAIT = 90_000;
let system: RunningSystem;
let browser: Browser;
let rig: SystemRig;
const api = <T>(path: string, init?: Parameters<SystemRig['api']>[1]) => rig.api<T>(path, init);
const login = (username: StaffName) => rig.login(username);

interface AlertView {
  id: string;
  state: string;
  revision: number;
  reach?: { devices: number };
}
interface ErrorBody {
  code: string;
  message: string;
}

/** A TV in `zone` whose residents all read Japanese, and the on-screen names of its residents. */
function japaneseTv(
  zone: string,
  o: { household?: boolean; needsHelp?: boolean } = {},
): { tv: TvLink; names: string[] } {
  for (const tv of system.tvs) {
    if (tv.zone !== zone || tv.residents.length === 0) continue;
    if (o.household !== undefined && tv.residents.length > 1 !== o.household) continue;
    const people = tv.residents.map((id) => system.seed.residents.find((r) => r.id === id)!);
    if (people.some((p) => p.language !== 'ja')) continue;
    if (o.needsHelp !== undefined && people.every((p) => p.needsHelp) !== o.needsHelp) continue;
    return { tv, names: people.map((p) => `${p.familyName} ${p.givenName}さん`) };
  }
  throw new Error(`no Japanese TV in ${zone} matching ${JSON.stringify(o)}`);
}

async function openTv(tv: TvLink): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${tv.url}&inspect=1`);
  await waitVisibleText(page, '接続中', 'Home', WAIT);
  return page;
}

/** What waits for approval, as the approval page shows it: approve and reject carry its revision and digest. */
async function seen(id: string, token: string): Promise<{ revision: number; digest: string }> {
  const { pending } = (await api<{ pending: { revision: number; digest: string } }>(`/api/alerts/${id}`, { token }))
    .body;
  return { revision: pending.revision, digest: pending.digest };
}

function inMinutes(m: number): string {
  return new Date(Date.now() + m * 60_000).toISOString();
}

/** Polls the console until `pick` finds what it waits for (the API is the console's own view). */
async function until<T>(read: () => Promise<T>, pick: (v: T) => boolean, what: string, ms = WAIT): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await read();
  while (!pick(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

beforeAll(async () => {
  rig = await startSystemRig();
  ({ system, browser } = rig);
}, 300_000);

afterAll(async () => {
  await rig?.close();
});

describe('alert journeys, end to end', () => {
  it('a real level-4 alert waits for a second staff member; nothing reaches the TV before approval', async () => {
    const { tv, names } = japaneseTv('z-ekimae');
    const page = await openTv(tv);
    const issuer = await login('issuer');
    const approver = await login('approver');
    const admin = await login('admin');

    const issued = await rig.issue<AlertView>(issuer, {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires: inMinutes(60),
      target: { zones: ['z-ekimae'] },
    });
    expect(issued.status).toBe(200);
    expect(issued.body.state).toBe('pending-approval');
    const id = issued.body.id;

    // The issuer holds no approver role; the admin, who holds both, may not approve their own alert.
    const byIssuer = await api<ErrorBody>(`/api/alerts/${id}/approve`, { token: issuer, body: await seen(id, issuer) });
    expect(byIssuer.status).toBe(403);
    const ownByAdmin = await rig.issue<AlertView>(admin, {
      level: 5,
      hazard: 'flood',
      status: 'Actual',
      expires: inMinutes(60),
      target: { zones: ['z-ekimae'] },
    });
    expect(ownByAdmin.body.state).toBe('pending-approval');
    const selfApproval = await api<ErrorBody>(`/api/alerts/${ownByAdmin.body.id}/approve`, {
      token: admin,
      body: await seen(ownByAdmin.body.id, admin),
    });
    expect(selfApproval.status).toBe(403);
    expect(selfApproval.body.code).toBe('KZ_CONSOLE_SELF_APPROVAL');
    expect(
      (
        await api<AlertView>(`/api/alerts/${ownByAdmin.body.id}/reject`, {
          token: approver,
          body: await seen(ownByAdmin.body.id, approver),
        })
      ).body.state,
    ).not.toBe('active');

    // Nothing pending is on the TV.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await isVisible(page, 'Takeover')).toBe(false);
    const beforeApproval = await api<{ devices: { delivered: number } }>(`/api/alerts/${id}/status`, { token: issuer });
    expect(beforeApproval.body.devices.delivered).toBe(0);

    const approved = await api<AlertView>(`/api/alerts/${id}/approve`, {
      token: approver,
      body: await seen(id, approver),
    });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('active');
    await waitVisibleText(page, names[0]!, 'Takeover', WAIT);
    await waitVisibleText(page, '警戒レベル4', 'Takeover');
    await shot(page, 'system', 'journey-approved-actual-ja');
    // A real alert is not marked as an exercise.
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text*="訓練"]')].some((e) =>
          (e as HTMLElement).checkVisibility(),
        ),
      ),
    ).toBe(false);

    // Lifting an approved real alert waits for a second person too (the approval rule): the TV keeps it until then.
    const lifting = await rig.end<AlertView>(issuer, id);
    expect(lifting.status).toBe(200);
    expect(lifting.body).toMatchObject({ state: 'active', pending: { msgType: 'Cancel' } });
    const cancelled = await api<AlertView>(`/api/alerts/${id}/approve`, {
      token: approver,
      body: await seen(id, approver),
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    await waitVisibleText(page, 'この避難情報は取り消されました', 'Takeover', WAIT);
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await page.close();
  }, 300_000);

  it('an update replaces what the TV shows; a cancellation says so and returns home', async () => {
    const { tv, names } = japaneseTv('z-yamate');
    const page = await openTv(tv);
    const issuer = await login('issuer');
    const issued = await rig.issue<AlertView>(issuer, {
      level: 3,
      hazard: 'landslide',
      status: 'Exercise',
      expires: inMinutes(60),
      target: { zones: ['z-yamate'] },
    });
    expect(issued.status).toBe(200);
    const id = issued.body.id;
    await waitVisibleText(page, names[0]!, 'Takeover', WAIT);
    await waitVisibleText(page, '警戒レベル3', 'Takeover');

    const updated = await rig.update<AlertView>(issuer, id, {
      level: 4,
      extra: { ja: '山手トンネルは通行止めです。' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.revision).toBe(2);
    await waitVisibleText(page, '山手トンネルは通行止めです', 'Takeover', WAIT);
    await waitVisibleText(page, '警戒レベル4', 'Takeover');
    expect(await isVisible(page, 'Takeover')).toBe(true);
    expect(
      await page.evaluate(() =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text*="警戒レベル3"]')].some((e) =>
          (e as HTMLElement).checkVisibility(),
        ),
      ),
    ).toBe(false);
    await shot(page, 'system', 'journey-updated-ja');

    // The TV confirms revision 2.
    await until(
      () =>
        api<{
          residents?: { deviceId?: string; revision?: number; deliveredAt?: string | null }[];
          devices: { delivered: number };
        }>(`/api/alerts/${id}/status`, { token: issuer }).then((r) => r.body),
      (s) => s.devices.delivered >= 1,
      'the update to be delivered',
    );

    const cancelled = await rig.end<AlertView>(issuer, id);
    expect(cancelled.body.state).toBe('cancelled');
    // a cancel is 取消: the TV says plainly that the alert was sent in error (issue 18)
    await waitVisibleText(page, 'この避難情報は誤って送信されました', 'Takeover', WAIT);
    await waitVisibleText(page, 'この避難情報は取り消されました', 'Takeover', WAIT);
    await shot(page, 'system', 'journey-cancelled-ja');
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await waitVisibleText(page, '現在、避難情報は出ていません', 'Home', WAIT);
    await page.close();
  }, 300_000);

  it('"need help" on the remote puts the resident at the top of the rescue list with address and supporter', async () => {
    const { tv, names } = japaneseTv('z-kawabe', { household: true, needsHelp: true });
    const page = await openTv(tv);
    const issuer = await login('issuer');
    const issued = await rig.issue<AlertView>(issuer, {
      level: 3,
      hazard: 'flood',
      status: 'Exercise',
      expires: inMinutes(60),
      target: { zones: ['z-kawabe'] },
    });
    const id = issued.body.id;
    // The household's message names both residents; the TV asks them one after the other, in the
    // order the message gives (not necessarily the register's).
    await page.waitForFunction(
      (ns: string[]) =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text]')].some(
          (e) => (e as HTMLElement).checkVisibility() && ns.includes(e.getAttribute('texture-text') ?? ''),
        ),
      { timeout: WAIT },
      names,
    );
    const askedFirst = await page.evaluate(
      (ns: string[]) =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text]')]
          .filter((e) => (e as HTMLElement).checkVisibility())
          .map((e) => e.getAttribute('texture-text'))
          .find((t) => ns.includes(t ?? '')),
      names,
    );
    const first = names.indexOf(askedFirst!);
    expect(first).toBeGreaterThanOrEqual(0);
    await waitVisibleText(page, '1人目／2人', 'Takeover');
    await waitTakeoverReady(page);
    await press(page, KEY.Red);
    await waitVisibleText(page, names[1 - first]!, 'Takeover', WAIT); // the household's other resident is asked next
    await waitVisibleText(page, '2人目／2人', 'Takeover');
    await shot(page, 'system', 'journey-need-help-second-resident-ja');

    interface Rescue {
      people: { residentId: string; answer: string | null; address: string; supporter: string | null }[];
    }
    const rescue = await until(
      () => api<Rescue>(`/api/alerts/${id}/rescue?afterSeconds=0`, { token: issuer }).then((r) => r.body),
      (r) => r.people[0]?.answer === 'need-help',
      '"need help" at the top of the rescue list',
    );
    const top = rescue.people[0]!;
    expect(top.residentId).toBe(tv.residents[first]);
    expect(top.address).toMatch(/^絆市/);
    expect(top.supporter).toBeTruthy();
    // The other resident has not answered and, needing help, is on the list too, below.
    const second = rescue.people.findIndex((p) => p.residentId === tv.residents[1 - first]);
    expect(second).toBeGreaterThan(0);
    expect(rescue.people[second]!.answer).toBeNull();

    await rig.end(issuer, id);
    await page.close();
  }, 300_000);

  it('a TV that was off gets the alert when it comes back, but not one that expired meanwhile', async () => {
    const { tv, names } = japaneseTv('z-minato', { household: false });
    const page = await openTv(tv);
    await page.close(); // the TV is switched off
    const issuer = await login('issuer');

    const shortLived = await rig.issue<AlertView>(issuer, {
      level: 3,
      hazard: 'storm-surge',
      status: 'Exercise',
      expires: new Date(Date.now() + 6000).toISOString(),
      target: { zones: ['z-minato'] },
    });
    expect(shortLived.status).toBe(200);
    await until(
      () => api<AlertView>(`/api/alerts/${shortLived.body.id}`, { token: issuer }).then((r) => r.body),
      (a) => a.state === 'expired',
      'the short alert to expire',
      60_000,
    );

    const lasting = await rig.issue<AlertView>(issuer, {
      level: 4,
      hazard: 'storm-surge',
      status: 'Exercise',
      expires: inMinutes(60),
      target: { zones: ['z-minato'] },
    });
    expect(lasting.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));

    const back = await openTv(tv); // switched on again
    await waitVisibleText(back, names[0]!, 'Takeover', WAIT);
    await waitVisibleText(back, '警戒レベル4', 'Takeover');
    await shot(back, 'system', 'journey-caught-up-ja');
    expect(
      await back.evaluate(() =>
        [...document.querySelectorAll('[ref="Takeover"] [texture-text*="警戒レベル3"]')].some((e) =>
          (e as HTMLElement).checkVisibility(),
        ),
      ),
    ).toBe(false);
    const status = await until(
      () =>
        api<{ devices: { delivered: number } }>(`/api/alerts/${lasting.body.id}/status`, { token: issuer }).then(
          (r) => r.body,
        ),
      (s) => s.devices.delivered >= 1,
      'the caught-up TV to confirm delivery',
    );
    expect(status.devices.delivered).toBeGreaterThanOrEqual(1);
    await rig.end(issuer, lasting.body.id);
    await back.close();
  }, 300_000);

  it('an alert leaves the screen when it expires', async () => {
    const { tv, names } = japaneseTv('z-ekimae');
    const page = await openTv(tv);
    const issuer = await login('issuer');
    const issued = await rig.issue<AlertView>(issuer, {
      level: 3,
      hazard: 'flood',
      status: 'Exercise',
      expires: new Date(Date.now() + 45_000).toISOString(),
      target: { zones: ['z-ekimae'] },
    });
    expect(issued.status).toBe(200);
    await waitVisibleText(page, names[0]!, 'Takeover', WAIT);
    await waitVisibleText(page, 'この避難情報は期限が切れました', 'Takeover', WAIT);
    await shot(page, 'system', 'journey-expired-ja');
    await until(
      () => api<AlertView>(`/api/alerts/${issued.body.id}`, { token: issuer }).then((r) => r.body),
      (a) => a.state === 'expired',
      'the console to mark the alert expired',
      60_000,
    );
    await waitTakeoverReady(page);
    await press(page, KEY.Enter);
    await waitHidden(page, 'Takeover');
    await page.close();
  }, 300_000);
});
