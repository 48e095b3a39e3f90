/**
 * A console process stops within a bounded time on SIGTERM, even with publishes the broker never
 * acknowledged (after the fault suite, console B ignored SIGTERM for about two minutes: its broker
 * client's orderly end waits for every outstanding PUBACK). The console's real server process on a
 * private PostgreSQL, and a real aedes broker that takes the console's publishes and acknowledges
 * none, as RabbitMQ 3.10 did on a connection after refusing one publish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { openDb, type Db } from '@kizuna/core';
import { seedTown, startPrivatePostgres, type PrivatePostgres, type Town } from '@kizuna/test-utils';
import { addShelter, addZone, createStaff, migrateConsole, registerDevice, seedResidents } from '../src/index.ts';
import { MUNI } from './helpers.ts';
import { sendAlertAsStaff, startConsoleProcess, stopConsoleProcesses } from './console-process.ts';

/** What the console promises (server.ts): stopped within 10 s of SIGTERM; a margin for a loaded machine. */
const BOUND_MS = 20_000;

let pg: PrivatePostgres;
let db: Db;
let town: Town;
let aedes: Aedes;
let server: Server;
let held = 0;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  db = await openDb({ url: pg.url, max: 2 });
  town = await seedTown({ addShelter, addZone, createStaff, migrateConsole, registerDevice, seedResidents }, db, 5);
  aedes = await Aedes.createBroker({
    authorizePublish: (client, _packet, callback) => {
      if (client?.id?.startsWith('console')) {
        held += 1;
        return; // taken, never acknowledged
      }
      callback(null);
    },
  });
  server = createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}, 180_000);

afterAll(async () => {
  // a console that did not stop on SIGTERM is not left running
  const killer = setTimeout(() => process.kill(process.pid, 'SIGKILL'), 120_000);
  killer.unref();
  await stopConsoleProcesses();
  clearTimeout(killer);
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db?.close();
  await pg?.close();
}, 180_000);

describe('console process on SIGTERM', () => {
  it('exits within a bounded time although the broker acknowledged none of its publishes', async () => {
    const port = (server.address() as AddressInfo).port;
    const c = await startConsoleProcess('console', {
      KZ_CONSOLE_DATABASE_URL: pg.url,
      KZ_CONSOLE_DATA_DIR: 'memory',
      KZ_CONSOLE_PORT: '0',
      KZ_CONSOLE_MUNI: MUNI,
      KZ_CONSOLE_MQTT_URL: `mqtt://127.0.0.1:${port}`,
      KZ_CONSOLE_MQTT_USERNAME: 'console',
      KZ_CONSOLE_MQTT_PASSWORD: 'any',
      KZ_CONSOLE_AUDIT_KEY: randomBytes(32).toString('base64'),
    });
    await sendAlertAsStaff(c.url, town.staff, town.zones);
    const end = Date.now() + 60_000;
    while (held === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(held, 'the console published the alert').toBeGreaterThan(0);

    const t0 = Date.now();
    c.proc.kill('SIGTERM');
    const stopped = await Promise.race([
      c.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), BOUND_MS)),
    ]);
    if (!stopped) c.proc.kill('SIGKILL');
    expect(stopped, `console still running ${BOUND_MS} ms after SIGTERM`).toBe(true);
    console.info(`console stopped ${Date.now() - t0} ms after SIGTERM`);
  }, 300_000);
});
