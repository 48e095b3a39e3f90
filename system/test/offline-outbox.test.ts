/**
 * Issue 7, "done means": the terminal cut off from the broker keeps checking people in, is
 * killed and restarted in between, and after reconnection every event reaches the
 * municipality exactly once and in order. Real broker (broker/'s embedded aedes with the
 * access policy), real terminal process with its PGlite data directory, real network cut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import mqtt, { type MqttClient } from 'mqtt';
import { openDb, type Db } from '@kizuna/core';
import { topics, type ShelterEvent } from '@kizuna/contract';
import {
  createCredentialStore,
  createEmbeddedBroker,
  migrateBroker,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '@kizuna/broker';
import { Ingest, migrateConsole } from '@kizuna/municipal-console';
import { quietLogger } from '@kizuna/test-utils';
import { netCut } from './helpers/net-cut.ts';

/** The shelter terminal's own program (`npx tsx evacuation-center/src/server.ts`), run as its own process. */
const SERVER = createRequire(import.meta.url).resolve('@kizuna/evacuation-center/server');
const MUNI = '999997';
const SHELTER = 'sh-daiichi';

interface Child {
  url: string;
  proc: ChildProcess;
}

async function startTerminalProcess(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, ...env, KZ_SHELTER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`terminal did not start: ${stderr}`)), 60_000);
    lines.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { msg?: string; url?: string };
        if (j.msg === 'terminal ready' && j.url) {
          clearTimeout(t);
          resolve(j.url);
        }
      } catch {
        /* not a log line */
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`terminal exited ${code}: ${stderr}`));
    });
  });
  return { url, proc };
}

async function post(url: string, path: string, body: unknown) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
async function status(url: string) {
  return (await (await fetch(`${url}/api/status`)).json()) as {
    link: { connected: boolean; backlog: number };
    occupancy: { present: number };
  };
}
async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('offline outbox with a real broker and a killed terminal process', () => {
  let brokerDb: Db;
  let broker: EmbeddedBroker;
  let muniClient: MqttClient;
  let terminalCreds: IssuedCredentials;
  let cut: Awaited<ReturnType<typeof netCut>>;
  let dataDir: string;
  let consoleDb: Db;
  let ingest: Ingest;
  const wire: { terminal: string; ev: ShelterEvent }[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    brokerDb = await openDb({});
    await migrateBroker(brokerDb);
    const credentials = await createCredentialStore(brokerDb);
    terminalCreds = await credentials.issue({ kind: 'terminal', muni: MUNI, shelter: SHELTER, terminal: 't1' });
    const muniCreds = await credentials.issue({ kind: 'municipality', muni: MUNI });
    broker = await createEmbeddedBroker({ credentials, logger: quietLogger(), port: 0 });
    const port = Number(new URL(broker.mqttUrl).port);
    cut = await netCut({ host: '127.0.0.1', port });
    // The municipality's side, connected directly (its network is fine): records every delivery.
    muniClient = await mqtt.connectAsync(broker.mqttUrl, {
      ...muniCreds,
      clientId: muniCreds.username,
      clean: false,
      protocolVersion: 4,
    });
    muniClient.on('message', (topic, payload) => {
      wire.push({ terminal: topic.split('/')[5]!, ev: JSON.parse(payload.toString()) as ShelterEvent });
    });
    // …and the console's own ingest on that connection writes them to the municipality's store,
    // the broker acknowledging each to the terminal only once it is written (as `npm start` runs)
    consoleDb = await openDb({});
    await migrateConsole(consoleDb);
    ingest = new Ingest({
      db: consoleDb,
      mqtt: muniClient,
      muni: MUNI,
      logger: quietLogger(),
      clock: { now: () => new Date() },
      onChange: () => undefined,
    });
    await ingest.start();
    ingest.holdShelterAcks(broker.aedes);
    await muniClient.subscribeAsync(topics.allShelterEvents(MUNI), { qos: 1 });
    dataDir = await mkdtemp(join(tmpdir(), 'kz-terminal-'));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await ingest?.stop();
    await muniClient?.endAsync(true);
    await consoleDb?.close();
    await cut?.close();
    await broker?.close();
    await brokerDb?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps checking in while cut off, survives kill -9, then delivers every event once and in order', async () => {
    const env = {
      KZ_SHELTER_MUNI: MUNI,
      KZ_SHELTER_ID: SHELTER,
      KZ_SHELTER_TERMINAL: 't1',
      KZ_SHELTER_PORT: '0',
      KZ_SHELTER_MQTT_URL: cut.url,
      KZ_SHELTER_MQTT_USERNAME: terminalCreds.username,
      KZ_SHELTER_MQTT_PASSWORD: terminalCreds.password,
      KZ_SHELTER_CONSOLE_URL: 'http://127.0.0.1:9',
      KZ_SHELTER_DATA_DIR: dataDir,
      KZ_SHELTER_CAPACITY: '500',
    };
    let t = await startTerminalProcess(env);
    children.push(t.proc);
    await until(
      () => status(t.url),
      (s) => s.link.connected,
    );

    // Connected: arrivals reach the municipality at once.
    for (let i = 0; i < 5; i += 1)
      expect((await post(t.url, '/api/check-ins', { manual: { name: `online ${i}` } })).status).toBe(201);
    await until(
      () => wire.length,
      (n) => n >= 5,
    );

    // Network cut: the terminal keeps working and queues.
    cut.block();
    await until(
      () => status(t.url),
      (s) => !s.link.connected,
    );
    for (let i = 0; i < 20; i += 1)
      expect((await post(t.url, '/api/check-ins', { manual: { name: `offline ${i}` } })).status).toBe(201);
    expect((await status(t.url)).link.backlog).toBe(20);

    // Power cut: the process dies without closing anything, and comes back on the same store.
    t.proc.kill('SIGKILL');
    await new Promise((r) => t.proc.once('exit', r));
    t = await startTerminalProcess(env);
    children.push(t.proc);
    const after = await status(t.url);
    expect(after).toMatchObject({ occupancy: { present: 25 }, link: { connected: false, backlog: 20 } });
    for (let i = 0; i < 10; i += 1)
      expect((await post(t.url, '/api/check-ins', { manual: { name: `after restart ${i}` } })).status).toBe(201);
    expect(wire.length).toBe(5);

    // Network back: the backlog drains.
    cut.unblock();
    await until(
      () => status(t.url),
      (s) => s.link.connected && s.link.backlog === 0,
    );
    await until(
      () => new Set(wire.map((w) => w.ev.eventId)).size,
      (n) => n >= 35,
    );

    const firstSeen: number[] = [];
    const seen = new Set<string>();
    for (const w of wire) {
      expect(w.terminal).toBe('t1');
      if (!seen.has(w.ev.eventId)) {
        seen.add(w.ev.eventId);
        firstSeen.push(w.ev.seq);
      }
    }
    // exactly the 35 arrivals, first deliveries in the order they were recorded
    expect(firstSeen).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    // a re-sent duplicate carries the same eventId, so the municipality's store counts it once
    for (const w of wire) expect(wire.find((x) => x.ev.seq === w.ev.seq)!.ev.eventId).toBe(w.ev.eventId);
    // the municipality's store holds each arrival exactly once, the ones on the wire and no other
    await ingest.flush();
    const { rows } = await consoleDb.query<{ seq: number; event_id: string }>(
      "SELECT seq, event_id FROM checkins WHERE terminal_id = 't1' ORDER BY seq",
    );
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.event_id))).toEqual(seen);
    t.proc.kill('SIGTERM');
    await new Promise((r) => t.proc.once('exit', r));
  }, 180_000); // two process starts on PGlite and a drain: slow when the 2 shared cores are busy
});
