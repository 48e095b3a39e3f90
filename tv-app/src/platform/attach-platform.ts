/**
 * The one place the applet meets its box (issue 25): picks the adapter, takes the box's language
 * and voice guidance as defaults, opens the alert for an alert intent, asks to come forward when an
 * alert arrives off screen, and closes the broker link when the box unloads the applet. The broker
 * link itself stays up in the background: that is how a backgrounded applet hears the alert.
 */
import type { TvConfig } from '../config.ts';
import type { AcceptOutcome } from '../alerts/alert-store.ts';
import type { TvController } from '../tv-controller.ts';
import { BrowserPlatform } from './browser-platform.ts';
import type { BoxSettings, ForwardOutcome, LifecycleState, TvPlatform } from './tv-platform.ts';

/** What the screens must do for the platform: kept to two calls so the App stays unaware of boxes. */
export interface PlatformHooks {
  /** Show the alert (the one waiting for an answer, else the latest): like the blue key. */
  openAlert(): void;
  /** Redraw with changed preferences (language, read-aloud). */
  refresh(): void;
}

/** Marks the bench and tests read through `window.__kzPlatform` (performance.now() ms). */
export interface PlatformTimings {
  name?: string;
  ready?: number;
  states: { state: LifecycleState; at: number }[];
  asks: { alertId: string; at: number; outcome?: ForwardOutcome }[];
  intents: number;
}
const marks: PlatformTimings = { states: [], asks: [], intents: 0 };
(globalThis as unknown as { __kzPlatform?: PlatformTimings }).__kzPlatform = marks;

/** `auto`: Firebolt when the box provides its transport, HbbTV when the user agent says so, else a browser. */
export async function choosePlatform(
  cfg: Pick<TvConfig, 'platform' | 'appId'>,
  win: Window = window,
): Promise<TvPlatform> {
  const w = win as unknown as { __firebolt?: { endpoint?: string }; ServiceManager?: { version?: unknown } };
  let kind = cfg.platform;
  if (kind === 'auto') {
    if (w.__firebolt?.endpoint || w.ServiceManager?.version) kind = 'firebolt';
    else if (/HbbTV/i.test(win.navigator.userAgent)) kind = 'hbbtv';
    else kind = 'browser';
  }
  // The Firebolt SDK and the OIPF code load only on their boxes.
  if (kind === 'firebolt') return new (await import('./firebolt-platform.ts')).FireboltPlatform(cfg.appId, win);
  if (kind === 'hbbtv') return new (await import('./hbbtv-platform.ts')).HbbtvPlatform(win);
  return new BrowserPlatform(win);
}

function applySettings(c: TvController, s: BoxSettings, hooks: PlatformHooks): void {
  const d: { lang?: BoxSettings['lang']; readAloud?: boolean } = {};
  if (s.lang) d.lang = s.lang;
  if (s.voiceGuidance !== undefined) d.readAloud = s.voiceGuidance;
  if (!Object.keys(d).length) return;
  c.prefs.useDefaults(d);
  hooks.refresh();
}

export async function attachPlatform(
  c: TvController,
  cfg: TvConfig,
  hooks: PlatformHooks,
  win: Window = window,
): Promise<TvPlatform> {
  const p = await choosePlatform(cfg, win);
  marks.name = p.name;
  p.onState((s) => marks.states.push({ state: s, at: performance.now() }));
  await p.start();
  await p.ready();
  marks.ready = performance.now();

  applySettings(c, p.settings(), hooks);
  p.onSettings((s) => applySettings(c, s, hooks));

  const openForIntent = () => {
    marks.intents += 1;
    hooks.openAlert();
  };
  if (p.launchIntent()) openForIntent();
  p.onIntent(openForIntent);

  // Off screen, an alert that takes over asks the box to bring the applet forward.
  let waiting: string | null = null;
  const offScreen = (o: AcceptOutcome, takesOver: boolean) => {
    if (!takesOver || (o.outcome !== 'new' && o.outcome !== 'updated') || p.state() === 'foreground') return;
    waiting = o.entry.alert.alertId;
    const ask: PlatformTimings['asks'][number] = { alertId: waiting, at: performance.now() };
    marks.asks.push(ask);
    void p.bringForward(waiting).then((r) => (ask.outcome = r));
  };
  c.on('alert', (o) => offScreen(o, true));
  c.on('areaAlert', (o) => offScreen(o, c.unbound));

  // Back from a network loss or a suspend: reconnect now, not after a backoff grown during the outage.
  win.addEventListener('online', () => c.networkBack());
  p.onState((s, previous) => {
    if (previous === 'suspended') c.networkBack();
    // Back on screen for an alert it asked about: make sure the takeover is what shows.
    if (s === 'foreground' && waiting) {
      waiting = null;
      if (previous !== 'foreground') hooks.openAlert();
    }
    if (s === 'unloading') void c.close().then(() => p.finished());
  });
  return p;
}
