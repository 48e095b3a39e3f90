/**
 * The Firebolt adapter and its wiring against the Firebolt SDK's own mock transport (the one the
 * SDK uses when the box provides no transport), observed and driven through the SDK's test-harness
 * hook (`window.__firebolt.testHarness`: onSend sees every call, emit raises platform events).
 * Issue 25: ready promptly, the box's language and voice guidance as defaults, an alert intent opens
 * the alert, an alert in the background asks to come forward, back in the foreground it shows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PersonalAlert } from '@kizuna/contract';
import type { KeyValueStorage } from '../src/alerts/alert-store.ts';
import { validateConfig } from '../src/config.ts';
import { TvController } from '../src/tv-controller.ts';
import type { PlatformHooks } from '../src/platform/attach-platform.ts';
import { personalAlert } from './helpers/harness.ts';

class MemStorage implements KeyValueStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

interface Sent {
  module: string;
  method: string;
  params: Record<string, unknown> | undefined;
}
const sent: Sent[] = [];
let emit: (module: string, event: string, value: unknown) => void = () => {
  throw new Error('the SDK has not initialised its mock transport yet');
};
// Set before the SDK loads: MockTransport reads window.__firebolt.testHarness at import.
const fakeWindow = {
  location: { hash: '' },
  navigator: { userAgent: 'node' },
  addEventListener: () => {}, // 'online': not raised in these tests
  __firebolt: {
    automation: true, // the mock's lifecycle answers in 1–2 ms instead of 0.5–1 s
    testHarness: {
      onSend: (module: string, method: string, params: Record<string, unknown> | undefined) =>
        sent.push({ module, method, params }),
      initialize: (h: { emit: typeof emit }) => {
        emit = h.emit;
      },
    },
  },
};
(globalThis as unknown as { window: unknown }).window = fakeWindow;

let attachPlatform: typeof import('../src/platform/attach-platform.ts').attachPlatform;
beforeAll(async () => {
  ({ attachPlatform } = await import('../src/platform/attach-platform.ts'));
});

/** The harness's personal alert (tv-app/test/helpers/harness.ts), with a known id. */
const alert = (id: string): PersonalAlert => personalAlert({ alertId: id });

async function until<T>(f: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function rig(device: string) {
  const cfg = validateConfig({ device, muni: '999997', lang: 'ja', platform: 'firebolt', appId: 'jp.kizuna.tv' });
  const c = new TvController(cfg, new MemStorage());
  const calls = { openAlert: 0, refresh: 0 };
  const hooks: PlatformHooks = { openAlert: () => calls.openAlert++, refresh: () => calls.refresh++ };
  return { cfg, c, calls, hooks };
}

const sentOf = (method: string) => sent.filter((s) => `${s.module}.${s.method}` === method);

describe('Firebolt platform (SDK mock transport)', () => {
  it('answers Lifecycle.ready and takes the box language and voice guidance as defaults', async () => {
    const { cfg, c, calls, hooks } = rig('tv-fb1');
    const before = sent.length;
    const p = await attachPlatform(c, cfg, hooks, fakeWindow as unknown as Window);
    expect(p.name).toBe('firebolt');
    const mine = sent.slice(before).map((s) => `${s.module}.${s.method}`);
    expect(mine).toContain('lifecycle.ready');
    expect(mine).toContain('localization.locale');
    expect(mine).toContain('accessibility.voiceGuidanceSettings');
    // The mock box says English; the configuration said Japanese: the box wins until a resident chooses.
    expect(c.prefs.get().lang).toBe('en');
    expect(calls.refresh).toBeGreaterThan(0);
    // The mock's ready answer moves the app to inactive, then foreground.
    await until(() => p.state() === 'foreground', 'foreground');

    // The box's settings change while running.
    emit('Localization', 'localeChanged', 'ko-KR');
    expect(c.prefs.get().lang).toBe('ko');
    emit('Accessibility', 'voiceGuidanceSettingsChanged', { enabled: false, navigationHints: false, rate: 1 });
    expect(c.prefs.get().readAloud).toBe(false);
    // A resident's own choice is kept over the box's.
    c.prefs.set('tv', { ...c.prefs.get(), lang: 'vi' });
    emit('Localization', 'localeChanged', 'en-US');
    expect(c.prefs.get().lang).toBe('vi');
    expect(await p.deviceId()).toBe('123'); // the mock's Device.id
  });

  it('in the background, an alert asks to come forward with Discovery.launch; in the foreground it opens', async () => {
    const { cfg, c, calls, hooks } = rig('tv-fb2');
    const p = await attachPlatform(c, cfg, hooks, fakeWindow as unknown as Window);
    await until(() => p.state() === 'foreground', 'foreground');
    // On screen: the App shows the alert itself, nothing is asked of the box.
    const launchesBefore = sentOf('discovery.launch').length;
    c.receiveAlert(alert('al-fg'));
    expect(sentOf('discovery.launch').length).toBe(launchesBefore);

    emit('Lifecycle', 'background', { state: 'background', previous: 'foreground' });
    expect(p.state()).toBe('background');
    c.receiveAlert(alert('al-bg'));
    const launch = await until(() => sentOf('discovery.launch')[launchesBefore], 'Discovery.launch');
    expect(launch.params).toEqual({
      appId: 'jp.kizuna.tv',
      intent: { action: 'section', data: { sectionName: 'kizuna-alert' }, context: { source: 'device' } },
    });
    const marks = (globalThis as unknown as { __kzPlatform: { asks: { alertId: string; outcome?: string }[] } })
      .__kzPlatform;
    await until(() => marks.asks.find((a) => a.alertId === 'al-bg')?.outcome === 'requested', 'outcome');

    const opened = calls.openAlert;
    emit('Lifecycle', 'foreground', { state: 'foreground', previous: 'background' });
    expect(calls.openAlert).toBe(opened + 1);
  });

  it('an alert intent (navigateTo while running) opens the alert; other intents do not', async () => {
    const { cfg, c, calls, hooks } = rig('tv-fb3');
    await attachPlatform(c, cfg, hooks, fakeWindow as unknown as Window);
    const opened = calls.openAlert;
    emit('Discovery', 'navigateTo', { action: 'home', context: { source: 'voice' } });
    expect(calls.openAlert).toBe(opened);
    emit('Discovery', 'navigateTo', {
      action: 'section',
      data: { sectionName: 'kizuna-alert' },
      context: { source: 'device' },
    });
    expect(calls.openAlert).toBe(opened + 1);
  });

  it('launched with the alert intent (Parameters.initialization), it opens the alert at once', async () => {
    // The mock answers Parameters.initialization from its defaults table: give it an alert intent.
    const defaults = (await import('@firebolt-js/sdk/dist/lib/Parameters/defaults.mjs' as string)) as {
      default: { initialization: unknown };
    };
    const saved = defaults.default.initialization;
    defaults.default.initialization = {
      lmt: 0,
      us_privacy: '1-Y-',
      discovery: {
        navigateTo: { action: 'section', data: { sectionName: 'kizuna-alert' }, context: { source: 'device' } },
      },
    };
    try {
      const { cfg, c, calls, hooks } = rig('tv-fb4');
      const p = await attachPlatform(c, cfg, hooks, fakeWindow as unknown as Window);
      expect(p.launchIntent()).toEqual({ kind: 'alert' });
      expect(calls.openAlert).toBe(1);
    } finally {
      defaults.default.initialization = saved;
    }
    // The SDK's own default (an entity intent for a movie) is not ours.
    const { cfg, c, calls, hooks } = rig('tv-fb5');
    await attachPlatform(c, cfg, hooks, fakeWindow as unknown as Window);
    expect(calls.openAlert).toBe(0);
  });

  it('without an app id it cannot ask, and says so instead of pretending', async () => {
    const cfg = validateConfig({ device: 'tv-fb6', muni: '999997', platform: 'firebolt' });
    const c = new TvController(cfg, new MemStorage());
    const p = await attachPlatform(c, cfg, { openAlert() {}, refresh() {} }, fakeWindow as unknown as Window);
    emit('Lifecycle', 'background', { state: 'background', previous: 'foreground' });
    expect(await p.bringForward('x')).toBe('unsupported');
  });
});
