/**
 * The route repair (rabbitmq-route-repair.ts) on a real three-node cluster of this machine's
 * RabbitMQ 3.10.8: a TV whose `amq.topic` bindings are in the routing table but not in the topic
 * trie (what the fault suite's partition left for 54 of 3,000 TVs) receives nothing; the node the
 * TV's queue lives on re-adds them within two looks, records it, and the TV receives again. A TV
 * whose bindings are whole is left alone. The race that loses the trie bindings showed only under
 * the fault suite's load; here the trie bindings are deleted by hand, as it left them.
 * And the TV connection names that keep a moving TV out of that race (identity.ts,
 * clientIdAllowed): a clean session's QoS 0 queue under each name, no QoS 1 queue under one.
 */
import { describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import { ROUTE_REPAIRS_EXPR, routeRepairInstaller } from '../src/index.ts';
import {
  endAll,
  eventually,
  eventuallyAsync,
  mustConnect,
  publishOutcome,
  sleep,
  subscribeCodes,
} from './mqtt-helpers.ts';
import { usePrivateCluster } from './private-cluster.ts';

const M = '999992';

describe('rabbitmq cluster: a TV that moves to another node', () => {
  const rig = usePrivateCluster();

  const repairs = async (node: number) => (await rig.cluster.ctl(node, ['eval', `${ROUTE_REPAIRS_EXPR}.`])).trim();
  /** What the race left: the queue's trie bindings gone, its routes still there. */
  const loseTrieBindings = (node: number, queue: string) =>
    rig.cluster.ctl(node, [
      'eval',
      `Q = rabbit_misc:r(<<"/">>, queue, <<"${queue}">>),
       {atomic, Gone} = mnesia:transaction(fun() ->
         [mnesia:delete_object(rabbit_topic_trie_binding, B, write) || B <-
           mnesia:match_object(rabbit_topic_trie_binding, {topic_trie_binding, {trie_binding, '_', '_', Q, '_'}, '_'}, read)]
       end),
       {length(Gone), length(rabbit_binding:list_for_destination(Q))}.`,
    ]);

  async function tvOn(device: string, node: number) {
    const creds = await rig.store.issue({ kind: 'tv', muni: M, device });
    const tv = await mustConnect(rig.cluster.urls[node]!, creds.username, creds.password);
    // a clean session at QoS 0, as TVs on a cluster subscribe: a transient queue on this node
    expect(await subscribeCodes(tv.client, [topics.tvOwn(M, device), topics.areaAll(M)], 0)).toEqual([0, 0]);
    return { ...tv, queue: `mqtt-subscription-${creds.username}qos0` };
  }

  it('route repair: is running on every node after the start', async () => {
    for (const node of [0, 1, 2]) {
      expect(await repairs(node)).toBe('[]');
      expect((await rig.cluster.ctl(node, ['eval', routeRepairInstaller()])).trim()).toBe('running');
    }
  }, 60_000);

  it('route repair: a TV deaf from lost trie bindings receives again; a whole one is left alone', async () => {
    const muni = await rig.store.issue({ kind: 'municipality', muni: M });
    const sender = await mustConnect(rig.cluster.urls[0]!, muni.username, muni.password);
    const deaf = await tvOn('deaf', 1);
    const whole = await tvOn('whole', 2);
    const send = async (device: string, text: string) =>
      expect(await publishOutcome(sender.client, topics.tvAlert(M, device), text)).toBe('acked');

    // what the race left: two routes (own topic and area) and no trie binding
    expect((await loseTrieBindings(1, deaf.queue)).replace(/\s+/g, '')).toBe('{2,3}');
    await send('deaf', 'while deaf');
    await send('whole', 'to the whole one');
    expect(await eventually(() => whole.received.length === 1, 5000)).toBe(true);
    await sleep(500);
    expect(deaf.received, 'nothing reaches a queue missing from the trie').toEqual([]);

    // the node of the TV's queue re-adds its bindings within two looks (10 s apart)
    expect(await eventuallyAsync(async () => (await repairs(1)).includes(deaf.queue), 30_000)).toBe(true);
    await send('deaf', 'after the repair');
    expect(await eventually(() => deaf.received.length === 1, 5000)).toBe(true);
    expect(deaf.received[0]!.payload).toBe('after the repair');
    // the area binding is back too
    expect(await publishOutcome(sender.client, topics.areaAlert(M, 'z1'), 'area')).toBe('acked');
    expect(await eventually(() => deaf.received.length === 2 && whole.received.length === 2, 5000)).toBe(true);

    // only the node of the queue repaired it, and nothing else was touched
    expect(await repairs(0)).toBe('[]');
    expect(await repairs(2)).toBe('[]');
    expect((await repairs(1)).match(/mqtt-subscription/g)).toHaveLength(1);
    await endAll(sender.client, deaf.client, whole.client);
  }, 120_000);

  it("connection names: a clean session's QoS 0 queue under each name, gone with it; no QoS 1 queue under one", async () => {
    const creds = await rig.store.issue({ kind: 'tv', muni: M, device: 'named' });
    const queues = async () =>
      (await rig.cluster.ctl(0, ['list_queues', 'name', '--no-table-headers', '--quiet']))
        .split('\n')
        .filter((q) => q.includes(creds.username));
    const named = (name: string, clean: boolean) =>
      mustConnect(rig.cluster.urls[1]!, creds.username, creds.password, {
        clientId: `${creds.username}~${name}`,
        clean,
      });
    const a = await named('a', true);
    expect(await subscribeCodes(a.client, [topics.tvOwn(M, 'named'), topics.areaAll(M)], 0)).toEqual([0, 0]);
    expect(await queues()).toEqual([`mqtt-subscription-${creds.username}~aqos0`]);
    await endAll(a.client);
    expect(
      await eventuallyAsync(async () => (await queues()).length === 0, 10_000),
      'the queue goes with the connection',
    ).toBe(true);
    // a persistent session under a connection name would leave a queue behind under a name never used again
    const b = await named('b', false);
    expect(await subscribeCodes(b.client, [topics.tvOwn(M, 'named')], 1)).toBe('closed');
    await endAll(b.client);
    expect(await queues()).toEqual([]);
  }, 60_000);
});
