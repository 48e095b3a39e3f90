/**
 * The alert fan-out in chunks, through a real broker: the revision is committed first, the TVs
 * of people who need help are written and published first, each chunk is on its way before the
 * next is written; a fan-out whose process died (here: a hook that throws between a chunk's
 * commit and its publish, so nothing more is written or published by that process) is taken
 * over by another process's alert timer once its heartbeat is stale, and every TV ends up with
 * exactly one message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbEngines } from '@kizuna/test-utils';
import { topics } from '@kizuna/contract';
import { inflateSync } from 'node:zlib';
import { packChunk, unpackChunk } from '../src/alerts/fanout-journal.ts';
import { PayloadWriter, joinField, joinJson } from '../src/alerts/packed-fields.ts';
import { AlertService, bindResidentToDevice, registerDevice, seedResidents, type StaffMember } from '../src/index.ts';
import {
  bearer,
  consoleWith,
  ManualClock,
  MUNI,
  seedTown,
  silentLogger,
  SimTv,
  staffToken,
  startBroker,
  until,
  issueAlert,
  updateAlert,
  endAlert,
} from './helpers.ts';

const EXTRA = Array.from({ length: 10 }, (_, i) => i + 11); // R11..R20, each on their own TV in the hillside zone
const NEEDS_HELP_TVS = ['tv-h1', 'tv-y19', 'tv-y20']; // R1 (seedTown), R19, R20: ids that sort late on purpose
const ELDERLY_TV = 'tv-y18';
const ALL_TVS = ['tv-h1', 'tv-s1', 'tv-s2', ...EXTRA.map((n) => `tv-y${n}`)];
const issuerA: StaffMember = { username: 'issuer-a', roles: ['issuer'], displayName: null };

for (const engine of dbEngines()) {
  describe(`alert fan-out on ${engine.name}`, () => {
    let broker: Awaited<ReturnType<typeof startBroker>>;
    let db: Awaited<ReturnType<typeof engine.open>>;
    let c: Awaited<ReturnType<typeof consoleWith>>;
    let token: string;
    const tvs: Record<string, SimTv> = {};
    /** The exact text of every personal message each TV received. */
    const raw: Record<string, string[]> = {};
    const clock = new ManualClock();
    const EXPIRES = '2026-11-23T12:00:00Z';
    const spec = {
      level: 4 as const,
      hazard: 'flood' as const,
      status: 'Exercise' as const,
      expires: EXPIRES,
      target: { zones: ['z-kawabe', 'z-yamate'] },
    };
    /** Another console process on the same database and broker connection (process "A"). */
    const processA = (o: Partial<ConstructorParameters<typeof AlertService>[0]>) =>
      new AlertService({ db, mqtt: c.mqtt, muni: MUNI, logger: silentLogger(), clock, resendAfterMs: 30_000, ...o });
    const got = (tv: string, alertId: string) => tvs[tv]!.personal.filter((p) => p.alertId === alertId);
    const revisions = async (id: string) =>
      (await c.app.inject({ url: `/api/alerts/${id}/revisions`, headers: bearer(token) })).json();

    beforeAll(async () => {
      broker = await startBroker();
      db = await engine.open();
      c = await consoleWith(db, broker, clock, { resendAfterS: 30 });
      await seedTown(db);
      await seedResidents(
        db,
        EXTRA.map((n) => ({
          id: `R${n}`,
          familyName: '高橋',
          givenName: `${n}郎`,
          familyKana: 'タカハシ',
          givenKana: 'ロウ',
          address: `絆市山手${n}`,
          birthDate: n === 18 ? '1938-02-01' : '1990-05-05',
          sex: 1,
          language: 'ja' as const,
          needsHelp: n >= 19,
          household: `HY${n}`,
          zone: 'z-yamate',
          lat: 36.01,
          lon: 140.05,
        })),
      );
      await registerDevice(
        db,
        EXTRA.map((n) => ({ id: `tv-y${n}`, zone: 'z-yamate', household: `HY${n}` })),
      );
      await bindResidentToDevice(
        db,
        EXTRA.map((n) => ({ residentId: `R${n}`, deviceId: `tv-y${n}`, authSerial: `ay${n}` })),
      );
      token = await staffToken(c.app, 'viewer1', ['issuer']);
      for (const id of [...ALL_TVS, 'tv-u1']) {
        const tv = await SimTv.start(broker, id);
        // like the TV applet: confirm delivery of every personal message
        raw[id] = [];
        tv.client.on('message', (topic, payload) => {
          if (topic !== topics.tvAlert(MUNI, id)) return;
          raw[id]!.push(payload.toString('utf8'));
          const p = tv.personal.at(-1)!;
          void tv.receipt({ alertId: p.alertId, revision: p.revision, state: 'delivered' }).catch(() => undefined);
        });
        tvs[id] = tv;
      }
    });
    afterAll(async () => {
      for (const tv of Object.values(tvs)) await tv.close().catch(() => undefined);
      await c?.close();
      await db?.drop();
      await broker?.close();
    });

    it('commits the alert first, then writes and publishes the TVs of people who need help first, each chunk before the next is written', async () => {
      const chunks: string[][] = [];
      const seenAtChunk: Record<number, { revState: string; alertState: string; reached: string[] }> = {};
      let alertId = '';
      const a = processA({
        fanoutChunk: { first: 1, max: 2 },
        async afterFanoutChunk(x) {
          alertId = x.alertId;
          chunks.push(x.devices);
          if (x.chunk === 0) return;
          // the previous chunk was published as soon as it was committed: its TVs have it before this chunk goes out
          const previous = chunks[x.chunk - 1]!;
          await until(() => previous.every((d) => got(d, x.alertId).length > 0), `chunk ${x.chunk - 1} on its TVs`);
          const rev = (await revisions(x.alertId))[0];
          const view = (await c.app.inject({ url: `/api/alerts/${x.alertId}`, headers: bearer(token) })).json();
          seenAtChunk[x.chunk] = {
            revState: rev.state,
            alertState: view.state,
            reached: ALL_TVS.filter((d) => got(d, x.alertId).length > 0),
          };
        },
      });
      const view = await a.create(issuerA, spec);
      expect(view.state).toBe('active');
      const order = chunks.flat();
      expect(new Set(order).size).toBe(order.length);
      expect([...order].sort()).toEqual([...ALL_TVS].sort());
      expect(chunks[0]).toHaveLength(1);
      expect(chunks.every((ch) => ch.length <= 2)).toBe(true);
      // people who need help first, then the elderly, then everyone else
      expect([...order.slice(0, 3)].sort()).toEqual([...NEEDS_HELP_TVS].sort());
      expect(order[3]).toBe(ELDERLY_TV);
      // while chunk 1 was waiting to go out the alert was already active, its revision still fanning out,
      // and exactly the first chunk's TV had its message
      expect(seenAtChunk[1]).toEqual({ revState: 'fanning-out', alertState: 'active', reached: [chunks[0]![0]] });
      expect(seenAtChunk[2]!.reached.sort()).toEqual([...chunks[0]!, ...chunks[1]!].sort());
      // in the end: every TV once, the unbound TV its area message, the revision published
      for (const d of ALL_TVS) await until(() => got(d, alertId).length === 1 && got(d, alertId), `${d} has the alert`);
      expect(got('tv-h1', alertId)[0]!.recipients.some((r) => r.needsHelp)).toBe(true);
      await until(() => tvs['tv-u1']!.area.get(`kz/${MUNI}/area/z-kawabe/alert`)?.alertId === alertId, 'area message');
      expect((await revisions(alertId))[0]).toMatchObject({ revision: 1, state: 'published' });
    });

    it("the figures show a running fan-out's progress (TVs addressed and sent so far), and none once it is done", async () => {
      type Status = { sending?: { revision: number; tvs: number; sent: number }; devices: { targeted: number } };
      const status = async (id: string) =>
        (await c.app.inject({ url: `/api/alerts/${id}/status`, headers: bearer(token) })).json() as Status;
      const seen: { chunk: number; sending: Status['sending']; targeted: number }[] = [];
      let alertId = '';
      const a = processA({
        fanoutChunk: { first: 2, max: 4 },
        async afterFanoutChunk(x) {
          alertId = x.alertId;
          const s = await status(x.alertId);
          seen.push({ chunk: x.chunk, sending: s.sending, targeted: s.devices.targeted });
        },
      });
      await a.create(issuerA, spec);
      // 13 TVs in chunks of 2, 4, 4 and 3; a chunk counts as sent once committed (it is published right after)
      expect(seen.map((x) => [x.chunk, x.sending?.sent, x.sending?.tvs])).toEqual([
        [0, 2, 13],
        [1, 6, 13],
        [2, 10, 13],
        [3, 13, 13],
      ]);
      expect(seen.every((x) => x.sending?.revision === 1 && x.targeted === 0)).toBe(true);
      const after = await status(alertId);
      expect(after.sending).toBeUndefined();
      expect(after.devices.targeted).toBe(13);
    });

    it('with wait "started", answers once the first chunk is on its way; the rest follows and every TV gets one message', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const chunks: string[][] = [];
      const a = processA({
        fanoutChunk: { first: 2, max: 4 },
        async afterFanoutChunk(x) {
          chunks.push(x.devices);
          if (x.chunk === 1) await held;
        },
      });
      let view: Awaited<ReturnType<typeof a.create>>;
      try {
        view = await a.create(issuerA, spec, { wait: 'started' });
        // answered with chunk 1 held before its publish: the alert is active, its revision still being sent
        expect(view.state).toBe('active');
        expect((await revisions(view.id))[0]).toMatchObject({ revision: 1, state: 'fanning-out' });
        for (const d of chunks[0]!) await until(() => got(d, view.id).length === 1, `${d} (first chunk) has the alert`);
        await until(() => chunks.length === 2, 'the fan-out at chunk 1');
        const mid = (await c.app.inject({ url: `/api/alerts/${view.id}/status`, headers: bearer(token) })).json();
        expect(mid.sending).toEqual({ revision: 1, tvs: 13, sent: 6 });
      } finally {
        release();
      }
      for (const d of ALL_TVS) await until(() => got(d, view.id).length === 1, `${d} has the alert`);
      await until(async () => (await revisions(view.id))[0].state === 'published', 'the revision published');
      await new Promise((r) => setTimeout(r, 200));
      expect(ALL_TVS.filter((d) => got(d, view.id).length !== 1)).toEqual([]);
    });

    it('takes ?wait=started or sent on the publishing routes and refuses anything else, naming the parameter', async () => {
      const body = { ...spec, target: { zones: ['z-kawabe'] } };
      const bad = await c.app.inject({
        method: 'POST',
        url: '/api/alerts?wait=later',
        headers: bearer(token),
        payload: body,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'KZ_VALIDATION', field: expect.stringContaining('wait') });
      const ok = await issueAlert(c.app, token, body, '?wait=started');
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().state).toBe('active');
      await until(() => got('tv-h1', ok.json().id).length === 1, 'tv-h1 has the alert');
      const upd = await updateAlert(c.app, token, ok.json().id, { level: 3 }, '?wait=sent');
      expect(upd.statusCode).toBe(200);
      // 'sent': answered once every TV was sent the update
      expect((await revisions(ok.json().id)).at(-1)).toMatchObject({ revision: 2, state: 'published' });
    });

    it('a fan-out whose process died is resumed by the alert timer and reaches each TV exactly once', async () => {
      const chunks: string[][] = [];
      const a = processA({
        fanoutChunk: { first: 2, max: 2 },
        afterFanoutChunk(x) {
          chunks.push(x.devices);
          if (x.chunk === 2) throw new Error('simulated crash: chunk 2 committed, never published');
        },
      });
      const view = await a.create(issuerA, { ...spec, level: 5 });
      const id = view.id;
      const published = [...chunks[0]!, ...chunks[1]!];
      const committedOnly = chunks[2]!;
      expect(chunks).toHaveLength(3);
      for (const d of published) await until(() => got(d, id).length > 0, `${d} has the alert before the crash`);
      await new Promise((r) => setTimeout(r, 300));
      expect(ALL_TVS.filter((d) => got(d, id).length > 0).sort()).toEqual([...published].sort());
      expect((await revisions(id))[0]).toMatchObject({ revision: 1, state: 'fanning-out' });
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1', [id]);
      expect(Number(rows.rows[0]!.n)).toBe(6); // chunks 0-2 written, the rest not
      // the TVs that got it confirm delivery (the re-sender must not send them a second copy)
      await until(async () => {
        await c.app.kz.ingest.flush();
        const r = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1 AND delivered_revision = 1',
          [id],
        );
        return Number(r.rows[0]!.n) === 4;
      }, 'receipts of the first two chunks');

      // process B's timer: the heartbeat is not stale yet, so the fan-out is left to its owner
      clock.advance(10_000);
      expect(await c.app.kz.alerts.tick()).toMatchObject({ resumed: 0, resent: 0 });
      expect((await revisions(id))[0].state).toBe('fanning-out');
      // stale: taken over and finished; the committed-but-unpublished chunk is re-sent from its rows
      clock.advance(25_000);
      const t = await c.app.kz.alerts.tick();
      expect(t).toMatchObject({ resumed: 1, resent: committedOnly.length });
      for (const d of ALL_TVS)
        await until(() => got(d, id).length > 0 && got(d, id), `${d} has the alert after the takeover`);
      await until(async () => {
        await c.app.kz.ingest.flush();
        const r = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1 AND delivered_revision = 1',
          [id],
        );
        return Number(r.rows[0]!.n) === ALL_TVS.length;
      }, 'every TV confirmed');
      await new Promise((r) => setTimeout(r, 300));
      // exactly once per TV, the same message as if nothing had happened (same revision, same `sent`)
      for (const d of ALL_TVS) expect(got(d, id), d).toHaveLength(1);
      expect(new Set(ALL_TVS.map((d) => got(d, id)[0]!.sent)).size).toBe(1);
      expect(ALL_TVS.every((d) => got(d, id)[0]!.level === 5 && got(d, id)[0]!.revision === 1)).toBe(true);
      const final = await db.query<{ device_id: string }>(
        'SELECT device_id FROM deliveries WHERE alert_id = $1 AND revision_sent = 1',
        [id],
      );
      expect(final.rows.map((r) => r.device_id).sort()).toEqual([...ALL_TVS].sort());
      expect((await revisions(id))[0]).toMatchObject({ revision: 1, state: 'published' });
      // each TV's delivery row holds the exact text it received, whether published by the fan-out or re-sent from the row
      const stored = await db.query<{ device_id: string; payload: string }>(
        'SELECT device_id, payload FROM deliveries WHERE alert_id = $1',
        [id],
      );
      expect(stored.rows).toHaveLength(ALL_TVS.length);
      for (const r of stored.rows) {
        expect(typeof r.payload).toBe('string');
        expect(
          raw[r.device_id]!.filter((t) => t.includes(`"alertId":"${id}"`)),
          r.device_id,
        ).toEqual([r.payload]);
      }
      expect(committedOnly.every((d) => stored.rows.some((r) => r.device_id === d))).toBe(true);
      const audit = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.fanout-resume' AND subject = $1",
        [id],
      );
      expect(Number(audit.rows[0]!.n)).toBe(1);
      // nothing left to do: no second takeover, nothing re-sent
      clock.advance(60_000);
      expect(await c.app.kz.alerts.tick()).toMatchObject({ resumed: 0, resent: 0 });
      await new Promise((r) => setTimeout(r, 200));
      for (const d of ALL_TVS) expect(got(d, id), d).toHaveLength(1);
    });

    it('an update while a fan-out runs stops it at its next chunk; the new revision reaches every TV', async () => {
      let update: Promise<unknown> | null = null;
      const chunks: number[] = [];
      const a = processA({
        fanoutChunk: { first: 1, max: 1 },
        async afterFanoutChunk(x) {
          chunks.push(x.chunk);
          // the update is issued (by process B, through the API) and goes out while chunk 1 waits
          if (x.chunk === 1) await (update = updateAlert(c.app, token, x.alertId, { level: 5 }));
        },
      });
      const view = await a.create(issuerA, { ...spec, level: 3 });
      const id = view.id;
      const u = (await update!) as { statusCode: number; body: string };
      expect(u.statusCode, u.body).toBe(200);
      // process A stopped at its next chunk (its lease was gone)
      expect(chunks).toEqual([0, 1]);
      for (const d of ALL_TVS) await until(() => got(d, id).some((p) => p.revision === 2), `${d} has revision 2`);
      const revs = await revisions(id);
      expect(revs.map((r: { revision: number; state: string }) => [r.revision, r.state])).toEqual([
        [1, 'superseded'],
        [2, 'published'],
      ]);
      // revision 1 reached at most the TVs of the chunks process A published
      expect(ALL_TVS.filter((d) => got(d, id).some((p) => p.revision === 1)).length).toBeLessThanOrEqual(chunks.length);
    });

    it('a receipt that overtakes its delivery row waits in the ingest queue (PUBACK held) and is stored once the journal becomes rows', async () => {
      let alertId = '';
      let seen: { rows: number; journal: number; waiting: number; first: string } | null = null;
      const a = processA({
        fanoutChunk: { first: 1, max: 4 },
        async afterFanoutChunk(x) {
          alertId = x.alertId;
          if (x.chunk !== 1) return;
          // chunk 0 is published: its TV has the alert and has sent its receipt, but the rows are made only after the last chunk
          const j = (
            await db.query<{ tvs: number; body: Uint8Array }>(
              'SELECT tvs, body FROM fanout_chunks WHERE alert_id = $1 AND chunk = 0',
              [x.alertId],
            )
          ).rows[0]!;
          const first = unpackChunk(j.body, j.tvs).deliveries[0]!.device_id;
          await until(() => got(first, x.alertId).length > 0, 'chunk 0 on its TV');
          // this alert's receipt (another test's may still be waiting for the ingest's next retry)
          await until(async () => {
            await c.app.kz.ingest.flush();
            return c.app.kz.ingest.waitingFor(x.alertId) > 0;
          }, 'the receipt waiting');
          const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1', [
            x.alertId,
          ]);
          const journal = await db.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1',
            [x.alertId],
          );
          seen = {
            rows: Number(rows.rows[0]!.n),
            journal: Number(journal.rows[0]!.n),
            waiting: c.app.kz.ingest.waitingFor(x.alertId),
            first,
          };
        },
      });
      await a.create(issuerA, { ...spec, level: 4 });
      expect(seen).toMatchObject({ rows: 0, journal: 2, waiting: 1 });
      // the journal is gone, one row per TV and per resident, every receipt stored (none dropped for want of a row)
      expect(
        Number(
          (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1', [alertId]))
            .rows[0]!.n,
        ),
      ).toBe(0);
      await until(async () => {
        await c.app.kz.ingest.flush();
        const r = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1 AND delivered_revision = 1',
          [alertId],
        );
        return Number(r.rows[0]!.n) === ALL_TVS.length;
      }, 'every TV confirmed, the first one included');
      const ar = await db.query<{ n: number }>(
        'SELECT count(DISTINCT device_id)::int AS n FROM alert_recipients WHERE alert_id = $1 AND active',
        [alertId],
      );
      expect(Number(ar.rows[0]!.n)).toBe(ALL_TVS.length);
      expect(c.app.kz.ingest.waitingFor(alertId)).toBe(0);
    });

    it('a cancel while a fan-out runs reaches every TV the fan-out had already sent the alert to', async () => {
      let cancel: Promise<unknown> | null = null;
      let before: string[] = [];
      const a = processA({
        fanoutChunk: { first: 2, max: 2 },
        async afterFanoutChunk(x) {
          if (x.chunk !== 2) return;
          const sent = (
            await db.query<{ tvs: number; body: Uint8Array }>(
              'SELECT tvs, body FROM fanout_chunks WHERE alert_id = $1 AND chunk < 2',
              [x.alertId],
            )
          ).rows.flatMap((r) => unpackChunk(r.body, r.tvs).deliveries.map((d) => d.device_id));
          for (const d of sent) await until(() => got(d, x.alertId).length > 0, `${d} has the alert`);
          before = sent;
          await (cancel = endAlert(c.app, token, x.alertId));
        },
      });
      const view = await a.create(issuerA, { ...spec, level: 4 });
      const r = (await cancel!) as { statusCode: number; body: string };
      expect(r.statusCode, r.body).toBe(200);
      expect(before).toHaveLength(4);
      // the TVs of chunks 0 and 1 had the alert only from the (unmaterialised) journal: each gets the Cancel, by name
      for (const d of before)
        await until(() => got(d, view.id).some((p) => p.msgType === 'Cancel'), `${d} told it is cancelled`);
      for (const d of before)
        expect(got(d, view.id).find((p) => p.msgType === 'Cancel')!.recipients.length).toBeGreaterThan(0);
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1', [
        view.id,
      ]);
      expect(Number(rows.rows[0]!.n)).toBe(0);
    });

    it('the alert timer turns a journal left by a dead fan-out into rows once it is stale, and the re-sender sends them', async () => {
      const view = await processA({ fanoutChunk: { first: 50, max: 50 } }).create(issuerA, { ...spec, level: 4 });
      const d = 'tv-y11';
      const row = (
        await db.query<{ payload: string; zone_id: string }>(
          'SELECT payload, zone_id FROM deliveries WHERE alert_id = $1 AND device_id = $2',
          [view.id, d],
        )
      ).rows[0]!;
      // what a process that died after committing a chunk of revision 2 and before publishing it leaves behind (by hand: its rows and the revision)
      const payload = row.payload.replace('"revision":1', '"revision":2');
      await db.tx(async (q) => {
        await q.query(
          `INSERT INTO alert_revisions (alert_id, revision, msg_type, level, hazard, expires, spec, created_by, created_at, state)
          SELECT alert_id, 2, 'Update', level, hazard, expires, spec, created_by, $2, 'fanning-out' FROM alert_revisions WHERE alert_id = $1 AND revision = 1`,
          [view.id, clock.now()],
        );
        await q.query(
          "UPDATE alert_revisions SET fanout_owner = 'dead', fanout_at = $2, published_at = $2 WHERE alert_id = $1 AND revision = 2",
          [view.id, clock.now()],
        );
        await q.query("UPDATE alerts SET revision = 2, msg_type = 'Update' WHERE id = $1", [view.id]);
        const body = await packChunk({ deliveries: [{ device_id: d, zone_id: row.zone_id, payload }], recipients: [] });
        await q.query(
          `INSERT INTO fanout_chunks (alert_id, revision, owner, chunk, written_at, tvs, body) VALUES ($1, 2, 'dead', 0, $2, 1, $3)`,
          [view.id, clock.now(), body],
        );
      });
      const n = got(d, view.id).length;
      // not stale yet: the journal and the fan-out are left to their (dead) owner
      expect(await c.app.kz.alerts.tick()).toMatchObject({ resumed: 0 });
      expect(
        Number(
          (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1', [view.id]))
            .rows[0]!.n,
        ),
      ).toBe(1);
      clock.advance(31_000);
      expect(await c.app.kz.alerts.tick()).toMatchObject({ resumed: 1 });
      expect(
        Number(
          (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1', [view.id]))
            .rows[0]!.n,
        ),
      ).toBe(0);
      const after = (
        await db.query<{ revision_sent: number; payload: string }>(
          'SELECT revision_sent, payload FROM deliveries WHERE alert_id = $1 AND device_id = $2',
          [view.id, d],
        )
      ).rows[0]!;
      expect({ revision: Number(after.revision_sent), payload: after.payload }).toEqual({ revision: 2, payload });
      // not confirmed for revision 2: the re-sender sends those exact bytes (the resumed fan-out counts this TV as done)
      await until(
        () => got(d, view.id).length > n && got(d, view.id).at(-1)!.revision === 2,
        `${d} re-sent revision 2`,
      );
      expect(raw[d]!.at(-1)).toBe(payload);
    });

    // last in this block: it moves the shared clock past the alerts' expiry
    it('an alert that expires while its fan-out runs: the fan-out stops at its next chunk, the revision is not left fanning out, what went out becomes rows', async () => {
      const chunks: number[] = [];
      let expired: string[] = [];
      const a = processA({
        fanoutChunk: { first: 2, max: 2 },
        async afterFanoutChunk(x) {
          chunks.push(x.chunk);
          if (x.chunk !== 1) return;
          clock.advance(11 * 60_000);
          expired = (await c.app.kz.alerts.tick()).expired;
        },
      });
      const expires = new Date(clock.now().getTime() + 10 * 60_000).toISOString();
      const view = await a.create(issuerA, { ...spec, level: 4, expires });
      expect(expired).toContain(view.id);
      // chunk 2 was refused its lease: the alert was no longer active
      expect(chunks).toEqual([0, 1]);
      const revs = await revisions(view.id);
      expect(revs.map((r: { revision: number; state: string }) => [r.revision, r.state])).toEqual([[1, 'published']]);
      const left = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alert_revisions WHERE alert_id = $1 AND (fanout_owner IS NOT NULL OR state = 'fanning-out')`,
        [view.id],
      );
      expect(Number(left.rows[0]!.n)).toBe(0);
      // the 4 TVs of chunks 0 and 1 have rows; no journal is left; the timer does not resume it
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1', [
        view.id,
      ]);
      expect(Number(rows.rows[0]!.n)).toBe(4);
      const journal = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM fanout_chunks WHERE alert_id = $1',
        [view.id],
      );
      expect(Number(journal.rows[0]!.n)).toBe(0);
      clock.advance(60_000);
      expect(await c.app.kz.alerts.tick()).toMatchObject({ resumed: 0 });
    });
  });
}

describe('fan-out chunk columns', () => {
  it('joins a column with U+001E, and refuses a value that holds it (it would split a row in two)', () => {
    expect(joinField(['tv-1', 'tv-2', ''])).toBe('tv-1\u001etv-2\u001e');
    expect(() => joinField(['tv-1', 'tv\u001e2'])).toThrow(expect.objectContaining({ code: 'KZ_CONSOLE_BAD_ID' }));
    // JSON text never holds the separator raw: a control character inside a string is escaped
    const payload = JSON.stringify({ instruction: 'a\u001eb' });
    expect(joinField([payload]).split('\u001e')).toEqual([payload]);
  });
  it('packs a chunk for the journal and unpacks exactly what went in (payload bytes, residents, no shelter, a household TV)', async () => {
    const payload = (n: number) =>
      JSON.stringify({ v: 1, name: `高橋 ${n}郎 様`, text: 'a "quote" \\ and\nline', ctl: '\u001d\u001e' });
    const c = {
      deliveries: [
        { device_id: 'tv-1', zone_id: 'z-a', payload: payload(1) },
        { device_id: 'tv-2', zone_id: 'z-b', payload: payload(2) },
      ],
      recipients: [
        {
          residentId: 'R1',
          ref: 'ref_1-x',
          deviceId: 'tv-1',
          zoneId: 'z-a',
          needsHelp: true,
          leaveNow: true,
          language: 'ja' as const,
          shelterId: 's-1',
        },
        {
          residentId: 'R2',
          ref: 'ref_2',
          deviceId: 'tv-1',
          zoneId: 'z-a',
          needsHelp: false,
          leaveNow: false,
          language: 'ja-x-easy' as const,
          shelterId: null,
        },
        {
          residentId: 'R3',
          ref: 'ref_3',
          deviceId: 'tv-2',
          zoneId: 'z-b',
          needsHelp: false,
          leaveNow: true,
          language: 'pt' as const,
          shelterId: null,
        },
      ],
    };
    expect(unpackChunk(await packChunk(c), 2)).toEqual(c);
    const lone = { deliveries: [c.deliveries[0]!], recipients: [c.recipients[1]!] };
    expect(unpackChunk(await packChunk(lone), 1)).toEqual(lone);
    expect(unpackChunk(await packChunk({ deliveries: [], recipients: [] }), 0)).toEqual({
      deliveries: [],
      recipients: [],
    });
    // a count that does not match is a damaged record, not a shorter chunk
    await expect(async () => unpackChunk(await packChunk(c), 3)).rejects.toThrow(/expected 3/);
    expect(() => joinField(['tv-1', 'tv\u001d2'])).toThrow(expect.objectContaining({ code: 'KZ_CONSOLE_BAD_ID' }));
  });
  it("writes a chunk's payloads into one buffer; packing, unpacking and joining give the same bytes as payloads encoded one by one", async () => {
    const texts = ['{"name":"高橋 一郎 様"}', '{}', '{"t":"a\\u001eb","pt":"Atenção"}', '{"vi":"Sơ tán ngay"}'];
    const w = new PayloadWriter(8);
    // a payload written in pieces, and a buffer outgrown on the way
    for (const t of texts) {
      w.begin();
      w.str(t.slice(0, 3));
      w.bytes(Buffer.from(t.slice(3), 'utf8'));
      w.end();
    }
    const views = w.payloads();
    expect(views.map((b) => b.toString('utf8'))).toEqual(texts);
    // one buffer, the separator between the payloads
    expect(new Set(views.map((b) => b.buffer)).size).toBe(1);
    const recipients = [
      {
        residentId: 'R1',
        ref: 'r1',
        deviceId: 'tv-1',
        zoneId: 'z',
        needsHelp: false,
        leaveNow: true,
        language: 'ja' as const,
        shelterId: null,
      },
    ];
    const asViews = {
      deliveries: texts.map((_, i) => ({ device_id: `tv-${i}`, zone_id: 'z', payload: views[i]! })),
      recipients,
    };
    const asOwn = {
      deliveries: texts.map((t, i) => ({ device_id: `tv-${i}`, zone_id: 'z', payload: Buffer.from(t, 'utf8') })),
      recipients,
    };
    expect(inflateSync(packChunk(asViews)).equals(inflateSync(packChunk(asOwn)))).toBe(true);
    expect(unpackChunk(packChunk(asViews), 4).deliveries.map((d) => d.payload)).toEqual(texts);
    // a run of the chunk, the chunk out of order, and views of different buffers join alike
    expect(joinJson(views.slice(1, 3))).toBe(texts.slice(1, 3).join('\u001e'));
    expect(joinJson([views[2]!, views[0]!, views[1]!])).toBe([texts[2], texts[0], texts[1]].join('\u001e'));
    expect(joinJson([views[0]!, views[2]!])).toBe([texts[0], texts[2]].join('\u001e'));
    expect(joinJson([views[0]!, Buffer.from(texts[1]!), views[2]!])).toBe(texts.slice(0, 3).join('\u001e'));
    expect(new PayloadWriter().payloads()).toEqual([]);
  });
});
