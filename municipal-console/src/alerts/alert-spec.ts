/**
 * What staff ask for when they issue or update an alert, and how it is checked. The CAP part
 * keeps what a CAP 1.2 document carries beyond what we act on, so export gives it back.
 */
import { coreErrors } from '@kizuna/core';
import {
  HAZARDS,
  LANGUAGES,
  type AlertStatus,
  type EvacuationLevel,
  type Hazard,
  type Language,
} from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { checkCircle, checkRing, type Circle, type LonLat } from '../geo.ts';
import { LIMITS } from '../limits.ts';
import type { CapDocument } from './cap-document.ts';

/** Who gets a personal message: everyone targeted, or only those who need time to evacuate. */
export type Group = 'all' | 'needs-help' | 'vulnerable';

export interface Target {
  zones?: string[] | undefined;
  /** [lon, lat] closed ring. */
  polygon?: LonLat[] | undefined;
  circle?: Circle | undefined;
  group?: Group | undefined;
}

export interface CapDetails {
  identifier?: string;
  sender?: string;
  senderName?: string;
  event?: string;
  category?: string[];
  urgency?: string;
  severity?: string;
  certainty?: string;
  headline?: string;
  description?: string;
  web?: string;
  areaDesc?: string;
  note?: string;
  references?: string;
  /** The imported document's <sent>, as written: with sender and identifier, what a later <references> names. */
  sent?: string;
  /**
   * What staff must settle before sending an imported alert: 'level-unknown' (no level Kizuna can
   * read: staff answer it, POST /api/alerts/:id/level) and 'reaches-no-one' (its polygon or circle
   * meets no zone: staff acknowledge it when sending).
   */
  warnings?: string[];
  /**
   * The imported document as given (cap-document.ts), on the revision it made: that revision's
   * export gives it back unchanged. A revision Kizuna made (a console update, the level staff
   * answered) has none and is exported under Kizuna's own identifier and sender.
   */
  document?: CapDocument;
  /** Imported <info>s in languages Kizuna does not render: kept, and shown to staff as not shown on TVs. */
  notShown?: {
    language: string;
    event: string;
    headline?: string;
    description?: string;
    instruction?: string;
    areaDesc: string;
  }[];
}

export interface AlertSpec {
  level: EvacuationLevel;
  hazard: Hazard;
  status: AlertStatus;
  expires: string;
  target: Target;
  /** 'go-to-shelter' (default at 3 and 4) or 'stay-upstairs' (垂直避難: when going out is more dangerous). */
  template?: 'go-to-shelter' | 'stay-upstairs' | undefined;
  /** Staff's extra text per language, appended to the template. */
  extra?: Partial<Record<Language, string>> | undefined;
  cap?: CapDetails | undefined;
}

export const ELDERLY_AGE = 65;

export function checkSpec(s: AlertSpec, zones: Set<string>, now: Date): AlertSpec {
  if (s.level !== 3 && s.level !== 4 && s.level !== 5) throw coreErrors.KZ_VALIDATION('level must be 3, 4 or 5');
  if (!(HAZARDS as readonly string[]).includes(s.hazard))
    throw coreErrors.KZ_VALIDATION(`hazard must be one of ${HAZARDS.join(', ')}`);
  if (!['Actual', 'Exercise', 'Test'].includes(s.status))
    throw coreErrors.KZ_VALIDATION('status must be Actual, Exercise or Test');
  const exp = Date.parse(s.expires);
  if (Number.isNaN(exp)) throw coreErrors.KZ_VALIDATION('expires is not a date-time');
  if (exp <= now.getTime())
    throw consoleErrors.KZ_CONSOLE_EXPIRES_IN_PAST(`${s.expires} is not after ${now.toISOString()}`);
  // The API schema bounds the shapes; these hold for CAP imports and merged updates too.
  if (exp > now.getTime() + LIMITS.expiresWithinMs)
    throw coreErrors.KZ_VALIDATION(
      `expires ${s.expires} is more than ${LIMITS.expiresWithinMs / 86_400_000} days ahead`,
      {
        field: 'expires',
      },
    );
  const t = s.target ?? {};
  if (!t.zones?.length && !t.polygon && !t.circle) throw consoleErrors.KZ_CONSOLE_NO_TARGET();
  if ((t.zones?.length ?? 0) > LIMITS.targetZones)
    throw coreErrors.KZ_VALIDATION(`target.zones has more than ${LIMITS.targetZones} zones`, { field: 'target.zones' });
  if (t.zones && new Set(t.zones).size !== t.zones.length)
    throw coreErrors.KZ_VALIDATION('target.zones names a zone more than once', { field: 'target.zones' });
  for (const z of t.zones ?? []) if (!zones.has(z)) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ZONE(z);
  if (t.polygon && t.polygon.length > LIMITS.polygonPoints)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`target.polygon has more than ${LIMITS.polygonPoints} positions`);
  if (t.polygon) checkRing(t.polygon, 'target.polygon');
  if (t.circle) checkCircle(t.circle, 'target.circle');
  if (t.circle && t.circle.radiusM > LIMITS.circleRadiusM)
    throw consoleErrors.KZ_CONSOLE_BAD_GEOMETRY(`target.circle.radiusM is more than ${LIMITS.circleRadiusM} m`);
  if (t.group && !['all', 'needs-help', 'vulnerable'].includes(t.group))
    throw coreErrors.KZ_VALIDATION('target.group must be all, needs-help or vulnerable');
  for (const k of Object.keys(s.extra ?? {})) {
    if (!(LANGUAGES as readonly string[]).includes(k))
      throw coreErrors.KZ_VALIDATION(`extra.${k} is not a supported language`);
  }
  return { ...s, expires: new Date(exp).toISOString() };
}

/**
 * Whether a register birth date (YYYY-MM-DD) makes its holder ELDERLY_AGE or older on `on`: one
 * string comparison against the latest such date, made once (a Date per resident cost about 10 ms
 * per 10,000 residents ahead of an alert's first message). Another form of date goes by ageOn.
 */
export function elderlyOn(on: Date): (birthDate: string) => boolean {
  const latest = `${String(on.getUTCFullYear() - ELDERLY_AGE).padStart(4, '0')}-${String(on.getUTCMonth() + 1).padStart(2, '0')}-${String(on.getUTCDate()).padStart(2, '0')}`;
  return (b) => (ISO_DATE.test(b) ? b <= latest : ageOn(b, on) >= ELDERLY_AGE);
}
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function ageOn(birthDate: string | Date, on: Date): number {
  const b = typeof birthDate === 'string' ? new Date(`${birthDate}T00:00:00Z`) : birthDate;
  let age = on.getUTCFullYear() - b.getUTCFullYear();
  const m = on.getUTCMonth() - b.getUTCMonth();
  if (m < 0 || (m === 0 && on.getUTCDate() < b.getUTCDate())) age -= 1;
  return age;
}
