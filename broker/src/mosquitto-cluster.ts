/**
 * More than one Mosquitto process: a core, which the console (and terminals, and the post-box)
 * talk to, bridged to N edges, which hold the TVs. One process cannot hold a city's TVs on a
 * machine whose open-file limit is below the number of TVs (20,000 here), and one Mosquitto
 * uses one core; edges share the load.
 *
 * Every instance runs the same dynamic-security policy from the same credential store (each its
 * own syncMosquitto), so a TV may connect to any edge and is held to its own topics there.
 * Each edge opens one bridge per municipality into the core (Mosquitto's built-in bridge,
 * `connection` + `topic … in|out` in mosquitto.conf), logged in as a `bridge` identity that the
 * policy lets subscribe only to that municipality's TV alerts, mail and area alerts and publish
 * only its TVs' receipts (policy.ts). Bridge passwords are fresh per start and never stored.
 *
 * The core queues a whole alert's messages per bridge (max_queued_messages), and the cluster is
 * ready only when a probe message published at the core has reached every edge through every
 * bridge: publishing before that would lose the first messages.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import { brokerErrors } from './errors.ts';
import { edgeForDevice, planCluster } from './cluster-plan.ts';
import { usernameOf, type BrokerIdentity } from './identity.ts';
import {
  dynsecAcls,
  startMosquitto,
  type Acl,
  type ExtraDynsecClient,
  type RunningBroker,
  type StartMosquittoOptions,
} from './mosquitto.ts';
import { mosquittoHash, newPassword } from './password-hash.ts';

export interface StartMosquittoClusterOptions extends Omit<
  StartMosquittoOptions,
  'port' | 'wsPort' | 'extraClients' | 'extraConfig'
> {
  /** Edge processes (≥ 1). */
  edges: number;
  /** Municipalities whose TVs the edges serve: one bridge per municipality and edge. */
  munis: readonly string[];
  /** Most QoS 1 messages the core queues per bridge (one alert's worth and more). Default 1,000,000. */
  maxQueuedPerBridge?: number;
  /** Milliseconds to wait for every bridge to carry the probe. Default 30 000. */
  readyTimeoutMs?: number;
}

export interface MosquittoCluster {
  /** The core: where the console, terminals and the post-box connect. */
  url: string;
  /** The edges: where TVs connect (spread them, e.g. by device id). */
  edgeUrls: string[];
  /** The edge a device should use: a stable spread by device id. */
  edgeFor(device: string): string;
  close(): Promise<void>;
}

/** Probe client of one instance: publishes (core) or receives (edges) one topic per municipality. */
const PROBE_USERNAME = 'kz-cluster-probe';

function probeClient(probeTopics: string[], hash: ExtraDynsecClient['hash'], side: 'core' | 'edge'): ExtraDynsecClient {
  return {
    username: PROBE_USERNAME,
    hash,
    acls: probeTopics.flatMap((topic): Acl[] =>
      side === 'core'
        ? [{ acltype: 'publishClientSend' as const, topic, priority: 0, allow: true }]
        : [
            { acltype: 'subscribePattern' as const, topic, priority: 0, allow: true },
            { acltype: 'publishClientReceive' as const, topic, priority: 0, allow: true },
          ],
    ),
  };
}

/** The mosquitto.conf bridge section of one edge for one municipality. */
export function bridgeSection(o: {
  name: string;
  coreHost: string;
  corePort: number;
  identity: Extract<BrokerIdentity, { kind: 'bridge' }>;
  password: string;
}): string[] {
  const username = usernameOf(o.identity);
  const m = o.identity.muni;
  return [
    `connection ${o.name}`,
    `address ${o.coreHost}:${o.corePort}`,
    'bridge_protocol_version mqttv311',
    `remote_clientid ${username}`,
    `remote_username ${username}`,
    `remote_password ${o.password}`,
    `local_clientid ${o.name}-local`,
    // the core keeps this edge's session: alerts queued while the link was down arrive on reconnect
    'cleansession false',
    'try_private true',
    // state notifications would be publishes to $SYS at the core, which the policy refuses
    'notifications false',
    'restart_timeout 1 10',
    'keepalive_interval 30',
    `topic ${topics.allTvAlerts(m)} in 1`,
    `topic ${topics.allTvMailOf(m)} in 1`,
    `topic ${topics.areaAll(m)} in 1`,
    `topic ${topics.allReceipts(m)} out 1`,
  ];
}

/**
 * Limits every instance needs: a whole alert queued for one bridge, a deep in-flight window, no
 * Nagle. They come after, so override, the TV queue caps of mosquittoLimitLines: Mosquitto's caps
 * are for every client, and a bridge carries all of an edge's TVs.
 */
function limits(maxQueued: number): string[] {
  return [
    `max_queued_messages ${maxQueued}`,
    'max_queued_bytes 0',
    'max_inflight_messages 1000',
    'set_tcp_nodelay true',
  ];
}

export async function startMosquittoCluster(o: StartMosquittoClusterOptions): Promise<MosquittoCluster> {
  const plan = planCluster(o);
  const log = o.logger.child({ component: 'mosquitto-cluster' });
  const { probeTopics } = plan;
  const probePassword = newPassword();
  const probeHash = await mosquittoHash(probePassword);
  const bridges = await Promise.all(
    plan.bridges.map((edge) =>
      Promise.all(
        edge.map(async (identity) => {
          const password = newPassword();
          return {
            identity,
            password,
            client: { username: usernameOf(identity), hash: await mosquittoHash(password), acls: dynsecAcls(identity) },
          };
        }),
      ),
    ),
  );
  const maxQueued = o.maxQueuedPerBridge ?? 1_000_000;
  const host = o.host ?? '127.0.0.1';
  const base = { ...o, host };

  const started: RunningBroker[] = [];
  const probes: MqttClient[] = [];
  const close = async () => {
    await Promise.all(probes.map((c) => c.endAsync(true).catch(() => undefined)));
    // edges first: their bridges would otherwise retry against a stopped core
    for (const b of [...started].reverse())
      await b.close().catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
  };
  try {
    const core = await startMosquitto({
      ...base,
      extraClients: [...bridges.flat().map((b) => b.client), probeClient(probeTopics, probeHash, 'core')],
      extraConfig: limits(maxQueued),
    });
    started.push(core);
    const edges = await Promise.all(
      bridges.map((links, e) =>
        startMosquitto({
          ...base,
          extraClients: [probeClient(probeTopics, probeHash, 'edge')],
          extraConfig: [
            ...limits(maxQueued),
            ...links.flatMap((l) =>
              bridgeSection({
                name: `kz-${l.identity.muni}-edge${e + 1}`,
                coreHost: host,
                corePort: core.port!,
                identity: l.identity,
                password: l.password,
              }),
            ),
          ],
        }),
      ),
    );
    started.push(...edges);

    // Ready when a probe published at the core has come through every bridge of every edge.
    const connect = (url: string) =>
      mqtt.connectAsync(url, {
        username: PROBE_USERNAME,
        password: probePassword,
        clientId: PROBE_USERNAME,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
      });
    const waits = await Promise.all(
      edges.map(async (edge) => {
        const c = await connect(edge.url);
        probes.push(c);
        const missing = new Set(probeTopics);
        const done = new Promise<void>((resolve) =>
          c.on('message', (topic) => {
            missing.delete(topic);
            if (missing.size === 0) resolve();
          }),
        );
        await c.subscribeAsync(probeTopics, { qos: 0 });
        return { done }; // wrapped: an async function returning the promise itself would wait for it
      }),
    );
    const publisher = await connect(core.url);
    probes.push(publisher);
    const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
    let ready = false;
    void Promise.all(waits.map((w) => w.done)).then(() => {
      ready = true;
    });
    while (!ready) {
      if (Date.now() > deadline)
        throw brokerErrors.KZ_BROKER_START_FAILED(
          `mosquitto cluster: a bridge did not carry the probe within ${o.readyTimeoutMs ?? 30_000} ms`,
        );
      for (const t of probeTopics) publisher.publish(t, 'probe', { qos: 0 });
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(probes.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));

    const edgeUrls = edges.map((e) => e.url);
    log.info({ core: core.url, edges: edgeUrls }, 'mosquitto cluster started');
    return {
      url: core.url,
      edgeUrls,
      edgeFor: (device) => edgeForDevice(edgeUrls, device),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
