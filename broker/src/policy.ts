/**
 * The one access policy, deny by default, for every broker (aedes hooks, Mosquitto
 * dynamic-security roles, RabbitMQ's HTTP backend all ask these functions or their grants).
 *
 *   tv            publish: its own receipt      subscribe: its own topics, its municipality's areas
 *   terminal      publish: its own check-ins    subscribe: its shelter's check-ins (occupancy)
 *   municipality  publish: its TVs' alerts and wakes, its areas   subscribe: its receipts and shelter events
 *   postbox       publish: any TV's mail topic (a national service)   subscribe: nothing
 *   admin         publish/subscribe under kz/, read $SYS/
 *   bridge        publish: its municipality's receipts   subscribe: its TVs' alerts and mail, its areas
 *                 (an edge Mosquitto's link into the core: it carries alerts out to the TVs at the
 *                 edge and their receipts back; each edge still holds every TV to its own policy)
 *
 * `$`-topics are reserved: no one publishes there [MQTT-4.7.2-1]. Devices (TVs, terminals) may not
 * retain, publish or subscribe above QoS 1, or leave a will they could not publish themselves.
 */
import { parseTopic, topics, TOPIC_ROOT } from '@kizuna/contract';
import type { BrokerIdentity } from './identity.ts';
import { filterCovers, isValidTopicFilter, isValidTopicName, topicMatches } from './topic-match.ts';

export interface Grants {
  /** Filters a client may publish to (a topic must match one). */
  publish: readonly string[];
  /** Filters a client may subscribe within (a filter must be covered by one) and receive from. */
  subscribe: readonly string[];
}

// Asked at every SUBSCRIBE, PUBLISH and delivery: built once per identity (a client keeps its
// identity object for its connection), not from topic strings each time.
const grantsByIdentity = new WeakMap<BrokerIdentity, Grants>();

export function grantsOf(identity: BrokerIdentity): Grants {
  let g = grantsByIdentity.get(identity);
  if (!g) {
    const built = buildGrants(identity);
    g = Object.freeze({ publish: Object.freeze(built.publish), subscribe: Object.freeze(built.subscribe) });
    grantsByIdentity.set(identity, g);
  }
  return g;
}

function buildGrants(identity: BrokerIdentity): Grants {
  switch (identity.kind) {
    case 'tv':
      return {
        publish: [topics.tvReceipt(identity.muni, identity.device)],
        subscribe: [topics.tvOwn(identity.muni, identity.device), topics.areaAll(identity.muni)],
      };
    case 'terminal':
      return {
        publish: [topics.shelterEvent(identity.muni, identity.shelter, identity.terminal)],
        subscribe: [topics.shelterEventsAt(identity.muni, identity.shelter)],
      };
    case 'municipality':
      return {
        publish: [topics.allTvAlerts(identity.muni), topics.allTvWake(identity.muni), topics.areaAll(identity.muni)],
        subscribe: [topics.allReceipts(identity.muni), topics.allShelterEvents(identity.muni)],
      };
    // National: one post-box serves residents of every municipality, and it learns nothing
    // from the topic it could not learn from its own records (the notice carries no content).
    case 'postbox':
      return { publish: [topics.allTvMail()], subscribe: [] };
    case 'admin':
      return { publish: [`${TOPIC_ROOT}/#`], subscribe: [`${TOPIC_ROOT}/#`, '$SYS/#'] };
    case 'bridge':
      return {
        publish: [topics.allReceipts(identity.muni)],
        subscribe: [
          topics.allTvAlerts(identity.muni),
          topics.allTvMailOf(identity.muni),
          topics.areaAll(identity.muni),
        ],
      };
  }
}

/** TVs and terminals: in homes and shelters, their credentials are the ones that can be extracted. */
export function isDevice(identity: BrokerIdentity): boolean {
  return identity.kind === 'tv' || identity.kind === 'terminal';
}

/** Devices publish and receive at QoS 1 at most: nothing in the protocol needs 2, and its state costs the broker. */
export const DEVICE_MAX_QOS = 1;

/** A PUBLISH or a CONNECT's will, as far as the policy judges it. */
export interface PublishIntent {
  topic: string;
  qos: number;
  retain: boolean;
}

/** Only topics of the Kizuna scheme (admin: anything under kz/), never `$`-topics. */
function isOurTopic(identity: BrokerIdentity, topic: string): boolean {
  if (!isValidTopicName(topic) || topic.startsWith('$')) return false;
  return identity.kind === 'admin' ? topic.startsWith(`${TOPIC_ROOT}/`) : parseTopic(topic) !== null;
}

export const policy = {
  canPublish(identity: BrokerIdentity, topic: string): boolean {
    return isOurTopic(identity, topic) && grantsOf(identity).publish.some((g) => topicMatches(g, topic));
  },
  canSubscribe(identity: BrokerIdentity, filter: string): boolean {
    return isValidTopicFilter(filter) && grantsOf(identity).subscribe.some((g) => filterCovers(g, filter));
  },
  /** The highest QoS granted to this identity (a SUBSCRIBE asking more is downgraded). */
  maxQos(identity: BrokerIdentity): 0 | 1 | 2 {
    return isDevice(identity) ? DEVICE_MAX_QOS : 2;
  },
  /**
   * Why a PUBLISH (or a will, judged at CONNECT) is refused, or null: its topic, a retain flag from
   * a device (receipts and check-ins are never retained; only the municipality's area alerts are), or
   * a QoS above the identity's maximum.
   */
  publishRefusal(identity: BrokerIdentity, msg: PublishIntent): 'topic' | 'retain' | 'qos' | null {
    if (!policy.canPublish(identity, msg.topic)) return 'topic';
    if (msg.retain && isDevice(identity)) return 'retain';
    if (msg.qos > policy.maxQos(identity)) return 'qos';
    return null;
  },
  /** Checked again at every delivery: a stored subscription must never outlive the policy. */
  canReceive(identity: BrokerIdentity, topic: string): boolean {
    if (!isValidTopicName(topic)) return false;
    if (identity.kind !== 'admin' && parseTopic(topic) === null) return false;
    return grantsOf(identity).subscribe.some((g) => topicMatches(g, topic));
  },
} as const;
