/** The Cancel a TV gets when an alert ends for it (lifted or sent in error): it names every resident the TV showed the alert to. */
import type { Language, PersonalAlert } from '@kizuna/contract';
import type { AlertHead } from './personalise.ts';
import { displayName, render } from './templates.ts';

export interface CancelRecipient {
  ref: string;
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  sex: number;
  language: Language;
  needsHelp: boolean;
  familyNameLatin?: string | null;
  givenNameLatin?: string | null;
}

/** The Cancel a TV gets: every resident it showed the alert to, told it is lifted or was sent in error (head.end). */
export function cancelFor(
  head: AlertHead,
  zone: { id: string; name: string },
  people: CancelRecipient[],
): PersonalAlert {
  return {
    v: 1,
    kind: 'personal-alert',
    alertId: head.alertId,
    revision: head.revision,
    msgType: 'Cancel',
    end: head.end ?? 'sent-in-error',
    status: head.status,
    level: head.level,
    hazard: head.hazard,
    sent: head.sent,
    expires: head.expires,
    zone,
    recipients: people.map((p) => {
      const t = render({
        language: p.language,
        level: head.level,
        hazard: head.hazard,
        status: head.status,
        msgType: 'Cancel',
        end: head.end,
        advice: 'leave-now',
        who: { person: p },
      });
      return {
        ref: p.ref,
        displayName: displayName(p.language, p),
        reading: `${p.familyKana} ${p.givenKana}`,
        language: p.language,
        needsHelp: p.needsHelp,
        headline: t.headline,
        instruction: t.instruction,
      };
    }),
  };
}
