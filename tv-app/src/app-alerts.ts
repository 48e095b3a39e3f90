/**
 * The alert takeover's state in the root component — which alert and recipient it shows, why it
 * closed, the confirmation of an answer — and what follows from it, as plain functions of the
 * TvController's stores (the Lightning side stays in App.ts).
 */
import type { Answer, EndReason, PersonalAlert, Receipt, Recipient } from '@kizuna/contract';
import type { StoredAlert } from './alerts/alert-store.ts';
import { fmt, stringsFor } from './i18n/strings.ts';
import type { TakeoverModel } from './pages/AlertTakeover/index.ts';
import type { TvController } from './tv-controller.ts';
import { TEXT_SCALE } from './ui/theme.ts';
import { answerLabel, takeoverModel } from './view-models.ts';
import { wantsReading } from './app-speech.ts';

/** Why the takeover closed: 'lifted' (解除) and 'error' (取消, sent in error) have their own screen; 'cancelled' is an older console's Cancel that said neither. */
export type CloseReason = 'answered' | 'cancelled' | 'expired' | 'lifted' | 'error';

export interface Showing {
  alertId: string;
  /** An area alert on an unbound TV (area store, no receipts). */
  area?: boolean | undefined;
  ref: string;
  closeReason?: CloseReason | undefined;
  confirmation?: string | undefined;
  /** The acknowledged receipt whose PUBACK turns "sending" into "sent". */
  awaiting?: { ref: string; answer: Answer; revision: number } | undefined;
}

/** How long a cancelled or expired alert's notice stays before the takeover closes itself. */
export const CLOSE_AFTER_MS = 10_000;
/** The lifting and cancel screens stay longer (a resident may be away from the TV); Home keeps a line after. */
export const END_SCREEN_MS = 5 * 60_000;

/** The close reason for a Cancel's reason. */
export function endReason(end: EndReason | undefined): 'lifted' | 'error' | 'cancelled' {
  return end === 'lifted' ? 'lifted' : end === 'sent-in-error' ? 'error' : 'cancelled';
}

/** The end screen's stand-in entry: the Cancel itself, which carries each resident's words for it. */
export function endEntry(cancel: PersonalAlert): StoredAlert {
  return { alert: cancel, answers: {}, sent: {}, updated: false };
}

/** Whom a takeover opens on: the first recipient yet to answer, else the first. */
export function firstRecipient(e: StoredAlert): Recipient | undefined {
  return e.alert.recipients.find((r) => !e.answers[r.ref]) ?? e.alert.recipients[0];
}

/** An alert still waiting for an answer: a personal one first; an area one only on a TV nobody is bound to. */
export function pendingAlert(c: TvController): { entry: StoredAlert; area?: true } | undefined {
  const pending = c.store.needingAnswer();
  const area = c.unbound ? c.areaStore.needingAnswer() : undefined;
  if (pending) return { entry: pending };
  if (area) return { entry: area, area: true };
  return undefined;
}

/**
 * The alert a deep link names (config `route=alert/<alertId>`): one still active here, personal,
 * or the area's on a TV nobody is bound to. Unknown or expired: none (the Router then shows Home).
 */
export function deepAlert(c: TvController, route: string | undefined): { entry: StoredAlert; area?: true } | undefined {
  const id = route ? /^alert\/(.+)$/.exec(route)?.[1] : undefined;
  if (!id) return undefined;
  const live = (e: StoredAlert | undefined) => (e && Date.parse(e.alert.expires) > Date.now() ? e : undefined);
  const own = live(c.store.get(id));
  if (own) return { entry: own };
  const area = c.unbound ? live(c.areaStore.get(id)) : undefined;
  return area ? { entry: area, area: true } : undefined;
}

/** The stored alert being shown; after a cancel it is gone from its store, so the last one drawn stands in. */
export function shownEntry(c: TvController, sh: Showing, last: StoredAlert | null): StoredAlert | null {
  return (sh.area ? c.areaStore : c.store).get(sh.alertId) ?? (last?.alert.alertId === sh.alertId ? last : null);
}

/** The takeover's picture, in the shown recipient's own language and text size. */
export function takeoverFor(c: TvController, sh: Showing, entry: StoredAlert): TakeoverModel {
  const recipient = entry.alert.recipients.find((r) => r.ref === sh.ref) ?? entry.alert.recipients[0]!;
  return takeoverModel({
    entry,
    recipient,
    closeReason: sh.closeReason,
    confirmation: sh.confirmation,
    online: c.online,
    area: !!sh.area,
    scale: TEXT_SCALE[c.prefs.forResident(recipient.displayName).textSize],
    readAloud: !sh.area && wantsReading(c.prefs, recipient),
    phone: c.cfg.phone,
  });
}

/**
 * Who comes after `ref`: the next recipient yet to answer; when going over answers already given
 * (`review`: reopened from Home to correct one), the next recipient in order. None: the takeover
 * closes as answered.
 */
export function nextRecipient(e: StoredAlert, ref: string, review: boolean): Recipient | undefined {
  const list = e.alert.recipients;
  const unanswered = list.find((x) => !e.answers[x.ref]);
  if (unanswered || !review) return unanswered;
  return list[list.findIndex((x) => x.ref === ref) + 1];
}

/**
 * After one recipient answered (the answer is already stored in `e`): the next recipient (see
 * nextRecipient), or none and the takeover closes as answered; either way the answer's confirmation
 * shows. A corrected answer is sent like the first: the console keeps the latest (by its time).
 */
export function afterAnswer(
  c: TvController,
  sh: Showing,
  e: StoredAlert,
  answer: Answer,
  review = false,
): { showing: Showing; next: Recipient | undefined } {
  const r = e.alert.recipients.find((x) => x.ref === sh.ref)!;
  const s = stringsFor(r.language);
  const label = answerLabel(answer, r.language);
  const sentText = `${r.displayName}：${c.online ? s.answerSending : fmt(s.answerQueued, { answer: label })}`;
  const next = nextRecipient(e, r.ref, review);
  return {
    showing: {
      alertId: sh.alertId,
      ref: next?.ref ?? sh.ref,
      closeReason: next ? undefined : 'answered',
      confirmation: sentText,
      awaiting: { ref: r.ref, answer, revision: e.alert.revision },
    },
    next,
  };
}

/** Whether this receipt's PUBACK is the one the shown answer waits for. */
export function isAwaitedReceipt(sh: Showing | null, rc: Receipt): boolean {
  const aw = sh?.awaiting;
  return (
    !!sh &&
    !!aw &&
    rc.state === 'acknowledged' &&
    rc.alertId === sh.alertId &&
    rc.ref === aw.ref &&
    rc.revision === aw.revision
  );
}

/** The confirmation once the city has the answer, in the recipient's language. */
export function sentConfirmation(r: Recipient, answer: Answer): string {
  const s = stringsFor(r.language);
  return `${r.displayName}：${fmt(s.answerSent, { answer: answerLabel(answer, r.language) })}`;
}
