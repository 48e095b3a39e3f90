/**
 * The alert takeover's sound and speech. Read-aloud follows each recipient's own setting (their
 * profile on this TV, else the TV's), since one TV may serve residents who need it and some who don't.
 */
import type { Recipient } from '@kizuna/contract';
import type { StoredAlert } from './alerts/alert-store.ts';
import { speak } from './platform/speech.ts';
import { playAlertTone } from './platform/tone.ts';
import type { PrefsStore } from './prefs.ts';
import { speechText } from './view-models.ts';

/** Reads the alert to its recipient, in the recipient's language. */
export function readAloud(e: StoredAlert, r: Recipient): void {
  speak(speechText(e, r), r.language);
}

/** Reads the alert to its recipient if their settings ask for it. */
export function readAloudIfWanted(prefs: PrefsStore, e: StoredAlert, r: Recipient): void {
  if (prefs.forResident(r.displayName).readAloud) readAloud(e, r);
}

/**
 * The tone (for a newly arrived alert) and the reading, once only: the takeover calls it when it is
 * drawn, and a timer as a fallback, so the picture comes first and the sound still comes.
 */
export function announcer(prefs: PrefsStore, e: StoredAlert, r: Recipient, tone: boolean): () => void {
  let announced = false;
  return () => {
    if (announced) return;
    announced = true;
    if (tone) playAlertTone(e.alert.level);
    readAloudIfWanted(prefs, e, r);
  };
}
