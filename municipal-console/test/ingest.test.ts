/**
 * Issue 7: the console writes a shelter event before it acknowledges it. A console that dies
 * between receiving and writing, or whose store fails for a while, loses no arrival and stores
 * none twice: the broker re-delivers whatever was not acknowledged to the console's persistent
 * session, and the write is idempotent. Real brokers (embedded aedes with the policy, and a
 * private Mosquitto when KZ_TEST_MQTT_URL is set), real PGlite/PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { openDb, type Db, type Queryable } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type BrokerIdentity,
  type CredentialStore,
  type EmbeddedBroker,
} from '@kizuna/broker';
import { dbEngines } from '@kizuna/test-utils';
import { encodeMessage, topics, type ShelterEvent } from '@kizuna/contract';
import { Ingest } from '../src/live/ingest.ts';
import { migrateConsole, seedResidents, addZone, registerDevice, bindResidentToDevice } from '../src/index.ts';
import { brokerKinds, MUNI, silentLogger, startBroker, until, type TestBroker } from './helpers.ts';

const SHELTER = 'sh-ingest';
const clock = { now: () => new Date() };

/** The real store with a switch that makes every transaction fail, or hang, for a moment. */
function faultyStore(db: Db) {
  const ctl = { mode: 'ok' as 'ok' | 'fail' | 'hang', attempts: 0 };
  const store: Db = {
    engine: db.engine,
    query: (t, p) => db.query(t, p),
    exec: (s) => db.exec(s),
    close: () => Promise.resolve(),
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      ctl.attempts += 1;
      if (ctl.mode === 'fail') throw new Error('store unavailable (test)');
      if (ctl.mode === 'hang') return new Promise<T>(() => undefined); // the process died mid-write
      return db.tx(fn);
    },
  };
  return { store, ctl };
}

for (const engine of dbEngines())
  for (const brokerKind of brokerKinds()) {
    describe(`console ingest writes before it acknowledges (${engine.name}, ${brokerKind})`, () => {
      let broker: TestBroker;
      let db: Awaited<ReturnType<typeof engine.open>>;
      let terminal: MqttClient;
      const open: { ingest?: Ingest; client?: MqttClient }[] = [];
      const topic = topics.shelterEvent(MUNI, SHELTER, 'door-1');

      /** The console's side: its own persistent broker session (clean: false, as server.ts connects) and an Ingest. */
      async function consoleIngest(
        store: Db,
        onChange: (alertIds: string[], residents: string[]) => void = () => undefined,
      ) {
        const client = await broker.connectAs({ kind: 'municipality', muni: MUNI }, { clean: false });
        const ingest = new Ingest({ db: store, mqtt: client, muni: MUNI, logger: silentLogger(), clock, onChange });
        await ingest.start();
        open.push({ ingest, client });
        return { client, ingest };
      }
      /** The rows of this test's own events (a persistent session may re-deliver an earlier test's unacknowledged ones: at least once). */
      let mine: string[] = [];
      const stored = async () =>
        (
          await db.query<{ event_id: string; n: number }>(
            'SELECT event_id, count(*)::int AS n FROM checkins WHERE event_id = ANY($1::text[]) GROUP BY event_id',
            [mine],
          )
        ).rows;
      const event = (seq: number, more: Partial<ShelterEvent> = {}): ShelterEvent => {
        const e: ShelterEvent = {
          v: 1,
          kind: 'shelter-event',
          eventId: randomUUID(),
          seq,
          type: 'check-in',
          at: new Date().toISOString(),
          manual: { name: `person ${seq}` },
          ...more,
        };
        mine.push(e.eventId);
        return e;
      };

      beforeAll(async () => {
        broker = await startBroker(brokerKind);
        db = await engine.open();
        await migrateConsole(db);
        terminal = await broker.connectAs({ kind: 'terminal', muni: MUNI, shelter: SHELTER, terminal: 'door-1' });
      });
      afterEach(async () => {
        // a console that can still write finishes and acknowledges; one whose write hangs is just cut off
        for (const o of open.splice(0)) {
          await Promise.race([o.ingest?.stop(), new Promise((r) => setTimeout(r, 2_000))]);
          await o.client?.endAsync(true);
        }
        await db.exec('DELETE FROM checkins');
        mine = [];
      });
      afterAll(async () => {
        await terminal?.endAsync(true);
        await db?.drop();
        await broker?.close();
      });

      // A console killed between receiving and writing, restarted on its session: ingest-restart.test.ts
      // (both brokers; the messages re-sent on reconnecting are parked until Ingest starts).

      it('a store that fails for a while: nothing is acknowledged or lost, retried until written, re-sends stored once', async () => {
        const { store, ctl } = faultyStore(db);
        ctl.mode = 'fail';
        const c = await consoleIngest(store);
        const sent = Array.from({ length: 40 }, (_, i) => event(i + 1));
        for (const e of sent) await terminal.publishAsync(topic, encodeMessage(e), { qos: 1 });
        await until(() => c.ingest.stats.writeFailures >= 2, 'failed writes', 30_000);
        expect((await stored()).length).toBe(0);
        ctl.mode = 'ok';
        // the terminal re-sends some after a restart of its own (same eventIds)
        for (const e of sent.slice(0, 10)) await terminal.publishAsync(topic, encodeMessage(e), { qos: 1 });
        await until(
          async () => (await stored()).length >= sent.length && c.ingest.queued === 0,
          'all written after the store is back',
          30_000,
        );
        await c.ingest.flush();
        const rows = await stored();
        expect(rows).toHaveLength(sent.length);
        expect(rows.every((r) => r.n === 1)).toBe(true);
        expect(c.ingest.stats.checkins).toBeGreaterThanOrEqual(sent.length);
      });

      it('stores what the event carries: the check-in a check-out names, care flag; the person resolved by roster key, card serial or that check-in', async () => {
        await addZone(db, {
          id: 'z-i',
          name: '区',
          nameEn: 'Z',
          polygon: [
            [140, 36],
            [140.01, 36],
            [140.01, 36.01],
            [140, 36.01],
            [140, 36],
          ],
        });
        await seedResidents(db, [
          {
            id: 'RI1',
            familyName: '井上',
            givenName: '一',
            familyKana: 'イノウエ',
            givenKana: 'ハジメ',
            address: '絆市1',
            birthDate: '1950-01-01',
            sex: 1,
            language: 'ja',
            needsHelp: true,
            household: 'HI',
            zone: 'z-i',
            lat: 36.005,
            lon: 140.005,
          },
        ]);
        await registerDevice(db, [{ id: 'tv-i1', zone: 'z-i', household: 'HI' }]);
        await bindResidentToDevice(db, [{ residentId: 'RI1', deviceId: 'tv-i1', authSerial: '0A1B2C' }]);
        const told: string[][] = [];
        const c = await consoleIngest(db, (_alerts, residents) => told.push(residents));
        const inByCard = event(1, {
          certSerial: '0a1b2c',
          manual: { name: '井上 一', needsCare: true },
          needsCare: true,
        });
        const outByHand = event(2, { type: 'check-out', checkIn: inByCard.eventId, manual: undefined });
        const stranger = event(3, { certSerial: 'ffff01', manual: { name: 'Visitor' } });
        await terminal.publishAsync(topic, encodeMessage(inByCard), { qos: 1 });
        await until(async () => {
          await c.ingest.flush();
          return (await stored()).length === 1;
        }, 'check-in stored');
        await terminal.publishAsync(topic, encodeMessage(outByHand), { qos: 1 });
        await terminal.publishAsync(topic, encodeMessage(stranger), { qos: 1 });
        await until(async () => {
          await c.ingest.flush();
          return (await stored()).length === 3;
        }, 'all stored');
        const { rows } = await db.query<{
          seq: number;
          type: string;
          resident_id: string | null;
          check_in: string | null;
          needs_care: boolean | null;
          cert_serial: string | null;
        }>(
          'SELECT seq, type, resident_id, check_in, needs_care, cert_serial FROM checkins WHERE event_id = ANY($1::text[]) ORDER BY seq',
          [mine],
        );
        expect(rows).toEqual([
          { seq: 1, type: 'check-in', resident_id: 'RI1', check_in: null, needs_care: true, cert_serial: '0a1b2c' },
          {
            seq: 2,
            type: 'check-out',
            resident_id: 'RI1',
            check_in: inByCard.eventId,
            needs_care: null,
            cert_serial: null,
          },
          { seq: 3, type: 'check-in', resident_id: null, check_in: null, needs_care: null, cert_serial: 'ffff01' },
        ]);
        // the live figures are told whose arrival to read again: the card's holder twice, the stranger never
        expect(told.flat()).toEqual(['RI1', 'RI1']);
        // an undo by event id alone names no one itself: the person of the check-in it undoes is told
        await terminal.publishAsync(
          topic,
          encodeMessage(event(4, { type: 'undo', undoes: inByCard.eventId, manual: undefined })),
          { qos: 1 },
        );
        await until(async () => {
          await c.ingest.flush();
          return (await stored()).length === 4;
        }, 'undo stored');
        expect(told.flat()).toEqual(['RI1', 'RI1', 'RI1']);
        // a re-send stores nothing and tells nothing
        await terminal.publishAsync(topic, encodeMessage(inByCard), { qos: 1 });
        await until(async () => {
          await c.ingest.flush();
          return c.ingest.stats.checkins >= 5;
        }, 're-send handled');
        expect(told.flat()).toEqual(['RI1', 'RI1', 'RI1']);
      });

      it('a malformed event is refused with its code and acknowledged (a re-delivery would be refused again); the next one is stored', async () => {
        const c = await consoleIngest(db);
        await terminal.publishAsync(topic, Buffer.from('{"v":1,"kind":"shelter-event","eventId":"x"}'), { qos: 1 });
        await terminal.publishAsync(topic, Buffer.from('not json'), { qos: 1 });
        const good = event(1);
        await terminal.publishAsync(topic, encodeMessage(good), { qos: 1 });
        await until(async () => {
          await c.ingest.flush();
          return (await stored()).length === 1;
        }, 'the good one stored');
        expect(c.ingest.stats.rejected).toBe(2);
        expect((await stored())[0]!.event_id).toBe(good.eventId);
      });
    });
  }

/**
 * The embedded broker lives in the console's process with its sessions in memory, and aedes
 * sends a QoS 1 PUBACK before it stores anything: so there the console writes a shelter event
 * before the broker acknowledges it to the terminal (Ingest.holdShelterAcks). A terminal's
 * PUBACK then means "in the municipality's store".
 */
for (const engine of dbEngines()) {
  describe(`the embedded broker acknowledges a shelter event only once the console has stored it (${engine.name})`, () => {
    let db: Awaited<ReturnType<typeof engine.open>>;
    let credDb: Db;
    let credentials: CredentialStore;
    let broker: EmbeddedBroker;
    const cleanup: (() => Promise<unknown>)[] = [];
    const topic = topics.shelterEvent(MUNI, SHELTER, 'door-9');
    const logger = silentLogger();

    const issued = new Map<string, { username: string; password: string }>();
    async function login(identity: BrokerIdentity) {
      const key = JSON.stringify(identity);
      if (!issued.has(key)) issued.set(key, await credentials.issue(identity));
      return issued.get(key)!;
    }
    const termCreds = () => login({ kind: 'terminal', muni: MUNI, shelter: SHELTER, terminal: 'door-9' });
    /** A terminal's link as the kiosk makes it: persistent session, reconnects by itself. */
    async function terminalClient(url: string, c: { username: string; password: string }) {
      const t = await mqtt.connectAsync(url, {
        clientId: c.username,
        username: c.username,
        password: c.password,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 100,
      });
      cleanup.push(() => t.endAsync(true));
      return t;
    }
    /** The console in the broker's process: its subscription, its Ingest, and the hook on this broker. */
    async function consoleOn(b: EmbeddedBroker, store: Db) {
      const c = await login({ kind: 'municipality', muni: MUNI });
      const client = await mqtt.connectAsync(b.mqttUrl, {
        clientId: c.username,
        username: c.username,
        password: c.password,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 100,
      });
      const ingest = new Ingest({ db: store, mqtt: client, muni: MUNI, logger, clock, onChange: () => undefined });
      await ingest.start();
      const unhook = ingest.holdShelterAcks(b.aedes);
      cleanup.push(async () => {
        unhook();
        await Promise.race([ingest.stop(), new Promise((r) => setTimeout(r, 2_000))]);
        await client.endAsync(true);
      });
      return { client, ingest };
    }
    const count = async (ids: string[]) =>
      (
        await db.query<{ event_id: string; n: number }>(
          'SELECT event_id, count(*)::int AS n FROM checkins WHERE event_id = ANY($1::text[]) GROUP BY event_id',
          [ids],
        )
      ).rows;
    const ev = (seq: number): ShelterEvent => ({
      v: 1,
      kind: 'shelter-event',
      eventId: randomUUID(),
      seq,
      type: 'check-in',
      at: new Date().toISOString(),
      manual: { name: `door ${seq}` },
    });

    beforeAll(async () => {
      db = await engine.open();
      await migrateConsole(db);
      credDb = await openDb({});
      credentials = await createCredentialStore(credDb, { logger });
    });
    afterEach(async () => {
      for (const f of cleanup.splice(0).reverse()) await f();
      await broker?.close();
    });
    afterAll(async () => {
      await db?.drop();
      await credDb?.close();
    });

    it('a failed write: no PUBACK, the terminal is disconnected and re-sends; the PUBACK comes only once the event is stored, stored once', async () => {
      broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
      const { store, ctl } = faultyStore(db);
      ctl.mode = 'fail';
      const c = await consoleOn(broker, store);
      const terminal = await terminalClient(broker.mqttUrl, await termCreds());
      let offline = 0;
      terminal.on('offline', () => {
        offline += 1;
      });
      const sent = [ev(1), ev(2), ev(3)];
      let acked = 0;
      const storedWhenAcked: number[] = [];
      const pubs = sent.map((e) =>
        terminal.publishAsync(topic, encodeMessage(e), { qos: 1 }).then(async () => {
          acked += 1;
          storedWhenAcked.push((await count([e.eventId])).length);
        }),
      );
      await until(() => ctl.attempts >= 2 && offline >= 1, 'failed writes and the terminal cut off', 30_000);
      expect(acked).toBe(0);
      expect(await count(sent.map((e) => e.eventId))).toEqual([]);
      ctl.mode = 'ok';
      await Promise.all(pubs); // mqtt.js re-sends after its reconnect
      expect(storedWhenAcked).toEqual([1, 1, 1]); // each PUBACK came after its row
      await until(async () => {
        await c.ingest.flush();
        return true;
      }, 'flush');
      const rows = await count(sent.map((e) => e.eventId));
      expect(rows).toHaveLength(3);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    });

    it('the console process dies mid-write: the terminal never got a PUBACK, re-sends to the restarted broker, every event stored once; the copy the console subscription receives is not written twice', async () => {
      broker = await createEmbeddedBroker({ credentials, logger, port: 0 });
      const port = Number(new URL(broker.mqttUrl).port);
      const { store, ctl } = faultyStore(db);
      ctl.mode = 'hang';
      await consoleOn(broker, store);
      const terminal = await terminalClient(broker.mqttUrl, await termCreds());
      const sent = Array.from({ length: 20 }, (_, i) => ev(i + 1));
      let acked = 0;
      const pubs = sent.map((e) =>
        terminal.publishAsync(topic, encodeMessage(e), { qos: 1 }).then(() => {
          acked += 1;
        }),
      );
      await until(() => ctl.attempts > 0, 'the first write to start', 30_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(acked).toBe(0);
      // the process dies: broker and console with it (the hung write never commits)
      for (const f of cleanup.splice(0, 1)) await f(); // the console (the terminal stays)
      await broker.close();
      // restarted on the same address, with a store that works
      broker = await createEmbeddedBroker({ credentials, logger, port });
      const second = await consoleOn(broker, db);
      await Promise.all(pubs);
      expect(acked).toBe(sent.length);
      await until(
        async () => {
          await second.ingest.flush();
          return (await count(sent.map((e) => e.eventId))).length === sent.length;
        },
        'every event stored',
        30_000,
      );
      const rows = await count(sent.map((e) => e.eventId));
      expect(rows.every((r) => r.n === 1)).toBe(true);
      // written once by the hook; the subscription's copies were acknowledged without a write
      await until(() => second.ingest.stats.checkins >= sent.length, 'counted');
      await new Promise((r) => setTimeout(r, 300));
      expect(second.ingest.stats.checkins).toBe(sent.length);
    });
  });
}
