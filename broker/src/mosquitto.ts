/**
 * Mosquitto (2.0.x) under the same policy, through its dynamic-security plugin:
 *  - at start, its JSON file is written from the credential store: one client and one role per
 *    device (2.0.11 does not substitute %u/%c in dynsec ACLs), deny by default everywhere;
 *  - afterwards every issue / rotate / revoke is sent as a command on $CONTROL/dynamic-security/v1
 *    before the store call returns, so it takes effect without a restart. Mosquitto then
 *    disconnects the affected client itself.
 * Refused subscriptions get SUBACK 0x80 per filter; a refused QoS 1 publish is acknowledged and
 * dropped (docs/PLATFORM.md, "Mosquitto 2.0.11"). Delivery is checked too (publishClientReceive).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '@kizuna/core';
import {
  freePort,
  requireBinary,
  startChild,
  stopChild,
  systemUser,
  waitForPort,
  type Child,
} from './child-process.ts';
import type { CredentialStore } from './credential-store.ts';
import { CONTROL, DynsecControl, type DynsecResponse } from './dynsec-control.ts';
import { BROKER_LIMIT_DEFAULTS, type BrokerLimits } from './aedes-guards.ts';
import { brokerErrors } from './errors.ts';
import type { BrokerIdentity } from './identity.ts';
import { mosquittoHash, newPassword, type MosquittoHash } from './password-hash.ts';
import { DEVICE_MAX_QOS, grantsOf } from './policy.ts';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';
/** The adapter's own control client; no store username has this shape. */
export const CONTROL_USERNAME = 'kz-dynsec-control';

type AclType = 'publishClientSend' | 'publishClientReceive' | 'subscribePattern' | 'unsubscribePattern';
export interface Acl {
  acltype: AclType;
  topic: string;
  priority: number;
  allow: boolean;
}

/** A dynsec client that is not in the credential store (a cluster's bridge or probe): kept at reconcile. */
export interface ExtraDynsecClient {
  username: string;
  hash: MosquittoHash;
  acls: Acl[];
}

export const roleName = (username: string) => `kz-${username}`;

/** The dynsec ACLs of one identity, straight from the policy's grants. */
export function dynsecAcls(identity: BrokerIdentity): Acl[] {
  const g = grantsOf(identity);
  return [
    ...g.publish.map((topic) => ({ acltype: 'publishClientSend' as const, topic, priority: 0, allow: true })),
    ...g.subscribe.flatMap((topic) => [
      { acltype: 'subscribePattern' as const, topic, priority: 0, allow: true },
      { acltype: 'publishClientReceive' as const, topic, priority: 0, allow: true },
    ]),
  ];
}

/** The dynamic-security.json Mosquitto starts from (same layout `mosquitto_ctrl dynsec init` writes). */
export function dynsecConfig(
  clients: Array<{ username: string; identity: BrokerIdentity; hash: MosquittoHash }>,
  control: { username: string; hash: MosquittoHash },
  extra: ExtraDynsecClient[] = [],
): object {
  const controlAcls: Acl[] = [
    { acltype: 'publishClientSend', topic: `${CONTROL}/#`, priority: 0, allow: true },
    { acltype: 'publishClientReceive', topic: `${CONTROL}/#`, priority: 0, allow: true },
    { acltype: 'subscribePattern', topic: `${CONTROL}/#`, priority: 0, allow: true },
  ];
  return {
    defaultACLAccess: { publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true },
    clients: [
      {
        username: control.username,
        textName: 'Kizuna credential sync',
        ...control.hash,
        roles: [{ rolename: 'kz-control' }],
      },
      ...clients.map((c) => ({
        username: c.username,
        clientid: c.username,
        ...c.hash,
        roles: [{ rolename: roleName(c.username) }],
      })),
      ...extra.map((c) => ({
        username: c.username,
        clientid: c.username,
        ...c.hash,
        roles: [{ rolename: roleName(c.username) }],
      })),
    ],
    groups: [],
    roles: [
      { rolename: 'kz-control', acls: controlAcls },
      ...clients.map((c) => ({ rolename: roleName(c.username), acls: dynsecAcls(c.identity) })),
      ...extra.map((c) => ({ rolename: roleName(c.username), acls: c.acls })),
    ],
  };
}

export interface MosquittoConfigOptions {
  host: string;
  port: number;
  wsPort?: number | undefined;
  dynsecFile: string;
  plugin?: string;
  /** Lines appended at the end (a cluster's limits and bridge sections). */
  extra?: readonly string[] | undefined;
  /** The embedded broker's limits, as far as Mosquitto can express them (mosquittoLimitLines). */
  limits?: Partial<BrokerLimits> | undefined;
}

/**
 * The limits Mosquitto 2.0 has: one max_packet_size for everyone (the server limit, as the
 * municipality's alerts need it; no separate limit before login or for devices); max_qos is set
 * per listener in mosquittoConfig. Its max_queued_messages / _bytes apply to every client (the
 * console's session too) and drop the newest message, so the TV caps are not applied there: the
 * console's queue keeps at least Mosquitto's default (docs/OPERATIONS.md "Broker limits").
 * It has no CONNECT timeout and no cap on sockets not logged in (max_connections counts all).
 */
export function mosquittoLimitLines(limits: Partial<BrokerLimits> = {}): string[] {
  const l = { ...BROKER_LIMIT_DEFAULTS, ...limits };
  return [
    `max_packet_size ${Math.max(l.maxPacketServer, l.maxPacketDevice)}`,
    // Mosquitto's queue caps hold for every client, the console's session too, and drop the newest:
    // a TV-sized cap would lose check-ins queued for a restarting console. Never below Mosquitto's
    // own default, and no byte cap (docs/OPERATIONS.md "Broker limits").
    `max_queued_messages ${Math.max(l.maxQueuedMessages, MOSQUITTO_QUEUE_FLOOR)}`,
    'max_queued_bytes 0',
  ];
}

/** Mosquitto's own default max_queued_messages: what the console's session had before the TV caps. */
export const MOSQUITTO_QUEUE_FLOOR = 1000;

/** mosquitto.conf: no anonymous access, the dynsec plugin for every listener. */
export function mosquittoConfig(o: MosquittoConfigOptions): string {
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'connection_messages false',
    // max_qos is per listener and for everyone (devices' maximum; no server needs QoS 2): a 3.1.1
    // client publishing above it is disconnected, a SUBSCRIBE is granted at most it.
    `listener ${o.port} ${o.host}`,
    `max_qos ${DEVICE_MAX_QOS}`,
    // Mosquitto 2.0.11's websockets listener ignores the bind address (docs/PLATFORM.md): firewall it.
    ...(o.wsPort !== undefined
      ? [`listener ${o.wsPort} ${o.host}`, 'protocol websockets', `max_qos ${DEVICE_MAX_QOS}`]
      : []),
    ...mosquittoLimitLines(o.limits),
    `plugin ${o.plugin ?? DYNSEC_PLUGIN}`,
    `plugin_opt_config_file ${o.dynsecFile}`,
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

export interface SyncMosquittoOptions {
  /** The Mosquitto to keep in sync (its dynamic-security plugin loaded). */
  url: string;
  /** A dynsec client allowed on $CONTROL/dynamic-security/#. */
  username: string;
  password: string;
  credentials: CredentialStore;
  logger: Logger;
  /** Extra mqtt.js options (TLS CA, ...). */
  mqtt?: Partial<IClientOptions>;
  /** Dynsec usernames outside the store that reconcile must leave alone (a cluster's bridges). */
  keep?: readonly string[] | undefined;
}

export interface MosquittoSync {
  /** Usernames Mosquitto knew that are no longer active in the store, deleted at connect. */
  removedAtStart: string[];
  close(): Promise<void>;
}

/**
 * Keep a running Mosquitto's dynamic-security clients in step with the credential store: each
 * issue / rotate / revoke is applied before the store call returns. At connect, clients revoked
 * while nobody was listening are deleted; an active device Mosquitto does not know cannot be
 * created without its password, so it is logged for a rotation.
 */
export async function syncMosquitto(o: SyncMosquittoOptions): Promise<MosquittoSync> {
  const log = o.logger.child({ component: 'mosquitto-sync' });
  let admin: MqttClient | undefined;
  try {
    admin = await mqtt.connectAsync(o.url, {
      username: o.username,
      password: o.password,
      clientId: `${o.username}-${randomBytes(4).toString('hex')}`,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      clean: true,
      ...o.mqtt,
    });
    await admin.subscribeAsync(`${CONTROL}/response`, { qos: 1 });
  } catch (e) {
    await admin?.endAsync(true).catch(() => undefined);
    throw brokerErrors.KZ_BROKER_START_FAILED(`mosquitto control connection to ${o.url}: ${(e as Error).message}`);
  }
  const dynsec = new DynsecControl(admin);

  const create = async (username: string, identity: BrokerIdentity, password: string) => {
    await dynsec.must({ command: 'deleteClient', username }, /not found/i);
    await dynsec.must({ command: 'deleteRole', rolename: roleName(username) }, /not found/i);
    await dynsec.must({ command: 'createRole', rolename: roleName(username), acls: dynsecAcls(identity) });
    await dynsec.must({
      command: 'createClient',
      username,
      password,
      clientid: username,
      roles: [{ rolename: roleName(username) }],
    });
  };
  const remove = async (username: string) => {
    await dynsec.must({ command: 'deleteClient', username }, /not found/i);
    await dynsec.must({ command: 'deleteRole', rolename: roleName(username) }, /not found/i);
  };

  const unsubscribe = o.credentials.onChange(async (change) => {
    try {
      if (change.type === 'issued') await create(change.username, change.identity, change.password);
      else if (change.type === 'rotated') {
        const r = await dynsec.run({
          command: 'setClientPassword',
          username: change.username,
          password: change.password,
        });
        if (r.error) await create(change.username, change.identity, change.password);
      } else await remove(change.username);
      log.info({ username: change.username, change: change.type }, 'mosquitto credentials updated');
    } catch (e) {
      throw brokerErrors.KZ_BROKER_SYNC_FAILED(`mosquitto ${change.type} ${change.username}: ${(e as Error).message}`);
    }
  });

  // Reconcile: Mosquitto's roles named kz-<username> are ours.
  const removedAtStart: string[] = [];
  try {
    const r = (await dynsec.run({ command: 'listClients', verbose: false, count: -1, offset: 0 })) as DynsecResponse & {
      data?: { clients?: string[] };
    };
    const known = new Set((r.data?.clients ?? []).filter((u) => u !== o.username));
    const active = new Set((await o.credentials.mosquittoClients()).map((c) => c.username));
    for (const u of known) {
      if (active.has(u) || u.startsWith(CONTROL_USERNAME) || o.keep?.includes(u)) continue;
      await remove(u);
      removedAtStart.push(u);
    }
    const missing = [...active].filter((u) => !known.has(u));
    if (removedAtStart.length)
      log.warn({ usernames: removedAtStart }, 'mosquitto had clients no longer active: deleted');
    if (missing.length)
      log.warn(
        { usernames: missing.slice(0, 50), count: missing.length },
        'active devices unknown to mosquitto: rotate their credentials',
      );
  } catch (e) {
    unsubscribe();
    await admin.endAsync(true).catch(() => undefined);
    throw brokerErrors.KZ_BROKER_START_FAILED(`mosquitto reconcile: ${(e as Error).message}`);
  }

  return {
    removedAtStart,
    async close() {
      unsubscribe();
      await admin?.endAsync(true).catch(() => undefined);
    },
  };
}

export interface StartMosquittoOptions {
  credentials: CredentialStore;
  logger: Logger;
  /** 0 or omitted: a free port. */
  port?: number;
  wsPort?: number;
  host?: string;
  bin?: string;
  plugin?: string;
  /** Milliseconds to wait for the listener. Default 15 000. */
  startTimeoutMs?: number;
  /** Password of the control client (CONTROL_USERNAME); default a fresh random one. */
  controlPassword?: string;
  /** Dynsec clients besides the store's (a cluster's bridges and probes). */
  extraClients?: ExtraDynsecClient[];
  /** mosquitto.conf lines appended after the listener and plugin (limits, bridge sections). */
  extraConfig?: readonly string[];
  /** Packet size limits (mosquittoLimitLines); default BROKER_LIMIT_DEFAULTS. */
  limits?: Partial<BrokerLimits> | undefined;
}

export interface RunningBroker {
  url: string;
  /** The MQTT listener's port (what a bridge's `address` needs). */
  port?: number;
  wsUrl: string | undefined;
  /** The broker's process id (benchmarks read its CPU time). */
  pid?: number | undefined;
  close(): Promise<void>;
}

export async function startMosquitto(opts: StartMosquittoOptions): Promise<RunningBroker> {
  const bin = opts.bin ?? MOSQUITTO_BIN;
  const plugin = opts.plugin ?? DYNSEC_PLUGIN;
  requireBinary(bin, 'install it with `apt-get install mosquitto`');
  requireBinary(plugin, "the dynamic-security plugin comes with Debian's mosquitto 2.0 package", false);
  const log = opts.logger.child({ component: 'mosquitto' });
  const host = opts.host ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'kz-mosquitto-'));
  const control = { username: CONTROL_USERNAME, password: opts.controlPassword ?? newPassword() };
  const dynsecFile = join(dir, 'dynamic-security.json');
  writeFileSync(
    dynsecFile,
    JSON.stringify(
      dynsecConfig(
        await opts.credentials.mosquittoClients(),
        { username: control.username, hash: await mosquittoHash(control.password) },
        opts.extraClients,
      ),
      null,
      1,
    ),
    { mode: 0o600 },
  );

  let child: Child | undefined;
  let port = opts.port ?? 0;
  const wsPort = opts.wsPort === undefined ? undefined : opts.wsPort || (await freePort(host));
  // A port found free may be taken before Mosquitto binds it: try a few.
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    const p = opts.port || (await freePort(host));
    const confFile = join(dir, 'mosquitto.conf');
    writeFileSync(
      confFile,
      mosquittoConfig({ host, port: p, wsPort, dynsecFile, plugin, extra: opts.extraConfig, limits: opts.limits }),
    );
    // Mosquitto started as root drops to the mosquitto user, which must read and rewrite its files.
    const owner = process.getuid?.() === 0 ? systemUser('mosquitto') : null;
    if (owner) for (const f of [dir, ...readdirSync(dir).map((n) => join(dir, n))]) chownSync(f, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
    const c = startChild(bin, ['-c', confFile]);
    try {
      await waitForPort(c, 'mosquitto', host, p, opts.startTimeoutMs ?? 15_000);
      child = c;
      port = p;
    } catch (e) {
      await stopChild(c);
      if (opts.port || !/Address already in use/i.test(c.tail()) || attempt === 2) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  const url = `mqtt://${host}:${port}`;
  const wsUrl = wsPort !== undefined ? `ws://${host}:${wsPort}` : undefined;

  let sync: MosquittoSync;
  try {
    sync = await syncMosquitto({
      url,
      username: control.username,
      password: control.password,
      credentials: opts.credentials,
      logger: opts.logger,
      keep: opts.extraClients?.map((c) => c.username),
    });
  } catch (e) {
    await stopChild(child!);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  log.info({ url, wsUrl, pid: child!.process.pid }, 'mosquitto started');
  let closed = false;
  return {
    url,
    wsUrl,
    port,
    pid: child!.process.pid,
    async close() {
      if (closed) return;
      closed = true;
      await sync.close();
      await stopChild(child!);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
