/**
 * A TV on a RabbitMQ cluster whose node is lost gets online on another node without an operator
 * forgetting the lost one (issue 22). On a cluster TVs have clean sessions; RabbitMQ 3.10.8 makes a
 * QoS 1 subscription a durable queue on the TV's node, which refuses the TV's SUBSCRIBE on every
 * other node while that node is away (and, after a partition, until the returning node has
 * deleted each of them), and a QoS 0 subscription a transient queue the surviving nodes drop at
 * once. With a clean session QoS 1 adds nothing the TV keeps (the broker re-sends an
 * unacknowledged message only in a session the client resumes): the link subscribes at QoS 0.
 * Real three-node cluster, the applet's own link over Web MQTT, node 3 killed and not forgotten.
 */
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { encodeMessage, topics, type PersonalAlert } from '@kizuna/contract';
import { usePrivateCluster } from '@kizuna/broker/test/private-cluster';
import { connectLink, type Link, type LinkState } from '../src/net/mqtt-link.ts';
import { personalAlert } from './helpers/harness.ts';
import { until } from './helpers/until.ts';

const M = '999992';
const rig = usePrivateCluster();

describe('a TV with a clean session on a cluster', () => {
  it('is online on another node after its own is killed, unforgotten, and gets its alert there', async () => {
    const device = 'tv-node-lost';
    const creds = await rig.store.issue({ kind: 'tv', muni: M, device });
    const states: LinkState[] = [];
    const alerts: PersonalAlert[] = [];
    const link: Link = connectLink(
      {
        url: rig.cluster.wsUrls[2]!,
        fallbackUrls: [rig.cluster.wsUrls[0]!, rig.cluster.wsUrls[1]!],
        cleanSession: true,
        muni: M,
        device,
        username: creds.username,
        password: creds.password,
        reconnect: { baseMs: 200, capMs: 1000 },
        connectTimeoutMs: 5000,
        subscribeTimeoutMs: 5000,
      },
      {
        onAlert: (a) => alerts.push(a),
        onArea: () => undefined,
        onMail: () => undefined,
        onInvalid: () => undefined,
        onState: (s) => states.push(s),
      },
    );
    const muni = await rig.store.issue({ kind: 'municipality', muni: M });
    const officer = await mqtt.connectAsync(rig.cluster.urls[0]!, {
      protocolVersion: 4,
      clientId: muni.username,
      username: muni.username,
      password: muni.password,
    });
    try {
      await until(() => states.at(-1) === 'online', 'the TV online on node 3', 30_000);
      process.kill(-rig.cluster.nodes[2]!.pgid, 'SIGKILL');
      await until(() => states.at(-1) !== 'online', 'the TV to notice its node is gone', 60_000);
      await until(
        () => states.at(-1) === 'online',
        () => `the TV online on another node (last events: ${link.inspect().events.join(' | ')})`,
        60_000,
      );
      // servers are [node 3, node 1, node 2]: online on node 1 or 2
      expect(link.inspect().urlIndex).not.toBe(0);
      const sent = personalAlert();
      await officer.publishAsync(topics.tvAlert(M, device), encodeMessage(sent), { qos: 1 });
      await until(() => alerts.some((a) => a.alertId === sent.alertId), 'the alert on the TV', 20_000);
      expect(alerts.filter((a) => a.alertId === sent.alertId)).toHaveLength(1);
    } finally {
      await link.close();
      await officer.endAsync(true);
    }
  }, 240_000);
});
