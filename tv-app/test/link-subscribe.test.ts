/**
 * The TV link's subscriptions, against the real embedded broker (credential store, access policy):
 * one SUBSCRIBE per connection for both filters (after a restart a city's TVs subscribe at once;
 * issue 21), a refused filter does not cost the TV the other one, and a login the broker holds
 * longer than the TV's old 8 s timeout is waited for, not retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { encodeMessage, topics } from '@kizuna/contract';
import { createLogger } from '@kizuna/core';
import { createEmbeddedBroker, type CredentialStore, type EmbeddedBroker } from '@kizuna/broker';
import { areaAlert } from './helpers/harness.ts';
import { startPolicyBroker, type PolicyBroker } from './helpers/policy-broker.ts';
import { connectLink, type Link, type LinkState } from '../src/net/mqtt-link.ts';
import { recordStates } from './helpers/link-handlers.ts';
import { until } from './helpers/until.ts';

const M = '999997';
const ZONE = 'z-link';
let store: CredentialStore;
let broker: EmbeddedBroker;
let officer: MqttClient;
let rig: PolicyBroker;

beforeAll(async () => {
  rig = await startPolicyBroker(M);
  ({ store, broker, officer } = rig);
});
afterAll(async () => {
  await rig?.close();
});

/** A link as the applet opens it; `device` may differ from the credential's to have a filter refused. */
async function open(device: string) {
  const creds = await store.issue({ kind: 'tv', muni: M, device: device.replace(/^other-/, '') });
  const seen = { states: [] as LinkState[], invalid: [] as string[], areas: [] as string[] };
  const link: Link = connectLink(
    { url: broker.mqttUrl, muni: M, device, username: creds.username, password: creds.password },
    {
      onAlert: () => undefined,
      onMail: () => undefined,
      onArea: (_zone, a) => a && seen.areas.push(a.alertId),
      onInvalid: (topic, problem) => seen.invalid.push(`${topic}: ${problem}`),
      onState: (s) => seen.states.push(s),
    },
  );
  return { link, seen, username: creds.username };
}

describe('the TV link subscribes', () => {
  it('with one SUBSCRIBE per connection holding both filters, and is online once it is answered', async () => {
    const packets: string[][] = [];
    const { link, seen, username } = await open('tv-sub1');
    const onSubscribe = (subs: { topic: string }[], client: { id: string } | null) => {
      if (client?.id === username) packets.push(subs.map((s) => s.topic));
    };
    broker.aedes.on('subscribe', onSubscribe);
    try {
      await until(() => seen.states.includes('online'), 'online');
      expect(packets).toEqual([[topics.tvOwn(M, 'tv-sub1'), topics.areaAll(M)]]);
      expect(seen.invalid).toEqual([]);
    } finally {
      broker.aedes.off('subscribe', onSubscribe);
      await link.close();
    }
  });

  it('keeps the filter the policy grants when the other is refused', async () => {
    // The credential is tv-sub2's; the link asks for another device's own topic, which the policy refuses.
    const { link, seen } = await open('other-tv-sub2');
    try {
      await until(() => seen.states.includes('online'), 'online');
      expect(seen.invalid).toHaveLength(1);
      expect(seen.invalid[0]).toContain(topics.tvOwn(M, 'other-tv-sub2'));
      expect(seen.invalid[0]).toContain('subscription refused');
      await officer.publishAsync(topics.areaAlert(M, ZONE), encodeMessage(areaAlert(ZONE, { alertId: 'a-granted' })), {
        qos: 1,
      });
      await until(() => seen.areas.includes('a-granted'), 'the area alert on the granted filter');
    } finally {
      await link.close();
    }
  });

  it('waits for a login the broker holds (a restart answers TVs in turn) instead of trying again', async () => {
    // The broker's credential check, held 9 s for this TV as under a restart's queue.
    let asked = 0;
    const creds = await store.issue({ kind: 'tv', muni: M, device: 'tv-held' });
    const slow = await createEmbeddedBroker({
      credentials: {
        authenticate: async (...args: Parameters<CredentialStore['authenticate']>) => {
          if (args[0] === creds.username) {
            asked += 1;
            await new Promise((r) => setTimeout(r, 9000));
          }
          return store.authenticate(...args);
        },
        onChange: (l: Parameters<CredentialStore['onChange']>[0]) => store.onChange(l),
      },
      logger: createLogger({ name: 'test', level: 'silent' }),
      port: 0,
    });
    const states: LinkState[] = [];
    const link = connectLink(
      { url: slow.mqttUrl, muni: M, device: 'tv-held', username: creds.username, password: creds.password },
      recordStates(states),
    );
    try {
      await until(() => states.includes('online'), 'online after the held login', 15_000);
      expect(asked).toBe(1);
      expect(states).not.toContain('reconnecting');
    } finally {
      await link.close();
      await slow.close();
    }
  }, 20_000);
});

describe('the TV link names its connections', () => {
  it('with a clean session, a name of its own for each connection; with a persistent one, its username', async () => {
    const ids: string[] = [];
    const onClient = (c: { id: string }) => ids.push(c.id);
    broker.aedes.on('client', onClient);
    const creds = await store.issue({ kind: 'tv', muni: M, device: 'tv-named' });
    const options = {
      url: broker.wsUrl!,
      muni: M,
      device: 'tv-named',
      username: creds.username,
      password: creds.password,
    };
    const mine = () => ids.filter((id) => id.startsWith(`${creds.username}~`));
    const states: LinkState[] = [];
    const clean = connectLink(
      { ...options, cleanSession: true, reconnect: { baseMs: 50, capMs: 200 } },
      recordStates(states),
    );
    try {
      await until(() => states.includes('online'), 'online');
      expect(mine()).toHaveLength(1);
      // the broker drops the connection: the link comes back under another name
      (broker.aedes as unknown as { clients: Record<string, { close(): void }> }).clients[mine()[0]!]!.close();
      await until(() => mine().length === 2 && states.at(-1) === 'online', 'online again');
      expect(new Set(mine()).size).toBe(2);
      for (const id of mine()) expect(id.slice(creds.username.length)).toMatch(/^~[A-Za-z0-9_-]{1,32}$/);
    } finally {
      await clean.close();
    }
    const persistentStates: LinkState[] = [];
    const persistent = connectLink(options, recordStates(persistentStates));
    try {
      await until(() => persistentStates.includes('online'), 'online with a persistent session');
      expect(ids.at(-1)).toBe(creds.username);
    } finally {
      broker.aedes.off('client', onClient);
      await persistent.close();
    }
  });
});
