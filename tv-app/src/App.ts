/**
 * The root component: Home and the other screens, and the alert takeover above them all.
 * Focus rule: the takeover when it is up, otherwise the current screen — so focus is always
 * somewhere, and Back on any screen leads home (Home itself keeps it).
 */
import { Component } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import type { Answer, Receipt } from '@kizuna/contract';
import type { AcceptOutcome, StoredAlert } from './alerts/alert-store.ts';
import { fmt, stringsFor } from './i18n/strings.ts';
import { AlertTakeover } from './pages/AlertTakeover.ts';
import { Home, type MenuId } from './pages/Home.ts';
import { Placeholder } from './pages/Placeholder.ts';
import { FlowScreen } from './pages/FlowScreen.ts';
import type { Flow, FlowAction, FlowStep } from './flows/flow.ts';
import { AREA_REF } from './alerts/area-takeover.ts';
import { Settings, type SettingsRow } from './pages/Settings.ts';
import { LANGUAGES } from '@kizuna/contract/levels';
import { LANGUAGE_NAMES } from './i18n/strings.ts';
import { TEXT_SIZES, TV_PROFILE, type Prefs } from './prefs.ts';
import { TEXT_SCALE } from './ui/theme.ts';
import { speak, stopSpeaking } from './platform/speech.ts';
import { playAlertTone, resumeTone } from './platform/tone.ts';
import { timings } from './platform/timings.ts';
import type { TvController } from './tv-controller.ts';
import { answerLabel, homeModel, speechText, takeoverModel, warmUpModel } from './view-models.ts';

let controller: TvController | null = null;
/** Set before Launch: Lightning constructs the App itself. */
export function useController(c: TvController): void {
  controller = c;
}

type Page = 'home' | 'placeholder' | 'settings' | 'flow';
type FlowKind = 'bind' | 'postbox' | 'myinfo';
type CloseReason = 'answered' | 'cancelled' | 'expired';

interface Showing {
  alertId: string;
  /** An area alert on an unbound TV (area store, no receipts). */
  area?: boolean | undefined;
  ref: string;
  closeReason?: CloseReason | undefined;
  confirmation?: string | undefined;
  /** The acknowledged receipt whose PUBACK turns "sending" into "sent". */
  awaiting?: { ref: string; answer: Answer; revision: number } | undefined;
}

const CLOSE_AFTER_MS = 10_000;

export class App extends Component {
  private page: Page = 'home';
  private showing: Showing | null = null;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private get prefs(): Prefs {
    return this.c.prefs.get();
  }
  private get textScale(): number {
    return TEXT_SCALE[this.prefs.textSize];
  }

  static override _template(): Lightning.Component.Template {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: 0xff000000,
      Home: { type: Home },
      Placeholder: { type: Placeholder, visible: false },
      Settings: { type: Settings, visible: false },
      Flow: { type: FlowScreen, visible: false },
      Takeover: { type: AlertTakeover, visible: false, zIndex: 10 },
    };
  }

  private get c(): TvController {
    if (!controller) throw new Error('TvController not set: call useController() before Launch');
    return controller;
  }

  override _init(): void {
    const c = this.c;
    c.on('alert', (o) => this.onAlert(o));
    c.on('areaAlert', (o) => this.onAreaAlert(o));
    c.on('bindings', () => {
      if (this.page === 'home') this.renderHome();
    });
    c.on('expired', (ids) => this.onExpired(ids));
    c.on('conn', () => {
      this.renderHome();
      this.rerenderTakeover();
    });
    c.on('area', () => this.renderHome());
    c.on('mail', () => this.renderHome());
    c.on('receiptSent', (r) => this.onReceiptSent(r));
    this.renderHome();
    // An alert still waiting for an answer survives a restart (issue 5).
    const pending = c.store.needingAnswer();
    const area = c.unbound ? c.areaStore.needingAnswer() : undefined;
    if (pending) this.showAlert(pending, { tone: true });
    else if (area) this.showAlert(area, { tone: true, area: true });
    this.stage.once('frameEnd', () => {
      timings.interactive(performance.now());
      // Then draw the takeover once, invisibly: the first real alert only patches texts
      // (docs/PLATFORM.md: cold ≈ 0.5 s against ≈ 0.2 s warm at 4× throttle).
      setTimeout(() => this.warmUp(), 0);
      // Who is bound to this TV is the console's to say: ask once at start, after the first frame
      // (the flows' code loads lazily), so Home names the residents without opening a flow.
      setTimeout(() => void this.refreshBindings(), 0);
    });
  }

  private async refreshBindings(): Promise<void> {
    const cfg = this.c.cfg;
    if (!cfg.console) return;
    try {
      const mod = await import('./flows/index.ts');
      const list = await mod.consoleApi(cfg.console, cfg.device, cfg.user, cfg.pass).bindings();
      // a flow opened meanwhile asks the console itself: leave its view of the bindings alone
      if (this.page !== 'flow') this.c.rememberBindings(list);
    } catch {
      /* offline or no console: Home keeps what it last knew */
    }
  }

  private warmUp(): void {
    if (this.showing) return;
    const t = this.tag('Takeover') as AlertTakeover;
    t.patch({ visible: true, alpha: 0.001 });
    t.render(warmUpModel(this.textScale), () => {
      if (!this.showing) t.patch({ visible: false });
      t.patch({ alpha: 1 });
    });
  }

  override _getFocused(): Lightning.Component | undefined {
    if (this.showing) return this.tag('Takeover') as AlertTakeover;
    const ref = { home: 'Home', settings: 'Settings', placeholder: 'Placeholder', flow: 'Flow' }[this.page];
    return this.tag(ref) as Lightning.Component;
  }

  /** Any key: audio may start only after a user gesture. */
  override _captureKey(): boolean {
    resumeTone();
    return false;
  }

  private get lang() {
    return this.prefs.lang;
  }

  renderHome(): void {
    const c = this.c;
    (this.tag('Home') as Home).render(
      homeModel({
        lang: this.lang,
        conn: c.conn,
        residents: c.residents(),
        active: c.store.active(),
        areas: c.activeAreas(),
        mailUnread: c.mailUnread,
        scale: this.textScale,
        contrast: this.prefs.contrast,
      }),
    );
  }

  // ---- alerts ----

  private onAlert(o: AcceptOutcome): void {
    if (o.outcome === 'new' || o.outcome === 'updated') {
      this.showAlert(o.entry, { tone: true });
    } else if (o.outcome === 'cancelled' && this.showing?.alertId === o.alertId) {
      this.closeWith('cancelled');
    }
    this.renderHome();
  }

  /** An area alert takes over only an unbound TV, and never over a personal alert. */
  private onAreaAlert(o: AcceptOutcome): void {
    if ((o.outcome === 'new' || o.outcome === 'updated') && this.c.unbound && (!this.showing || this.showing.area)) {
      this.showAlert(o.entry, { tone: true, area: true });
    } else if (o.outcome === 'cancelled' && this.showing?.area && this.showing.alertId === o.alertId) {
      this.closeWith('cancelled');
    }
    this.renderHome();
  }

  private onExpired(ids: string[]): void {
    if (this.showing && ids.includes(this.showing.alertId)) this.closeWith('expired');
    this.renderHome();
  }

  private showAlert(e: StoredAlert, opts: { tone: boolean; area?: boolean }): void {
    const first = e.alert.recipients.find((r) => !e.answers[r.ref]) ?? e.alert.recipients[0];
    if (!first) return; // an alert with no recipient has nothing personal to show
    clearTimeout(this.closeTimer);
    this.showing = { alertId: e.alert.alertId, ref: first.ref, area: opts.area };
    this.tag('Takeover')!.patch({ visible: true, alpha: 1 });
    // Sound and speech start once the screen is drawn: the picture comes first.
    let announced = false;
    const announce = () => {
      if (announced) return;
      announced = true;
      if (opts.tone) playAlertTone(e.alert.level);
      if (this.c.prefs.forResident(first.displayName).readAloud) speak(speechText(e, first), first.language);
    };
    this.rerenderTakeover(() => {
      if (!opts.area) this.c.displayed(e);
      announce();
    });
    setTimeout(announce, 500);
    this._refocus();
  }

  /** The stored alert being shown: kept in memory even after a cancel so the notice can show. */
  private lastEntry: StoredAlert | null = null;

  private rerenderTakeover(onDrawn?: () => void): void {
    const sh = this.showing;
    if (!sh) return;
    const entry =
      (sh.area ? this.c.areaStore : this.c.store).get(sh.alertId) ??
      (this.lastEntry?.alert.alertId === sh.alertId ? this.lastEntry : null);
    if (!entry) return;
    this.lastEntry = entry;
    const recipient = entry.alert.recipients.find((r) => r.ref === sh.ref) ?? entry.alert.recipients[0]!;
    const model = takeoverModel({
      entry,
      recipient,
      closeReason: sh.closeReason,
      confirmation: sh.confirmation,
      online: this.c.online,
      area: !!sh.area,
      scale: TEXT_SCALE[this.c.prefs.forResident(recipient.displayName).textSize],
    });
    (this.tag('Takeover') as AlertTakeover).render(model, onDrawn);
  }

  $answer(answer: Answer): void {
    const sh = this.showing;
    if (!sh || sh.closeReason || sh.area) return;
    const e = this.c.answer(sh.alertId, sh.ref, answer);
    if (!e) return;
    const r = e.alert.recipients.find((x) => x.ref === sh.ref)!;
    const s = stringsFor(r.language);
    const label = answerLabel(answer, r.language);
    const sentText = `${r.displayName}：${this.c.online ? s.answerSending : fmt(s.answerQueued, { answer: label })}`;
    const next = e.alert.recipients.find((x) => !e.answers[x.ref]);
    this.showing = {
      alertId: sh.alertId,
      ref: next?.ref ?? sh.ref,
      closeReason: next ? undefined : 'answered',
      confirmation: sentText,
      awaiting: { ref: r.ref, answer, revision: e.alert.revision },
    };
    this.rerenderTakeover();
    if (next && this.c.prefs.forResident(next.displayName).readAloud) speak(speechText(e, next), next.language);
  }

  private onReceiptSent(rc: Receipt): void {
    const sh = this.showing;
    const aw = sh?.awaiting;
    if (
      !sh ||
      !aw ||
      rc.state !== 'acknowledged' ||
      rc.alertId !== sh.alertId ||
      rc.ref !== aw.ref ||
      rc.revision !== aw.revision
    )
      return;
    const e = this.c.store.get(sh.alertId) ?? this.lastEntry;
    const r = e?.alert.recipients.find((x) => x.ref === aw.ref);
    if (!e || !r) return;
    this.c.store.markSent(sh.alertId, aw.revision, aw.ref);
    const s = stringsFor(r.language);
    sh.confirmation = `${r.displayName}：${fmt(s.answerSent, { answer: answerLabel(aw.answer, r.language) })}`;
    sh.awaiting = undefined;
    this.rerenderTakeover();
  }

  private closeWith(reason: 'cancelled' | 'expired'): void {
    if (!this.showing) return;
    this.showing.closeReason = reason;
    this.showing.confirmation = undefined;
    stopSpeaking();
    this.rerenderTakeover();
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.$closeAlert(), CLOSE_AFTER_MS);
  }

  $closeAlert(): void {
    clearTimeout(this.closeTimer);
    stopSpeaking();
    const sh = this.showing;
    // OK on an area alert: seen on this TV (kept locally only; see alerts/area-takeover.ts).
    if (sh?.area && !sh.closeReason) this.c.areaStore.answer(sh.alertId, AREA_REF, 'safe-indoors');
    this.showing = null;
    this.lastEntry = null;
    this.tag('Takeover')!.patch({ visible: false });
    this.leaveTakeover();
    // Another alert may still be waiting for an answer.
    const pending = this.c.store.needingAnswer();
    const area = this.c.unbound ? this.c.areaStore.needingAnswer() : undefined;
    if (pending) this.showAlert(pending, { tone: false });
    else if (area) this.showAlert(area, { tone: false, area: true });
  }

  /** Back under the takeover: a card task in progress stays where it was; anything else goes home. */
  private leaveTakeover(): void {
    if (this.page !== 'flow') this.page = 'home';
    this.showPage();
  }

  /** Back on an alert: go home; the alert stays on Home's bar and menu until answered or expired. */
  $alertBack(): void {
    const sh = this.showing;
    if (sh?.closeReason || sh?.area) return this.$closeAlert();
    stopSpeaking();
    this.showing = null;
    this.tag('Takeover')!.patch({ visible: false });
    this.leaveTakeover();
  }

  $readAloud(): void {
    const sh = this.showing;
    const e = sh && ((sh.area ? this.c.areaStore : this.c.store).get(sh.alertId) ?? this.lastEntry);
    const r = e?.alert.recipients.find((x) => x.ref === sh!.ref);
    if (e && r) speak(speechText(e, r), r.language);
  }

  // ---- pages ----

  $open(id: MenuId): void {
    if (id === 'alert') {
      const top = this.c.store.active()[0];
      if (top) this.showAlert(top, { tone: false });
      return;
    }
    if (id === 'settings') {
      this.page = 'settings';
      this.renderSettings();
      this.showPage();
      return;
    }
    void this.openFlow(id);
  }

  // ---- card tasks (flows/): binding, post-box, my information ----

  private flow: Flow | null = null;

  private keyWords = { del: '⌫', ok: 'OK', count: '{n}', tooShort: '≥ {min}' };

  private renderFlow(step: FlowStep): void {
    (this.tag('Flow') as FlowScreen).render({
      step,
      scale: this.textScale,
      contrast: this.prefs.contrast,
      keyWords: this.keyWords,
    });
  }

  private async openFlow(kind: FlowKind): Promise<void> {
    await this.closeFlow();
    const s = stringsFor(this.lang);
    const title = { bind: s.menuBind, postbox: s.menuPostbox, myinfo: s.menuMyInfo }[kind];
    this.page = 'flow';
    // The screen's words arrive with its code (flows/ is loaded on demand to keep start-up light).
    this.renderFlow({ id: `${kind}.loading`, title, lines: [], mode: 'busy', items: [], hint: '' });
    this.showPage();
    const c = this.c;
    const cfg = c.cfg;
    let mod: typeof import('./flows/index.ts');
    try {
      mod = await import('./flows/index.ts');
    } catch {
      // A box that lost its network cannot load the screen's code: say so, with the way back.
      (this.tag('Placeholder') as Placeholder).render(title, `${s.offlineWarning}。${s.backHint}`, s.backHome);
      this.page = 'placeholder';
      this.showPage();
      return;
    }
    if (this.page !== 'flow') return;
    // This language's words are their own small chunk; English stands in if it cannot load.
    await mod.loadFlowStrings(this.lang);
    if (this.page !== 'flow') return;
    const fs = mod.flowStrings(this.lang);
    this.keyWords = { del: fs.keyDelete, ok: fs.keyOk, count: fs.secretCount, tooShort: fs.secretTooShort };
    const flow = mod.createFlow(kind, {
      lang: this.lang,
      openReader: mod.readerOpener(cfg.bridge),
      console: mod.consoleApi(cfg.console, cfg.device, cfg.user, cfg.pass),
      postbox: mod.postboxApi(cfg.postbox, { muni: cfg.muni, device: cfg.device }),
      rememberBindings: (list) => c.rememberBindings(list),
      knownBindings: () => c.knownBindings(),
    });
    this.flow = flow;
    flow.on((e) => {
      if (this.flow !== flow) return;
      if (e.type === 'step') this.renderFlow(e.step);
      else if (e.type === 'exit') {
        void this.closeFlow().then(() => this.$goHome());
      }
    });
    await flow.start();
  }

  private async closeFlow(): Promise<void> {
    const f = this.flow;
    this.flow = null;
    if (f) await f.close().catch(() => undefined);
  }

  $flowAction(a: FlowAction): void {
    void this.flow?.act(a);
  }

  $goHome(): void {
    if (this.page === 'flow' && this.flow) void this.closeFlow();
    this.page = 'home';
    this.showPage();
  }

  // ---- settings (per resident) ----

  private profiles(): string[] {
    return [TV_PROFILE, ...this.c.residents()];
  }

  private renderSettings(): void {
    const p = this.prefs;
    const s = stringsFor(p.lang);
    const active = this.c.prefs.active;
    const size = { normal: s.sizeNormal, large: s.sizeLarge, 'x-large': s.sizeXLarge }[p.textSize];
    const rows: SettingsRow[] = [
      { id: 'person', label: s.setPerson, value: active === TV_PROFILE ? s.everyone : active },
      { id: 'lang', label: s.setLanguage, value: LANGUAGE_NAMES[p.lang] },
      { id: 'size', label: s.setTextSize, value: size },
      { id: 'contrast', label: s.setContrast, value: p.contrast ? s.on : s.off },
      { id: 'read', label: s.setReadAloud, value: p.readAloud ? s.on : s.off },
    ];
    (this.tag('Settings') as Settings).render({
      title: s.menuSettings,
      hint: s.setHint,
      rows,
      scale: this.textScale,
      contrast: p.contrast,
    });
  }

  $settingsRefresh(): void {
    this.renderSettings();
  }

  $settingsChange(id: string, dir: 1 | -1): void {
    const cycle = <T>(list: readonly T[], v: T): T => list[(list.indexOf(v) + dir + list.length) % list.length]!;
    const store = this.c.prefs;
    if (id === 'person') {
      store.setActive(cycle(this.profiles(), store.active));
    } else {
      const p = { ...this.prefs };
      if (id === 'lang') p.lang = cycle(LANGUAGES, p.lang);
      else if (id === 'size') p.textSize = cycle(TEXT_SIZES, p.textSize);
      else if (id === 'contrast') p.contrast = !p.contrast;
      else if (id === 'read') p.readAloud = !p.readAloud;
      store.set(store.active, p);
    }
    this.renderSettings();
  }

  private showPage(): void {
    this.tag('Home')!.patch({ visible: this.page === 'home' });
    this.tag('Placeholder')!.patch({ visible: this.page === 'placeholder' });
    this.tag('Settings')!.patch({ visible: this.page === 'settings' });
    this.tag('Flow')!.patch({ visible: this.page === 'flow' });
    if (this.page === 'home') this.renderHome();
    this._refocus();
  }

  override _handleBack(): boolean {
    this.$goHome();
    return true;
  }
}
