/**
 * A plain browser (a box's web runtime, webOS/Tizen web apps, a kiosk): the Page Visibility API
 * says whether the page is on screen and the Page Lifecycle API when it is frozen and resumed
 * (https://developer.chrome.com/docs/web-platform/page-lifecycle-api). A web page cannot bring
 * itself forward nor wake the display; the box's launcher does that (tv-app/launcher-hook).
 */
import {
  alertIntentFromHash,
  Listeners,
  type AlertIntent,
  type BoxSettings,
  type ForwardOutcome,
  type LifecycleState,
  type TvPlatform,
} from './tv-platform.ts';

export class BrowserPlatform implements TvPlatform {
  readonly name: TvPlatform['name'] = 'browser';
  protected current: LifecycleState = 'initialising';
  protected box: BoxSettings = {};
  protected intent: AlertIntent | null;
  protected readonly states = new Listeners<[LifecycleState, LifecycleState]>();
  protected readonly settingsChanged = new Listeners<[BoxSettings]>();
  protected readonly intents = new Listeners<[AlertIntent]>();

  constructor(protected readonly win: Window = window) {
    this.intent = alertIntentFromHash(win.location.hash);
  }

  async start(): Promise<void> {
    const doc = this.win.document;
    const byVisibility = (): LifecycleState => (doc.visibilityState === 'hidden' ? 'background' : 'foreground');
    doc.addEventListener('visibilitychange', () => this.setState(byVisibility()));
    doc.addEventListener('freeze', () => this.setState('suspended'));
    doc.addEventListener('resume', () => this.setState(byVisibility()));
    this.win.addEventListener('pagehide', (e) => {
      if (!(e as PageTransitionEvent).persisted) this.setState('unloading');
    });
    this.win.addEventListener('hashchange', () => {
      const i = alertIntentFromHash(this.win.location.hash);
      if (i) this.intents.emit(i);
    });
    this.setState(byVisibility());
  }

  state(): LifecycleState {
    return this.current;
  }

  onState(fn: (s: LifecycleState, previous: LifecycleState) => void): void {
    this.states.add(fn);
  }

  protected setState(s: LifecycleState): void {
    if (s === this.current) return;
    const previous = this.current;
    this.current = s;
    this.states.emit(s, previous);
  }

  async ready(): Promise<void> {}

  async bringForward(): Promise<ForwardOutcome> {
    return this.current === 'foreground' ? 'foreground' : 'unsupported';
  }

  async wakeDisplay(): Promise<boolean> {
    return false;
  }

  /** The page's language is the browser's, not the box owner's choice: the configuration's `lang` stands. */
  settings(): BoxSettings {
    return this.box;
  }

  onSettings(fn: (s: BoxSettings) => void): void {
    this.settingsChanged.add(fn);
  }

  async deviceId(): Promise<string | null> {
    return null;
  }

  launchIntent(): AlertIntent | null {
    return this.intent;
  }

  onIntent(fn: (i: AlertIntent) => void): void {
    this.intents.add(fn);
  }

  async finished(): Promise<void> {}
}
