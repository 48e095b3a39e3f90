/**
 * A restarted embedded broker listens while its credential database opens (PGlite takes seconds):
 * a TV's CONNECT that arrives meanwhile is held and answered once the store is open, not refused
 * — a refused TV backs off for up to 30 s (issue 21, reconnect storms).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { openDb } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  freePort,
  LISTEN_BACKLOG,
  type IssuedCredentials,
} from '../src/index.ts';
import { credentialsWhenReady, type BrokerCredentials } from '../src/credentials-when-ready.ts';
import { loadBrokerConfig } from '../src/config.ts';
import { startBrokerService } from '../src/service.ts';
import { captureLogger } from './log-capture.ts';
import { connectPacket } from './raw-mqtt.ts';

const tv = { kind: 'tv' as const, muni: '999997', device: 'tv-early' };

describe('logins held while the credential store opens', () => {
  it('the embedded broker answers a CONNECT that came before its store was ready', async () => {
    const db = await openDb({});
    const store = await createCredentialStore(db);
    const cred = await store.issue(tv);
    let open!: (s: BrokerCredentials) => void;
    const { logger } = captureLogger('silent');
    const broker = await createEmbeddedBroker({
      credentials: credentialsWhenReady(new Promise<BrokerCredentials>((r) => (open = r))),
      logger,
      port: 0,
    });
    const client = mqtt.connect(broker.mqttUrl, {
      clientId: cred.username,
      username: cred.username,
      password: cred.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    try {
      let connectedAt = 0;
      client.on('connect', () => (connectedAt = Date.now()));
      await new Promise((r) => setTimeout(r, 500));
      expect(connectedAt).toBe(0); // held, not answered and not refused
      expect(client.connected).toBe(false);
      const openedAt = Date.now();
      open(store);
      await expect.poll(() => client.connected, { timeout: 5000 }).toBe(true);
      expect(connectedAt).toBeGreaterThanOrEqual(openedAt);
    } finally {
      await client.endAsync(true);
      await broker.close();
      await db.close();
    }
  });

  it("serves the municipality's login before the TVs' held ones (its alert waits on it)", async () => {
    const db = await openDb({});
    const store = await createCredentialStore(db);
    const tvs = await store.issueMany(
      Array.from({ length: 300 }, (_, i) => ({ kind: 'tv' as const, muni: '999997', device: `tv-held-${i}` })),
    );
    const officer = await store.issue({ kind: 'municipality', muni: '999997' });
    let open!: (s: BrokerCredentials) => void;
    const { logger } = captureLogger('silent');
    const held = credentialsWhenReady(new Promise<BrokerCredentials>((r) => (open = r)));
    let asked = 0;
    const broker = await createEmbeddedBroker({
      credentials: { ...held, authenticate: (...a) => ((asked += 1), held.authenticate(...a)) },
      logger,
      port: 0,
      limits: { maxPendingPerAddress: 1000 },
    });
    const answered: string[] = [];
    const login = (c: IssuedCredentials) => {
      const client = mqtt.connect(broker.mqttUrl, {
        clientId: c.username,
        username: c.username,
        password: c.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 20_000,
      });
      client.once('connect', () => answered.push(c.username));
      return client;
    };
    // the TVs first, the municipality last: all held while the store opens
    const clients = [...tvs.map(login), login(officer)];
    try {
      await expect.poll(() => asked, { timeout: 10_000 }).toBe(301);
      open(store);
      await expect.poll(() => answered.length, { timeout: 20_000 }).toBe(301);
      const rank = answered.indexOf(officer.username);
      expect(rank, `the municipality was answered ${rank + 1}th of 301`).toBeLessThan(30);
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await broker.close();
      await db.close();
    }
  });

  it('holds a city of 5,000 logins at once with the default limits, from many addresses, and answers each', async () => {
    const N = 5000;
    const ADDRESSES = 50; // 100 TVs behind each address, under the per-address cap (128)
    let open!: (s: BrokerCredentials) => void;
    const held = credentialsWhenReady(new Promise<BrokerCredentials>((r) => (open = r)));
    let asked = 0;
    const { logger } = captureLogger('silent');
    const broker = await createEmbeddedBroker({
      credentials: { ...held, authenticate: (...a) => ((asked += 1), held.authenticate(...a)) },
      logger,
      port: 0,
    });
    const port = Number(new URL(broker.mqttUrl).port);
    const db = await openDb({});
    const sockets: Socket[] = [];
    let answered = 0;
    let closedUnanswered = 0;
    try {
      for (let i = 0; i < N; i++) {
        const s = tcpConnect({ port, host: '127.0.0.1', localAddress: `127.0.1.${1 + (i % ADDRESSES)}` });
        let gotConnack = false;
        s.on('data', (d: Buffer) => {
          if (gotConnack || d[0] !== 0x20) return;
          gotConnack = true;
          answered += 1;
        });
        s.on('close', () => {
          if (!gotConnack) closedUnanswered += 1;
        });
        s.on('error', () => undefined);
        // unknown devices: the store answers each with a refusal, after a hash check like any login
        s.write(
          connectPacket({ clientId: `tv-999997-city${i}`, username: `tv-999997-city${i}`, password: 'x'.repeat(24) }),
        );
        sockets.push(s);
        if (i % 250 === 249) await new Promise((r) => setTimeout(r, 20));
      }
      // every socket is either waiting for its login or was closed at once
      await expect.poll(() => asked + closedUnanswered, { timeout: 20_000 }).toBe(N);
      expect(closedUnanswered, 'sockets closed before their login was answered').toBe(0);
      open(await createCredentialStore(db));
      await expect.poll(() => answered + closedUnanswered, { timeout: 30_000 }).toBe(N);
      expect(closedUnanswered).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await broker.close();
      await db.close();
    }
  });

  it("asks the kernel for a listen backlog that a city's reconnecting TVs fit in (not Node's 511)", async () => {
    const { logger } = captureLogger('silent');
    const db = await openDb({});
    const broker = await createEmbeddedBroker({
      credentials: await createCredentialStore(db),
      logger,
      port: 0,
      wsPort: 0,
    });
    try {
      const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
      for (const url of [broker.mqttUrl, broker.wsUrl!]) {
        // a listening socket's Send-Q is its backlog
        const port = new URL(url).port;
        const [line] = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
          .trim()
          .split('\n');
        const backlog = Number(line!.trim().split(/\s+/)[2]);
        expect(backlog, `${url}: ${line}`).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
        expect(backlog).toBeGreaterThan(511);
      }
    } finally {
      await broker.close();
      await db.close();
    }
  });

  describe('the broker service on a PGlite directory', () => {
    let dir: string;
    let cred: IssuedCredentials;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'kz-early-'));
      const db = await openDb({ dataDir: dir });
      cred = await (await createCredentialStore(db)).issue(tv);
      await db.close();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('accepts TVs before the database is open and logs them in once it is', async () => {
      const port = await freePort();
      const { logger, lines } = captureLogger('info');
      const cfg = loadBrokerConfig({
        KZ_BROKER_MODE: 'embedded',
        KZ_BROKER_PORT: String(port),
        KZ_BROKER_WS_PORT: String(await freePort()),
        KZ_BROKER_AUTH_PORT: String(await freePort()),
        KZ_BROKER_DATA_DIR: dir,
      });
      let acceptedAt = 0;
      let socket: Socket | undefined;
      // a TV trying every 10 ms from the moment the service starts
      const poll = setInterval(() => {
        if (acceptedAt || socket) return;
        const s = tcpConnect(port, '127.0.0.1');
        socket = s;
        s.once('connect', () => (acceptedAt = Date.now()));
        s.once('error', () => (socket = undefined));
      }, 10);
      const service = await startBrokerService(cfg, logger);
      clearInterval(poll);
      socket?.destroy();
      try {
        const storeOpen = lines.find((l) => l.msg.startsWith('credential store open'));
        expect(storeOpen, 'the service says when its store is open').toBeDefined();
        expect(acceptedAt).toBeGreaterThan(0);
        expect(acceptedAt).toBeLessThan(Number(storeOpen!.time));
        const c = await mqtt.connectAsync(service.mqttUrl, {
          clientId: cred.username,
          username: cred.username,
          password: cred.password,
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
        await c.endAsync();
      } finally {
        await service.close();
      }
    });
  });
});
