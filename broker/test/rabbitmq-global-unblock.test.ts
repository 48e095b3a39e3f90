/**
 * The global-sync workaround (rabbitmq-global-unblock.ts) on a real three-node cluster of this
 * machine's RabbitMQ 3.10.8 on Erlang 25: installed on every node by the cluster's start, once;
 * an unblock of a peer sends `global` the nodedown/nodeup pair with the connection ids Erlang 25.1
 * takes (RabbitMQ 3.10.8's own pair, without them, is ignored), is recorded, and leaves the
 * cluster whole and serving: three running nodes, a TV subscribing on the unblocked node.
 * A real stuck sync showed only under the fault suite's load (3,000 TVs); it is not made here.
 */
import { describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { GLOBAL_UNBLOCK_PROCESS, GLOBAL_UNBLOCKS_EXPR, globalUnblockInstaller } from '../src/index.ts';
import { endAll, eventuallyAsync, mustConnect, subscribeCodes } from './mqtt-helpers.ts';
import { usePrivateCluster } from './private-cluster.ts';

const M = '999993';

describe('rabbitmq cluster: the global-sync workaround', () => {
  const rig = usePrivateCluster();

  const unblocks = async (node: number) => (await rig.cluster.ctl(node, ['eval', `${GLOBAL_UNBLOCKS_EXPR}.`])).trim();

  it('is running on every node after the start, once', async () => {
    for (const node of [0, 1, 2]) {
      expect(await unblocks(node)).toBe('[]');
      // installing again finds it running
      expect((await rig.cluster.ctl(node, ['eval', globalUnblockInstaller()])).trim()).toBe('running');
    }
  }, 60_000);

  it('unblocks a peer with the connection ids, and the cluster stays whole and serving', async () => {
    const peer = rig.cluster.nodes[1]!.name;
    await rig.cluster.ctl(2, ['eval', `${GLOBAL_UNBLOCK_PROCESS} ! {unblock, '${peer}'}, ok.`]);
    expect(
      await eventuallyAsync(async () => (await unblocks(2)).includes(peer), 10_000),
      'the unblock is recorded',
    ).toBe(true);
    // what the node's global was sent carries the connection id of Erlang 25.1 and later
    const ids = await rig.cluster.ctl(2, [
      'eval',
      `maps:is_key({connection_id, '${peer}'}, element(3, sys:get_state(global_name_server))).`,
    ]);
    expect(ids.trim()).toBe('true');
    const running = async () => {
      const s = JSON.parse(await rig.cluster.ctl(0, ['cluster_status', '--formatter', 'json'])) as {
        running_nodes?: string[];
      };
      return s.running_nodes?.length === 3;
    };
    expect(await eventuallyAsync(running, 30_000), 'three running nodes').toBe(true);
    const tv = await rig.store.issue({ kind: 'tv', muni: M, device: 'after-unblock' });
    const c = await mustConnect(rig.cluster.urls[2]!, tv.username, tv.password);
    expect(await subscribeCodes(c.client, [topics.tvOwn(M, 'after-unblock')])).toEqual([1]);
    await endAll(c.client);
  }, 120_000);
});
