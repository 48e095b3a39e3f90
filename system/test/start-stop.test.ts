/**
 * `npm start` stopped with Ctrl+C (SIGINT) closes every port within seconds (issue 24, item 11),
 * even while the people using it are still connected: a staff screen's live stream, idle
 * keep-alive connections to every web server, a TV on the broker over MQTT and a browser over
 * MQTT-over-WebSocket, and a page on the card bridge.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const zeroPorts = Object.fromEntries(
  ['CONSOLE', 'TV', 'SHELTER', 'BROKER', 'BROKER_WS', 'AUTHORITY', 'GATEWAY', 'BRIDGE'].map((p) => [
    `KZ_${p}_PORT`,
    '0',
  ]),
);

/** Resolves with what start printed once it says it is running. */
function started(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('Press Ctrl+C to stop.')) resolve(out);
    });
    child.stderr!.on('data', (c) => {
      err += c;
    });
    child.once('exit', (code) => reject(new Error(`start exited with ${code}: ${err}`)));
  });
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

const agent = new Agent({ keepAlive: true });
function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('npm start stopped with Ctrl+C', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    agent.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('closes every port within seconds while clients are connected', { timeout: 900_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'kz-stop-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'system/src/start.ts'], {
      cwd: root,
      env: { ...process.env, KZ_DATA_DIR: dir, KZ_LOG_LEVEL: 'info', ...zeroPorts },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // starting builds the web bundles and seeds the demo: minutes on a busy machine; stopping is what is timed
    const out = await started(child);
    const url = (label: RegExp) => new URL(out.match(label)![1]!);
    const consoleUrl = url(/Municipal console\s+(\S+?)\/\s/);
    const shelterUrl = url(/Shelter terminal\s+(\S+?)\/\s/);
    const bridgeUrl = url(/card bridge (\S+?)\)/);
    const gatewayUrl = url(/Insurer gateway\s+(\S+?)\/\s/);
    const authorityUrl = url(/Certificate authority (\S+?)\/\s/);
    const mqttUrl = url(/MQTT broker\s+(\S+)\s+and/);
    const wsUrl = url(/MQTT broker\s+\S+\s+and\s+(\S+)/);
    const tvLinks = [...out.matchAll(/^\s+(http:\/\/\S+#device=\S+)$/gm)].map((m) => new URL(m[1]!));
    const tvLink = tvLinks[0]!;
    const ports = Object.entries({
      console: consoleUrl,
      shelter: shelterUrl,
      bridge: bridgeUrl,
      gateway: gatewayUrl,
      authority: authorityUrl,
      mqtt: mqttUrl,
      mqttWs: wsUrl,
      tv: tvLink,
    }).map(([name, u]) => [name, Number(u.port)] as const);
    expect(new Set(ports.map(([, p]) => p)).size).toBe(8);

    // people still connected when the operator presses Ctrl+C
    const login = await fetch(new URL('/api/session', consoleUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo-admin-pass' }),
    });
    const { token } = (await login.json()) as { token: string };
    const live = await fetch(new URL('/api/live', consoleUrl), { headers: { authorization: `Bearer ${token}` } });
    expect(live.status).toBe(200);
    const liveReader = live.body!.getReader();
    void liveReader.read().catch(() => undefined);
    for (const u of [consoleUrl, shelterUrl, gatewayUrl, authorityUrl, tvLink])
      expect(await get(new URL('/', u).toString())).toBeLessThan(500);
    const tv = (link: URL) => {
      const h = new URLSearchParams(link.hash.slice(1));
      return { username: h.get('user')!, password: h.get('pass')!, clientId: h.get('user')!, reconnectPeriod: 0 };
    };
    const tcpTv = await mqtt.connectAsync(mqttUrl.toString(), tv(tvLinks[0]!));
    const wsTv = await mqtt.connectAsync(wsUrl.toString(), tv(tvLinks[1]!));
    const bridgePage = new WebSocket(bridgeUrl.toString());
    await new Promise((resolve, reject) => bridgePage.once('open', resolve).once('error', reject));
    for (const c of [tcpTv, wsTv]) c.on('error', () => undefined);
    bridgePage.on('error', () => undefined);

    const t0 = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
    const open: string[] = [];
    for (const [name, p] of ports) if (!(await refused(p))) open.push(name);
    expect({ code, open }).toEqual({ code: 0, open: [] });
    expect(Date.now() - t0).toBeLessThan(10_000);
    tcpTv.end(true);
    wsTv.end(true);
    bridgePage.terminate();
  });
});
