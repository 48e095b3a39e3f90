/**
 * The broker `npm start` runs its parts on (KZ_SYSTEM_BROKER): the embedded aedes broker in this
 * process, a private RabbitMQ cluster on this machine, or an operator's cluster given by its
 * nodes' URLs. Every part and TV gets every node's URL, its own node first (node-spread.ts), so
 * they spread over the nodes and fail over to the next one.
 */
import { coreErrors, type Logger } from '@kizuna/core';
import {
  createEmbeddedBroker,
  startRabbitMqCluster,
  type BrokerLimits,
  type CredentialStore,
  type EmbeddedBroker,
  type RunningRabbitMqCluster,
} from '@kizuna/broker';
import type { SystemConfig } from './config.ts';

export interface SystemBroker {
  /** Every node's MQTT URL (one for the embedded broker). */
  mqttUrls: string[];
  /** Every node's MQTT-over-WebSocket URL, in the order of mqttUrls (TVs in browsers). */
  wsUrls: string[];
  /** The in-process broker (KZ_SYSTEM_BROKER=embedded): its metrics and session hooks. */
  embedded: EmbeddedBroker | undefined;
  /** The private cluster (KZ_SYSTEM_BROKER=rabbitmq-cluster): its nodes, rabbitmqctl. */
  cluster: RunningRabbitMqCluster | undefined;
  /**
   * TVs connect with clean sessions (RabbitMQ): its Web MQTT (3.10.8) delivered nothing from a
   * quorum session queue, and a classic one on a lost node closes the TV's SUBSCRIBE on every
   * other node (both seen here); the console re-sends what a TV missed while away.
   */
  tvCleanSessions: boolean;
  /** Whether this broker already serves RabbitMQ's HTTP auth backend (the private cluster does). */
  servesAuth: boolean;
  close(): Promise<void>;
}

export interface SystemBrokerOptions {
  config: SystemConfig;
  credentials: CredentialStore;
  logger: Logger;
  host: string;
  tls: { certFile: string; keyFile: string } | undefined;
  limits: BrokerLimits;
  /** The auth service's port (KZ_BROKER_AUTH_PORT), if set. */
  authPort: number | undefined;
}

const list = (v: string | undefined) => (v ?? '').split(',').filter((u) => u !== '');

export async function startSystemBroker(o: SystemBrokerOptions): Promise<SystemBroker> {
  const cfg = o.config;
  if (cfg.KZ_SYSTEM_BROKER === 'embedded') {
    const b = await createEmbeddedBroker({
      credentials: o.credentials,
      logger: o.logger,
      host: o.host,
      port: cfg.KZ_BROKER_PORT,
      wsPort: cfg.KZ_BROKER_WS_PORT,
      tls: o.tls,
      limits: o.limits,
    });
    return {
      mqttUrls: [b.mqttUrl],
      wsUrls: b.wsUrl ? [b.wsUrl] : [],
      embedded: b,
      cluster: undefined,
      tvCleanSessions: false,
      servesAuth: false,
      close: () => b.close(),
    };
  }
  if (o.tls)
    // The private nodes listen in plain text on this machine; an operator's cluster terminates TLS itself.
    throw coreErrors.KZ_CONFIG_INVALID(
      `KZ_TLS_CERT_FILE is for the embedded broker only: with KZ_SYSTEM_BROKER=${cfg.KZ_SYSTEM_BROKER}, give the nodes' mqtts:// and wss:// URLs (external) or leave TLS off (loopback)`,
    );
  if (cfg.KZ_SYSTEM_BROKER === 'rabbitmq-cluster') {
    const c = await startRabbitMqCluster({
      credentials: o.credentials,
      logger: o.logger,
      host: o.host,
      nodes: cfg.KZ_SYSTEM_BROKER_NODES,
      // Classic session queues live on one node: with it gone, RabbitMQ 3.10 closes the session's
      // SUBSCRIBE on every other node (seen here); the console's and terminal's fail over with quorum.
      durableQueueType: cfg.KZ_SYSTEM_BROKER_SESSIONS,
      mqttPort: cfg.KZ_BROKER_PORT,
      wsPort: cfg.KZ_BROKER_WS_PORT,
      ...(o.authPort !== undefined ? { authPort: o.authPort } : {}),
      limits: o.limits,
    });
    return {
      mqttUrls: c.urls,
      wsUrls: c.wsUrls,
      embedded: undefined,
      cluster: c,
      tvCleanSessions: true,
      servesAuth: true,
      close: () => c.close(),
    };
  }
  const mqttUrls = list(cfg.KZ_SYSTEM_MQTT_URLS);
  const wsUrls = list(cfg.KZ_SYSTEM_MQTT_WS_URLS);
  if (mqttUrls.length === 0 || wsUrls.length === 0)
    throw coreErrors.KZ_CONFIG_INVALID(
      "KZ_SYSTEM_BROKER=external needs KZ_SYSTEM_MQTT_URLS and KZ_SYSTEM_MQTT_WS_URLS (every node's URLs, comma-separated)",
    );
  return {
    mqttUrls,
    wsUrls,
    embedded: undefined,
    cluster: undefined,
    tvCleanSessions: true,
    servesAuth: false,
    close: async () => undefined,
  };
}
