/**
 * More than one embedded broker: the core is the ordinary embedded aedes broker in this process
 * (the console, terminals and the post-box connect there); N edges, each an aedes broker in its
 * own child process, hold the TVs. One process here may hold at most 20,000 open files, and one
 * Node process uses one core; edges share the load (the Mosquitto equivalent: mosquitto-cluster.ts).
 *
 * Every edge runs createEmbeddedBroker with the same hooks and policy. Its credentials are a copy
 * of the store's active ones (Mosquitto-format hashes, as the Mosquitto adapter gets them), sent
 * over IPC at start; each issue / rotate / revoke is sent to every edge and confirmed before the
 * store call returns (as syncMosquitto does with dynsec). An edge that cannot confirm a rotation
 * or revocation is killed: it must never accept a revoked or replaced password.
 *
 * Each edge opens one bridge per municipality into the core: an mqtt.js client logged in as the
 * `bridge` identity (policy.ts: its TVs' alerts, mail and areas in, their receipts out), with a
 * password fresh per start and never stored. It subscribes at the core to the area topics and to
 * each TV topic a TV subscribes to at this edge (CoreRoutes), so the core sends an edge only its
 * own TVs' messages. What it receives it publishes into the local aedes (QoS 1); local receipts go
 * back to the core (QoS 1). Ready only once a probe published at the core has reached every
 * edge's aedes through every bridge.
 *
 * Here the parent side; the edge process is aedes-edge-process.ts (forked by path), its bridges
 * aedes-edge-bridge.ts and aedes-core-routes.ts, what they say over IPC aedes-edge-messages.ts.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CredentialChange, CredentialStore } from './credential-store.ts';
import { createEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded-broker.ts';
import { brokerErrors } from './errors.ts';
import { edgeForDevice, planCluster } from './cluster-plan.ts';
import { mosquittoHash } from './password-hash.ts';
import { bridgeLogins } from './aedes-bridge-logins.ts';
import { askEdge, newEdgeHandle, type EdgeHandle } from './aedes-edge-handle.ts';
import { probeThrough, within } from './aedes-cluster-readiness.ts';
import { EDGE_FLAG, type EdgeChange, type EdgeCredential, type FromEdge, type ToEdge } from './aedes-edge-messages.ts';

export interface StartAedesClusterOptions extends Omit<EmbeddedBrokerOptions, 'credentials' | 'tls' | 'persistence'> {
  credentials: CredentialStore;
  /** Edge processes (≥ 1). */
  edges: number;
  /** Municipalities whose TVs the edges serve: one bridge per municipality and edge. */
  munis: readonly string[];
  /** Milliseconds for each edge to start and for every bridge to carry the probe. Default 30 000. */
  readyTimeoutMs?: number;
  /** Milliseconds an edge has to confirm a credential change. Default 5 000. */
  changeTimeoutMs?: number;
}

export interface AedesCluster {
  /** The core: where the console, terminals and the post-box connect. */
  url: string;
  wsUrl: string | undefined;
  core: EmbeddedBroker;
  /** The edges: where TVs connect (spread them, e.g. by device id). */
  edgeUrls: string[];
  edgeWsUrls: Array<string | undefined>;
  /** The edge a device should use: a stable spread by device id. */
  edgeFor(device: string): string;
  /** Each edge: up (serving, bridges carrying), its process, and how often it was started again after dying. */
  edgeStatus(): { url: string; up: boolean; pid: number | undefined; restarts: number }[];
  close(): Promise<void>;
}

/** The edge's entry point, forked by path: the same directory as this file, whatever the caller's cwd. */
const EDGE_PROCESS = fileURLToPath(new URL('./aedes-edge-process.ts', import.meta.url));

/** tsx, resolved from here: the edge runs a TypeScript file, whatever the caller's cwd. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export async function startAedesCluster(o: StartAedesClusterOptions): Promise<AedesCluster> {
  const plan = planCluster(o);
  const log = o.logger.child({ component: 'aedes-cluster' });
  const readyTimeoutMs = o.readyTimeoutMs ?? 30_000;
  const changeTimeoutMs = o.changeTimeoutMs ?? 5_000;
  const host = o.host ?? '127.0.0.1';
  const { probeTopics } = plan;

  // Bridge logins, known only to this process and the edge that uses them.
  const { perEdge, coreCredentials } = bridgeLogins(plan, o.credentials);
  const edges: EdgeHandle[] = perEdge.map((links, e) => newEdgeHandle(e + 1, links));
  let nextId = 1;
  let core: EmbeddedBroker | undefined;
  let closed = false;
  let started = false;
  // Changes wait until every edge has its snapshot, so a change never overtakes the snapshot.
  let snapshotSent!: () => void;
  const snapshotReady = new Promise<void>((r) => {
    snapshotSent = r;
  });
  const level = (o.logger as unknown as { level?: string }).level ?? 'info';
  const loader = tsxLoader();
  const snapshot = async () =>
    (await o.credentials.mosquittoClients()).map(({ username, identity, hash }) => ({ username, identity, hash }));

  const ask = (edge: EdgeHandle, msg: EdgeChange & { id: number }) => askEdge(edge, msg, changeTimeoutMs);

  const unsubscribe = o.credentials.onChange(async (change: CredentialChange) => {
    await snapshotReady;
    const msg: EdgeChange =
      change.type === 'revoked'
        ? { t: 'revoke', username: change.username, identity: change.identity }
        : {
            t: 'set',
            change: change.type,
            credential: {
              username: change.username,
              identity: change.identity,
              hash: await mosquittoHash(change.password),
            },
          };
    const failures: string[] = [];
    await Promise.all(
      edges.map(async (edge) => {
        // down: it serves nobody; its replacement gets this right after its snapshot, before any TV
        if (edge.state === 'down') {
          edge.missed.push(msg);
          return;
        }
        try {
          await ask(edge, { ...msg, id: nextId++ });
        } catch (e) {
          failures.push((e as Error).message);
          // An edge that may still hold the old password must not serve on (its replacement reads the store afresh).
          if (change.type !== 'issued' && edge.proc && edge.proc.exitCode === null) {
            log.error(
              { edge: edge.n, username: change.username, change: change.type },
              'edge did not confirm a credential change: killed',
            );
            edge.proc.kill('SIGKILL');
          }
        }
      }),
    );
    if (failures.length)
      throw brokerErrors.KZ_BROKER_SYNC_FAILED(`aedes edges ${change.type} ${change.username}: ${failures.join('; ')}`);
  });

  /**
   * Start (or restart, on the ports it had) one edge process with a credential snapshot; its
   * missed changes follow the snapshot in the same turn, so nothing newer is sent before them.
   * `listening` resolves once it serves; `crossed` once a probe has come through its bridges.
   */
  const spawn = (
    edge: EdgeHandle,
    clients: EdgeCredential[],
    ports?: { port: number; wsPort?: number | undefined },
  ) => {
    const proc = fork(EDGE_PROCESS, [EDGE_FLAG], {
      execArgv: ['--import', loader],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    edge.proc = proc;
    edge.exited = new Promise((r) => proc.once('exit', () => r()));
    const probed = new Set<string>();
    let listening!: () => void;
    let crossedOk!: () => void;
    let failed!: (e: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      listening = resolve;
      failed = reject;
    });
    const crossed = new Promise<void>((resolve, reject) => {
      crossedOk = resolve;
      proc.once('exit', () => reject(new Error('exited')));
    });
    ready.catch(() => undefined);
    crossed.catch(() => undefined);
    proc.on('message', (m: FromEdge) => {
      if (m.t === 'listening') {
        edge.mqttUrl = m.mqttUrl;
        edge.wsUrl = m.wsUrl;
        listening();
      } else if (m.t === 'probe') {
        probed.add(m.topic);
        if (probed.size === probeTopics.length) crossedOk();
      } else if (m.t === 'ack') edge.pending.get(m.id)?.resolve();
      else if (m.t === 'fatal') failed(brokerErrors.KZ_BROKER_START_FAILED(`aedes edge ${edge.n}: ${m.error}`));
    });
    proc.once('exit', (code, signal) => {
      failed(brokerErrors.KZ_BROKER_START_FAILED(`aedes edge ${edge.n} exited (${signal ?? `code ${code}`})`));
      for (const p of [...edge.pending.values()]) p.reject(new Error(`edge ${edge.n} exited`));
      if (edge.proc !== proc) return;
      edge.state = 'down';
      if (closed) return;
      log.error({ edge: edge.n, code, signal }, 'aedes edge exited');
      if (started && !edge.restarting) void restart(edge);
    });
    proc.send({
      t: 'init',
      level,
      host,
      ws: o.wsPort !== undefined,
      ...ports,
      coreUrl: core!.mqttUrl,
      bridges: edge.links,
      probeTopics,
      clients,
    } satisfies ToEdge);
    const replay = edge.missed.splice(0).map((m) => ask(edge, { ...m, id: nextId++ }));
    edge.state = 'up';
    return { ready, crossed, replay: Promise.all(replay) };
  };

  const probe = (crossed: Promise<void>[], what: string) =>
    probeThrough(core!, probeTopics, crossed, what, readyTimeoutMs);

  /**
   * An edge that died is started again on the same ports (its TVs reconnect to the URL they
   * know), with the store's credentials read afresh, until it serves and a probe crosses its
   * bridges; 1 s, then up to 30 s between attempts. Its TVs' sessions were in its memory: what
   * they missed meanwhile comes from the console's re-sender.
   */
  const restart = async (edge: EdgeHandle) => {
    edge.restarting = true;
    let wait = 1000;
    try {
      while (!closed) {
        // unref'd: a closed cluster's pending retry does not keep the process alive
        await new Promise((r) => setTimeout(r, wait).unref());
        if (closed) return;
        try {
          const ports = {
            port: Number(new URL(edge.mqttUrl!).port),
            ...(edge.wsUrl ? { wsPort: Number(new URL(edge.wsUrl).port) } : {}),
          };
          const clients = await snapshot();
          // closed while the store was read: close() has already stopped the edges it knew
          if (closed) return;
          const s = spawn(edge, clients, ports);
          await within(s.ready, `aedes edge ${edge.n} did not start again`, readyTimeoutMs);
          await s.replay;
          await probe([s.crossed], `aedes edge ${edge.n} restart`);
          edge.restarts += 1;
          log.warn({ edge: edge.n, url: edge.mqttUrl, restarts: edge.restarts }, 'aedes edge restarted');
          return;
        } catch (e) {
          log.error({ err: (e as Error).message, edge: edge.n }, 'aedes edge restart failed; trying again');
          edge.state = 'down';
          if (edge.proc && edge.proc.exitCode === null && edge.proc.signalCode === null) {
            edge.proc.kill('SIGKILL');
            await edge.exited;
          }
          wait = Math.min(wait * 2, 30_000);
        }
      }
    } finally {
      edge.restarting = false;
    }
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    snapshotSent();
    // edges first: their bridges would otherwise retry against a stopped core
    await Promise.all(
      edges.map(async (edge) => {
        const proc = edge.proc;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        if (proc.connected) proc.send({ t: 'close' } satisfies ToEdge, () => undefined);
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await edge.exited;
        clearTimeout(timer);
      }),
    );
    await core?.close();
  };

  try {
    core = await createEmbeddedBroker({ ...o, credentials: coreCredentials, host });
    const clients = await snapshot();
    const spawned = await Promise.all(
      edges.map(async (edge) => {
        const s = spawn(edge, clients);
        await within(s.ready, `aedes edge ${edge.n} did not start`, readyTimeoutMs);
        return s;
      }),
    );
    snapshotSent();
    // Ready when a probe published at the core has come through every bridge into every edge.
    await probe(
      spawned.map((s) => s.crossed),
      'aedes cluster',
    );
    started = true;

    const edgeUrls = edges.map((e) => e.mqttUrl!);
    log.info({ core: core.mqttUrl, edges: edgeUrls }, 'aedes cluster started');
    return {
      url: core.mqttUrl,
      wsUrl: core.wsUrl,
      core,
      edgeUrls,
      edgeWsUrls: edges.map((e) => e.wsUrl),
      edgeFor: (device) => edgeForDevice(edgeUrls, device),
      edgeStatus: () =>
        edges.map((e) => ({
          url: e.mqttUrl!,
          up: e.state === 'up' && !e.restarting,
          pid: e.proc?.pid,
          restarts: e.restarts,
        })),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
