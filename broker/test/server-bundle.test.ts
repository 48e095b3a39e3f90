/**
 * The broker server as one built file (server-bundle.ts): started with plain `node`, no tsx, on a
 * PGlite directory, it logs a TV in with the credentials the store issued and refuses a bad one.
 * The packages it uses are inside the file (PGlite apart).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { openDb } from '@kizuna/core';
import { createCredentialStore, freePort, type IssuedCredentials } from '../src/index.ts';
import { buildBrokerServer } from '../src/server-bundle.ts';
import { embeddedBrokerEnv, startChild, stopChild, waitForMqttLogin, type Child } from '../src/child-process.ts';

describe('the broker server bundle', () => {
  let dir: string;
  let cred: IssuedCredentials;
  let child: Child | undefined;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kz-bundle-'));
    const db = await openDb({ dataDir: dir });
    cred = await (await createCredentialStore(db)).issue({ kind: 'tv', muni: '999997', device: 'tv-b1' });
    await db.close();
  });
  afterAll(async () => {
    if (child) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds, starts with plain node and logs a TV in', async () => {
    // where `npm run build:broker` writes it: node_modules and broker/migrations are found from there
    const { outfile } = await buildBrokerServer();
    // One file to read, not hundreds to resolve at a restart: every package is inside but PGlite.
    const imported = [...readFileSync(outfile, 'utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    const packages = imported.filter((m) => !m.startsWith('node:') && !builtinModules.includes(m));
    expect(packages).toEqual(['@electric-sql/pglite']);
    const port = await freePort();
    url = `mqtt://127.0.0.1:${port}`;
    child = startChild(process.execPath, [outfile], {
      env: { PATH: process.env.PATH, ...(await embeddedBrokerEnv(port, dir)) },
    });
    await waitForMqttLogin(child, 'the bundled broker', url, 60_000);
    const c = await mqtt
      .connectAsync(url, {
        clientId: cred.username,
        username: cred.username,
        password: cred.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
      })
      .catch((e: Error) => {
        throw new Error(`${e.message}; the broker said: ${child!.tail()}`);
      });
    expect(c.connected).toBe(true);
    await c.endAsync();
    const refused = await mqtt
      .connectAsync(url, {
        clientId: cred.username,
        username: cred.username,
        password: 'not-the-password',
        protocolVersion: 4,
        reconnectPeriod: 0,
      })
      .then(
        (x) => (x.end(true), 'accepted'),
        (e: Error) => e.message,
      );
    expect(refused).toMatch(/Bad username or password/i);
  }, 120_000);
});
