/**
 * What the applet needs from the box it runs on, and nothing more (issue 25). Every adapter
 * (browser, HbbTV, Firebolt) answers the same questions, so the rest of the applet never asks
 * which box it is on. What each box can and cannot do is in tv-app/README.md, "Packaging".
 */
import type { Language } from '@kizuna/contract/levels';

/** The applet's place on the box: on screen, running behind another app or channel, frozen, or closing. */
export type LifecycleState = 'initialising' | 'foreground' | 'background' | 'suspended' | 'unloading';

/** The box's own settings, taken as the resident's defaults until a resident chooses otherwise. */
export interface BoxSettings {
  /** The box's menu language, when it is one of ours. */
  lang?: Language | undefined;
  /** The box's voice guidance (screen reader) is on: read alerts aloud by default. */
  voiceGuidance?: boolean | undefined;
}

/** Why the applet was opened: to show an alert (a deep link or a platform intent). */
export interface AlertIntent {
  kind: 'alert';
  /** The alert to open, when the launcher knew it; otherwise the one waiting for an answer. */
  alertId?: string | undefined;
}

/** What `bringForward` achieved: on screen now, asked for (the platform decides), or impossible here. */
export type ForwardOutcome = 'foreground' | 'requested' | 'unsupported';

export interface TvPlatform {
  readonly name: 'browser' | 'hbbtv' | 'firebolt';
  /** Start listening to the box; resolves once the current state, settings and launch intent are known. */
  start(): Promise<void>;
  state(): LifecycleState;
  onState(fn: (s: LifecycleState, previous: LifecycleState) => void): void;
  /** Tell the box the applet can be shown (Firebolt `Lifecycle.ready`): call right after the first frame. */
  ready(): Promise<void>;
  /** An alert arrived while the applet is not on screen: ask to come forward. */
  bringForward(alertId: string): Promise<ForwardOutcome>;
  /** Wake the display (standby screen). No web platform lets an app do this: see the launcher hook. */
  wakeDisplay(): Promise<boolean>;
  settings(): BoxSettings;
  onSettings(fn: (s: BoxSettings) => void): void;
  /** The box's identity as its platform reports it (back-office id), or null. Never the broker credential. */
  deviceId(): Promise<string | null>;
  /** The intent the applet was launched with, if any. */
  launchIntent(): AlertIntent | null;
  /** Intents that arrive while running (Firebolt `navigateTo`, a new deep link). */
  onIntent(fn: (i: AlertIntent) => void): void;
  /** The applet is unloading: release what the platform waits for (Firebolt `Lifecycle.finished`). */
  finished(): Promise<void>;
}

/** Firebolt's section name and the deep link's `intent` value for "open the alert". */
export const ALERT_SECTION = 'kizuna-alert';

/** The deep link a launcher opens for an alert: `#intent=alert[&alert=<id>]` (added to the box's own hash). */
export function alertIntentFromHash(hash: string): AlertIntent | null {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  if (p.get('intent') !== 'alert') return null;
  const id = p.get('alert');
  return { kind: 'alert', ...(id ? { alertId: id } : {}) };
}

/** A small listener list, shared by the adapters. */
export class Listeners<A extends unknown[]> {
  private fns: ((...a: A) => void)[] = [];
  add(fn: (...a: A) => void): void {
    this.fns.push(fn);
  }
  emit(...a: A): void {
    for (const fn of this.fns) fn(...a);
  }
}
