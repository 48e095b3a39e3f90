/**
 * A NATS 2.9 cluster with MQTT (JetStream) for the candidate benchmark: N nats-server processes
 * on loopback, routes between all of them, every user and permission written into the config
 * from the project's policy (grantsOf). NATS 2.9 has no authentication callout (2.10 brought
 * one), so the users live in the config: plain-text passwords here (the bench's own, never
 * stored), a config reload for every issued or revoked device in a product.
 *
 * Permissions: each MQTT filter of the policy becomes a NATS subject (`/` → `.`, `+` → `*`,
 * `#` → `>`); a subscriber also needs `$MQTT.sub.>`, where JetStream hands QoS 1 messages to
 * the session (a QoS 1 SUBSCRIBE without it fails with a permission violation; an MQTT client
 * subscribing to `$MQTT/sub/#` itself was refused, SUBACK 0x80, when tried on 2.9.10).
 *
 * The file name starts with `_`: `npm run bench` does not run it as a benchmark of its own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  grantsOf,
  requireBinary,
  startChild,
  stopChild,
  waitForPort,
  type BrokerIdentity,
  type Child,
} from '../src/index.ts';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsUser {
  username: string;
  password: string;
  identity: BrokerIdentity;
}

export interface NatsClusterOptions {
  users: NatsUser[];
  nodes?: number;
  host?: string;
  /** Replicas of each MQTT session's JetStream consumer; 0 = as its stream (R3 in a 3-node cluster). */
  consumerReplicas?: number;
  startTimeoutMs?: number;
}

export interface RunningNatsCluster {
  urls: string[];
  pids: number[];
  close(): Promise<void>;
}

const subject = (filter: string) =>
  filter
    .split('/')
    .map((s) => (s === '+' ? '*' : s === '#' ? '>' : s))
    .join('.');

/** The `authorization` block: one user per credential, permissions from the policy's grants. */
export function natsAuthorization(users: NatsUser[]): string {
  const list = users.map((u) => {
    const g = grantsOf(u.identity);
    const sub = g.subscribe.length ? [...g.subscribe.map(subject), '$MQTT.sub.>'] : [];
    const perm = (allow: string[]) => (allow.length ? { allow } : { deny: ['>'] });
    return {
      user: u.username,
      password: u.password,
      permissions: { publish: perm(g.publish.map(subject)), subscribe: perm(sub) },
    };
  });
  // The config language accepts JSON.
  return `authorization: ${JSON.stringify({ users: list })}\n`;
}

export async function startNatsCluster(o: NatsClusterOptions): Promise<RunningNatsCluster> {
  requireBinary(NATS_SERVER, 'install it with `apt-get install nats-server`');
  const host = o.host ?? '127.0.0.1';
  const count = o.nodes ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'kz-nats-cluster-'));
  const ports: Array<{ client: number; cluster: number; mqtt: number; http: number }> = [];
  for (let i = 0; i < count; i++)
    ports.push({
      client: await freePort(host),
      cluster: await freePort(host),
      mqtt: await freePort(host),
      http: await freePort(host),
    });
  const authFile = join(dir, 'authorization.conf');
  writeFileSync(authFile, natsAuthorization(o.users), { mode: 0o600 });
  const routes = ports.map((p) => `nats-route://${host}:${p.cluster}`);
  const children: Child[] = [];
  try {
    for (const [i, p] of ports.entries()) {
      const store = join(dir, `n${i + 1}`);
      mkdirSync(store);
      const conf = join(dir, `n${i + 1}.conf`);
      writeFileSync(
        conf,
        [
          `server_name: n${i + 1}`,
          `listen: ${host}:${p.client}`,
          `http: ${host}:${p.http}`,
          `jetstream { store_dir: ${JSON.stringify(store)} }`,
          // one node: plain JetStream, no cluster block
          ...(count > 1
            ? [`cluster { name: kz, listen: ${host}:${p.cluster}, routes: ${JSON.stringify(routes)} }`]
            : []),
          `mqtt { listen: ${host}:${p.mqtt}${o.consumerReplicas ? `, consumer_replicas: ${o.consumerReplicas}` : ''} }`,
          // include paths are relative to the including file
          'include authorization.conf',
          '',
        ].join('\n'),
      );
      children.push(startChild(NATS_SERVER, ['-c', conf]));
    }
    const timeout = o.startTimeoutMs ?? 60_000;
    await Promise.all(children.map((c, i) => waitForPort(c, `nats n${i + 1}`, host, ports[i]!.mqtt, timeout)));
    // MQTT needs JetStream's meta leader: /healthz answers 200 once JetStream is current.
    const deadline = Date.now() + timeout;
    for (const p of ports) {
      for (;;) {
        const ok = await fetch(`http://${host}:${p.http}/healthz`)
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`nats on ${p.http}: JetStream not ready`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    await Promise.all(children.map((c) => stopChild(c)));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    urls: ports.map((p) => `mqtt://${host}:${p.mqtt}`),
    pids: children.map((c) => c.process.pid!),
    async close() {
      await Promise.all(children.map((c) => stopChild(c, 15_000)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
