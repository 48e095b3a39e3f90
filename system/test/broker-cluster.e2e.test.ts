/**
 * `npm start` on a RabbitMQ cluster (KZ_SYSTEM_BROKER=rabbitmq-cluster, three private nodes): the
 * console, terminal and gateway on the cluster's nodes, TVs in Chromium spread over the nodes'
 * Web MQTT listeners by their device id. A real alert approved in the console reaches TVs on
 * different nodes; a TV whose node was killed reconnects to another node and still gets it.
 * Which node each TV reached is read from Chromium's own WebSocket handshakes (CDP), not from the app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { shot, waitVisibleText } from '@kizuna/test-utils';
import { nodeIndexFor } from '@kizuna/broker';
import { startSystemRig, type SystemRig } from './helpers/system-rig.ts';
import type { RunningSystem, TvLink } from '../src/system.ts';

const WAIT = 90_000;
let rig: SystemRig;
let system: RunningSystem;
let browser: Browser;

beforeAll(async () => {
  // One cluster for the file: three cold nodes take 28–65 s here.
  rig = await startSystemRig({ KZ_SYSTEM_BROKER: 'rabbitmq-cluster', KZ_SYSTEM_BROKER_NODES: '3' });
  ({ system, browser } = rig);
}, 400_000);

afterAll(async () => {
  await rig?.close();
});

interface OpenTv {
  tv: TvLink;
  page: Page;
  names: string[];
  /** WebSocket URLs whose handshake the broker accepted (101), in order. */
  opened: string[];
}

/** Open a TV page, recording every WebSocket it opens to the broker. */
async function openTv(tv: TvLink): Promise<OpenTv> {
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  const pending = new Map<string, string>();
  const opened: string[] = [];
  cdp.on('Network.webSocketCreated', (e) => pending.set(e.requestId, e.url));
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
    const url = pending.get(e.requestId);
    if (url && e.response.status === 101 && system.urls.mqttWsNodes.includes(url)) opened.push(url);
  });
  await page.goto(`${tv.url}&inspect=1&reconnectBase=500&reconnectCap=2000`);
  await waitVisibleText(page, '接続中', 'Home', WAIT);
  const names = tv.residents.map((id) => {
    const r = system.seed.residents.find((p) => p.id === id)!;
    return `${r.familyName} ${r.givenName}さん`;
  });
  return { tv, page, names, opened };
}

/** One TV with residents who all read Japanese, whose own node (first in its URL list) is `node`. */
function tvOnNode(node: number): TvLink {
  const n = system.urls.mqttWsNodes.length;
  const tv = system.tvs.find(
    (t) =>
      t.residents.length > 0 &&
      nodeIndexFor(t.device, n) === node &&
      t.residents.every((id) => system.seed.residents.find((r) => r.id === id)?.language === 'ja'),
  );
  if (!tv) throw new Error(`no Japanese TV whose node is ${node}`);
  return tv;
}

describe('npm start on a 3-node RabbitMQ cluster', () => {
  it('an approved alert reaches TVs on different nodes, and a TV whose node was killed gets it from another node', async () => {
    const nodes = system.urls.mqttWsNodes;
    expect(nodes).toHaveLength(3);
    expect(new Set(nodes).size).toBe(3);

    const tvs = [await openTv(tvOnNode(0)), await openTv(tvOnNode(1)), await openTv(tvOnNode(2))];
    // Each TV reached its own node, so the three are on three different nodes.
    expect(tvs.map((t) => t.opened[0])).toEqual([nodes[0], nodes[1], nodes[2]]);

    // Kill the third node (its whole process group: start script and beam), as a crash would, and forget it.
    const victim = tvs[2]!;
    const cluster = system.broker.cluster!;
    process.kill(-cluster.nodes[2]!.pgid, 'SIGKILL');
    // RabbitMQ 3.10 keeps a lost node's MQTT session queues (clean sessions' too: durable,
    // auto-delete) and closes their clients' SUBSCRIBE on every other node until the node is back
    // or forgotten: the operator's step for a node that is gone (docs/OPERATIONS.md).
    const forgetBy = Date.now() + 60_000;
    for (;;) {
      try {
        await cluster.ctl(0, ['forget_cluster_node', cluster.nodes[2]!.name]);
        break;
      } catch (e) {
        if (Date.now() > forgetBy) throw e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    // Its TV fails over to another node of its list and is online there.
    const deadline = Date.now() + WAIT;
    while (!victim.opened.slice(1).some((u) => u !== nodes[2])) {
      if (Date.now() > deadline)
        throw new Error(`the TV did not reconnect to another node: ${victim.opened.join(' ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitVisibleText(victim.page, '接続中', 'Home', WAIT);
    const failedOverTo = victim.opened.at(-1)!;
    expect(failedOverTo).not.toBe(nodes[2]);

    // A real level-4 alert for the three TVs' zones, issued by one staff member and approved by another.
    const issuer = await rig.login('issuer');
    const approver = await rig.login('approver');
    const zones = [...new Set(tvs.map((t) => t.tv.zone))];
    const issued = await rig.issue<{ id: string; state: string }>(issuer, {
      level: 4,
      hazard: 'flood',
      status: 'Actual',
      expires: new Date(Date.now() + 3600_000).toISOString(),
      target: { zones },
    });
    expect(issued.status).toBe(200);
    expect(issued.body.state).toBe('pending-approval');
    const id = issued.body.id;
    const approved = await rig.approve<{ state: string }>(approver, id);
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('active');

    for (const [i, t] of tvs.entries()) {
      try {
        await waitVisibleText(t.page, t.names[0]!, 'Takeover', WAIT);
      } catch (e) {
        const status = await rig.api(`/api/alerts/${id}/status`, { token: issuer });
        throw new Error(
          `TV ${i} (${t.tv.device}, sockets ${t.opened.join(' ')}) shows no alert; console: ${JSON.stringify(status.body)}`,
          { cause: e },
        );
      }
    }
    await shot(victim.page, 'system', 'cluster-failed-over-tv-alert');
    // The TVs on the live nodes stayed where they were.
    expect(tvs[0]!.opened).toEqual([nodes[0]]);
    expect(tvs[1]!.opened).toEqual([nodes[1]]);
    for (const t of tvs) await t.page.close();
  }, 400_000);
});
