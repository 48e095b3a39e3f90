/**
 * Issue 22, "consoles that take over": two console processes of one municipality (its real
 * server, `municipal-console/src/server.ts`, run twice) on one PostgreSQL and one broker, each with
 * its own broker session (KZ_CONSOLE_MQTT_INSTANCE). The one fanning out an alert to
 * KZ_TAKEOVER_TVS simulated TVs (default 1,000) is killed (SIGKILL) in the middle; the other's
 * alert timer takes the stale lease over and finishes. Every TV shows the alert once (one
 * revision, the same message), and every receipt is stored once although both consoles received
 * each one: one delivery row per TV, confirmed, and one answer per answering resident.
 *
 * PostgreSQL only (KZ_TEST_DATABASE_URL): two processes cannot share a PGlite database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { openDb, type Db } from '@kizuna/core';
import { decodeMessage, encodeMessage, PersonalAlertSchema, topics } from '@kizuna/contract';
import { seedTown, type Town } from '@kizuna/test-utils';
import { addShelter, addZone, createStaff, migrateConsole, registerDevice, seedResidents } from '../src/index.ts';
import { connect, MUNI, startBroker, tvIdentity, until, type TestBroker } from './helpers.ts';
import {
  receiptFor,
  sendAlertAsStaff,
  startConsoleProcess,
  stopConsoleProcesses,
  TvScreen,
  type ConsoleProcess,
} from './console-process.ts';

const PG_URL = process.env.KZ_TEST_DATABASE_URL;
const N = Number(process.env.KZ_TAKEOVER_TVS ?? 1000);
/** Every tenth TV's resident answers, as the TV applet sends it. */
const ANSWERS_EVERY = 10;

/** A simulated TV: shows each revision once (as the applet de-duplicates), confirms delivery, and some answer. */
class Tv extends TvScreen {
  constructor(
    readonly device: string,
    readonly client: MqttClient,
    answers: boolean,
  ) {
    super();
    client.on('message', (topic, payload) => {
      if (topic !== topics.tvAlert(MUNI, device)) return;
      const m = decodeMessage(PersonalAlertSchema, payload, 'personal-alert');
      const repeat = this.receive(m);
      const send = (r: object) =>
        client.publishAsync(topics.tvReceipt(MUNI, device), encodeMessage(r), { qos: 1 }).catch(() => undefined);
      // a repeat is confirmed again (the console may not have stored the first), but not shown or answered again
      void send(receiptFor(m));
      if (answers && !repeat && m.recipients[0])
        void send(receiptFor(m, { state: 'acknowledged', ref: m.recipients[0].ref, answer: 'safe-indoors' }));
    });
  }
}

describe.skipIf(!PG_URL)('two console processes: one killed mid-fan-out, the other finishes it', () => {
  let broker: TestBroker;
  let db: Db;
  let dbName = '';
  let dbUrl = '';
  let town: Town;
  const tvs: Tv[] = [];
  const consoles: ConsoleProcess[] = [];

  beforeAll(async () => {
    dbName = `kz_takeover_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_URL!);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
    db = await openDb({ url: dbUrl, max: 4 });
    town = await seedTown({ addShelter, addZone, createStaff, migrateConsole, registerDevice, seedResidents }, db, N);

    broker = await startBroker();
    const muni = await broker.login({ kind: 'municipality', muni: MUNI });
    const env = {
      KZ_CONSOLE_DATABASE_URL: dbUrl,
      KZ_CONSOLE_DATA_DIR: 'memory',
      KZ_CONSOLE_PORT: '0',
      KZ_CONSOLE_MUNI: MUNI,
      KZ_CONSOLE_MQTT_URL: broker.url,
      KZ_CONSOLE_MQTT_USERNAME: muni.username,
      KZ_CONSOLE_MQTT_PASSWORD: muni.password,
      // one audit chain in one database: both processes hold its key
      KZ_CONSOLE_AUDIT_KEY: randomBytes(32).toString('base64'),
      // small chunks, so that the fan-out is still running when its process is killed
      KZ_CONSOLE_FANOUT_CHUNK_FIRST: '5',
      KZ_CONSOLE_FANOUT_CHUNK_MAX: '10',
      KZ_CONSOLE_FANOUT_STALE_S: '2',
      KZ_CONSOLE_TICK_S: '1',
      KZ_CONSOLE_RESEND_AFTER_S: '5',
    };
    consoles.push(...(await Promise.all([startConsoleProcess('a', env), startConsoleProcess('b', env)])));

    // the TVs, in waves: each logs in with its own credentials, as a TV does
    const creds = await broker.credentials.issueMany(town.devices.map(tvIdentity));
    for (let i = 0; i < creds.length; i += 50) {
      const wave = creds.slice(i, i + 50);
      tvs.push(
        ...(await Promise.all(
          wave.map(async (c, k) => {
            const device = town.devices[i + k]!;
            const client = await connect(broker.url, c.username, {
              username: c.username,
              password: c.password,
              reconnectPeriod: 500,
              connectTimeout: 60_000,
              keepalive: 600,
            });
            await client.subscribeAsync(topics.tvAlert(MUNI, device), { qos: 1 });
            return new Tv(device, client, (i + k) % ANSWERS_EVERY === 0);
          }),
        )),
      );
    }
  }, 420_000);

  afterAll(async () => {
    await stopConsoleProcesses();
    await Promise.all(tvs.map((t) => t.client.endAsync(true).catch(() => undefined)));
    await broker?.close();
    await db?.close();
    if (dbName) {
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
    }
  }, 60_000);

  it(`every one of ${N} TVs shows the alert once, and every receipt is stored once`, async () => {
    const [a, b] = consoles as [ConsoleProcess, ConsoleProcess];
    // the alert is stored and confirmed as staff do, then sent through console A, which runs its
    // fan-out; A is killed once TVs start receiving it (killed before it answered: null)
    const { answer: sent } = await sendAlertAsStaff(a.url, town.staff, town.zones);
    let refused = '';
    void sent.then((r) => {
      if (r && r.status !== 200) refused = `the send answered ${r.status}: ${JSON.stringify(r.body)}`;
    });
    const first = await until(
      () => {
        if (refused) throw new Error(refused);
        return tvs.find((t) => t.got.length > 0);
      },
      'a first TV has the alert',
      60_000,
    );
    a.proc.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    const alertId = first.got[0]!.alertId;
    const reachedAtKill = tvs.filter((t) => t.got.length > 0).length;
    const answer = await sent;
    if (answer) expect(answer.status).toBe(200);

    // killed in the middle: the revision is still fanning out under A's lease, and not every TV has a row
    const rev = await db.query<{ state: string }>(
      'SELECT state FROM alert_revisions WHERE alert_id = $1 AND revision = 1',
      [alertId],
    );
    expect(rev.rows[0]?.state).toBe('fanning-out');
    const journaled = await db.query<{ n: number }>(
      'SELECT (SELECT coalesce(sum(tvs), 0) FROM fanout_chunks WHERE alert_id = $1) + (SELECT count(*) FROM deliveries WHERE alert_id = $1) AS n',
      [alertId],
    );
    expect(Number(journaled.rows[0]!.n)).toBeLessThan(N);

    // B takes over once A's heartbeat is stale, and finishes
    await until(() => tvs.every((t) => t.got.length > 0), 'every TV has the alert', 120_000);
    const allReached = Date.now() - killedAt;
    await until(
      async () => {
        const r = await db.query<{ state: string }>(
          'SELECT state FROM alert_revisions WHERE alert_id = $1 AND revision = 1',
          [alertId],
        );
        return r.rows[0]?.state === 'published';
      },
      'the revision published',
      60_000,
    );
    await until(
      async () => {
        const r = await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM deliveries WHERE alert_id = $1 AND delivered_revision = 1',
          [alertId],
        );
        return Number(r.rows[0]!.n) === N;
      },
      'every delivery confirmed',
      60_000,
    );
    const answering = tvs.filter((_, i) => i % ANSWERS_EVERY === 0).length;
    await until(
      async () => {
        const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM answers WHERE alert_id = $1', [
          alertId,
        ]);
        return Number(r.rows[0]!.n) === answering;
      },
      'every answer stored',
      60_000,
    );
    console.info(
      `[takeover] ${N} TVs: ${reachedAtKill} had the alert when console A was killed; all had it ${allReached} ms after the kill`,
    );

    // every TV shows it once: one revision, one message text (the same `sent` as if nothing had happened)
    for (const t of tvs) expect(t.shown(alertId), t.device).toEqual([1]);
    expect(new Set(tvs.map((t) => t.got[0]!.sent)).size).toBe(1);
    // every receipt stored once, though both consoles received each
    const rows = await db.query<{ device_id: string; n: number }>(
      'SELECT device_id, count(*)::int AS n FROM deliveries WHERE alert_id = $1 GROUP BY device_id',
      [alertId],
    );
    expect(rows.rows).toHaveLength(N);
    expect(rows.rows.every((r) => Number(r.n) === 1)).toBe(true);
    const history = await db.query<{ n: number; residents: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT resident_id)::int AS residents FROM answer_history WHERE alert_id = $1',
      [alertId],
    );
    expect(history.rows[0]).toEqual({ n: answering, residents: answering });
    // taken over once, by the process left
    const resumed = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'alert.fanout-resume' AND subject = $1",
      [alertId],
    );
    expect(Number(resumed.rows[0]!.n)).toBe(1);
    expect(b.proc.exitCode).toBeNull();
  }, 300_000);
});
