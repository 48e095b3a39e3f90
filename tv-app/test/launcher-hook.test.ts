/**
 * The reference launcher hook (issue 25): its MQTT side against a real broker (the embedded aedes
 * with the credential store and the access policy), its display and launcher behind interfaces
 * recorded here, and the real cec-client / browser adapters as recorded commands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { encodeMessage, topics, type PersonalAlert, type Wake } from '@kizuna/contract';
import { policy, type CredentialStore, type EmbeddedBroker } from '@kizuna/broker';
import { alertDeepLink, startLauncherHook, type LauncherHook } from '../launcher-hook/hook.ts';
import { browserLauncher, cecDisplay } from '../launcher-hook/devices.ts';
import type { AppRun, Display, Launcher } from '../launcher-hook/ports.ts';
import { personalAlert } from './helpers/harness.ts';
import { startPolicyBroker, type PolicyBroker } from './helpers/policy-broker.ts';

const M = '999997';
let store: CredentialStore;
let broker: EmbeddedBroker;
let console_: MqttClient;
let rig: PolicyBroker;

beforeAll(async () => {
  rig = await startPolicyBroker(M);
  ({ store, broker, officer: console_ } = rig);
});
afterAll(async () => {
  await rig?.close();
});

/** Records what the hook does to the box; the applet "runs" until the test ends it. */
class RecordedBox implements Display, Launcher {
  calls: string[] = [];
  private exit: (() => void) | null = null;
  async wake() {
    this.calls.push('display.wake');
  }
  async open(url: string): Promise<AppRun> {
    this.calls.push(`launcher.open ${url}`);
    return { exited: new Promise<void>((r) => (this.exit = r)) };
  }
  closeApplet() {
    this.exit?.();
  }
}

let n = 0;
async function tv() {
  const device = `hook${++n}`;
  const cred = await store.issue({ kind: 'tv', muni: M, device });
  return { device, cred };
}

/** The harness's personal alert (tv-app/test/helpers/harness.ts), with a known id. */
const alert = (id: string): PersonalAlert => personalAlert({ alertId: id });

function wake(id: string, expiresInMs = 3600_000): Wake {
  return {
    v: 1,
    kind: 'wake',
    alertId: id,
    revision: 1,
    status: 'Exercise',
    level: 4,
    sent: new Date().toISOString(),
    expires: new Date(Date.now() + expiresInMs).toISOString(),
  };
}

const APP = 'http://127.0.0.1:18810/index.html#device=DEV&muni=999997';

function hookFor(t: Awaited<ReturnType<typeof tv>>, box: RecordedBox): LauncherHook {
  return startLauncherHook({
    mqtt: { url: broker.mqttUrl, username: t.cred.username, password: t.cred.password, muni: M, device: t.device },
    appUrl: APP,
    display: box,
    launcher: box,
  });
}

/** The applet's side: the TV's own session, as tv-app/src/net/mqtt-link.ts opens it. */
async function appletReceives(t: Awaited<ReturnType<typeof tv>>, alertId: string): Promise<void> {
  const c = await mqtt.connectAsync(broker.mqttUrl, {
    protocolVersion: 4,
    clean: false,
    clientId: t.cred.username,
    username: t.cred.username,
    password: t.cred.password,
    reconnectPeriod: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the applet never got ${alertId}`)), 5000);
      c.on('message', (topic, payload) => {
        if (topic === topics.tvAlert(M, t.device) && JSON.parse(payload.toString()).alertId === alertId) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.subscribe(topics.tvOwn(M, t.device), { qos: 1 });
    });
  } finally {
    await c.endAsync();
  }
}

describe('launcher hook', () => {
  it('the wake topic: the municipality may publish it, the TV may read it, nobody else either way', () => {
    const tvId = { kind: 'tv' as const, muni: M, device: 'd1' };
    expect(policy.canPublish({ kind: 'municipality', muni: M }, topics.tvWake(M, 'd1'))).toBe(true);
    expect(policy.canPublish({ kind: 'municipality', muni: '999998' }, topics.tvWake(M, 'd1'))).toBe(false);
    expect(policy.canPublish(tvId, topics.tvWake(M, 'd1'))).toBe(false);
    expect(policy.canPublish({ kind: 'postbox' }, topics.tvWake(M, 'd1'))).toBe(false);
    expect(policy.canReceive(tvId, topics.tvWake(M, 'd1'))).toBe(true);
    expect(policy.canReceive(tvId, topics.tvWake(M, 'd2'))).toBe(false);
  });

  it('a personal alert: wakes the display, opens the deep link, and leaves the alert to the applet', async () => {
    const t = await tv();
    const box = new RecordedBox();
    const hook = hookFor(t, box);
    await hook.next('listening');
    const woken = hook.next('woken');
    await console_.publishAsync(topics.tvAlert(M, t.device), encodeMessage(alert('al-h1')), { qos: 1 });
    const e = await woken;
    expect(e).toMatchObject({ kind: 'woken', by: 'alert' });
    expect(box.calls).toEqual(['display.wake', `launcher.open ${alertDeepLink(APP)}`]);
    expect(alertDeepLink(APP)).toBe('http://127.0.0.1:18810/index.html#device=DEV&muni=999997&intent=alert');
    // The hook did not acknowledge it: the applet's session still delivers it.
    await appletReceives(t, 'al-h1');
    // The applet closes: the hook takes the session back and listens again.
    const back = hook.next('listening');
    box.closeApplet();
    await back;
    await hook.stop();
  });

  it('a wake message: the same, with the alert named in the deep link; an expired one is ignored', async () => {
    const t = await tv();
    const box = new RecordedBox();
    const hook = hookFor(t, box);
    await hook.next('listening');
    await console_.publishAsync(topics.tvWake(M, t.device), encodeMessage(wake('al-old', -1000)), { qos: 1 });
    const woken = hook.next('woken');
    await console_.publishAsync(topics.tvWake(M, t.device), encodeMessage(wake('al-h2')), { qos: 1 });
    expect(await woken).toMatchObject({ by: 'wake', alertId: 'al-h2' });
    expect(box.calls).toEqual(['display.wake', `launcher.open ${alertDeepLink(APP, 'al-h2')}`]);
    expect(box.calls[1]).toContain('intent=alert&alert=al-h2');
    box.closeApplet();
    await hook.next('listening');
    await hook.stop();
  });

  it('an alert sent while the box was off entirely is there when the hook starts', async () => {
    const t = await tv();
    // The applet ran once (its session holds the subscription), then the box was switched off.
    const applet = await mqtt.connectAsync(broker.mqttUrl, {
      protocolVersion: 4,
      clean: false,
      clientId: t.cred.username,
      username: t.cred.username,
      password: t.cred.password,
    });
    await applet.subscribeAsync(topics.tvOwn(M, t.device), { qos: 1 });
    await applet.endAsync();
    await console_.publishAsync(topics.tvAlert(M, t.device), encodeMessage(alert('al-h3')), { qos: 1 });
    const box = new RecordedBox();
    const hook = hookFor(t, box);
    expect(await hook.next('woken')).toMatchObject({ by: 'alert' });
    await appletReceives(t, 'al-h3');
    await hook.stop();
  });
});

describe('reference display and launcher (recorded commands)', () => {
  it('One Touch Play through cec-client: Image View On to the TV, then Active Source', async () => {
    const calls: [string, readonly string[], string | undefined][] = [];
    const display = cecDisplay(async (cmd, args, stdin) => {
      calls.push([cmd, args, stdin]);
      return { code: 0 };
    });
    await display.wake();
    expect(calls).toEqual([
      ['cec-client', ['-s', '-d', '1'], 'on 0\n'],
      ['cec-client', ['-s', '-d', '1'], 'as\n'],
    ]);
    const failing = cecDisplay(async () => ({ code: 1 }));
    await expect(failing.wake()).rejects.toThrow(/cec-client "on 0" exited with 1/);
  });

  it('opens the applet in a kiosk browser at the deep link', async () => {
    const calls: [string, readonly string[]][] = [];
    const launcher = browserLauncher((cmd, args) => {
      calls.push([cmd, args]);
      return { exited: Promise.resolve() };
    });
    await launcher.open('http://box/index.html#intent=alert');
    expect(calls).toEqual([
      [
        'chromium',
        [
          '--kiosk',
          '--noerrdialogs',
          '--autoplay-policy=no-user-gesture-required',
          'http://box/index.html#intent=alert',
        ],
      ],
    ]);
  });
});
