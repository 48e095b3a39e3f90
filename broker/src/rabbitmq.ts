/**
 * RabbitMQ's MQTT plugin under the same policy, through its HTTP auth backend (auth-service.ts)
 * behind the auth cache. startRabbitMq runs a PRIVATE node: its own node name, data and log
 * directories, AMQP / distribution / epmd / MQTT ports on 127.0.0.1, its own epmd — it never
 * touches a system RabbitMQ (docs/PLATFORM.md, "RabbitMQ 3.10: a private node and the HTTP auth backend").
 *
 * Revocation: revoking or rotating a device closes its open connections through the management
 * API (rabbitmq-management.ts) before the store call returns. Logins are not cached (authn goes
 * to the auth service every CONNECT), so its next CONNECT is refused at once; the cache holds
 * authorisation answers (vhost, queue, topic) for `cacheTtlMs`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import type { RunningBroker } from './mosquitto.ts';
import { BROKER_LIMIT_DEFAULTS, type BrokerLimits } from './aedes-guards.ts';
import { TV_USERNAME_PREFIX } from './identity.ts';
import { authCacheSegmentMs, authCacheSweepInstaller } from './rabbitmq-auth-cache-sweep.ts';
import { httpcOptionsInstaller } from './rabbitmq-httpc-options.ts';
import {
  closeOnRevoke,
  newOperatorLogin,
  rabbitMqManagement,
  RABBITMQ_STATS_INTERVAL_MS,
} from './rabbitmq-management.ts';

export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
export const EPMD = '/usr/bin/epmd';
export const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
/** The management plugin serves the API a revoked device's connections are closed through. */
export const RABBITMQ_PLUGINS = [
  'rabbitmq_mqtt',
  'rabbitmq_auth_backend_http',
  'rabbitmq_auth_backend_cache',
  'rabbitmq_management',
];

export interface RabbitMqConfigOptions {
  host: string;
  amqpPort: number;
  mqttPort: number;
  /** Base URL of the auth service, e.g. http://127.0.0.1:18832 */
  authUrl: string;
  cacheTtlMs: number;
  /** The embedded broker's limits, as far as RabbitMQ 3.10 has them; default BROKER_LIMIT_DEFAULTS. */
  limits?: Partial<BrokerLimits> | undefined;
  /** The management API's port (on `host`); omitted: no management listener configured. */
  managementPort?: number | undefined;
}

/**
 * Definitions loaded at boot: a policy capping every TV's MQTT queue (`mqtt-subscription-<client
 * id>qos1`, the client id being the username, `tv-…`) like the embedded broker does: at most so
 * many messages and payload bytes, the oldest dropped (`drop-head`). The console's and terminals'
 * queues match no policy. A queue's policy cannot expire a message with the alert it carries.
 */
export function rabbitMqDefinitions(limits: Partial<BrokerLimits> = {}): string {
  const l = { ...BROKER_LIMIT_DEFAULTS, ...limits };
  return JSON.stringify(
    {
      vhosts: [{ name: '/' }],
      policies: [
        {
          vhost: '/',
          name: 'kz-tv-queue-caps',
          pattern: `^mqtt-subscription-${TV_USERNAME_PREFIX}`,
          'apply-to': 'queues',
          priority: 0,
          definition: {
            'max-length': l.maxQueuedMessages,
            'max-length-bytes': l.maxQueuedBytes,
            overflow: 'drop-head',
          },
        },
      ],
    },
    null,
    2,
  );
}

/** rabbitmq.conf (new-style): MQTT without anonymous access, every check asked over HTTP POST. */
export function rabbitMqConfig(o: RabbitMqConfigOptions & { definitionsFile?: string | undefined }): string {
  const limits = { ...BROKER_LIMIT_DEFAULTS, ...o.limits };
  return [
    ...(o.definitionsFile ? [`load_definitions = ${o.definitionsFile}`] : []),
    `listeners.tcp.1 = ${o.host}:${o.amqpPort}`,
    `mqtt.listeners.tcp.1 = ${o.host}:${o.mqttPort}`,
    'mqtt.allow_anonymous = false',
    // A socket that has not logged in within the CONNECT timeout is closed. (max_message_size is
    // not set: an MQTT publish above it was seen to hang the client rather than close it.)
    `mqtt.login_timeout = ${limits.connectTimeoutMs}`,
    'mqtt.vhost = /',
    ...(o.managementPort
      ? [
          `management.tcp.ip = ${o.host}`,
          `management.tcp.port = ${o.managementPort}`,
          `collect_statistics_interval = ${RABBITMQ_STATS_INTERVAL_MS}`,
          // The management API is for closing a revoked device's connections (rabbitmq-management.ts),
          // which it lists from connection tracking; its statistics collectors cost each node a third
          // of its idle CPU at 3,000 TV connections (22.2 → 14.7 % of a core; docs/OPERATIONS.md)
          'management_agent.disable_metrics_collector = true',
        ]
      : []),
    'mqtt.exchange = amq.topic',
    // Logins go to the auth service every time, so a revoked device's next CONNECT is refused at
    // once; its vhost, queue and topic answers are cached (every SUBSCRIBE and PUBLISH asks).
    'auth_backends.1.authn = http',
    'auth_backends.1.authz = cache',
    'auth_cache.cached_backend = http',
    `auth_cache.cache_ttl = ${o.cacheTtlMs}`,
    // (the cache's module is in advanced.config: rabbitMqAdvancedConfig)
    // POST: a GET would put passwords into URLs and access logs.
    'auth_http.http_method = post',
    `auth_http.user_path = ${o.authUrl}/auth/user`,
    `auth_http.vhost_path = ${o.authUrl}/auth/vhost`,
    `auth_http.resource_path = ${o.authUrl}/auth/resource`,
    `auth_http.topic_path = ${o.authUrl}/auth/topic`,
    'log.console = true',
    'log.console.level = warning',
    'log.file = false',
    '',
  ].join('\n');
}

/**
 * advanced.config (Erlang terms, for what rabbitmq.conf cannot say). The auth cache's module: the
 * default, rabbit_auth_cache_ets, answers every lookup through one process; in the fault suite at
 * 10,000 TVs those calls timed out (15 s) under a fan-out's receipts, and each timeout closed a TV's
 * connection (broker/test/rabbitmq-cluster.test.ts holds that process still). The segmented
 * stateless module reads its ETS tables in the asking process and calls its owner only to add a
 * table per segment (one per `cacheTtlMs`); its segment size is an argument, which only
 * advanced.config can give. Its clean-up has a defect of its own that authCacheSweepInstaller
 * (rabbitmq-auth-cache-sweep.ts) works around; startRabbitMq and startRabbitMqCluster install it.
 */
export function rabbitMqAdvancedConfig(o: { cacheTtlMs: number; durableQueueType?: 'classic' | 'quorum' }): string {
  const cache = `{rabbitmq_auth_backend_cache, [{cache_module, rabbit_auth_cache_ets_segmented_stateless}, {cache_module_args, [${authCacheSegmentMs(o.cacheTtlMs)}]}]}`;
  const mqtt = o.durableQueueType ? [`{rabbitmq_mqtt, [{durable_queue_type, ${o.durableQueueType}}]}`] : [];
  return `[${[cache, ...mqtt].join(',\n ')}].\n`;
}

export interface StartRabbitMqOptions {
  credentials: CredentialStore;
  logger: Logger;
  host?: string;
  /** 0 or omitted: a free port. */
  mqttPort?: number;
  /** The auth service's port; 0 or omitted: a free one. */
  authPort?: number;
  /** Auth cache TTL (ms): how long a revoked device may still be let in. Default 5 000. */
  cacheTtlMs?: number;
  /** The CONNECT timeout (rabbitMqConfig) and TV queue caps (rabbitMqDefinitions); default BROKER_LIMIT_DEFAULTS. */
  limits?: Partial<BrokerLimits> | undefined;
  /** Milliseconds to wait for the MQTT listener. Default 120 000 (a cold node takes a while on 2 cores). */
  startTimeoutMs?: number;
  bin?: string;
}

export interface RunningRabbitMq extends RunningBroker {
  authUrl: string;
  /** The management API (loopback; its login is the node's operator login, held in memory). */
  managementUrl: string;
  cacheTtlMs: number;
  /** `rabbitmqctl eval` of an Erlang expression (ending in `.`) on the node; its printed result. */
  evalOnNode(expr: string): Promise<string>;
}

export async function startRabbitMq(opts: StartRabbitMqOptions): Promise<RunningRabbitMq> {
  const bin = opts.bin ?? RABBITMQ_SERVER;
  requireBinary(bin, 'install it with `apt-get install rabbitmq-server`');
  requireBinary(EPMD, 'epmd comes with erlang-base (a rabbitmq-server dependency)');
  const log = opts.logger.child({ component: 'rabbitmq' });
  const host = opts.host ?? '127.0.0.1';
  const cacheTtlMs = opts.cacheTtlMs ?? 5000;

  const operator = newOperatorLogin();
  const auth = await buildAuthService({
    credentials: opts.credentials,
    logger: opts.logger.child({ component: 'broker-auth' }),
    operator,
  });
  const authAddress = await auth.listen({ host, port: opts.authPort ?? 0 });

  const dir = mkdtempSync(join(tmpdir(), 'kz-rabbitmq-'));
  const [amqpPort, mqttPort, distPort, epmdPort, managementPort] = [
    await freePort(host),
    opts.mqttPort || (await freePort(host)),
    await freePort(host),
    await freePort(host),
    await freePort(host),
  ] as [number, number, number, number, number];
  const definitionsFile = join(dir, 'definitions.json');
  writeFileSync(definitionsFile, rabbitMqDefinitions(opts.limits));
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    rabbitMqConfig({
      host,
      amqpPort,
      mqttPort,
      authUrl: authAddress,
      cacheTtlMs,
      limits: opts.limits,
      definitionsFile,
      managementPort,
    }),
  );
  writeFileSync(join(dir, 'advanced.config'), rabbitMqAdvancedConfig({ cacheTtlMs }));
  writeFileSync(join(dir, 'enabled_plugins'), `[${RABBITMQ_PLUGINS.join(',')}].\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '# private node: everything comes from the environment\n');
  mkdirSync(join(dir, 'mnesia'));
  mkdirSync(join(dir, 'log'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir, // the Erlang cookie lives here
    LANG: 'C.UTF-8',
    RABBITMQ_NODENAME: `kz${randomBytes(4).toString('hex')}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: host,
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: host,
    ERL_FLAGS: `-kernel inet_dist_use_interface {${host.split('.').join(',')}}`,
  };

  // Our own epmd in the foreground, so it ends with us instead of lingering as a daemon.
  const epmd = startChild(EPMD, ['-port', String(epmdPort), '-address', host], { env });
  let node: Child | undefined;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const managementUrl = `http://${urlHost}:${managementPort}`;
  let stopClosing = () => {};
  const cleanup = async () => {
    stopClosing();
    if (node?.process.pid) {
      // The start script keeps beam as its child: stop the whole group we created.
      try {
        process.kill(-node.process.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-node!.process.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await node.exited;
      clearTimeout(killer);
    }
    await stopChild(epmd);
    await auth.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const evalOnNode = async (expr: string) =>
    (
      await promisify(execFile)(RABBITMQCTL, ['-n', env.RABBITMQ_NODENAME!, 'eval', expr], { env, timeout: 60_000 })
    ).stdout.trim();
  try {
    await waitForPort(epmd, 'epmd', host, epmdPort, 10_000);
    node = startChild(bin, [], { env, detached: true });
    const startDeadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
    await waitForPort(node, 'rabbitmq', host, mqttPort, startDeadline - Date.now());
    await waitForMqttLogin(node, 'rabbitmq', `mqtt://${host}:${mqttPort}`, Math.max(5000, startDeadline - Date.now()));
    await waitForPort(node, 'rabbitmq management', host, managementPort, Math.max(5000, startDeadline - Date.now()));
    // the auth cache's owner must not crash at its second clean-up (rabbitmq-auth-cache-sweep.ts),
    // and the auth backend's checks must not queue on a few HTTP connections (rabbitmq-httpc-options.ts)
    const installed = {
      authCacheSweep: await evalOnNode(authCacheSweepInstaller(cacheTtlMs)),
      httpcOptions: await evalOnNode(httpcOptionsInstaller()),
    };
    log.info({ installed }, 'rabbitmq 3.10 workarounds');
  } catch (e) {
    await cleanup();
    throw e;
  }
  // from now on a revoke or rotate closes the device's connections (the API answers)
  stopClosing = closeOnRevoke(
    opts.credentials,
    rabbitMqManagement({ urls: [managementUrl], ...operator, logger: opts.logger }),
    { logger: opts.logger },
  );
  const url = `mqtt://${host}:${mqttPort}`;
  log.info({ url, authUrl: authAddress, pid: node.process.pid }, 'rabbitmq started');
  let closed = false;
  return {
    url,
    wsUrl: undefined,
    authUrl: authAddress,
    managementUrl,
    cacheTtlMs,
    evalOnNode,
    async close() {
      if (closed) return;
      closed = true;
      await cleanup();
    },
  };
}
