/**
 * Area alerts on an unbound TV (issue 5): the retained message for the TV's own zone takes over
 * the screen like a personal alert, under the same rules (highest revision wins, an Update
 * replaces, a Cancel closes, expiry, persistence across a restart). It is stored as a personal
 * alert with one recipient — everyone in the zone — so AlertStore's rules apply unchanged. An
 * unbound TV has nobody to report for, so it sends no receipts; OK dismisses it on this TV only.
 */
import type { Language } from '@kizuna/contract/levels';
import type { AreaAlert, PersonalAlert } from '@kizuna/contract';
import { fmt, stringsFor } from '../i18n/strings.ts';

/** The recipient ref of the zone's residents (an id no console-issued ref takes: refs name people). */
export const AREA_REF = 'area-everyone';

/** The area text in the TV's language, else Japanese, else whatever the console sent. */
export function areaText(a: AreaAlert, lang: Language): { headline: string; instruction: string; language: Language } {
  const own = a.text[lang];
  if (own) return { ...own, language: lang };
  const ja = a.text.ja;
  if (ja) return { ...ja, language: 'ja' };
  const [l, t] = Object.entries(a.text)[0] ?? ['ja', { headline: '', instruction: '' }];
  return { ...t, language: l as Language };
}

export function areaAsPersonal(a: AreaAlert, lang: Language): PersonalAlert {
  const t = areaText(a, lang);
  return {
    v: 1,
    kind: 'personal-alert',
    alertId: a.alertId,
    revision: a.revision,
    msgType: a.msgType,
    ...(a.end ? { end: a.end } : {}),
    status: a.status,
    level: a.level,
    hazard: a.hazard,
    sent: a.sent,
    expires: a.expires,
    zone: a.zone,
    recipients: [
      {
        ref: AREA_REF,
        displayName: fmt(stringsFor(t.language).everyoneIn, { zone: a.zone.name }),
        language: t.language,
        needsHelp: false,
        headline: t.headline,
        instruction: t.instruction,
      },
    ],
  };
}
