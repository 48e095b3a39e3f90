/**
 * The embedded broker (aedes 1.x, MQTT 3.1.1): TCP, WebSocket, optional TLS for both. The
 * policy is enforced at CONNECT, SUBSCRIBE, PUBLISH and again at every delivery
 * (authorizeForward). aedes would store the denied half of a mixed SUBSCRIBE of a persistent
 * session and queue for it (docs/PLATFORM.md, "aedes: refused filters and the ACL leak"); the
 * persistence is wrapped so only granted filters are kept (aedes-guards.ts).
 */
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { Counter, Registry } from 'prom-client';
import { coreErrors, type Logger } from '@kizuna/core';
import type { CredentialStore } from './credential-store.ts';
import { clientIdAllowed, isTvUsername, type BrokerIdentity } from './identity.ts';
import { isDevice, policy, type PublishIntent } from './policy.ts';
import {
  BROKER_LIMIT_DEFAULTS,
  capSubscribeQos,
  guardPersistence,
  limitPacketSize,
  PendingLogins,
  type BrokerLimits,
} from './aedes-guards.ts';
import { logAedesRefusals } from './aedes-refusal-log.ts';
import { capQueues } from './aedes-queue-caps.ts';
import { alertExpiresAt } from './alert-expiry.ts';

export interface EmbeddedBrokerOptions {
  /** What the hooks ask: the credential store. */
  credentials: Pick<CredentialStore, 'authenticate' | 'onChange'>;
  logger: Logger;
  /** MQTT (or MQTTS with tls) port; 0 picks a free one. */
  port: number;
  /** MQTT over WebSocket (or WSS with tls) port; omitted: no WebSocket listener. */
  wsPort?: number | undefined;
  /** Bind address. Default 127.0.0.1. */
  host?: string | undefined;
  /** PEM files; when given, both listeners speak TLS only (mqtts://, wss://). */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** aedes persistence (e.g. aedes-persistence-redis); default in memory. */
  persistence?: unknown;
  /** Packet sizes, CONNECT timeout, sockets not yet logged in, TV queues; omitted fields keep BROKER_LIMIT_DEFAULTS. */
  limits?: Partial<BrokerLimits> | undefined;
  /** Where the broker's counters are registered (a server's /metrics); default a registry of its own. */
  metrics?: Registry | undefined;
  /** The time alerts' `expires` is compared with (ms since the epoch); default Date.now. Tests with a console clock pass theirs. */
  now?: (() => number) | undefined;
}

export interface EmbeddedBroker {
  mqttUrl: string;
  wsUrl: string | undefined;
  aedes: Aedes;
  /** Holds kz_broker_queue_dropped_total{reason="cap"|"expired"}. */
  metrics: Registry;
  close(): Promise<void>;
}

// CONNACK return codes, MQTT 3.1.1 table 3.1 [MQTT-3.2.2-5].
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * Connections the kernel completes before the broker accepts them. After a restart a city's TVs
 * connect within the same second: behind Node's default of 511, SYNs are dropped and each such TV
 * (and the municipality's login among them) waits for its TCP retransmission, 1 s, then 3 s, 7 s.
 * The kernel caps it at net.core.somaxconn (4096 on current Linux; docs/OPERATIONS.md).
 */
export const LISTEN_BACKLOG = 16_384;

async function listenOn(server: NetServer | HttpServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? coreErrors.KZ_PORT_IN_USE(`${host}:${port} — stop the other program or set another port`)
          : e,
      );
    };
    server.once('error', onError);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // an HTTP socket still in its upgrade request would hold close() until its timeout
  if ('closeAllConnections' in server) server.closeAllConnections();
  return closed;
}

export async function createEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { credentials, logger } = opts;
  const log = logger.child({ component: 'broker' });
  const host = opts.host ?? '127.0.0.1';
  const identities = new WeakMap<Client, BrokerIdentity>();
  const limits: BrokerLimits = { ...BROKER_LIMIT_DEFAULTS, ...opts.limits };
  const metrics = opts.metrics ?? new Registry();
  const now = opts.now ?? Date.now;
  const dropped = new Counter({
    name: 'kz_broker_queue_dropped_total',
    help: "Messages dropped from TVs' queues: over the queue cap, or their alert expired",
    labelNames: ['reason'],
    registers: [metrics],
  });

  const aedes = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    ...(opts.persistence ? { persistence: opts.persistence } : {}),
    authenticate(client, username, password, done) {
      // The username is the client id (a console process may add its instance name, a TV with a
      // clean session its connection's): a device cannot take over another device's session.
      if (!username || !clientIdAllowed(username, client.id, { clean: client.clean })) {
        log.info({ clientId: client.id }, 'connect refused: client id must equal username');
        return done(authError('client id must equal username', username ? IDENTIFIER_REJECTED : NOT_AUTHORIZED), null);
      }
      // A device that timed out and closed its socket while its login waited costs no hash check.
      const open = () => !(client as unknown as { closed?: boolean }).closed;
      credentials.authenticate(username, password ? password.toString('utf8') : '', { stillWanted: open }).then(
        (identity) => {
          if (!identity) {
            log.info({ username }, 'connect refused: bad username or password');
            return done(authError('bad username or password', BAD_USERNAME_OR_PASSWORD), null);
          }
          // A will is a publish the broker makes later in the device's name: judged now, at CONNECT.
          const will = (client as unknown as { _will?: PublishIntent | null })._will;
          const willRefused = will ? policy.publishRefusal(identity, will) : null;
          if (will && willRefused) {
            log.warn({ username, topic: will.topic, reason: willRefused }, 'connect refused: will not allowed');
            return done(authError(`will not allowed (${willRefused})`, NOT_AUTHORIZED), null);
          }
          identities.set(client, identity);
          done(null, true);
        },
        (err: Error) => {
          log.error({ err, username }, 'connect refused: credential store failed');
          done(authError('server unavailable', 3), null);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      const identity = client ? identities.get(client) : undefined;
      const refused = identity ? policy.publishRefusal(identity, packet) : 'identity';
      if (client && !refused) return callback(null);
      log.warn({ clientId: client?.id, topic: packet.topic, reason: refused }, 'publish refused by policy');
      // MQTT 3.1.1 has no negative PUBACK: the server closes the connection instead [MQTT-3.3.5-2].
      callback(new Error(`publish to ${packet.topic} not allowed`));
    },
    authorizeSubscribe(client, sub, callback) {
      const identity = identities.get(client);
      if (identity && policy.canSubscribe(identity, sub.topic)) {
        sub.qos = Math.min(sub.qos, policy.maxQos(identity)) as typeof sub.qos; // capQos already did, for the SUBACK
        return callback(null, sub);
      }
      log.warn({ clientId: client.id, filter: sub.topic }, 'subscribe refused by policy');
      callback(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]
    },
    authorizeForward(client, packet) {
      const identity = identities.get(client);
      if (!identity || !policy.canReceive(identity, packet.topic)) return null;
      // A queued alert that expired while the TV was off is not shown late (MQTT 3.1.1 has no expiry).
      const expiresAt = alertExpiresAt(packet);
      if (expiresAt !== undefined && expiresAt <= now()) {
        log.info({ clientId: client.id, topic: packet.topic }, 'expired alert not delivered');
        dropped.inc({ reason: 'expired' });
        return null;
      }
      return packet;
    },
  });
  // Sessions hold only what was granted; a refused CONNECT cleans no one's state (aedes-guards.ts).
  guardPersistence(aedes, {
    granted(client, topic) {
      const identity = identities.get(client);
      return !!identity && policy.canSubscribe(identity, topic);
    },
    authenticated: (client) => identities.has(client),
  });

  // A TV's queue holds its latest few messages; an alert leaves it when it expires.
  capQueues(aedes, {
    maxMessages: limits.maxQueuedMessages,
    maxBytes: limits.maxQueuedBytes,
    capped: isTvUsername,
    expiresAt: alertExpiresAt,
    now,
    onDropped: (_clientId, reason, count) => dropped.inc({ reason }, count),
    onCapReached: (clientId, queued) =>
      log.warn(
        { clientId, ...queued, maxMessages: limits.maxQueuedMessages, maxBytes: limits.maxQueuedBytes },
        'queue cap reached: oldest queued messages dropped',
      ),
  });

  // Sockets not yet logged in are capped; each packet's size is checked as soon as its header is read.
  const pending = new PendingLogins(limits);
  const conns = new Set<Duplex>(); // every accepted socket: close() ends those not logged in too
  const releases = new WeakMap<Client, () => void>();
  const refusals = logAedesRefusals(aedes, log); // the refusals aedes decides itself (aedes-refusal-log.ts)
  aedes.on('clientReady', (client) => releases.get(client)?.());
  const packetLimit = (client: Client) => {
    const identity = identities.get(client);
    if (!identity) return limits.maxPacketBeforeLogin;
    return isDevice(identity) ? limits.maxPacketDevice : limits.maxPacketServer;
  };
  /** A place among the sockets not logged in, or null (the socket is destroyed and the refusal logged). */
  function admit(conn: Duplex, address: string): (() => void) | null {
    const admitted = pending.admit(address);
    if (typeof admitted !== 'string') return admitted;
    log.warn({ address, cap: admitted }, 'socket refused: too many sockets not logged in');
    conn.destroy();
    return null;
  }
  function accept(conn: Duplex, address: string, onClose: (release: () => void) => void, req?: IncomingMessage) {
    const admitted = admit(conn, address);
    if (!admitted) return;
    conns.add(conn);
    onClose(() => {
      conns.delete(conn);
      admitted();
    });
    const client = aedes.handle(conn, req);
    releases.set(client, admitted);
    refusals.watch(client, address);
    capSubscribeQos(client, () => {
      const identity = identities.get(client);
      return identity ? policy.maxQos(identity) : 2; // pipelined before login: authorizeSubscribe lowers it
    });
    limitPacketSize(
      client,
      () => packetLimit(client),
      (bytes, limit) =>
        log.warn({ clientId: client.id, address, bytes, limit }, 'packet over the size limit: connection closed'),
    );
  }
  const acceptSocket = (s: Socket) => accept(s, s.remoteAddress ?? '?', (release) => s.once('close', release));

  // Revoking or rotating ends the connection at once; the device must log in again.
  const unsubscribe = credentials.onChange(async (change) => {
    if (change.type === 'issued') return;
    const client = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[change.username];
    if (client) {
      log.info({ username: change.username, reason: change.type }, 'disconnecting client');
      await new Promise<void>((resolve) => client.close(() => resolve()));
    }
  });

  const tls = opts.tls
    ? {
        cert: readFileSync(opts.tls.certFile),
        key: readFileSync(opts.tls.keyFile),
        minVersion: 'TLSv1.2' as const,
        handshakeTimeout: limits.connectTimeoutMs,
      }
    : undefined;
  const servers: Array<NetServer | HttpServer> = [];
  let wss: WebSocketServer | undefined;
  try {
    const tcp = tls ? createTlsServer(tls, acceptSocket) : createNetServer(acceptSocket);
    servers.push(tcp);
    const port = await listenOn(tcp, host, opts.port);
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const mqttUrl = `${tls ? 'mqtts' : 'mqtt'}://${urlHost}:${port}`;
    let wsUrl: string | undefined;
    if (opts.wsPort !== undefined) {
      // A plain GET (a browser opening the URL the start-up banner prints) gets an answer, not a hang.
      const notWebSocket = (_req: unknown, res: import('node:http').ServerResponse) =>
        res
          .writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' })
          .end('MQTT over WebSocket: connect with an MQTT client (WebSocket subprotocol "mqtt").\n');
      // Node checks these timeouts every connectionsCheckingInterval (30 s by default): a socket that
      // never finishes its upgrade request would outlive the CONNECT timeout by that much.
      const timeouts = {
        headersTimeout: limits.connectTimeoutMs,
        requestTimeout: limits.connectTimeoutMs,
        connectionsCheckingInterval: Math.min(1000, limits.connectTimeoutMs),
      };
      const http = tls
        ? createHttpsServer({ ...tls, ...timeouts }, notWebSocket)
        : createHttpServer(timeouts, notWebSocket);
      servers.push(http);
      http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
        const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
        if (timedOut) log.info({ reason: err.code }, 'connection closed: HTTP request not finished in time');
        else log.debug({ reason: err.code ?? err.message }, 'connection closed: bad HTTP request');
        socket.destroy();
      });
      // A WebSocket message carries at most one packet of the largest size anyone may send.
      wss = new WebSocketServer({ server: http, maxPayload: Math.max(limits.maxPacketDevice, limits.maxPacketServer) });
      // A socket still in its HTTP upgrade has not logged in either: it takes a place from its first
      // byte, handed over to its MQTT connection when the upgrade completes.
      const upgrading = new Map<string, () => void>();
      const peer = (s: Socket) => `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`;
      http.on('connection', (socket: Socket) => {
        const admitted = admit(socket, socket.remoteAddress ?? '?');
        if (!admitted) return;
        const key = peer(socket);
        const release = () => {
          if (upgrading.get(key) === release) upgrading.delete(key);
          admitted();
        };
        upgrading.set(key, release);
        socket.once('close', release);
      });
      wss.on('connection', (ws, req) => {
        upgrading.get(peer(req.socket))?.();
        accept(createWebSocketStream(ws), req.socket.remoteAddress ?? '?', (release) => ws.once('close', release), req);
      });
      const wsPort = await listenOn(http, host, opts.wsPort);
      wsUrl = `${tls ? 'wss' : 'ws'}://${urlHost}:${wsPort}`;
    }
    log.info({ mqttUrl, wsUrl }, 'embedded broker listening');
    let closed = false;
    return {
      mqttUrl,
      wsUrl,
      aedes,
      metrics,
      async close() {
        if (closed) return;
        closed = true;
        unsubscribe();
        for (const c of wss?.clients ?? []) c.terminate();
        wss?.close();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const c of conns) c.destroy();
        await Promise.all(servers.map(closeServer));
      },
    };
  } catch (e) {
    unsubscribe();
    wss?.close();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw e;
  }
}
