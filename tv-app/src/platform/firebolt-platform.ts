/**
 * RDK boxes with Firebolt (`@firebolt-js/sdk`, Firebolt Core 1.x). The applet:
 * - answers `Lifecycle.ready` right after its first frame and keeps its broker link while
 *   `inactive` or `background` (Firebolt keeps a backgrounded app running; `suspended` freezes it);
 * - takes `Localization.locale` (its language part) and `Accessibility.voiceGuidanceSettings` as the resident's defaults;
 * - opens the alert when launched or navigated with the section intent `kizuna-alert`
 *   (`Parameters.initialization().discovery.navigateTo`, `Discovery` `navigateTo` events);
 * - asks to come forward for an alert with `Discovery.launch(<its own app id>, intent)` ("launch or
 *   foreground the specified app"), which needs the capability `xrn:firebolt:capability:lifecycle:launch`
 *   granted to the app by the operator. Without it the call fails and the applet says so in the log.
 * Firebolt gives an app no way to wake a display in standby (that is the launcher hook's job).
 * Without a platform transport, the SDK answers from its own mock transport (used by the tests).
 */
import { Accessibility, Device, Discovery, Lifecycle, Localization, Parameters } from '@firebolt-js/sdk';
import { LANGUAGES, type Language } from '@kizuna/contract/levels';
import { BrowserPlatform } from './browser-platform.ts';
import {
  ALERT_SECTION,
  type AlertIntent,
  type ForwardOutcome,
  type LifecycleState,
  type TvPlatform,
} from './tv-platform.ts';

type Intent = Discovery.NavigationIntent;

/** The intent the applet launches itself with for an alert. */
export function alertSectionIntent(): Intent {
  return { action: 'section', data: { sectionName: ALERT_SECTION }, context: { source: 'device' } };
}

export function alertIntentOf(i: unknown): AlertIntent | null {
  const x = i as { action?: unknown; data?: { sectionName?: unknown } } | null | undefined;
  return x?.action === 'section' && x.data?.sectionName === ALERT_SECTION ? { kind: 'alert' } : null;
}

/** Firebolt's ISO 639-1 language, when the applet speaks it. */
export function languageOfFirebolt(code: string | undefined): Language | undefined {
  const l = (code ?? '').slice(0, 2).toLowerCase() as Language;
  return LANGUAGES.includes(l) ? l : undefined;
}

/** Firebolt lifecycle events to the applet's states: `inactive` runs off screen like `background`. */
function stateOf(event: string): LifecycleState | null {
  switch (event) {
    case 'foreground':
      return 'foreground';
    case 'background':
    case 'inactive':
      return 'background';
    case 'suspended':
      return 'suspended';
    case 'unloading':
      return 'unloading';
    default:
      return null;
  }
}

export class FireboltPlatform extends BrowserPlatform {
  override readonly name: TvPlatform['name'] = 'firebolt';

  /** `appId`: the applet's durable Firebolt app id (what `Discovery.launch` names), from the box's config. */
  constructor(
    private readonly appId: string | undefined,
    win: Window = window,
  ) {
    super(win);
  }

  override async start(): Promise<void> {
    // Firebolt, not the page's visibility, says where the app is: no BrowserPlatform listeners.
    await Lifecycle.listen((event: string) => {
      const s = stateOf(event);
      if (s) this.setState(s);
    });
    await Discovery.listen('navigateTo', (i: Intent) => {
      const a = alertIntentOf(i);
      if (a) this.intents.emit(a);
    });
    const [lang, voice, init] = await Promise.all([
      Localization.locale().catch(() => undefined),
      Accessibility.voiceGuidanceSettings().catch(() => undefined),
      Parameters.initialization().catch(() => undefined),
    ]);
    this.box = { lang: languageOfFirebolt(lang), voiceGuidance: voice?.enabled };
    this.intent = alertIntentOf(init?.discovery?.navigateTo) ?? this.intent;
    await Localization.locale((l: string) => this.changeSettings({ lang: languageOfFirebolt(l) })).catch(() => 0);
    await Accessibility.voiceGuidanceSettings((v: Accessibility.VoiceGuidanceSettings) =>
      this.changeSettings({ voiceGuidance: v.enabled }),
    ).catch(() => 0);
  }

  private changeSettings(s: Partial<typeof this.box>): void {
    this.box = { ...this.box, ...s };
    this.settingsChanged.emit(this.box);
  }

  override async ready(): Promise<void> {
    await Lifecycle.ready();
  }

  override async bringForward(): Promise<ForwardOutcome> {
    if (this.current === 'foreground') return 'foreground';
    if (!this.appId) {
      console.warn('[kizuna] Firebolt: no appId configured, cannot ask to come forward');
      return 'unsupported';
    }
    try {
      return (await Discovery.launch(this.appId, alertSectionIntent())) ? 'requested' : 'unsupported';
    } catch (e) {
      // Typically the capability lifecycle:launch not granted to this app.
      console.warn('[kizuna] Firebolt Discovery.launch refused:', JSON.stringify(e));
      return 'unsupported';
    }
  }

  override async deviceId(): Promise<string | null> {
    return Device.id().catch(() => null);
  }

  override async finished(): Promise<void> {
    if (Lifecycle.state() === 'unloading') await Lifecycle.finished();
  }
}
