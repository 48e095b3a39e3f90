/**
 * Everything the TV knows and does apart from drawing: the broker link (loaded lazily), the
 * alert store, the receipt outbox, area status and mail count. The Lightning App listens to
 * its events and calls its actions; this keeps the screens free of protocol details.
 */
import type { AreaAlert, Answer, Binding, MailWaiting, PersonalAlert, Receipt } from '@kizuna/contract';
import { AlertStore, type AcceptOutcome, type KeyValueStorage, type StoredAlert } from './alerts/alert-store.ts';
import { ReceiptOutbox, makeReceipt } from './alerts/receipt-outbox.ts';
import type { TvConfig } from './config.ts';
import type { Link, LinkState } from './net/mqtt-link.ts';
import { timings } from './platform/timings.ts';
import { PrefsStore } from './prefs.ts';
import { areaAsPersonal } from './alerts/area-takeover.ts';
import type { KnownBinding } from './flows/deps.ts';

export type ConnState = LinkState | 'none';

export interface TvEvents {
  alert: (o: AcceptOutcome) => void;
  /** An area alert for this TV's zone (taken over only while nobody is bound). */
  areaAlert: (o: AcceptOutcome) => void;
  bindings: () => void;
  expired: (alertIds: string[]) => void;
  conn: (s: ConnState) => void;
  area: () => void;
  mail: (unread: number) => void;
  receiptSent: (r: Receipt) => void;
}

type Listeners = { [K in keyof TvEvents]: TvEvents[K][] };

export class TvController {
  readonly store: AlertStore;
  /** Area alerts of this TV's zone, kept under the same rules as personal ones. */
  readonly areaStore: AlertStore;
  readonly outbox: ReceiptOutbox;
  readonly prefs: PrefsStore;
  conn: ConnState;
  mailUnread: number | null = null;
  private areas = new Map<string, AreaAlert>();
  private link: Link | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private displayedSent = new Set<string>();
  private listeners: Listeners = {
    alert: [],
    areaAlert: [],
    bindings: [],
    expired: [],
    conn: [],
    area: [],
    mail: [],
    receiptSent: [],
  };
  private readonly residentsKey: string;
  private readonly bindingsKey: string;

  constructor(
    readonly cfg: TvConfig,
    private readonly storage: KeyValueStorage | null,
  ) {
    this.store = new AlertStore(storage, cfg.device);
    this.areaStore = new AlertStore(storage, `${cfg.device}.area`);
    this.outbox = new ReceiptOutbox(storage, cfg.device, (r) => this.emit('receiptSent', r));
    this.conn = cfg.mqtt ? 'connecting' : 'none';
    // Large text and read-aloud by default (issue 5).
    this.prefs = new PrefsStore(storage !== null, cfg.device, {
      lang: cfg.lang,
      textSize: 'large',
      contrast: false,
      readAloud: true,
    });
    this.residentsKey = `kz.tv.${cfg.device}.residents`;
    this.bindingsKey = `kz.tv.${cfg.device}.bindings`;
    this.scheduleExpiry();
  }

  on<K extends keyof TvEvents>(event: K, fn: TvEvents[K]): void {
    this.listeners[event].push(fn);
  }

  private emit<K extends keyof TvEvents>(event: K, ...args: Parameters<TvEvents[K]>): void {
    for (const fn of this.listeners[event]) (fn as (...a: Parameters<TvEvents[K]>) => void)(...args);
  }

  /** Connect to the broker. Called after the first frame so mqtt.js stays off the start-up path. */
  async connect(): Promise<void> {
    const { mqtt, mqttFallback, cleanSession, user, pass, muni, device, reconnectBase, reconnectCap } = this.cfg;
    if (!mqtt || !user) return;
    const { connectLink } = await import('./net/mqtt-link.ts');
    this.link = connectLink(
      {
        url: mqtt,
        fallbackUrls: mqttFallback,
        cleanSession,
        muni,
        device,
        username: user,
        password: pass,
        reconnect: {
          ...(reconnectBase !== undefined ? { baseMs: reconnectBase } : {}),
          ...(reconnectCap !== undefined ? { capMs: reconnectCap } : {}),
        },
      },
      {
        onAlert: (a, arrivedAt) => this.receiveAlert(a, arrivedAt),
        onArea: (zone, a) => this.receiveArea(zone, a),
        onMail: (m) => this.receiveMail(m),
        onState: (s) => this.setConn(s),
        // Topic and problem only: payloads can carry names.
        onInvalid: (topic, problem) => console.warn(`[kizuna] ignored message on ${topic}: ${problem}`),
      },
    );
  }

  /** The network came back or the box resumed (platform layer): reconnect without the grown backoff. */
  networkBack(): void {
    this.link?.retrySoon();
  }

  async close(): Promise<void> {
    clearTimeout(this.expiryTimer);
    await this.link?.close();
  }

  private setConn(s: LinkState): void {
    if (s === this.conn) return;
    this.conn = s;
    const link = this.link;
    this.outbox.setPublisher(s === 'online' && link ? (r) => link.publishReceipt(r) : null);
    this.emit('conn', s);
  }

  receiveAlert(a: PersonalAlert, arrivedAt = performance.now()): void {
    timings.alertArrived(a.alertId, a.revision, arrivedAt);
    const o = this.store.accept(a);
    // 'delivered' for every revision we hold (also a cancel): the console tracks reach per revision.
    if (o.outcome === 'new' || o.outcome === 'updated' || o.outcome === 'cancelled') {
      this.outbox.add(makeReceipt(a.alertId, a.revision, 'delivered', new Date()));
    }
    if (o.outcome === 'new' || o.outcome === 'updated') this.rememberResidents(a);
    this.scheduleExpiry();
    this.emit('alert', o);
  }

  /** The takeover has drawn this revision: report 'displayed' once. */
  displayed(e: StoredAlert): void {
    const k = `${e.alert.alertId}|${e.alert.revision}`;
    if (this.displayedSent.has(k)) return;
    this.displayedSent.add(k);
    timings.alertDisplayed(e.alert.alertId, e.alert.revision, performance.now());
    this.outbox.add(makeReceipt(e.alert.alertId, e.alert.revision, 'displayed', new Date()));
  }

  answer(alertId: string, ref: string, answer: Answer): StoredAlert | undefined {
    const e = this.store.answer(alertId, ref, answer);
    if (e) this.outbox.add(makeReceipt(alertId, e.alert.revision, 'acknowledged', new Date(), ref, answer));
    return e;
  }

  get online(): boolean {
    return this.conn === 'online';
  }

  receiveArea(zone: string, a: AreaAlert | null): void {
    if (this.cfg.zone && zone === this.cfg.zone) this.takeArea(zone, a);
    if (!a || a.msgType === 'Cancel') this.areas.delete(zone);
    else {
      const prev = this.areas.get(zone);
      if (prev && prev.alertId === a.alertId && prev.revision > a.revision) return;
      this.areas.set(zone, a);
    }
    this.emit('area');
  }

  /** The zone's area alert into the area store; a cleared retained message ends what it held. */
  private takeArea(zone: string, a: AreaAlert | null): void {
    let o: AcceptOutcome;
    if (a) o = this.areaStore.accept(areaAsPersonal(a, this.prefs.get().lang));
    else {
      const held = this.areaStore.active().find((e) => e.alert.zone.id === zone);
      if (!held) return;
      o = this.areaStore.accept({ ...held.alert, msgType: 'Cancel', revision: held.alert.revision + 1 });
    }
    this.scheduleExpiry();
    this.emit('areaAlert', o);
  }

  /** Nobody bound here (as far as this TV knows): area alerts then take over the screen. */
  get unbound(): boolean {
    return this.residents().length === 0 && !this.knownBindings().some((b) => !b.ended);
  }

  /** Area alerts still in force, most severe first; the TV's own zone first when configured. */
  activeAreas(): AreaAlert[] {
    const now = Date.now();
    return [...this.areas.values()]
      .filter((a) => Date.parse(a.expires) > now && (!this.cfg.zone || a.zone.id === this.cfg.zone))
      .sort((a, b) => b.level - a.level);
  }

  private receiveMail(m: MailWaiting): void {
    this.mailUnread = m.unread;
    this.emit('mail', m.unread);
  }

  /** This TV no longer gets "mail waiting" (the resident removed it): Home stops showing a count no update will correct. */
  forgetMail(): void {
    this.mailUnread = null;
    this.emit('mail', 0);
  }

  /** Names of the people this TV serves: alert recipients, and bound cards not already among them. */
  residents(): string[] {
    let list: string[] = [];
    try {
      const raw = this.storage?.getItem(this.residentsKey);
      const parsed = raw ? (JSON.parse(raw) as unknown) : [];
      list = Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      list = [];
    }
    const squash = (n: string) => n.replace(/\s/g, '');
    // A bound card's name in the register's script ("スミス ジョン") that an alert named in the
    // resident's own ("John Smith", with "スミス ジョン" as its reading) is that same person.
    const aliases = new Set(this.nameAliases());
    for (const b of this.knownBindings()) {
      if (b.ended || aliases.has(squash(b.displayName))) continue;
      if (!list.some((n) => squash(n).includes(squash(b.displayName)))) list.push(b.displayName);
    }
    return list;
  }

  /** Register-script forms (kana readings) of names the TV knows in another script, spaces removed. */
  private nameAliases(): string[] {
    try {
      const parsed = JSON.parse(this.storage?.getItem(`${this.residentsKey}.aliases`) ?? '[]') as unknown;
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Bindings as this TV last saw them (the console is the source; this is for screens and offline). */
  knownBindings(): KnownBinding[] {
    try {
      const raw = this.storage?.getItem(this.bindingsKey);
      const list = raw ? (JSON.parse(raw) as unknown) : [];
      return Array.isArray(list)
        ? list.filter(
            (b): b is KnownBinding => !!b && typeof b.bindingId === 'string' && typeof b.displayName === 'string',
          )
        : [];
    } catch {
      return [];
    }
  }

  /** Merge the console's current list: ones it no longer lists are kept as ended (so My information can say so). */
  rememberBindings(current: Binding[]): KnownBinding[] {
    const ids = new Set(current.map((b) => b.bindingId));
    const ended = this.knownBindings()
      .filter((b) => !ids.has(b.bindingId))
      .map((b) => ({ ...b, ended: true }));
    const merged: KnownBinding[] = [
      ...current.map((b) => ({ bindingId: b.bindingId, displayName: b.displayName, boundAt: b.boundAt })),
      ...ended,
    ].slice(0, 16);
    try {
      this.storage?.setItem(this.bindingsKey, JSON.stringify(merged));
    } catch {
      /* memory only */
    }
    this.emit('bindings');
    return merged;
  }

  private rememberResidents(a: PersonalAlert): void {
    // A bound card's name ("山田 太郎") and an alert's ("山田 太郎さん") are one person: keep the
    // alert's form, which carries the honorific, and never list someone twice.
    const squash = (n: string) => n.replace(/\s/g, '');
    const list = this.residents();
    const aliases = new Set(this.nameAliases());
    for (const r of a.recipients) {
      // A name in alphabet ("John Smith") whose reading is the card's name as registered (スミス ジョン).
      const reading = r.reading ? squash(r.reading).replace(/(さん|様|さま)$/u, '') : '';
      if (reading && !squash(r.displayName).includes(reading)) aliases.add(reading);
      const same = list.findIndex(
        (n) =>
          squash(r.displayName).includes(squash(n)) ||
          squash(n).includes(squash(r.displayName)) ||
          (!!reading && squash(n) === reading),
      );
      if (same < 0) list.push(r.displayName);
      else list[same] = r.displayName;
    }
    try {
      this.storage?.setItem(this.residentsKey, JSON.stringify(list.slice(-8)));
      this.storage?.setItem(`${this.residentsKey}.aliases`, JSON.stringify([...aliases].slice(-16)));
    } catch {
      /* memory only */
    }
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const times = [this.store.msToNextExpiry(), this.areaStore.msToNextExpiry()].filter((x): x is number => x !== null);
    if (!times.length) return;
    const ms = Math.min(...times);
    // Cap the wait: timers on sleeping boxes drift; re-check at least every minute.
    this.expiryTimer = setTimeout(
      () => {
        const gone = [...this.store.expire(), ...this.areaStore.expire()];
        if (gone.length) this.emit('expired', gone);
        this.scheduleExpiry();
      },
      Math.min(ms + 50, 60_000),
    );
  }
}
