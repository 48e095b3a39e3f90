/**
 * Cutting a device off on RabbitMQ through the management HTTP API (rabbitmq_management): the
 * MQTT plugin of 3.10 has no other way to close a client from outside (`rabbitmqctl
 * close_all_user_connections` left MQTT connections open, docs/OPERATIONS.md). One node's API
 * lists the whole cluster's connections, so one answering node is enough; the others are tried in
 * turn when it does not answer.
 *
 * The login is the nodes' operator login (auth-service.ts `operator`): administrator on the
 * management API, nothing on MQTT.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '@kizuna/core';
import type { CredentialStore } from './credential-store.ts';
import { brokerErrors } from './errors.ts';
import { newPassword } from './password-hash.ts';

export interface RabbitMqManagementOptions {
  /** Base URLs of the nodes' management listeners, e.g. http://127.0.0.1:15672. */
  urls: string[];
  username: string;
  password: string;
  logger: Logger;
  /** Per HTTP request. Default 5 000 ms. */
  timeoutMs?: number;
}

export interface RabbitMqManagement {
  /** Closes every connection (any node, MQTT or not) logged in as `username`; resolves to how many. */
  closeConnectionsOf(username: string, reason: string): Promise<number>;
}

/** What GET /api/connections gives per connection (the fields used here; checked on 3.10.8). */
interface ConnectionRow {
  name: string;
  user?: string;
  node?: string;
  protocol?: string;
  client_properties?: { client_id?: string };
}

export function rabbitMqManagement(opts: RabbitMqManagementOptions): RabbitMqManagement {
  if (opts.urls.length === 0) throw brokerErrors.KZ_BROKER_MANAGEMENT_FAILED('no management URL');
  const log = opts.logger.child({ component: 'rabbitmq-management' });
  const timeoutMs = opts.timeoutMs ?? 5000;
  const authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;

  async function call(base: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization, ...init.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return { status: res.status, body };
  }

  /** The first node whose API answers; its list covers every node of the cluster. */
  async function list(): Promise<{ base: string; rows: ConnectionRow[] }> {
    const failures: string[] = [];
    for (const base of opts.urls) {
      try {
        const r = await call(base, '/api/connections?columns=name,user,node,protocol,client_properties');
        if (r.status !== 200) {
          failures.push(`${base}: ${r.status} ${r.body.slice(0, 200)}`);
          continue;
        }
        return { base, rows: JSON.parse(r.body) as ConnectionRow[] };
      } catch (e) {
        failures.push(`${base}: ${(e as Error).message}`);
      }
    }
    throw brokerErrors.KZ_BROKER_MANAGEMENT_FAILED(`listing connections: ${failures.join('; ')}`);
  }

  return {
    async closeConnectionsOf(username, reason) {
      const { base, rows } = await list();
      const mine = rows.filter((r) => r.user === username);
      const failures: string[] = [];
      await Promise.all(
        mine.map(async (c) => {
          try {
            const r = await call(base, `/api/connections/${encodeURIComponent(c.name)}`, {
              method: 'DELETE',
              headers: { 'x-reason': reason },
            });
            // 404: it closed meanwhile, which is what was wanted
            if (r.status >= 300 && r.status !== 404) failures.push(`${c.name}: ${r.status} ${r.body.slice(0, 200)}`);
          } catch (e) {
            failures.push(`${c.name}: ${(e as Error).message}`);
          }
        }),
      );
      if (failures.length > 0)
        throw brokerErrors.KZ_BROKER_MANAGEMENT_FAILED(`closing ${username}'s connections: ${failures.join('; ')}`);
      if (mine.length > 0)
        log.info(
          {
            username,
            reason,
            via: base,
            // (a client id only where the node's statistics collectors run: not on the nodes Kizuna starts)
            connections: mine.map((c) => ({
              node: c.node,
              ...(c.client_properties?.client_id ? { clientId: c.client_properties.client_id } : {}),
            })),
          },
          'connections closed',
        );
      return mine.length;
    },
  };
}

/**
 * Where a node's statistics collectors run, the management API lists a connection only once its
 * statistics were next collected (`collect_statistics_interval`, RabbitMQ's default 5 s; seen here:
 * a connection about 100 ms old was listed in one run and not in the next, one 6 s old was).
 * rabbitMqConfig sets it to this, and turns the collectors off: the list then comes from connection
 * tracking, at once. Another operator's cluster may run them, hence the second look below.
 */
export const RABBITMQ_STATS_INTERVAL_MS = 5000;

/**
 * Revoking or rotating a device closes its connections on every node before the store call
 * returns, as the embedded broker and Mosquitto do; a failure fails the call (KZ_BROKER_SYNC_FAILED).
 * A connection opened within the last statistics interval is not listed yet, so the device is
 * looked up once more after it; nothing new can log in meanwhile (logins are not cached).
 */
export function closeOnRevoke(
  credentials: Pick<CredentialStore, 'onChange'>,
  management: RabbitMqManagement,
  opts: { logger: Logger; listingLagMs?: number },
): () => void {
  const log = opts.logger.child({ component: 'rabbitmq-management' });
  const lagMs = opts.listingLagMs ?? RABBITMQ_STATS_INTERVAL_MS + 1000;
  const timers = new Set<NodeJS.Timeout>();
  const unsubscribe = credentials.onChange(async (change) => {
    if (change.type === 'issued') return;
    const reason = `kizuna: credentials ${change.type}`;
    await management.closeConnectionsOf(change.username, reason);
    const timer = setTimeout(() => {
      timers.delete(timer);
      management.closeConnectionsOf(change.username, reason).catch((err: Error) => {
        log.error({ err, username: change.username }, 'second look for connections failed');
      });
    }, lagMs);
    timer.unref();
    timers.add(timer);
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}

/** A management login for nodes Kizuna runs: random per start, held in memory only. */
export function newOperatorLogin(): { username: string; password: string } {
  return { username: `kz-operator-${randomBytes(6).toString('hex')}`, password: newPassword() };
}
