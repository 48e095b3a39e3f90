/**
 * The TV's memory of personal alerts. Rules (issue 5):
 * - the highest revision of an alert wins; a lower or equal one is never shown again;
 * - an Update replaces the message and asks for a new answer;
 * - a Cancel removes it (a tombstone keeps later stragglers out, and says whether it was lifted or
 *   sent in error, and when, for Home's line until the alert would have ended);
 * - an expired alert is never shown as current;
 * - active alerts survive a restart (persisted), so an unanswered one reappears.
 * Pure logic over an injected key-value storage and clock, so it is tested in Node.
 */
import type { Answer, EndReason, PersonalAlert } from '@kizuna/contract';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface StoredAlert {
  alert: PersonalAlert;
  /** Answers given on this TV for the current revision, by recipient ref. */
  answers: Record<string, Answer>;
  /** Refs whose answer reached the broker (PUBACK). */
  sent: Record<string, true>;
  /** True once an Update replaced an earlier revision shown here. */
  updated: boolean;
}

interface Tombstone {
  alertId: string;
  revision: number;
  until: number;
  reason: 'cancelled' | 'expired';
  /** A Cancel's reason and what Home says about it (absent from an older console's Cancel). */
  ended?: Ended | undefined;
}

/** An alert that ended by a Cancel that said why: lifted or sent in error, when, where. */
export interface Ended {
  end: EndReason;
  /** When the console sent the Cancel. */
  at: string;
  level: 3 | 4 | 5;
  zone: string;
  status: PersonalAlert['status'];
  /** The alert's own end: Home says it was lifted until then. */
  expires: string;
}

export type AcceptOutcome =
  | { outcome: 'new' | 'updated'; entry: StoredAlert }
  | { outcome: 'cancelled'; alertId: string; wasShown: boolean; end?: EndReason | undefined; alert: PersonalAlert }
  | { outcome: 'stale' | 'duplicate' | 'expired'; alertId: string };

const KEEP_TOMBSTONE_MS = 24 * 3600_000;

export class AlertStore {
  private alerts = new Map<string, StoredAlert>();
  private tombstones = new Map<string, Tombstone>();
  private readonly key: string;

  constructor(
    private readonly storage: KeyValueStorage | null,
    device: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `kz.tv.${device}.alerts`;
    this.load();
  }

  /** Apply one incoming alert message. */
  accept(a: PersonalAlert): AcceptOutcome {
    const t = this.now();
    const tomb = this.tombstones.get(a.alertId);
    if (tomb && a.revision <= tomb.revision) return { outcome: 'stale', alertId: a.alertId };
    const prev = this.alerts.get(a.alertId);
    if (prev && a.revision < prev.alert.revision) return { outcome: 'stale', alertId: a.alertId };
    if (prev && a.revision === prev.alert.revision) return { outcome: 'duplicate', alertId: a.alertId };
    if (a.msgType === 'Cancel') {
      this.alerts.delete(a.alertId);
      const ended: Ended | undefined = a.end && {
        end: a.end,
        at: a.sent,
        level: a.level,
        zone: a.zone.name,
        status: a.status,
        expires: a.expires,
      };
      this.tombstones.set(a.alertId, {
        alertId: a.alertId,
        revision: a.revision,
        until: t + KEEP_TOMBSTONE_MS,
        reason: 'cancelled',
        ended,
      });
      this.save();
      return { outcome: 'cancelled', alertId: a.alertId, wasShown: !!prev, end: a.end, alert: a };
    }
    if (Date.parse(a.expires) <= t) {
      if (prev) this.alerts.delete(a.alertId);
      this.tombstones.set(a.alertId, {
        alertId: a.alertId,
        revision: a.revision,
        until: t + KEEP_TOMBSTONE_MS,
        reason: 'expired',
      });
      this.save();
      return { outcome: 'expired', alertId: a.alertId };
    }
    const entry: StoredAlert = { alert: a, answers: {}, sent: {}, updated: !!prev };
    this.alerts.set(a.alertId, entry);
    this.save();
    return { outcome: prev ? 'updated' : 'new', entry };
  }

  /** Record a resident's answer to the current revision. */
  answer(alertId: string, ref: string, answer: Answer): StoredAlert | undefined {
    const e = this.alerts.get(alertId);
    if (!e || !e.alert.recipients.some((r) => r.ref === ref)) return undefined;
    e.answers[ref] = answer;
    this.save();
    return e;
  }

  markSent(alertId: string, revision: number, ref: string): void {
    const e = this.alerts.get(alertId);
    if (!e || e.alert.revision !== revision) return;
    e.sent[ref] = true;
    this.save();
  }

  get(alertId: string): StoredAlert | undefined {
    return this.alerts.get(alertId);
  }

  /** Drop alerts whose time is up; returns their ids. */
  expire(): string[] {
    const t = this.now();
    const gone: string[] = [];
    for (const [id, e] of this.alerts) {
      if (Date.parse(e.alert.expires) <= t) {
        this.alerts.delete(id);
        this.tombstones.set(id, {
          alertId: id,
          revision: e.alert.revision,
          until: t + KEEP_TOMBSTONE_MS,
          reason: 'expired',
        });
        gone.push(id);
      }
    }
    for (const [id, tomb] of this.tombstones) if (tomb.until <= t) this.tombstones.delete(id);
    if (gone.length) this.save();
    return gone;
  }

  /** Current alerts, most severe first, then newest. Never includes an expired one. */
  active(): StoredAlert[] {
    const t = this.now();
    return [...this.alerts.values()]
      .filter((e) => Date.parse(e.alert.expires) > t)
      .sort((a, b) => b.alert.level - a.alert.level || Date.parse(b.alert.sent) - Date.parse(a.alert.sent));
  }

  /** The alert that must hold the screen: the most severe one still waiting for an answer. */
  needingAnswer(): StoredAlert | undefined {
    return this.active().find((e) => e.alert.recipients.some((r) => !e.answers[r.ref]));
  }

  /** Alerts lifted or cancelled as sent in error whose own time has not run out, newest first (Home's lines). */
  ended(): Ended[] {
    const t = this.now();
    return [...this.tombstones.values()]
      .map((x) => x.ended)
      .filter((x): x is Ended => !!x && Date.parse(x.expires) > t)
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  }

  /** Milliseconds until the next alert expires (for a timer), or null. */
  msToNextExpiry(): number | null {
    const t = this.now();
    let min: number | null = null;
    for (const e of this.alerts.values()) {
      const d = Date.parse(e.alert.expires) - t;
      if (min === null || d < min) min = d;
    }
    return min === null ? null : Math.max(0, min);
  }

  private load(): void {
    if (!this.storage) return;
    try {
      const raw = this.storage.getItem(this.key);
      if (!raw) return;
      const data = JSON.parse(raw) as { alerts?: StoredAlert[]; tombstones?: Tombstone[] };
      for (const e of data.alerts ?? [])
        if (e?.alert?.alertId)
          this.alerts.set(e.alert.alertId, { ...e, sent: e.sent ?? {}, updated: e.updated ?? false });
      for (const tb of data.tombstones ?? []) if (tb?.alertId) this.tombstones.set(tb.alertId, tb);
      this.expire();
    } catch {
      // A corrupt entry must not keep the TV from starting; the broker resends what is current.
      this.alerts.clear();
      this.tombstones.clear();
    }
  }

  private save(): void {
    if (!this.storage) return;
    try {
      this.storage.setItem(
        this.key,
        JSON.stringify({ alerts: [...this.alerts.values()], tombstones: [...this.tombstones.values()] }),
      );
    } catch {
      // Storage full or unavailable: keep working from memory.
    }
  }
}
