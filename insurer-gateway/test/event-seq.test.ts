import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { createPki, issueResident, openHarness, type Harness, type Pki } from './helpers.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

for (const engine of dbEngines()) {
  describe(`event sequence per insurer (${engine.name})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await openHarness(engine, pki);
    });
    afterAll(() => h.close());

    it("each insurer counts its own events: another insurer's volume does not move its seq", async () => {
      const a = await h.insurer();
      const b = await h.insurer();
      const r = await issueResident(pki.authority);
      const { token } = await h.login(r);
      expect((await h.enrol(token, r, a.insurerId, 'A-1')).status).toBe(201);
      for (const p of ['B-1', 'B-2', 'B-3']) expect((await h.enrol(token, r, b.insurerId, p)).status).toBe(201);
      expect((await h.enrol(token, r, a.insurerId, 'A-2')).status).toBe(201);

      const seqs = async (creds: typeof a, after = 0) =>
        (await h.call(creds, 'GET', `/insurer/v1/events?after=${after}`)).body.events.map(
          (e: { seq: number; data: { policy: string } }) => [e.seq, e.data.policy],
        );
      expect(await seqs(a)).toEqual([
        [1, 'A-1'],
        [2, 'A-2'],
      ]);
      expect(await seqs(b)).toEqual([
        [1, 'B-1'],
        [2, 'B-2'],
        [3, 'B-3'],
      ]);
      // the cursor works on the insurer's own numbers
      expect(await seqs(a, 1)).toEqual([[2, 'A-2']]);
      expect(await seqs(b, 2)).toEqual([[3, 'B-3']]);
    });
  });
}
