/**
 * The TV's broker link backs off when the broker refuses it or goes away: exponential waits with
 * full jitter (contract's reconnectDelay), not a fixed period that brings a whole city back in one
 * wave. Observed on a real aedes broker over WebSocket: the times of the TV's CONNECTs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectLink, subscribeWait, type Link, type LinkState } from '../src/net/mqtt-link.ts';
import { MUNI, startBroker, type TestBroker } from './helpers/harness.ts';
import { recordStates } from './helpers/link-handlers.ts';
import { until } from './helpers/until.ts';

const DEVICE = 'tv-backoff';
const USER = `tv-${MUNI}-${DEVICE}`;
let broker: TestBroker | undefined;
let link: Link | undefined;
afterEach(async () => {
  await link?.close();
  await broker?.close();
  link = broker = undefined;
});

function openLink(password: string, reconnect: { baseMs: number; capMs: number }, random?: () => number) {
  const states: LinkState[] = [];
  link = connectLink(
    {
      url: broker!.wsUrl,
      muni: MUNI,
      device: DEVICE,
      username: USER,
      password,
      reconnect,
      ...(random ? { random } : {}),
    },
    recordStates(states),
  );
  return states;
}

/** Times at which the broker answered this TV's CONNECT with a refusal. */
function refusals(b: TestBroker): number[] {
  const times: number[] = [];
  b.aedes.on('connackSent', (packet, client) => {
    if (client?.id === USER && (packet as { returnCode?: number }).returnCode !== 0) times.push(performance.now());
  });
  return times;
}

describe('TV reconnect backoff', () => {
  it('keeps trying a broker that refuses it, each wait doubling up to the cap', async () => {
    broker = await startBroker({ [USER]: 'the-right-password' });
    const times = refusals(broker);
    // The top of each jitter range, so the waits are the ceilings themselves: 100, 200, 400, 400, …
    const states = openLink('a-wrong-password', { baseMs: 100, capMs: 400 }, () => 1 - Number.EPSILON);
    await until(() => times.length >= 6, 'six refused CONNECTs', 15_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const ceilings = [100, 200, 400, 400, 400];
    gaps.slice(0, 5).forEach((gap, i) => {
      // never sooner than the wait (less a timer's rounding); later only by a WebSocket handshake
      expect(gap, `gap ${i} of ${gaps.map(Math.round).join(', ')} ms`).toBeGreaterThanOrEqual(ceilings[i]! - 5);
      expect(gap, `gap ${i} of ${gaps.map(Math.round).join(', ')} ms`).toBeLessThan(ceilings[i]! + 1000);
    });
    expect(states).not.toContain('online');
    // what the fault suite prints for a TV that is not online (Link.inspect)
    const seen = link!.inspect();
    expect(seen).toMatchObject({ state: 'reconnecting', urlIndex: 0, connected: false, disconnecting: false });
    expect(seen.attempts).toBeGreaterThanOrEqual(6);
    expect(seen.events.some((e) => / error: Connection refused/.test(e))).toBe(true);
  });

  it('waits a random time within the growing ceiling, and is back soon after the broker returns', async () => {
    broker = await startBroker({ [USER]: 'pw' });
    const times = refusals(broker);
    const policy = { baseMs: 50, capMs: 800 };
    const states = openLink('pw', policy);
    await until(() => states.at(-1) === 'online', 'the TV online', 15_000);
    // The broker refuses for a while (a restart whose credential database is not ready yet).
    broker.passwords[USER] = 'not yet';
    await broker.goAway();
    await broker.comeBack();
    await until(() => times.length >= 8, 'eight refused CONNECTs', 20_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    gaps.slice(0, 7).forEach((gap, n) => {
      const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (n + 1));
      expect(gap, `gap ${n} of ${gaps.map(Math.round).join(', ')} ms`).toBeLessThan(ceiling + 1000);
    });
    // full jitter: the waits at the cap are not all the same
    const spread = new Set(gaps.slice(4, 7).map((g) => Math.round(g / 10)));
    expect(spread.size, `gaps ${gaps.map(Math.round).join(', ')} ms`).toBeGreaterThan(1);
    broker.passwords[USER] = 'pw';
    const back = performance.now();
    await until(() => states.at(-1) === 'online', 'the TV online again', 15_000);
    expect(performance.now() - back).toBeLessThan(policy.capMs + 2000);
  });

  it('keeps backing off from a broker that accepts its CONNECT but never answers its SUBSCRIBE', async () => {
    // Issue 22's fault suite at 1,000 and 3,000 TVs: after a partition the nodes accepted the TVs'
    // CONNECTs but answered no SUBSCRIBE; the CONNACK restarted every TV's backoff, so each came
    // back within a second of giving up (15 s later), and the logins kept the cluster overloaded.
    broker = await startBroker({ [USER]: 'pw' });
    let answering = false;
    const authorizeSubscribe = broker.aedes.authorizeSubscribe.bind(broker.aedes);
    broker.aedes.authorizeSubscribe = (client, sub, callback) => {
      if (answering) authorizeSubscribe(client, sub, callback); // otherwise never answered
    };
    const times: number[] = [];
    const ends: number[] = [];
    broker.aedes.on('client', (client) => client.id === USER && times.push(performance.now()));
    broker.aedes.on('clientDisconnect', (client) => client.id === USER && ends.push(performance.now()));
    const states: LinkState[] = [];
    link = connectLink(
      {
        url: broker.wsUrl,
        muni: MUNI,
        device: DEVICE,
        username: USER,
        password: 'pw',
        reconnect: { baseMs: 100, capMs: 800 },
        random: () => 1 - Number.EPSILON,
        subscribeTimeoutMs: 300,
      },
      recordStates(states),
    );
    await until(() => times.length >= 5, 'five CONNECTs', 15_000);
    // each connection waits longer for its SUBACK: 300, 600, 1,200, 2,400 ms (a busy cluster answers
    // late; giving up adds to its work)
    const lives = ends.slice(0, 4).map((e, i) => e - times[i]!);
    [300, 600, 1200, 2400].forEach((w, i) =>
      expect(gap(lives, i), `connection ${i} lived ${lives.map(Math.round).join(', ')} ms`).toBeGreaterThanOrEqual(
        w - 5,
      ),
    );
    expect(subscribeWait(300, 9), 'at most 8 times the first').toBe(2400);
    // each gap: that wait, then a reconnect wait whose ceiling doubles: 100, 200, 400, 800 ms
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    [100, 200, 400, 800].forEach((wait, i) =>
      expect(gap(gaps, i), `gap ${i} of ${gaps.map(Math.round).join(', ')} ms`).toBeGreaterThanOrEqual(
        subscribeWait(300, i) + wait - 5,
      ),
    );
    expect(states).not.toContain('online');
    // answered: online, and the next loss is retried within the first ceiling again
    answering = true;
    await until(() => states.at(-1) === 'online', 'the TV online', 10_000);
    expect(link.inspect().backoffAttempt).toBe(0);
  });
});

function gap(gaps: number[], i: number): number {
  return gaps[i] ?? Number.NaN;
}
