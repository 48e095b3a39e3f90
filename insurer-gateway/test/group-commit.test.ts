/**
 * Reports arriving together are stored together (report-store.ts: one read, one multi-row write
 * per batch). What must hold whatever the batching: each request gets its own answer, a bad
 * report in a batch is refused by its own name without failing the others, and two answers to
 * one notice or the same signed report twice never both get in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { buildReportDocument } from '@kizuna/contract';
import { createPki, enrolledWithNotice, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`group commit of concurrent reports (${engine.name})`, () => {
    let h: Harness;
    let seq = 0;
    beforeAll(async () => {
      h = await openHarness(engine, pki);
    });
    afterAll(async () => {
      await h.close();
    });

    async function opened(n: number) {
      const ins = await h.insurer();
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = await issueResident(pki.authority);
        const policy = `GC-${++seq}`;
        out.push({ r, policy, ...(await enrolledWithNotice(h, r, ins, policy)) });
      }
      return { ins, out };
    }
    const count = async (sql: string, params: unknown[]) =>
      Number((await h.db.query<{ n: string }>(sql, params)).rows[0]!.n);

    it('answers each of many concurrent reports with its own receipt; one bad report is refused by name and the rest stored', async () => {
      const { ins, out } = await opened(6);
      const bodies = await Promise.all(
        out.map((f, i) =>
          i === 2
            ? h.sign(
                f.r,
                buildReportDocument({
                  notice: f.noticeId,
                  policy: f.policy,
                  nonce: 'x'.repeat(f.notice.reportNonce.length),
                  statement: { answer: 'living' },
                }),
              )
            : h.report(f.r, f.notice),
        ),
      );
      const res = await Promise.all(out.map((f, i) => h.tv(f.token, 'POST', '/reports', bodies[i])));
      expect(res.map((x) => x.status)).toEqual([201, 201, 422, 201, 201, 201]);
      expect(res[2]!.body).toMatchObject({ details: { reason: 'nonce-mismatch' } });
      for (const [i, x] of res.entries())
        if (i !== 2)
          expect(x.body.receipt.receipt).toMatchObject({ notice: out[i]!.noticeId, report: x.body.reportId });
      expect(new Set(res.filter((x) => x.status === 201).map((x) => x.body.reportId)).size).toBe(5);
      expect(await count('SELECT count(*) AS n FROM gw_reports WHERE insurer_id = $1', [ins.insurerId])).toBe(5);
      expect(
        await count(`SELECT count(*) AS n FROM gw_events WHERE insurer_id = $1 AND type = 'report.received'`, [
          ins.insurerId,
        ]),
      ).toBe(5);
      expect(
        await count(`SELECT count(*) AS n FROM gw_notices WHERE insurer_id = $1 AND status = 'answered'`, [
          ins.insurerId,
        ]),
      ).toBe(5);
      expect(
        await count(
          `SELECT count(*) AS n FROM gw_report_attempts WHERE insurer_id = $1 AND reason = 'nonce-mismatch'`,
          [ins.insurerId],
        ),
      ).toBe(1);
    });

    it('the same signed report sent three times at once is stored once; the others are replays', async () => {
      const {
        ins,
        out: [f],
      } = await opened(1);
      const body = await h.report(f!.r, f!.notice);
      const res = await Promise.all([1, 2, 3].map(() => h.tv(f!.token, 'POST', '/reports', body)));
      expect(res.map((x) => x.status).sort()).toEqual([201, 409, 409]);
      for (const x of res.filter((y) => y.status === 409))
        expect(x.body).toMatchObject({ code: 'KZ_GW_REPLAYED', details: { reason: 'replayed' } });
      expect(await count('SELECT count(*) AS n FROM gw_reports WHERE insurer_id = $1', [ins.insurerId])).toBe(1);
    });

    it('two different answers to one notice sent at once: exactly one is accepted, the other is notice-already-answered', async () => {
      const {
        ins,
        out: [f],
      } = await opened(1);
      const a = await h.report(f!.r, f!.notice, { answer: 'living' });
      const b = await h.report(f!.r, f!.notice, { answer: 'living-details-changed' });
      const res = await Promise.all([a, b].map((body) => h.tv(f!.token, 'POST', '/reports', body)));
      expect(res.map((x) => x.status).sort()).toEqual([201, 422]);
      expect(res.find((x) => x.status === 422)!.body).toMatchObject({ details: { reason: 'notice-already-answered' } });
      expect(await count('SELECT count(*) AS n FROM gw_reports WHERE insurer_id = $1', [ins.insurerId])).toBe(1);
    });
  });
}
