/**
 * The alert takeover's sound and speech. Read-aloud follows each recipient's own setting (their
 * profile on this TV, else the TV's), since one TV may serve residents who need it and some who don't.
 */
import type { Recipient } from '@kizuna/contract';
import type { StoredAlert } from './alerts/alert-store.ts';
import { speak, speechAvailable } from './platform/speech.ts';
import { playAlertTone } from './platform/tone.ts';
import type { PrefsStore } from './prefs.ts';
import { speechParts } from './view-models.ts';

/** Reads the alert to its recipient, in the recipient's language; `onName` once their name has been read. */
export function readAloud(e: StoredAlert, r: Recipient, onName?: () => void): void {
  speak(speechParts(e, r), r.language, onName);
}

/** Whether this recipient's screen is read aloud (their settings, and a platform that can). */
export function wantsReading(prefs: PrefsStore, r: Recipient): boolean {
  return prefs.forResident(r.displayName).readAloud && speechAvailable();
}

/** Reads the alert to its recipient if their settings ask for it. */
export function readAloudIfWanted(prefs: PrefsStore, e: StoredAlert, r: Recipient, onName?: () => void): void {
  if (prefs.forResident(r.displayName).readAloud) readAloud(e, r, onName);
}

/**
 * The tone (for a newly arrived alert) and the reading, once only: the takeover calls it when it is
 * drawn, and a timer as a fallback, so the picture comes first and the sound still comes.
 */
export function announcer(
  prefs: PrefsStore,
  e: StoredAlert,
  r: Recipient,
  tone: boolean,
  onName?: () => void,
): () => void {
  let announced = false;
  return () => {
    if (announced) return;
    announced = true;
    if (tone) playAlertTone(e.alert.level);
    readAloudIfWanted(prefs, e, r, onName);
  };
}
