/**
 * A TCP load balancer in front of a cluster's nodes: Debian's HAProxy as a child process, one
 * address for MQTT and one for MQTT over WebSocket, each spreading new connections over the nodes
 * that pass a health check.
 *
 * Why TCP mode: MQTT and Web MQTT connections are long-lived streams, and the nodes do the MQTT
 * (login, policy, sessions); HAProxy only picks a node per connection. `leastconn` gives each new
 * connection the node with the fewest, so a node that comes back after a loss refills first rather
 * than waiting for a round robin. The health check is a TCP connect to each listener every
 * `checkIntervalMs`: a node that fails it twice in a row (killed, stopped, or paused by
 * `pause_minority`, which closes its listeners) gets no new connections, and the balancer closes
 * the ones it still holds to it (`on-marked-down shutdown-sessions`) so those clients reconnect to
 * a live node at once. The check does not log in: an MQTT or management login would ask the auth
 * service, and an auth service restart would then mark every node down and drop every TV. A node
 * that accepts TCP but no longer answers (a hung VM) is left to the clients' keep-alives. Client
 * and server timeouts are far above any MQTT keep-alive Kizuna's clients use (30–60 s), so an idle
 * but live TV is never cut by the balancer.
 *
 * RabbitMQ sees the balancer's address as every client's peer; HAProxy's PROXY protocol
 * (`send-proxy` here with `proxy_protocol = true` on the nodes) would carry the client's address,
 * at the price of refusing direct connections to the nodes, so it is left off.
 */
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@kizuna/core';
import { freePort, requireBinary, startChild, stopChild, waitForPort } from './child-process.ts';
import { brokerErrors } from './errors.ts';

export const HAPROXY = '/usr/sbin/haproxy';

export interface BalancedNode {
  /** A short name for the node (HAProxy's server name: letters, digits, `-`, `_`, `.`). */
  name: string;
  /** The node's MQTT URL (mqtt://host:port). */
  mqtt: string;
  /** The node's MQTT-over-WebSocket URL (ws://host:port/path); all nodes share the path. */
  ws?: string | undefined;
}

export interface HaproxyConfigOptions {
  host: string;
  mqttPort: number;
  /** The WebSocket listener; omitted when no node has a WebSocket URL. */
  wsPort?: number | undefined;
  nodes: BalancedNode[];
  /** The admin socket `servers()` reads. */
  statsSocket: string;
  checkIntervalMs: number;
  /** Connections at once over both listeners; omitted: HAProxy derives it from its file limit. */
  maxConnections?: number | undefined;
}

export interface StartHaproxyOptions {
  nodes: BalancedNode[];
  logger: Logger;
  host?: string;
  /** 0 or omitted: a free port. */
  mqttPort?: number;
  /** 0 or omitted: a free port. */
  wsPort?: number;
  /** Health check interval (ms). Default 2 000: a lost node gets no new TV after about 4 s. */
  checkIntervalMs?: number;
  /**
   * Connections at once over both listeners (each takes two file descriptors: client and node).
   * Omitted: HAProxy derives it from its file limit (`ulimit -n`); `maxConnections()` tells it.
   */
  maxConnections?: number;
  bin?: string;
  startTimeoutMs?: number;
}

/** One node as the balancer sees it, per listener (HAProxy's `show stat`). */
export interface BalancedNodeState {
  listener: 'mqtt' | 'ws';
  node: string;
  /** UP, DOWN, or a transition such as "UP 1/2" (HAProxy's words). */
  status: string;
  /** Connections open through the balancer now. */
  current: number;
  /** Connections it has been given since the start. */
  total: number;
  /** The last health check: L4OK, L4CON (refused), L4TOUT, INI (none yet), … (HAProxy's words). */
  check: string;
}

export interface RunningHaproxy {
  /** Where MQTT clients connect: mqtt://host:port. */
  url: string;
  /** Where TVs in browsers connect (ws://host:port/path), if the nodes have WebSocket URLs. */
  wsUrl: string | undefined;
  /** Every node's state per listener. */
  servers(): Promise<BalancedNodeState[]>;
  /** How many connections it takes at once (HAProxy's Maxconn), over both listeners. */
  maxConnections(): Promise<number>;
  close(): Promise<void>;
}

const SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function hostPort(url: string, schemes: string[], what: string): { host: string; port: number; path: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw brokerErrors.KZ_BROKER_START_FAILED(`haproxy: ${what} ${JSON.stringify(url)} is not a URL`);
  }
  if (!schemes.includes(u.protocol) || !u.port)
    throw brokerErrors.KZ_BROKER_START_FAILED(
      `haproxy: ${what} ${url} must be ${schemes.map((s) => `${s}//host:port`).join(' or ')}`,
    );
  return { host: u.hostname, port: Number(u.port), path: u.pathname };
}

/** haproxy.cfg for the nodes: checks every input, so a bad node list fails here, not in HAProxy. */
export function haproxyConfig(o: HaproxyConfigOptions): string {
  if (o.nodes.length === 0) throw brokerErrors.KZ_BROKER_START_FAILED('haproxy: no nodes to balance');
  const seen = new Set<string>();
  for (const n of o.nodes) {
    if (!SERVER_NAME.test(n.name))
      throw brokerErrors.KZ_BROKER_START_FAILED(`haproxy: node name ${JSON.stringify(n.name)} is not a server name`);
    if (seen.has(n.name)) throw brokerErrors.KZ_BROKER_START_FAILED(`haproxy: node name ${n.name} given twice`);
    seen.add(n.name);
  }
  const withWs = o.nodes.filter((n) => n.ws).length;
  if (withWs !== 0 && withWs !== o.nodes.length)
    throw brokerErrors.KZ_BROKER_START_FAILED('haproxy: give every node a WebSocket URL, or none');
  const server = (n: BalancedNode, url: string, schemes: string[], what: string) => {
    const { host, port } = hostPort(url, schemes, `${n.name}'s ${what} URL`);
    return `  server ${n.name} ${host.includes(':') ? `[${host}]` : host}:${port}`;
  };
  const ws = withWs > 0 && o.wsPort !== undefined;
  return [
    'global',
    // HAProxy's own notices (a node marked down or up) on stderr, which the parent logs
    '  log stderr format raw local0 notice',
    ...(o.maxConnections ? [`  maxconn ${o.maxConnections}`] : []),
    `  stats socket ${o.statsSocket} mode 600 level user`,
    '',
    'defaults',
    '  mode tcp',
    '  log global',
    ...(o.maxConnections ? [`  maxconn ${o.maxConnections}`] : []),
    '  timeout connect 5s',
    '  timeout client 10m',
    '  timeout server 10m',
    '  timeout check 3s',
    '  balance leastconn',
    `  default-server check inter ${o.checkIntervalMs} fall 2 rise 2 on-marked-down shutdown-sessions`,
    '',
    'frontend mqtt',
    `  bind ${o.host}:${o.mqttPort}`,
    '  default_backend mqtt_nodes',
    '',
    'backend mqtt_nodes',
    ...o.nodes.map((n) => server(n, n.mqtt, ['mqtt:', 'tcp:'], 'MQTT')),
    ...(ws
      ? [
          '',
          'frontend ws',
          `  bind ${o.host}:${o.wsPort}`,
          '  default_backend ws_nodes',
          '',
          'backend ws_nodes',
          ...o.nodes.map((n) => server(n, n.ws!, ['ws:'], 'WebSocket')),
        ]
      : []),
    '',
  ].join('\n');
}

/** Parses `show stat` CSV into the nodes' states (frontend and backend summary rows left out). */
export function parseShowStat(csv: string): BalancedNodeState[] {
  const lines = csv.split('\n').filter((l) => l.trim());
  const head = lines[0]?.replace(/^# /, '').split(',') ?? [];
  const col = (name: string) => head.indexOf(name);
  const [px, sv, st, cur, tot, chk] = ['pxname', 'svname', 'status', 'scur', 'stot', 'check_status'].map(
    col,
  ) as number[];
  const out: BalancedNodeState[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const listener = f[px!] === 'mqtt_nodes' ? 'mqtt' : f[px!] === 'ws_nodes' ? 'ws' : undefined;
    if (!listener || f[sv!] === 'BACKEND') continue;
    out.push({
      listener,
      node: f[sv!]!,
      status: f[st!]!,
      current: Number(f[cur!]),
      total: Number(f[tot!]),
      check: (chk! >= 0 && f[chk!]) || 'unknown',
    });
  }
  return out;
}

function askSocket(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let out = '';
    s.setTimeout(5000, () => s.destroy(new Error(`no answer to "${command}" within 5 s`)));
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (d) => (out += d.toString('utf8')));
    s.on('end', () => resolve(out));
    s.on('error', (e) =>
      reject(brokerErrors.KZ_BROKER_MANAGEMENT_FAILED(`haproxy admin socket ${path}: ${e.message}`)),
    );
  });
}

export async function startHaproxy(opts: StartHaproxyOptions): Promise<RunningHaproxy> {
  const bin = opts.bin ?? HAPROXY;
  requireBinary(bin, 'install it with `apt-get install haproxy`');
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger.child({ component: 'haproxy' });
  const mqttPort = opts.mqttPort || (await freePort(host));
  const withWs = opts.nodes.some((n) => n.ws);
  const wsPort = withWs ? opts.wsPort || (await freePort(host)) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kz-haproxy-'));
  const statsSocket = join(dir, 'admin.sock');
  let cfg: string;
  try {
    cfg = haproxyConfig({
      host,
      mqttPort,
      wsPort,
      nodes: opts.nodes,
      statsSocket,
      checkIntervalMs: opts.checkIntervalMs ?? 2000,
      maxConnections: opts.maxConnections,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const cfgFile = join(dir, 'haproxy.cfg');
  writeFileSync(cfgFile, cfg);
  // -db: stay in the foreground (our child, stopped with us); -f: this configuration only
  const child = startChild(bin, ['-db', '-f', cfgFile]);
  child.process.stderr?.on('data', (d: Buffer) => {
    for (const line of d.toString('utf8').split('\n').filter(Boolean)) log.warn({ haproxy: line }, 'haproxy');
  });
  const servers = async () => parseShowStat(await askSocket(statsSocket, 'show stat'));
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const timeout = opts.startTimeoutMs ?? 30_000;
    await waitForPort(child, 'haproxy', host, mqttPort, timeout);
    if (wsPort) await waitForPort(child, 'haproxy (WebSocket)', host, wsPort, timeout);
    // HAProxy spreads its first checks over the interval and counts every node up until then; it is
    // handed out once each node has had one, so what servers() says from then on was checked.
    const deadline = Date.now() + timeout;
    for (;;) {
      const unchecked = (await servers()).filter((n) => n.check === 'INI');
      if (unchecked.length === 0) break;
      if (Date.now() > deadline)
        throw brokerErrors.KZ_BROKER_START_FAILED(
          `haproxy: no health check of ${unchecked.map((n) => `${n.listener} ${n.node}`).join(', ')} within ${timeout} ms`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const wsPath = withWs ? hostPort(opts.nodes[0]!.ws!, ['ws:'], 'WebSocket URL').path : '';
  const url = `mqtt://${host}:${mqttPort}`;
  const wsUrl = wsPort ? `ws://${host}:${wsPort}${wsPath}` : undefined;
  const maxConnections = async () => {
    const info = await askSocket(statsSocket, 'show info');
    return Number(/^Maxconn: (\d+)$/m.exec(info)?.[1] ?? NaN);
  };
  log.info(
    { url, wsUrl, nodes: opts.nodes.map((n) => n.name), maxConnections: await maxConnections().catch(() => undefined) },
    'haproxy started',
  );
  let closed = false;
  return {
    url,
    wsUrl,
    servers,
    maxConnections,
    async close() {
      if (closed) return;
      closed = true;
      await stop();
    },
  };
}
