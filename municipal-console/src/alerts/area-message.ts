/** The area message: what a zone's TVs with nobody bound show (retained on the zone's topic). */
import { LANGUAGES, type AreaAlert } from '@kizuna/contract';
import type { AlertSpec } from './alert-spec.ts';
import type { AlertHead } from './personalise.ts';
import { render, type Advice } from './templates.ts';
import { type ShelterPool, shelterRef } from '../shelters/shelter-pool.ts';
import { zoneCentre, type Zone } from '../register/zones.ts';

/** The retained message for a zone's TVs with nobody bound: every language, no names. */
export function areaAlert(
  head: AlertHead,
  spec: AlertSpec | undefined,
  zone: Zone,
  pool: ShelterPool | undefined,
): AreaAlert {
  const centre = zoneCentre(zone);
  const shelter = pool && head.msgType !== 'Cancel' ? pool.peekNearest(centre) : undefined;
  const text: AreaAlert['text'] = {};
  for (const lang of LANGUAGES) {
    const zoneName = lang.startsWith('ja') || lang === 'zh' ? zone.name : (zone.nameEn ?? zone.name);
    const advice: Advice =
      head.level === 5 || spec?.template === 'stay-upstairs'
        ? 'secure-safety'
        : head.level === 3
          ? 'get-ready'
          : 'leave-now';
    text[lang] = render({
      language: lang,
      level: head.level,
      hazard: head.hazard,
      status: head.status,
      msgType: head.msgType,
      end: head.end,
      advice,
      who: { zone: zoneName },
      shelter: shelter ? shelterRef(shelter, null) : undefined,
      extra: spec?.extra?.[lang],
    });
  }
  return {
    v: 1,
    kind: 'area-alert',
    alertId: head.alertId,
    revision: head.revision,
    msgType: head.msgType,
    ...(head.msgType === 'Cancel' ? { end: head.end ?? 'sent-in-error' } : {}),
    status: head.status,
    level: head.level,
    hazard: head.hazard,
    sent: head.sent,
    expires: head.expires,
    zone: { id: zone.id, name: zone.name },
    text,
  };
}
