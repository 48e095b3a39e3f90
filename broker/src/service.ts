/** The broker part as one service: credential store + the chosen broker (+ the RabbitMQ auth service). */
import { listen, openDb, type Db, type Logger } from '@kizuna/core';
import { buildAuthService } from './auth-service.ts';
import { brokerLimitsOf, type BrokerConfig } from './config.ts';
import { createCredentialStore, type CredentialStore } from './credential-store.ts';
import { createEmbeddedBroker } from './embedded-broker.ts';
import { credentialsWhenReady } from './credentials-when-ready.ts';
import { brokerErrors } from './errors.ts';
import { startMosquitto } from './mosquitto.ts';
import { startRabbitMq } from './rabbitmq.ts';
import { startRabbitMqCluster, type RunningRabbitMqCluster } from './rabbitmq-cluster.ts';
import { startHaproxy, type RunningHaproxy } from './haproxy.ts';

export interface BrokerService {
  mqttUrl: string;
  /** Every node's MQTT URL in a cluster (the first is mqttUrl); undefined for one broker. */
  mqttUrls?: string[] | undefined;
  wsUrl: string | undefined;
  /** Every node's MQTT-over-WebSocket URL in a cluster (the first is wsUrl). */
  wsUrls?: string[] | undefined;
  authUrl: string | undefined;
  /** The private cluster (rabbitmq-cluster mode): its nodes and rabbitmqctl. */
  cluster?: RunningRabbitMqCluster | undefined;
  /** The load balancer in front of a cluster's nodes (KZ_BROKER_BALANCER); mqttUrl and wsUrl are its. */
  balancer?: RunningHaproxy | undefined;
  credentials: CredentialStore;
  close(): Promise<void>;
}

export async function startBrokerService(
  cfg: BrokerConfig,
  logger: Logger,
  given?: { db: Db },
): Promise<BrokerService> {
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch((err) => logger.error({ err }, 'close failed'));
  };
  // The database opens while the embedded broker already listens (credentials-when-ready.ts).
  const opening = (async () => {
    const db = given?.db ?? (await openDb({ url: cfg.KZ_BROKER_DATABASE_URL, dataDir: cfg.KZ_BROKER_DATA_DIR }));
    if (!given) closers.unshift(() => db.close());
    const store = await createCredentialStore(db, { logger, cacheTtlMs: cfg.KZ_BROKER_LOGIN_CACHE_TTL_MS });
    logger.info({ component: 'broker' }, 'credential store open: held logins are answered now');
    return store;
  })();
  try {
    const host = cfg.KZ_BROKER_HOST;
    const tls =
      cfg.KZ_BROKER_TLS_CERT_FILE && cfg.KZ_BROKER_TLS_KEY_FILE
        ? { certFile: cfg.KZ_BROKER_TLS_CERT_FILE, keyFile: cfg.KZ_BROKER_TLS_KEY_FILE }
        : undefined;
    if (!!cfg.KZ_BROKER_TLS_CERT_FILE !== !!cfg.KZ_BROKER_TLS_KEY_FILE) {
      throw brokerErrors.KZ_BROKER_START_FAILED(
        'set both KZ_BROKER_TLS_CERT_FILE and KZ_BROKER_TLS_KEY_FILE, or neither',
      );
    }
    if (tls && cfg.KZ_BROKER_MODE !== 'embedded')
      throw brokerErrors.KZ_BROKER_START_FAILED('TLS files are used by the embedded mode only');
    if (cfg.KZ_BROKER_BALANCER !== 'none' && cfg.KZ_BROKER_MODE !== 'rabbitmq-cluster')
      throw brokerErrors.KZ_BROKER_START_FAILED(
        `KZ_BROKER_BALANCER=${cfg.KZ_BROKER_BALANCER} is for KZ_BROKER_MODE=rabbitmq-cluster (one broker needs no balancer)`,
      );
    let out: Omit<BrokerService, 'credentials' | 'close'>;
    if (cfg.KZ_BROKER_MODE === 'embedded') {
      const lazy = credentialsWhenReady(opening);
      // The auth service also serves a RabbitMQ run by the operator, and the broker's /metrics.
      const auth = await buildAuthService({ credentials: lazy, logger });
      closers.push(() => auth.close());
      const b = await createEmbeddedBroker({
        credentials: lazy,
        logger,
        host,
        port: cfg.KZ_BROKER_PORT,
        wsPort: cfg.KZ_BROKER_WS_PORT,
        tls,
        limits: brokerLimitsOf(cfg),
        metrics: auth.metrics,
      });
      closers.push(() => b.close());
      await opening;
      out = { mqttUrl: b.mqttUrl, wsUrl: b.wsUrl, authUrl: await listen(auth, host, cfg.KZ_BROKER_AUTH_PORT) };
    } else if (cfg.KZ_BROKER_MODE === 'mosquitto') {
      const m = await startMosquitto({
        credentials: await opening, // an outside broker asks the store at once
        logger,
        host,
        port: cfg.KZ_BROKER_PORT,
        wsPort: cfg.KZ_BROKER_WS_PORT,
        limits: brokerLimitsOf(cfg),
      });
      closers.push(() => m.close());
      out = { mqttUrl: m.url, wsUrl: m.wsUrl, authUrl: undefined };
    } else if (cfg.KZ_BROKER_MODE === 'rabbitmq-cluster') {
      // With a balancer, it takes the configured ports and the nodes get free ones.
      const balanced = cfg.KZ_BROKER_BALANCER === 'haproxy';
      const c = await startRabbitMqCluster({
        credentials: await opening, // an outside broker asks the store at once
        logger,
        host,
        mqttPort: balanced ? 0 : cfg.KZ_BROKER_PORT,
        wsPort: balanced ? 0 : cfg.KZ_BROKER_WS_PORT,
        authPort: cfg.KZ_BROKER_AUTH_PORT,
        cacheTtlMs: cfg.KZ_BROKER_RABBITMQ_CACHE_TTL_MS,
        limits: brokerLimitsOf(cfg),
      });
      closers.push(() => c.close());
      out = {
        mqttUrl: c.url,
        mqttUrls: c.urls,
        wsUrl: c.wsUrls[0],
        wsUrls: c.wsUrls,
        authUrl: c.authUrl,
        cluster: c,
      };
      if (balanced) {
        const lb = await startHaproxy({
          logger,
          host,
          mqttPort: cfg.KZ_BROKER_PORT,
          wsPort: cfg.KZ_BROKER_WS_PORT,
          nodes: c.nodes.map((n, i) => ({ name: `n${i + 1}`, mqtt: n.url, ws: n.wsUrl })),
        });
        closers.push(() => lb.close());
        out = { ...out, mqttUrl: lb.url, wsUrl: lb.wsUrl, balancer: lb };
      }
    } else {
      const r = await startRabbitMq({
        credentials: await opening, // an outside broker asks the store at once
        logger,
        host,
        mqttPort: cfg.KZ_BROKER_PORT,
        authPort: cfg.KZ_BROKER_AUTH_PORT,
        cacheTtlMs: cfg.KZ_BROKER_RABBITMQ_CACHE_TTL_MS,
        limits: brokerLimitsOf(cfg),
      });
      closers.push(() => r.close());
      out = { mqttUrl: r.url, wsUrl: undefined, authUrl: r.authUrl };
    }
    let closed = false;
    return {
      ...out,
      credentials: await opening,
      async close() {
        if (!closed) {
          closed = true;
          await closeAll();
        }
      },
    };
  } catch (e) {
    await opening.catch(() => undefined); // its database, once open, is closed with the rest
    await closeAll();
    throw e;
  }
}
