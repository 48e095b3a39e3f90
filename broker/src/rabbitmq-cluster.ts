/**
 * A RabbitMQ cluster of private nodes on one machine (loopback), under the same policy as the
 * single node (rabbitmq.ts): one auth service answers every node's HTTP auth backend.
 *
 * Clustering: the nodes share one Erlang cookie (written to each node's HOME) and one epmd, and
 * the later nodes find the first by classic-config peer discovery on their first boot (a blank
 * node joins the first listed node it reaches). The first node starts alone; the others start
 * together once it listens. Ready when every node's MQTT listener is up and `rabbitmqctl
 * cluster_status` on the first node lists every node as running.
 *
 * Sessions: the MQTT plugin keeps a clean=false session's subscriptions in a durable queue. With
 * `durableQueueType: 'classic'` (the plugin's default) it lives on the node the TV first reached
 * and is lost with that node; `'quorum'` replicates it over the cluster (RabbitMQ 3.10: new
 * clusters only), at a cost the candidate benchmark measures (broker/bench/cluster-candidates.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '@kizuna/core';
import { buildAuthService } from './auth-service.ts';
import {
  freePort,
  requireBinary,
  startChild,
  stopChild,
  waitForMqttLogin,
  waitForPort,
  type Child,
} from './child-process.ts';
import type { CredentialStore } from './credential-store.ts';
import type { BrokerLimits } from './aedes-guards.ts';
import { brokerErrors } from './errors.ts';
import {
  EPMD,
  RABBITMQCTL,
  RABBITMQ_PLUGINS,
  RABBITMQ_SERVER,
  rabbitMqAdvancedConfig,
  rabbitMqConfig,
  rabbitMqDefinitions,
} from './rabbitmq.ts';
import { closeOnRevoke, newOperatorLogin, rabbitMqManagement } from './rabbitmq-management.ts';
import { globalUnblockInstaller } from './rabbitmq-global-unblock.ts';
import { routeRepairInstaller } from './rabbitmq-route-repair.ts';
import { authCacheSweepInstaller } from './rabbitmq-auth-cache-sweep.ts';
import { httpcOptionsInstaller } from './rabbitmq-httpc-options.ts';
import { WEB_MQTT_PATH, webMqttConfig } from './rabbitmq-web-mqtt.ts';

const run = promisify(execFile);
/** A cluster node's plugins: the single node's, and Web MQTT for TVs in browsers on every node. */
const PLUGINS = [...RABBITMQ_PLUGINS, 'rabbitmq_web_mqtt'];

export interface StartRabbitMqClusterOptions {
  credentials: CredentialStore;
  logger: Logger;
  /** Nodes (≥ 1). Default 3. */
  nodes?: number;
  host?: string;
  /** The first node's MQTT port; 0 or omitted: a free one (the other nodes always get free ones). */
  mqttPort?: number;
  /** The first node's MQTT-over-WebSocket port (Web MQTT, path /ws); 0 or omitted: a free one. */
  wsPort?: number;
  /** The auth service's port; 0 or omitted: a free one. */
  authPort?: number;
  /** Auth cache TTL (ms), as for the single node. Default 5 000. */
  cacheTtlMs?: number;
  limits?: Partial<BrokerLimits> | undefined;
  /** Where a clean=false session's queue lives: one node (classic) or replicated (quorum). Default classic. */
  durableQueueType?: 'classic' | 'quorum';
  /** Milliseconds for each start step. Default 180 000 (cold nodes are slow on 2 shared cores). */
  startTimeoutMs?: number;
  /**
   * What the nodes do about a partition (3+ nodes). `autoheal` (the default): both sides go on
   * serving; once the network heals, the side with fewer clients restarts and rejoins. Kizuna's
   * broker keeps nothing the minority must not change — TVs' sessions are clean, and the console's
   * database decides what is re-sent — and in the fault suite (3,000 TVs) `pause_minority` turned a
   * healed partition into two nodes paused by its partial-partition rule (19:04 and 19:33
   * runs), while `autoheal` passed every case (docs/OPERATIONS.md). `pause_minority`: the smaller side
   * stops serving until it reaches the others, and a partial partition pauses the nodes that see it
   * until every node is back.
   */
  partitionHandling?: 'pause_minority' | 'autoheal';
  /**
   * A directory to keep each node's whole log in (`<node name>.log`, appended), past the cluster's
   * close; omitted: only the last lines are kept, for a start error.
   */
  logDir?: string;
}

export interface RabbitMqClusterNode {
  name: string;
  url: string;
  /** MQTT over WebSocket (Web MQTT): ws://host:port/ws, for TVs in browsers. */
  wsUrl: string;
  /** The node's process group (the start script and its beam): its memory, or a kill, covers all of it. */
  pgid: number;
}

export interface RunningRabbitMqCluster {
  /** Every node's MQTT URL; a client may use any of them. */
  urls: string[];
  /** Every node's Web MQTT URL, in the order of `urls`. */
  wsUrls: string[];
  /** The first node's URL (what a single-URL user such as `npm start` is given). */
  url: string;
  nodes: RabbitMqClusterNode[];
  authUrl: string;
  /** Every node's management API (loopback); any one lists the whole cluster's connections. */
  managementUrls: string[];
  /** Run rabbitmqctl against one node (its cookie and epmd), e.g. ['list_connections']. */
  ctl(node: number, args: string[]): Promise<string>;
  /** The auth service stopped (every node's logins, and authorisations past the cache, fail). */
  stopAuth(): Promise<void>;
  /** The auth service started again on the same port, over the same credential store. */
  startAuth(): Promise<void>;
  close(): Promise<void>;
}

export async function startRabbitMqCluster(opts: StartRabbitMqClusterOptions): Promise<RunningRabbitMqCluster> {
  requireBinary(RABBITMQ_SERVER, 'install it with `apt-get install rabbitmq-server`');
  requireBinary(EPMD, 'epmd comes with erlang-base (a rabbitmq-server dependency)');
  const count = opts.nodes ?? 3;
  const host = opts.host ?? '127.0.0.1';
  const timeout = opts.startTimeoutMs ?? 180_000;
  const cacheTtlMs = opts.cacheTtlMs ?? 5000;
  const log = opts.logger.child({ component: 'rabbitmq-cluster' });

  const operator = newOperatorLogin();
  const buildAuth = () =>
    buildAuthService({
      credentials: opts.credentials,
      logger: opts.logger.child({ component: 'broker-auth' }),
      operator,
    });
  let auth: Awaited<ReturnType<typeof buildAuthService>> | null = await buildAuth();
  const authUrl = await auth.listen({ host, port: opts.authPort ?? 0 });
  const authPort = Number(new URL(authUrl).port);
  const dir = mkdtempSync(join(tmpdir(), 'kz-rabbitmq-cluster-'));
  const cookie = randomBytes(20).toString('hex');
  const epmdPort = await freePort(host);
  const prefix = `kz${randomBytes(3).toString('hex')}`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}n${i + 1}@localhost`);
  const baseEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: host,
  };
  const ctlHome = join(dir, 'ctl');
  mkdirSync(ctlHome);
  writeFileSync(join(ctlHome, '.erlang.cookie'), cookie, { mode: 0o400 });

  interface Prepared {
    name: string;
    mqttPort: number;
    managementPort: number;
    wsPort: number;
    env: NodeJS.ProcessEnv;
  }
  const prepared: Prepared[] = [];
  for (const [i, name] of names.entries()) {
    const home = join(dir, `n${i + 1}`);
    mkdirSync(join(home, 'mnesia'), { recursive: true });
    mkdirSync(join(home, 'log'));
    writeFileSync(join(home, '.erlang.cookie'), cookie, { mode: 0o400 });
    const [amqpPort, mqttPort, distPort, managementPort] = [
      await freePort(host),
      (i === 0 && opts.mqttPort) || (await freePort(host)),
      await freePort(host),
      await freePort(host),
    ];
    const wsPort = (i === 0 && opts.wsPort) || (await freePort(host));
    const definitionsFile = join(home, 'definitions.json');
    writeFileSync(definitionsFile, rabbitMqDefinitions(opts.limits));
    const conf = [
      rabbitMqConfig({
        host,
        amqpPort: amqpPort!,
        mqttPort: mqttPort!,
        authUrl,
        cacheTtlMs,
        limits: opts.limits,
        definitionsFile,
        managementPort,
      }),
      webMqttConfig(host, wsPort),
      // With RabbitMQ's default `ignore` both sides of a partition would go on and stay split after
      // the network heals; `autoheal` (partitionHandling) restarts the smaller side once it heals.
      // (Two nodes keep the default: there is no smaller side to pick.)
      ...(count >= 3 ? [`cluster_partition_handling = ${opts.partitionHandling ?? 'autoheal'}`] : []),
      // Later nodes join the first on their first boot; the first one forms the cluster.
      ...(i > 0
        ? [
            'cluster_formation.peer_discovery_backend = classic_config',
            `cluster_formation.classic_config.nodes.1 = ${names[0]}`,
            '',
          ]
        : []),
    ].join('\n');
    writeFileSync(join(home, 'rabbitmq.conf'), conf);
    writeFileSync(
      join(home, 'advanced.config'),
      rabbitMqAdvancedConfig({
        cacheTtlMs,
        durableQueueType: opts.durableQueueType ?? 'classic',
      }),
    );
    writeFileSync(join(home, 'enabled_plugins'), `[${PLUGINS.join(',')}].\n`);
    writeFileSync(join(home, 'rabbitmq-env.conf'), '# private node: everything comes from the environment\n');
    prepared.push({
      name,
      mqttPort: mqttPort!,
      managementPort: managementPort!,
      wsPort,
      env: {
        ...baseEnv,
        HOME: home,
        RABBITMQ_NODENAME: name,
        RABBITMQ_NODE_IP_ADDRESS: host,
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_CONF_ENV_FILE: join(home, 'rabbitmq-env.conf'),
        RABBITMQ_CONFIG_FILE: join(home, 'rabbitmq.conf'),
        RABBITMQ_ADVANCED_CONFIG_FILE: join(home, 'advanced.config'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(home, 'enabled_plugins'),
        RABBITMQ_MNESIA_BASE: join(home, 'mnesia'),
        RABBITMQ_LOG_BASE: join(home, 'log'),
        RABBITMQ_LOGS: '-',
        RABBITMQ_PID_FILE: join(home, 'rabbitmq.pid'),
        ERL_FLAGS: `-kernel inet_dist_use_interface {${host.split('.').join(',')}}`,
      },
    });
  }

  const ctl = async (node: number, args: string[]) => {
    const { stdout } = await run(RABBITMQCTL, ['-n', names[node]!, ...args], {
      env: { ...baseEnv, HOME: ctlHome },
      timeout: 60_000,
    });
    return stdout;
  };

  const epmd = startChild(EPMD, ['-port', String(epmdPort), '-address', host], { env: baseEnv });
  const children: Child[] = [];
  const managementUrls = prepared.map((p) => `http://${host}:${p.managementPort}`);
  let stopClosing = () => {};
  const cleanup = async () => {
    stopClosing();
    await Promise.all(
      children.map(async (c) => {
        const pid = c.process.pid;
        if (!pid || c.process.exitCode !== null) return;
        // The start script keeps beam as its child: stop the whole group we created.
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const killer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 15_000);
        await c.exited;
        clearTimeout(killer);
      }),
    );
    await stopChild(epmd);
    await auth?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = async (p: Prepared) => {
    const c = startChild(RABBITMQ_SERVER, [], { env: p.env, detached: true });
    children.push(c);
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      const file = createWriteStream(join(opts.logDir, `${p.name}.log`), { flags: 'a' });
      c.process.stdout?.pipe(file, { end: false });
      c.process.stderr?.pipe(file, { end: false });
      void c.exited.then(() => file.end());
    }
    await waitForPort(c, `rabbitmq ${p.name}`, host, p.mqttPort, timeout);
    await waitForPort(c, `rabbitmq ${p.name} management`, host, p.managementPort, timeout);
  };
  try {
    await waitForPort(epmd, 'epmd', host, epmdPort, 10_000);
    await start(prepared[0]!);
    await Promise.all(prepared.slice(1).map(start));
    const status = JSON.parse(await ctl(0, ['cluster_status', '--formatter', 'json'])) as { running_nodes?: string[] };
    const missing = names.filter((n) => !status.running_nodes?.includes(n));
    if (missing.length > 0)
      throw brokerErrors.KZ_BROKER_START_FAILED(`rabbitmq cluster: ${missing.join(', ')} did not join ${names[0]}`);
    // An open port is not a node that serves logins (a node opens its listener while still booting;
    // once in CI npm start's first client on a fresh cluster was refused, cause not seen). Every node
    // must answer a login, through the auth service, before the cluster is handed out, as one node
    // must (rabbitmq.ts).
    await Promise.all(
      prepared.map((p, i) =>
        waitForMqttLogin(children[i]!, `rabbitmq ${p.name}`, `mqtt://${host}:${p.mqttPort}`, timeout),
      ),
    );
    // a node paused by a partition must be able to start again (rabbitmq-global-unblock.ts), a
    // TV that moved to another node must not stay deaf (rabbitmq-route-repair.ts), and the auth
    // cache's owner must not crash at its second clean-up (rabbitmq-auth-cache-sweep.ts), and the
    // auth backend's checks must not queue on a few HTTP connections (rabbitmq-httpc-options.ts)
    const installed = await Promise.all(
      prepared.map(async (_, i) => ({
        globalUnblock: (await ctl(i, ['eval', globalUnblockInstaller()])).trim(),
        routeRepair: (await ctl(i, ['eval', routeRepairInstaller()])).trim(),
        authCacheSweep: (await ctl(i, ['eval', authCacheSweepInstaller(cacheTtlMs)])).trim(),
        httpcOptions: (await ctl(i, ['eval', httpcOptionsInstaller()])).trim(),
      })),
    );
    log.info({ installed }, 'rabbitmq 3.10 workarounds');
  } catch (e) {
    await cleanup();
    throw e;
  }
  // A revoked device is cut off on every node: any node's API lists (and closes) them all.
  stopClosing = closeOnRevoke(
    opts.credentials,
    rabbitMqManagement({ urls: managementUrls, ...operator, logger: opts.logger }),
    { logger: opts.logger },
  );
  const urls = prepared.map((p) => `mqtt://${host}:${p.mqttPort}`);
  const wsUrls = prepared.map((p) => `ws://${host}:${p.wsPort}${WEB_MQTT_PATH}`);
  log.info({ urls, wsUrls, authUrl }, 'rabbitmq cluster started');
  let closed = false;
  return {
    urls,
    wsUrls,
    url: urls[0]!,
    nodes: prepared.map((p, i) => ({
      name: p.name,
      url: urls[i]!,
      wsUrl: wsUrls[i]!,
      pgid: children[i]!.process.pid!,
    })),
    authUrl,
    managementUrls,
    ctl,
    async stopAuth() {
      const a = auth;
      auth = null;
      await a?.close();
    },
    async startAuth() {
      if (auth) return;
      const a = await buildAuth();
      await a.listen({ host, port: authPort });
      auth = a;
    },
    async close() {
      if (closed) return;
      closed = true;
      await cleanup();
    },
  };
}
