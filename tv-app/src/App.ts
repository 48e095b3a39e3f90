/**
 * The root component, a Lightning SDK `Router.App`: the screens are the Router's pages (routes.ts)
 * — Home, Settings, the card screens, the offline notice and the alert takeover — with the
 * Router's history and Back. An alert is the route `alert/<alertId>`: it is never kept in the
 * history, so Back (or closing it) returns to the screen it interrupted; a launcher may start
 * there directly (config `route`). Focus rule: the takeover while an alert is showing, otherwise
 * the Router's active page. Home keeps Back (it never exits into nothing).
 */
import { AppData, Router } from '@lightningjs/sdk';
import type Lightning from '@lightningjs/core';
import type { Answer, Receipt } from '@kizuna/contract';
import type { AcceptOutcome, StoredAlert } from './alerts/alert-store.ts';
import { stringsFor, useTvLanguage } from './i18n/strings.ts';
import { type AlertTakeover } from './pages/AlertTakeover/index.ts';
import { type Home, type MenuId } from './pages/Home/index.ts';
import { type Placeholder } from './pages/Placeholder/index.ts';
import { type FlowScreen } from './pages/FlowScreen/index.ts';
import type { Flow, FlowAction, FlowStep } from './flows/flow.ts';
import { AREA_REF } from './alerts/area-takeover.ts';
import { type Settings } from './pages/Settings/index.ts';
import type { Prefs } from './prefs.ts';
import { TEXT_SCALE } from './ui/theme.ts';
import { stopSpeaking } from './platform/speech.ts';
import { resumeTone } from './platform/tone.ts';
import { timings } from './platform/timings.ts';
import type { TvController } from './tv-controller.ts';
import { bannerModel, homeModel, speechKey, warmUpModel } from './view-models.ts';
import { activeKeyMap } from './keymap.ts';
import { LEVELS } from '@kizuna/contract/levels';
import { argb, fitSize, txt } from './ui/theme.ts';
import type { Recipient } from '@kizuna/contract';
import type { Language } from '@kizuna/contract/levels';
import { hasRemoteWords, loadRemoteWords } from './i18n/remote-words.ts';
import {
  CLOSE_AFTER_MS,
  END_SCREEN_MS,
  afterAnswer,
  endEntry,
  endReason,
  firstRecipient,
  isAwaitedReceipt,
  nextRecipient,
  pendingAlert,
  deepAlert,
  sentConfirmation,
  shownEntry,
  takeoverFor,
  type Showing,
} from './app-alerts.ts';
import { routerConfig, type Page, type RoutePage } from './routes.ts';
import { Registry } from './sdk/index.ts';
import { announcer, readAloud, readAloudIfWanted } from './app-speech.ts';
import * as cardTasks from './app-flows.ts';
import type { FlowKind } from './app-flows.ts';
import { changeSetting, settingsModel } from './app-settings.ts';

/** What index.ts hands to `Launch` as app data: the SDK constructs App itself. */
export interface TvAppData {
  controller: TvController;
}

/** The banner's height; the screen under it shrinks to fit below it, whole. */
const BANNER_H = 96;

type Timer = ReturnType<typeof setTimeout>;

/** The refs of the Router's pages under the takeover (routes.ts sets them). */
const PAGE_REFS: Record<Page, string> = {
  home: 'Home',
  settings: 'Settings',
  flow: 'Flow',
  placeholder: 'Placeholder',
};

/**
 * The App's parts (typed template: Lightning.Component.TemplateSpec): its banner, then the Router's
 * Pages, Loading and Widgets. The SDK's Router.App takes only a loose spec (the pages are found by
 * ref under Pages), so the pages' refs stay loosely typed.
 */
export interface AppTemplateSpec extends Router.App.TemplateSpecLoose {
  Banner: { Text: object };
}

export class App
  extends Router.App<AppTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<AppTemplateSpec>
{
  /** The screen under the takeover, as the Router last showed (or is about to show) it. */
  private page: Page = 'home';
  private showing: Showing | null = null;
  /** Closes the takeover's answered / ended screen (a timer of the alert page: it dies when the page is left). */
  private closeTimer: Timer | undefined;
  /** Brings back an alert left with Back before it was answered (config `alertReturn`). */
  private returnTimer: Timer | undefined;
  private get prefs(): Prefs {
    return this.c.prefs.get();
  }
  private get textScale(): number {
    return TEXT_SCALE[this.prefs.textSize];
  }

  static override _template(): Lightning.Component.Template<AppTemplateSpec> {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: 0xff000000,
      // First child (drawn above the pages by its zIndex): the App's Banner comes before the
      // takeover's own exercise Banner in the inspector's DOM, which the tests query by ref.
      // An alert left unanswered: a banner in its level's colour over every other screen (Home has its own bar).
      Banner: {
        w: 1920,
        h: BANNER_H,
        rect: true,
        visible: false,
        zIndex: 5,
        Text: { x: 80, y: BANNER_H / 2 + 2, mountY: 0.5, text: txt('', 44, { bold: true, w: 1760, maxLines: 1 }) },
      },
      // The Router's Pages (every screen, the takeover included) and its Loading screen.
      ...(super._template() as Lightning.Component.Template<Router.App.TemplateSpec>),
    };
  }

  private get c(): TvController {
    const c = (AppData as TvAppData | undefined)?.controller;
    if (!c) throw new Error('TvController not set: pass it to Launch as app data');
    return c;
  }

  override _setup(): void {
    Router.startRouter(
      routerConfig({
        // The takeover shows only the alert App has chosen; any other (a stale deep link) goes home.
        allowAlert: (id) => this.allowAlertRoute(id),
        routed: (page) => this.routed(page),
      }),
      this,
    );
  }

  /** Back past the first screen: stay (a TV's alert app never closes itself). */
  override _handleAppClose(): void {
    if (this.showing) this.leaveTakeover();
    else Router.navigate('home');
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
    useTvLanguage(this.lang);
    this.renderHome();
    this.wantWords([this.lang]);
    // An alert still waiting for an answer survives a restart (issue 5); a launcher's deep link
    // (config `route=alert/<id>`) opens that alert instead.
    const deep = deepAlert(c, c.cfg.route);
    const pending = deep ?? pendingAlert(c);
    if (pending) this.showAlert(pending.entry, { tone: !deep, area: pending.area });
    this.stage.once('frameEnd', () => {
      timings.interactive(performance.now());
      // Then draw the takeover once, invisibly: the first real alert only patches texts
      // (docs/PLATFORM.md: cold ≈ 0.5 s against ≈ 0.2 s warm at 4× throttle).
      Registry.setTimeout(() => this.warmUp(), 0);
      // Who is bound to this TV is the console's to say: ask once at start, after the first frame
      // (the flows' code loads lazily), so Home names the residents without opening a flow.
      Registry.setTimeout(() => void cardTasks.refreshBindings(this.c, () => this.page === 'flow'), 0);
    });
  }

  private get takeover(): AlertTakeover {
    return this.tag('Takeover') as AlertTakeover;
  }

  /** Each level in turn (3, 4, 5), a frame or more apart: start-up stays responsive between them. */
  private warmUp(levels: (3 | 4 | 5)[] = [3, 4, 5]): void {
    const [level, ...rest] = levels;
    if (this.showing || !level) return;
    const t = this.takeover;
    t.patch({ visible: true, alpha: 0.001 });
    t.render(warmUpModel(this.textScale, level, this.lang), () => {
      if (!this.showing) t.patch({ visible: false });
      t.patch({ alpha: 1 });
      if (rest.length) Registry.setTimeout(() => this.warmUp(rest), 0);
    });
  }

  override _getFocused(): Lightning.Component | undefined {
    if (this.showing) return this.takeover;
    return (Router.getActivePage() as Lightning.Component | null) ?? undefined;
  }

  /**
   * The Router asks before showing `alert/<id>`: yes for the alert being shown; for another (a deep
   * link), yes if it is stored and live here (it is then shown), else the alert on screen or Home.
   */
  private allowAlertRoute(id: string): true | string {
    if (this.showing?.alertId === id) return true;
    const deep = deepAlert(this.c, `alert/${id}`);
    if (deep) {
      this.showAlert(deep.entry, { tone: false, area: deep.area, routed: true });
      return true;
    }
    return this.showing ? `alert/${this.showing.alertId}` : 'home';
  }

  /**
   * The Router has shown a page: the screen under the takeover is that page (the alert is above it).
   * The Router hides the page it leaves; under an alert that page stays drawn, as a TV shows it
   * (the takeover covers it whole, and the screen is there at once when the alert goes).
   */
  private routed(page: RoutePage): void {
    const under = this.tag(PAGE_REFS[this.page]);
    if (page === 'alert') {
      under?.patch({ visible: true });
      return;
    }
    // Only the page shown stays visible (an alert may have been left to another page than the one under it).
    if (page !== this.page) under?.patch({ visible: false });
    this.page = page;
    if (page === 'home') this.renderHome();
    else this.renderBanner();
    if (page === 'settings') this.renderSettings();
  }

  /** Any key: audio may start only after a user gesture. Blue, off the takeover, opens the alert. */
  override _captureKey(e: KeyboardEvent): boolean {
    resumeTone();
    if (!this.showing && activeKeyMap()[e.keyCode] === 'Blue' && !e.repeat && this.alertToOpen()) {
      this.$open('alert');
      return true;
    }
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
        // a bound TV got its own Cancel too: the area's would be the same line twice
        ended: [...c.store.ended(), ...(c.unbound ? c.areaStore.ended() : [])],
        mailUnread: c.mailUnread,
        scale: this.textScale,
        contrast: this.prefs.contrast,
        pending: this.showing ? undefined : c.store.needingAnswer(),
        areaAlert: c.unbound && c.areaStore.active().length > 0,
      }),
    );
    this.renderBanner();
  }

  /**
   * The banner of an alert still waiting for an answer while the takeover is not up: over every
   * screen but Home (whose own bar says it, with OK on its alert entry), in the level's colour;
   * the screen under it shrinks to fit below it.
   */
  private renderBanner(): void {
    const pending = this.showing ? undefined : this.c.store.needingAnswer();
    const on = !!pending && this.page !== 'home';
    const b = pending && bannerModel(pending, this.lang);
    this.tag('Banner')!.patch(
      b && on
        ? {
            visible: true,
            color: argb(LEVELS[b.level].rgb),
            Text: {
              text: { text: b.text, textColor: argb(LEVELS[b.level].textRgb), fontSize: fitSize(b.text, 44, 1760, 30) },
            },
          }
        : { visible: false },
    );
    const k = on ? (1080 - BANNER_H) / 1080 : 1;
    this.pages.patch({ w: 1920, h: 1080, scale: k, pivotX: 0.5, pivotY: 1 });
  }

  /** What Home's alert entry (or blue) opens: the alert waiting for an answer, else the latest, else the area's (nobody bound). */
  private alertToOpen(): { entry: StoredAlert; area?: true } | undefined {
    const c = this.c;
    const personal = c.store.needingAnswer() ?? c.store.active()[0];
    if (personal) return { entry: personal };
    const area = c.unbound ? c.areaStore.active()[0] : undefined;
    return area ? { entry: area, area: true } : undefined;
  }

  /** Load the key-hint, banner and after-help words of these languages, then redraw with them. */
  private wantWords(langs: Language[]): void {
    // Words already here: no redraw (an alert's first frame must not also redraw Home).
    const missing = [...new Set(langs)].filter((l) => !hasRemoteWords(l));
    if (missing.length === 0) return;
    void Promise.all(missing.map((l) => loadRemoteWords(l))).then(() => {
      this.renderHome();
      this.rerenderTakeover();
    });
  }

  /** The answer gate's callback: this person's name has been read. */
  private heard(e: StoredAlert, r: Recipient): () => void {
    const key = speechKey(e, r);
    return () => this.takeover.heardName(key);
  }

  // ---- alerts ----

  private onAlert(o: AcceptOutcome): void {
    if (o.outcome === 'new' || o.outcome === 'updated') {
      this.showAlert(o.entry, { tone: true });
    } else if (o.outcome === 'cancelled') {
      this.onEnded(o, false);
    }
    if (this.showing) this.renderHomeAfterFrame();
    else this.renderHome();
  }

  private homeAfterFrame = false;
  /**
   * Home under the takeover is redrawn in the frame after the alert's: its new texts (the alert
   * line, the key hints, the banner) would otherwise be drawn in the same frame as the takeover's
   * and hold back the alert's first frame (≈ 0.2 s of the cold alert at 4× throttle, issue 18).
   */
  private renderHomeAfterFrame(): void {
    if (this.homeAfterFrame) return;
    this.homeAfterFrame = true;
    this.stage.once('frameEnd', () => {
      this.homeAfterFrame = false;
      this.renderHome();
    });
  }

  /**
   * A Cancel: the alert on screen closes with its reason; lifted or sent in error, the takeover
   * becomes that calm screen in each resident's language. A TV on Home that showed the alert gets
   * the screen too, so the resident learns why and not just that a banner went away.
   */
  private onEnded(o: Extract<AcceptOutcome, { outcome: 'cancelled' }>, area: boolean): void {
    const reason = endReason(o.end);
    const own = this.showing?.alertId === o.alertId;
    const hasWords = reason !== 'cancelled' && o.alert.recipients.length > 0;
    if (own) {
      if (hasWords) {
        this.lastEntry = endEntry(o.alert);
        if (!o.alert.recipients.some((r) => r.ref === this.showing!.ref))
          this.showing!.ref = o.alert.recipients[0]!.ref;
      }
      this.closeWith(hasWords ? reason : 'cancelled');
    } else if (!this.showing && o.wasShown && hasWords) {
      this.clearCloseTimer();
      this.lastEntry = endEntry(o.alert);
      this.showing = { alertId: o.alertId, ref: o.alert.recipients[0]!.ref, area, closeReason: reason };
      this.takeover.patch({ alpha: 1 });
      this.rerenderTakeover();
      Router.navigate(`alert/${o.alertId}`);
      this.closeTimer = Registry.setTimeout(() => this.$closeAlert(), END_SCREEN_MS);
      this._refocus();
    }
  }

  /** An area alert takes over only an unbound TV, and never over a personal alert. */
  private onAreaAlert(o: AcceptOutcome): void {
    if ((o.outcome === 'new' || o.outcome === 'updated') && this.c.unbound && (!this.showing || this.showing.area)) {
      this.showAlert(o.entry, { tone: true, area: true });
    } else if (o.outcome === 'cancelled' && (!this.showing || this.showing.area) && this.c.unbound) {
      this.onEnded(o, true);
    }
    this.renderHome();
  }

  private onExpired(ids: string[]): void {
    if (this.showing && ids.includes(this.showing.alertId)) this.closeWith('expired');
    this.renderHome();
  }

  private showAlert(
    e: StoredAlert,
    opts: { tone: boolean; area?: boolean | undefined; routed?: boolean | undefined },
  ): void {
    const first = firstRecipient(e);
    if (!first) return; // an alert with no recipient has nothing personal to show
    this.wantWords(e.alert.recipients.map((r) => r.language));
    this.clearCloseTimer();
    this.clearReturnTimer();
    this.showing = { alertId: e.alert.alertId, ref: first.ref, area: opts.area };
    this.takeover.patch({ alpha: 1 });
    // The Router shows the page (and hides the one under it); it asked us first when it came from a deep link.
    if (!opts.routed) Router.navigate(`alert/${e.alert.alertId}`);
    this.renderBanner();
    // Sound and speech start once the screen is drawn: the picture comes first.
    const announce = announcer(this.c.prefs, e, first, opts.tone, this.heard(e, first));
    this.rerenderTakeover(() => {
      if (!opts.area) this.c.displayed(e);
      announce();
    });
    Registry.setTimeout(announce, 500);
    this._refocus();
  }

  /** The stored alert being shown: kept in memory even after a cancel so the notice can show. */
  private lastEntry: StoredAlert | null = null;

  private rerenderTakeover(onDrawn?: () => void): void {
    const sh = this.showing;
    if (!sh) return;
    const entry = shownEntry(this.c, sh, this.lastEntry);
    if (!entry) return;
    this.lastEntry = entry;
    this.takeover.render(takeoverFor(this.c, sh, entry), onDrawn);
  }

  $answer(answer: Answer): void {
    const sh = this.showing;
    if (!sh || sh.closeReason || sh.area) return;
    const review = !!this.c.store.get(sh.alertId)?.answers[sh.ref];
    const e = this.c.answer(sh.alertId, sh.ref, answer);
    if (!e) return;
    const { showing, next } = afterAnswer(this.c, sh, e, answer, review);
    this.showing = showing;
    this.rerenderTakeover();
    if (next) readAloudIfWanted(this.c.prefs, e, next, this.heard(e, next));
  }

  /** OK on an answered person's screen (reopened from Home) with nothing chosen: keep it, on to the next. */
  $keepAnswer(): void {
    const sh = this.showing;
    const e = sh && !sh.closeReason && !sh.area ? this.c.store.get(sh.alertId) : undefined;
    if (!sh || !e) return;
    const next = nextRecipient(e, sh.ref, true);
    this.showing = { alertId: sh.alertId, ref: next?.ref ?? sh.ref, closeReason: next ? undefined : 'answered' };
    this.rerenderTakeover();
    if (next) readAloudIfWanted(this.c.prefs, e, next, this.heard(e, next));
  }

  private onReceiptSent(rc: Receipt): void {
    const sh = this.showing;
    if (!sh || !isAwaitedReceipt(sh, rc)) return;
    const aw = sh.awaiting!;
    const e = this.c.store.get(sh.alertId) ?? this.lastEntry;
    const r = e?.alert.recipients.find((x) => x.ref === aw.ref);
    if (!e || !r) return;
    this.c.store.markSent(sh.alertId, aw.revision, aw.ref);
    sh.confirmation = sentConfirmation(r, aw.answer);
    sh.awaiting = undefined;
    this.rerenderTakeover();
  }

  private closeWith(reason: 'cancelled' | 'expired' | 'lifted' | 'error'): void {
    if (!this.showing) return;
    this.showing.closeReason = reason;
    this.showing.confirmation = undefined;
    stopSpeaking();
    this.rerenderTakeover();
    this.clearCloseTimer();
    const full = reason === 'lifted' || reason === 'error';
    this.closeTimer = Registry.setTimeout(() => this.$closeAlert(), full ? END_SCREEN_MS : CLOSE_AFTER_MS);
  }

  private clearCloseTimer(): void {
    if (this.closeTimer !== undefined) Registry.clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
  }

  private clearReturnTimer(): void {
    if (this.returnTimer !== undefined) Registry.clearTimeout(this.returnTimer);
    this.returnTimer = undefined;
  }

  $closeAlert(): void {
    this.clearCloseTimer();
    stopSpeaking();
    const sh = this.showing;
    // OK on an area alert: seen on this TV (kept locally only; see alerts/area-takeover.ts).
    if (sh?.area && !sh.closeReason) this.c.areaStore.answer(sh.alertId, AREA_REF, 'safe-indoors');
    this.showing = null;
    this.lastEntry = null;
    // Another alert may still be waiting for an answer: it takes the alert page over directly.
    const pending = pendingAlert(this.c);
    if (pending) this.showAlert(pending.entry, { tone: false, area: pending.area });
    else this.leaveTakeover();
  }

  /**
   * Leave the alert page: the Router goes back to the screen it interrupted (alerts are not kept
   * in its history), or to Home when the alert was the first screen (a deep link).
   */
  private leaveTakeover(): void {
    this.clearCloseTimer();
    this.showing = null;
    if (Router.getHistory().length) Router.back();
    else Router.navigate('home');
    this._refocus();
  }

  /**
   * Back on an alert: go home (or back to the card task). An alert not yet answered cannot be lost:
   * Home's bar says so and OK opens it, a banner in its level's colour covers every other screen
   * (blue opens it), and the takeover comes back by itself after `alertReturn` (and with every new
   * revision). An answered one stays on Home's menu until it ends.
   */
  $alertBack(): void {
    const sh = this.showing;
    if (sh?.closeReason || sh?.area) return this.$closeAlert();
    stopSpeaking();
    this.leaveTakeover();
    this.clearReturnTimer();
    if (this.c.store.needingAnswer())
      this.returnTimer = Registry.setTimeout(() => {
        this.returnTimer = undefined;
        const pending = this.showing ? undefined : this.c.store.needingAnswer();
        if (pending) this.showAlert(pending, { tone: true });
      }, this.c.cfg.alertReturn);
  }

  $readAloud(): void {
    const sh = this.showing;
    const e = sh && ((sh.area ? this.c.areaStore : this.c.store).get(sh.alertId) ?? this.lastEntry);
    const r = e?.alert.recipients.find((x) => x.ref === sh!.ref);
    if (e && r) readAloud(e, r, this.heard(e, r));
  }

  // ---- pages ----

  $open(id: MenuId): void {
    if (id === 'alert') {
      const top = this.alertToOpen();
      if (top) this.showAlert(top.entry, { tone: false, area: top.area });
      return;
    }
    if (id === 'settings') {
      this.page = 'settings';
      this.renderSettings();
      Router.navigate('settings');
      return;
    }
    void this.openFlow(id);
  }

  // ---- card tasks (flows/): binding, post-box, my information ----

  private flow: Flow | null = null;

  private keyWords = cardTasks.DEFAULT_KEY_WORDS;

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
    const title = cardTasks.flowTitle(kind, s);
    this.page = 'flow';
    // The screen's words arrive with its code.
    this.renderFlow({ id: `${kind}.loading`, title, lines: [], mode: 'busy', items: [], hint: '' });
    Router.navigate(`flow/${kind}`);
    const mod = await cardTasks.loadFlows();
    if (!mod) {
      // A box that lost its network cannot load the screen's code: say so, with the way back.
      (this.tag('Placeholder') as Placeholder).render(title, `${s.offlineWarning}。${s.backHint}`, s.backHome);
      this.page = 'placeholder';
      Router.navigate(`offline/${kind}`);
      return;
    }
    if (this.page !== 'flow') return;
    const keyWords = await cardTasks.loadKeyWords(mod, this.lang);
    if (this.page !== 'flow') return;
    this.keyWords = keyWords;
    const flow = cardTasks.createCardFlow(mod, kind, this.lang, this.c);
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

  /** Home clears the Router's history: Back never leads from Home into a finished task. */
  $goHome(): void {
    if (this.page === 'flow' && this.flow) void this.closeFlow();
    this.page = 'home';
    Router.navigate('home');
  }

  // ---- settings (per resident) ----

  private renderSettings(): void {
    (this.tag('Settings') as Settings).render(settingsModel(this.c.prefs));
  }

  $settingsRefresh(): void {
    this.renderSettings();
  }

  $settingsChange(id: string, dir: 1 | -1): void {
    changeSetting(this.c.prefs, this.c.residents(), id, dir);
    this.renderSettings();
    if (id === 'lang') this.wantWords([this.lang]);
  }
}
