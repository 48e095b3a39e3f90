/**
 * One bridge from an aedes edge into the core, for one municipality: an mqtt.js client logged in
 * as the `bridge` identity. What it receives from the core goes into the edge's aedes (QoS 1);
 * the edge's TV receipts go back to the core (QoS 1).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '@kizuna/contract';
import type { Logger } from '@kizuna/core';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { topicMatches } from './topic-match.ts';
import { CoreRoutes } from './aedes-core-routes.ts';
import type { BridgeLogin } from './aedes-edge-messages.ts';

export interface OpenBridgeOptions {
  local: EmbeddedBroker;
  coreUrl: string;
  login: BridgeLogin;
  probeTopics: string[];
  log: Logger;
  /** Told of the client as soon as it exists, before it connects (so a stop can end it). */
  onClient(link: MqttClient): void;
}

/** Connects and subscribes the bridge; resolves with the routes its TVs' topics are added to. */
export async function openBridge(o: OpenBridgeOptions): Promise<CoreRoutes> {
  const { local, login: b, log } = o;
  const areaFilter = topics.areaAll(b.muni);
  const link = mqtt.connect(o.coreUrl, {
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
  o.onClient(link);
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
  const probes = o.probeTopics.filter((t) => topicMatches(topics.allTvAlerts(b.muni), t));
  const granted = await link.subscribeAsync([areaFilter, ...probes], { qos: 1 });
  if (granted.some((g) => g.qos !== 1))
    throw new Error(`core refused a bridge subscription: ${JSON.stringify(granted)}`);
  const routes = new CoreRoutes(link, b.muni, log);
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
  return routes;
}
