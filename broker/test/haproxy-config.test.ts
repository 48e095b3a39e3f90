/**
 * The HAProxy configuration Kizuna writes for a cluster's balancer, and the reading of its
 * statistics: a bad node list is refused with the check that failed, before HAProxy runs.
 * (The balancer running in front of a real cluster: rabbitmq-cluster.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { haproxyConfig, parseShowStat, type BalancedNode } from '../src/index.ts';

const nodes: BalancedNode[] = [
  { name: 'n1', mqtt: 'mqtt://127.0.0.1:1001', ws: 'ws://127.0.0.1:2001/ws' },
  { name: 'n2', mqtt: 'mqtt://127.0.0.1:1002', ws: 'ws://127.0.0.1:2002/ws' },
];
const base = { host: '127.0.0.1', mqttPort: 18830, wsPort: 18831, statsSocket: '/tmp/x.sock', checkIntervalMs: 2000 };

describe('haproxyConfig', () => {
  it('balances MQTT and WebSocket over every node, health-checked, dropping the sessions of a node marked down', () => {
    const cfg = haproxyConfig({ ...base, nodes });
    expect(cfg).toContain('mode tcp');
    expect(cfg).toContain('balance leastconn');
    expect(cfg).toContain('default-server check inter 2000 fall 2 rise 2 on-marked-down shutdown-sessions');
    expect(cfg).toMatch(/frontend mqtt\n {2}bind 127\.0\.0\.1:18830\n/);
    expect(cfg).toMatch(/backend mqtt_nodes\n {2}server n1 127\.0\.0\.1:1001\n {2}server n2 127\.0\.0\.1:1002\n/);
    expect(cfg).toMatch(/frontend ws\n {2}bind 127\.0\.0\.1:18831\n/);
    expect(cfg).toMatch(/backend ws_nodes\n {2}server n1 127\.0\.0\.1:2001\n {2}server n2 127\.0\.0\.1:2002\n/);
    // idle TVs (MQTT keep-alive 30–60 s) are not cut by the balancer
    expect(cfg).toContain('timeout client 10m');
    // no limit given: HAProxy's own, from its file limit
    expect(cfg).not.toContain('maxconn');
    expect(haproxyConfig({ ...base, nodes, maxConnections: 5000 })).toMatch(
      /global\n(.*\n)* {2}maxconn 5000\n(.*\n)*defaults\n(.*\n)* {2}maxconn 5000\n/,
    );
  });

  it('leaves the WebSocket listener out when the nodes have no WebSocket URL', () => {
    const cfg = haproxyConfig({ ...base, wsPort: undefined, nodes: nodes.map(({ name, mqtt }) => ({ name, mqtt })) });
    expect(cfg).not.toContain('frontend ws');
    expect(cfg).toContain('backend mqtt_nodes');
  });

  it.each([
    ['no nodes', [], /no nodes to balance/],
    ['a name HAProxy cannot take', [{ name: 'n 1', mqtt: 'mqtt://h:1' }], /node name "n 1" is not a server name/],
    ['a name twice', [nodes[0]!, { ...nodes[1]!, name: 'n1' }], /node name n1 given twice/],
    [
      'an MQTT URL that is not one',
      [{ name: 'a', mqtt: 'h:1883' }],
      /a's MQTT URL "h:1883" is not a URL|a's MQTT URL h:1883 must be/,
    ],
    [
      'an MQTT URL without a port',
      [{ name: 'a', mqtt: 'mqtt://h' }],
      /a's MQTT URL mqtt:\/\/h must be mqtt:\/\/host:port or tcp:\/\/host:port/,
    ],
    [
      'a WebSocket URL with the wrong scheme',
      [{ name: 'a', mqtt: 'mqtt://h:1', ws: 'http://h:2/ws' }],
      /a's WebSocket URL http:\/\/h:2\/ws must be ws:\/\/host:port/,
    ],
    [
      'WebSocket URLs for some nodes only',
      [nodes[0]!, { name: 'n2', mqtt: 'mqtt://h:2' }],
      /every node a WebSocket URL, or none/,
    ],
  ])('refuses %s with KZ_BROKER_START_FAILED', (_what, bad, message) => {
    let err: (Error & { code?: string }) | undefined;
    try {
      haproxyConfig({ ...base, nodes: bad as BalancedNode[] });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe('KZ_BROKER_START_FAILED');
    expect(err?.message).toMatch(message);
  });
});

describe('parseShowStat', () => {
  it("gives each node's state and connections per listener, without the frontend and backend rows", () => {
    // the head and rows as HAProxy 2.6 writes them (columns cut after stot; the parser goes by name)
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,check_status',
      'mqtt,FRONTEND,,,3,5,1000,9,0,0,0,0,0,,,,,OPEN,',
      'mqtt_nodes,n1,0,0,2,2,,4,0,0,,0,,0,0,0,0,UP,L4OK',
      'mqtt_nodes,n2,0,0,1,3,,5,0,0,,0,,0,0,0,0,DOWN,L4CON',
      'mqtt_nodes,BACKEND,0,0,3,5,100,9,0,0,0,0,,0,0,0,0,UP,',
      'ws_nodes,n1,0,0,0,1,,1,0,0,,0,,0,0,0,0,UP 1/2,INI',
      '',
    ].join('\n');
    expect(parseShowStat(csv)).toEqual([
      { listener: 'mqtt', node: 'n1', status: 'UP', current: 2, total: 4, check: 'L4OK' },
      { listener: 'mqtt', node: 'n2', status: 'DOWN', current: 1, total: 5, check: 'L4CON' },
      { listener: 'ws', node: 'n1', status: 'UP 1/2', current: 0, total: 1, check: 'INI' },
    ]);
  });
});
