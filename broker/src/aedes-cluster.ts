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
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import { createLogger, type Logger } from '@kizuna/core';
import type { CredentialChange, CredentialStore } from './credential-store.ts';
import { createEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './embedded-broker.ts';
import { brokerErrors } from './errors.ts';
import { edgeForDevice, planCluster } from './cluster-plan.ts';
import { usernameOf, type BrokerIdentity } from './identity.ts';
import { mosquittoHash, newPassword, type MosquittoHash } from './password-hash.ts';
import { filterCovers, topicMatches } from './topic-match.ts';

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

interface EdgeCredential {
  username: string;
  identity: BrokerIdentity;
  hash: MosquittoHash;
}
interface BridgeLogin {
  muni: string;
  username: string;
  password: string;
}

/** A credential change as an edge gets it: a hash, never the password. */
type EdgeChange =
  | { t: 'set'; change: 'issued' | 'rotated'; credential: EdgeCredential }
  | { t: 'revoke'; username: string; identity: BrokerIdentity };

/** Parent → edge. */
type ToEdge =
  | {
      t: 'init';
      level: string;
      host: string;
      ws: boolean;
      port?: number;
      wsPort?: number;
      coreUrl: string;
      bridges: BridgeLogin[];
      probeTopics: string[];
      clients: EdgeCredential[];
    }
  | (EdgeChange & { id: number })
  | { t: 'close' };

/** Edge → parent. */
type FromEdge =
  | { t: 'listening'; mqttUrl: string; wsUrl: string | undefined }
  | { t: 'probe'; topic: string }
  | { t: 'ack'; id: number }
  | { t: 'fatal'; error: string };

const EDGE_FLAG = '--kz-aedes-edge';
const SELF = fileURLToPath(import.meta.url);

/** tsx, resolved from here: the edge runs this TypeScript file, whatever the caller's cwd. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export async function startAedesCluster(o: StartAedesClusterOptions): Promise<AedesCluster> {
  const plan = planCluster(o);
  const log = o.logger.child({ component: 'aedes-cluster' });
  const readyTimeoutMs = o.readyTimeoutMs ?? 30_000;
  const changeTimeoutMs = o.changeTimeoutMs ?? 5_000;
  const host = o.host ?? '127.0.0.1';
  const { probeTopics } = plan;

  // Bridge logins, known only to this process and the edge that uses them.
  const bridges = plan.bridges.map((edge) =>
    edge.map((identity) => ({
      identity,
      login: { muni: identity.muni, username: usernameOf(identity), password: newPassword() },
    })),
  );
  const bridgeSecrets = new Map(
    bridges.flat().map((b) => [b.login.username, { identity: b.identity, digest: sha256(b.login.password) }]),
  );
  // The core asks the store, except for this cluster's bridges (the store never holds a bridge).
  const coreCredentials: EmbeddedBrokerOptions['credentials'] = {
    async authenticate(username, password) {
      const b = bridgeSecrets.get(username);
      if (!b) return o.credentials.authenticate(username, password);
      return typeof password === 'string' && timingSafeEqual(sha256(password), b.digest) ? b.identity : null;
    },
    onChange: (listener) => o.credentials.onChange(listener),
  };

  interface Edge {
    n: number;
    links: BridgeLogin[];
    proc: ChildProcess | null;
    exited: Promise<void>;
    mqttUrl?: string;
    wsUrl?: string | undefined;
    /** 'down' from an unexpected exit until its replacement has been sent its snapshot. */
    state: 'up' | 'down';
    /** A replacement is being started (its own failures do not start another). */
    restarting: boolean;
    restarts: number;
    /** Credential changes made while it was down: sent to its replacement right after the snapshot. */
    missed: EdgeChange[];
    /** Changes sent to this edge, waiting for its ack. */
    pending: Map<number, { resolve(): void; reject(e: Error): void }>;
  }
  const edges: Edge[] = bridges.map((links, e) => ({
    n: e + 1,
    links: links.map((l) => l.login),
    proc: null,
    exited: Promise.resolve(),
    state: 'down',
    restarting: false,
    restarts: 0,
    missed: [],
    pending: new Map(),
  }));
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

  const ask = (edge: Edge, msg: EdgeChange & { id: number }) =>
    new Promise<void>((resolve, reject) => {
      const { pending } = edge;
      const timer = setTimeout(() => {
        pending.delete(msg.id);
        reject(new Error(`edge ${edge.n} did not confirm within ${changeTimeoutMs} ms`));
      }, changeTimeoutMs);
      const settle = () => {
        clearTimeout(timer);
        pending.delete(msg.id);
      };
      pending.set(msg.id, {
        resolve: () => {
          settle();
          resolve();
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      if (!edge.proc?.connected) return pending.get(msg.id)!.reject(new Error(`edge ${edge.n} is gone`));
      edge.proc.send(msg, (err) => {
        if (err) pending.get(msg.id)?.reject(err);
      });
    });

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
  const spawn = (edge: Edge, clients: EdgeCredential[], ports?: { port: number; wsPort?: number | undefined }) => {
    const proc = fork(SELF, [EDGE_FLAG], {
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

  const within = async <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(brokerErrors.KZ_BROKER_START_FAILED(`${what} within ${readyTimeoutMs} ms`)),
          readyTimeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  };

  /** Publish probes at the core until every edge given has reported them (or one exits). */
  const probeThrough = async (crossed: Promise<void>[], what: string) => {
    const deadline = Date.now() + readyTimeoutMs;
    let ok = false;
    let failure: Error | undefined;
    void Promise.all(crossed).then(
      () => {
        ok = true;
      },
      (e: Error) => {
        failure = e;
      },
    );
    while (!ok) {
      if (failure)
        throw brokerErrors.KZ_BROKER_START_FAILED(`${what}: an edge ${failure.message} before the probe crossed`);
      if (Date.now() > deadline)
        throw brokerErrors.KZ_BROKER_START_FAILED(
          `${what}: a bridge did not carry the probe within ${readyTimeoutMs} ms`,
        );
      for (const topic of probeTopics)
        core!.aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from('probe'), qos: 0, retain: false, dup: false },
          () => undefined,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /**
   * An edge that died is started again on the same ports (its TVs reconnect to the URL they
   * know), with the store's credentials read afresh, until it serves and a probe crosses its
   * bridges; 1 s, then up to 30 s between attempts. Its TVs' sessions were in its memory: what
   * they missed meanwhile comes from the console's re-sender.
   */
  const restart = async (edge: Edge) => {
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
          await within(s.ready, `aedes edge ${edge.n} did not start again`);
          await s.replay;
          await probeThrough([s.crossed], `aedes edge ${edge.n} restart`);
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
        await within(s.ready, `aedes edge ${edge.n} did not start`);
        return s;
      }),
    );
    snapshotSent();
    // Ready when a probe published at the core has come through every bridge into every edge.
    await probeThrough(
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

// ---- the edge process ------------------------------------------------------------------------

const pbkdf2Async = promisify(pbkdf2);

/** The edge's copy of the credential store: what the embedded broker's hooks ask. */
function edgeCredentials(initial: EdgeCredential[]) {
  const known = new Map(initial.map((c) => [c.username, c]));
  const listeners = new Set<(c: CredentialChange) => void | Promise<void>>();
  // Hashed against when the username is unknown, so timing does not tell which usernames exist.
  const dummy: MosquittoHash = {
    password: randomBytes(64).toString('base64'),
    salt: randomBytes(12).toString('base64'),
    iterations: 101,
  };
  return {
    known,
    async authenticate(username: string, password: string): Promise<BrokerIdentity | null> {
      if (typeof password !== 'string' || password.length === 0 || password.length > 1024) return null;
      const c = known.get(username);
      const h = c?.hash ?? dummy;
      if (!Number.isInteger(h.iterations) || h.iterations < 1 || h.iterations > 1_000_000) return null;
      const actual = await pbkdf2Async(password, Buffer.from(h.salt, 'base64'), h.iterations, 64, 'sha512');
      const expected = Buffer.from(h.password, 'base64');
      if (!c || expected.length !== actual.length || !timingSafeEqual(actual, expected)) return null;
      // revoked or rotated while we hashed: refuse
      return known.get(username) === c ? c.identity : null;
    },
    onChange(listener: (c: CredentialChange) => void | Promise<void>) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async apply(change: CredentialChange, credential?: EdgeCredential) {
      if (change.type === 'revoked') known.delete(change.username);
      else known.set(change.username, credential!);
      for (const l of listeners) await l(change);
    },
  };
}

/**
 * The exact TV topics one bridge has the core send to this edge: a TV's alert and mail topics,
 * subscribed at the core when the TV subscribes here (batched into one SUBSCRIBE per turn of the
 * event loop), and kept: a TV's session at this edge outlives its connection, and its messages
 * must keep coming while it is away. With wildcards instead, every edge received every message
 * of its municipality and did the work of filtering it: adding edges did not lighten any of them.
 * mqtt.js subscribes them all again if the core lost the bridge's session.
 */
class CoreRoutes {
  private readonly routed = new Map<string, Promise<void>>();
  private pending: { topic: string; done: () => void }[] = [];
  constructor(
    private readonly link: MqttClient,
    private readonly muni: string,
    private readonly log: Logger,
  ) {}

  /** A filter of this municipality's TV alerts or mail (a TV may only subscribe to its own). */
  covers(filter: string): boolean {
    return filterCovers(topics.allTvAlerts(this.muni), filter) || filterCovers(topics.allTvMailOf(this.muni), filter);
  }

  /** Resolves once the core has granted the route (or could not be asked within ROUTE_WAIT_MS: then on reconnect). */
  route(topic: string): Promise<void> {
    let p = this.routed.get(topic);
    if (!p) {
      p = new Promise<void>((done) => {
        if (this.pending.length === 0) setImmediate(() => this.flush());
        this.pending.push({ topic, done });
      });
      this.routed.set(topic, p);
    }
    return p;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i += ROUTES_PER_SUBSCRIBE) {
      const part = batch.slice(i, i + ROUTES_PER_SUBSCRIBE);
      const done = () => {
        for (const x of part) x.done();
      };
      const timer = setTimeout(done, ROUTE_WAIT_MS);
      this.link.subscribe(
        part.map((x) => x.topic),
        { qos: 1 },
        (err, granted) => {
          clearTimeout(timer);
          if (err)
            this.log.warn(
              { err: err.message, topics: part.length },
              'core did not route TV topics to this edge; retried on reconnect',
            );
          else if (granted?.some((g) => g.qos !== 1))
            this.log.warn(
              { refused: granted.filter((g) => g.qos !== 1).map((g) => g.topic) },
              'core refused routing TV topics to this edge',
            );
          done();
        },
      );
    }
  }
}
/** Topics per SUBSCRIBE packet: well under the core's packet size limit. */
const ROUTES_PER_SUBSCRIBE = 1000;
/** How long a TV's SUBACK waits for the core's. */
const ROUTE_WAIT_MS = 5000;

async function runEdge(): Promise<void> {
  const send = (m: FromEdge) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const init = await new Promise<Extract<ToEdge, { t: 'init' }>>((resolve) => {
    const first = (m: ToEdge) => {
      if (m.t === 'init') {
        process.off('message', first);
        resolve(m);
      }
    };
    process.on('message', first);
  });
  const logger: Logger = createLogger({ name: 'aedes-edge', level: init.level });
  const log = logger.child({ component: 'aedes-edge' });
  const credentials = edgeCredentials(init.clients);
  // Changes are applied in the order they arrive; the parent waits for each ack.
  let queue = Promise.resolve();
  process.on('message', (m: ToEdge) => {
    if (m.t === 'set' || m.t === 'revoke') {
      queue = queue
        .then(async () => {
          if (m.t === 'revoke')
            await credentials.apply({ type: 'revoked', username: m.username, identity: m.identity });
          // no password here: the hooks disconnect on a rotation and never read it
          else
            await credentials.apply(
              { type: m.change, username: m.credential.username, identity: m.credential.identity, password: '' },
              m.credential,
            );
          await send({ t: 'ack', id: m.id });
        })
        .catch((e: Error) => {
          log.error({ err: e.message }, 'credential change failed');
          process.exit(1);
        });
    }
  });

  // Each bridge's routes from the core, by municipality: filled as this edge's TVs subscribe.
  const routes = new Map<string, CoreRoutes>();
  const local = await createEmbeddedBroker({
    credentials,
    logger,
    port: init.port ?? 0,
    host: init.host,
    ...(init.ws ? { wsPort: init.wsPort ?? 0 } : {}),
    beforeSubscribe: async (identity, filter) => {
      const r = 'muni' in identity ? routes.get(identity.muni) : undefined;
      if (r?.covers(filter)) await r.route(filter);
    },
  });
  const links: MqttClient[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(links.map((c) => c.endAsync(true).catch(() => undefined)));
    await local.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m: ToEdge) => {
    if (m.t === 'close') void stop();
  });
  // the parent is gone (ended or crashed): so is this edge
  process.once('disconnect', () => {
    void stop();
  });

  for (const topic of init.probeTopics) {
    local.aedes.subscribe(
      topic,
      (_packet, cb) => {
        void send({ t: 'probe', topic });
        cb();
      },
      () => undefined,
    );
  }
  for (const b of init.bridges) {
    const areaFilter = topics.areaAll(b.muni);
    const link = mqtt.connect(init.coreUrl, {
      username: b.username,
      password: b.password,
      clientId: b.username,
      protocolVersion: 4,
      // the core keeps this edge's session: alerts queued while the link was down arrive on reconnect
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 30_000,
      keepalive: 30,
    });
    links.push(link);
    // Into the local broker as they come (PUBACK to the core once aedes has it). aedes, like any
    // MQTT 3.1.1 broker, clears the retain flag on a live forward [MQTT-3.3.1-9]; area alerts are
    // retained by contract (contract/src/messages.ts), so the edge keeps them retained too.
    link.handleMessage = (packet, done) => {
      local.aedes.publish(
        {
          cmd: 'publish',
          topic: packet.topic,
          payload: packet.payload,
          qos: 1,
          retain: packet.retain || topicMatches(areaFilter, packet.topic),
          dup: false,
        },
        () => undefined,
      );
      done();
    };
    link.on('error', (err) => log.warn({ err: err.message, bridge: b.username }, 'bridge error'));
    await new Promise<void>((resolve, reject) => {
      link.once('connect', () => resolve());
      link.once('error', reject);
    });
    // Not every TV of the municipality: only the TVs that subscribed here (CoreRoutes). A session the
    // core kept from an older bridge may still hold the wildcards, which would send this edge everything.
    await link.unsubscribeAsync([topics.allTvAlerts(b.muni), topics.allTvMailOf(b.muni)]);
    const probes = init.probeTopics.filter((t) => topicMatches(topics.allTvAlerts(b.muni), t));
    const granted = await link.subscribeAsync([areaFilter, ...probes], { qos: 1 });
    if (granted.some((g) => g.qos !== 1))
      throw new Error(`core refused a bridge subscription: ${JSON.stringify(granted)}`);
    routes.set(b.muni, new CoreRoutes(link, b.muni, log));
    // TVs' receipts to the core; the edge's hooks already held each TV to its own receipt topic.
    local.aedes.subscribe(
      topics.allReceipts(b.muni),
      (packet, cb) => {
        link.publish(packet.topic, packet.payload as Buffer, { qos: 1 }, (err) => {
          if (err) log.warn({ err: err.message, topic: packet.topic }, 'receipt not forwarded');
        });
        cb();
      },
      () => undefined,
    );
  }
  await send({ t: 'listening', mqttUrl: local.mqttUrl, wsUrl: local.wsUrl });
  log.info({ mqttUrl: local.mqttUrl, bridges: init.bridges.length }, 'aedes edge ready');
}

if (
  process.argv[2] === EDGE_FLAG &&
  process.argv[1] &&
  pathToFileURL(process.argv[1]).href === import.meta.url &&
  process.send
) {
  runEdge().catch(async (e: Error) => {
    await new Promise<void>((resolve) =>
      process.send!({ t: 'fatal', error: e.message } satisfies FromEdge, () => resolve()),
    );
    process.exit(1);
  });
}
