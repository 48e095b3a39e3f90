import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { runRetention } from '../src/retention.ts';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

const DAY = 86_400_000;
let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`retention (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki);
    });
    afterAll(async () => {
      await h.close();
    });

    it('deletes closed notices after the notice period, keeps reports and unacknowledged events, deletes acknowledged ones after theirs', async () => {
      const ins = await h.insurer();
      const r = await issueResident(pki.authority);
      const f = await enrolledWithNotice(h, r, ins, 'POL-RET');
      const rep = await h.tv(f.token, 'POST', '/reports', await h.report(r, f.notice));
      const open = await h.call(ins, 'POST', '/insurer/v1/notices', {
        code: f.code,
        kind: 'info',
        subject: 'まだ開いていない',
        body: 'b',
      });
      const events = (await h.call(ins, 'GET', '/insurer/v1/events')).body.events;
      await h.call(ins, 'POST', `/insurer/v1/events/${events[0].id}/ack`);
      const policy = { noticeDays: 90, reportDays: 3653, eventDays: 30 };

      const early = await runRetention(h.db, policy, new Date(Date.now() + 29 * DAY));
      expect(early).toMatchObject({ notices: 0, reports: 0, events: 0 });
      const later = await runRetention(h.db, policy, new Date(Date.now() + 91 * DAY));
      expect(later).toMatchObject({ notices: 1, reports: 0, events: 1 });
      expect((await h.call(ins, 'GET', `/insurer/v1/notices/${f.noticeId}`)).body.code).toBe('KZ_GW_UNKNOWN_NOTICE');
      expect((await h.call(ins, 'GET', `/insurer/v1/notices/${open.body.id}`)).status).toBe(200); // open info notice without due date stays
      expect((await h.call(ins, 'GET', `/insurer/v1/reports/${rep.body.reportId}`)).status).toBe(200); // kept for audit
      const left = (await h.call(ins, 'GET', '/insurer/v1/events')).body.events.map((e: any) => e.id);
      expect(left).not.toContain(events[0].id);
      for (const e of events.slice(1)) expect(left).toContain(e.id); // unacknowledged: never dropped
      const decade = await runRetention(h.db, policy, new Date(Date.now() + 3654 * DAY));
      expect(decade.reports).toBe(1);
      expect((await h.call(ins, 'GET', `/insurer/v1/reports/${rep.body.reportId}`)).body.code).toBe(
        'KZ_GW_UNKNOWN_REPORT',
      );
    });
  });
}
