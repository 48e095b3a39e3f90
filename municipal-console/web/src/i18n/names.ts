/** Names of values the screens show: hazards, languages, bindings and why they ended, levels, answers. */
import { LEVELS, type AlertLevel } from '@kizuna/contract/levels';
import { t } from './dictionary.ts';
import { lang, pick } from './ui-lang.ts';

const HAZARD_NAMES: Record<string, [string, string]> = {
  flood: ['洪水', 'Flood'],
  landslide: ['土砂災害', 'Landslide'],
  'storm-surge': ['高潮', 'Storm surge'],
  earthquake: ['地震', 'Earthquake'],
  tsunami: ['津波', 'Tsunami'],
  fire: ['大規模火災', 'Fire'],
  volcano: ['火山', 'Volcano'],
};
export const hazardName = (h: string) => HAZARD_NAMES[h]?.[lang() === 'ja' ? 0 : 1] ?? h;

const LANG_NAMES: Record<string, [string, string]> = {
  ja: ['日本語', 'Japanese'],
  'ja-x-easy': ['やさしい日本語', 'Easy Japanese'],
  en: ['英語', 'English'],
  zh: ['中国語', 'Chinese'],
  ko: ['韓国語', 'Korean'],
  vi: ['ベトナム語', 'Vietnamese'],
  pt: ['ポルトガル語', 'Portuguese'],
};
export const langName = (l: string) => LANG_NAMES[l]?.[lang() === 'ja' ? 0 : 1] ?? l;

/** A card binding's state (binding statuses of the console's register). */
const BINDING_STATUS: Record<string, [string, string]> = {
  active: ['連携中', 'active'],
  unbound: ['解除済み', 'unbound'],
  revoked: ['失効', 'revoked'],
  superseded: ['カード更新済み', 'renewed'],
};
export const bindingStatusName = (s: string) => BINDING_STATUS[s]?.[lang() === 'ja' ? 0 : 1] ?? s;

/** Why a binding ended (server BINDING_END_REASONS), with who ended it or the card's life event. */
const END_REASONS: Record<string, [string, string]> = {
  'staff-unbind': ['職員（{by}）が解除', 'unbound by staff ({by})'],
  'tv-unbind': ['本人がTVで解除', 'unbound on the TV'],
  rebound: ['別のカードで連携し直し', 'bound again with another card'],
  'card-renewed': ['カード更新（新しいカードに引き継ぎ）', 'card renewed (moved to the new card)'],
  'card-renewed-rebind': ['カード更新のため、新しいカードでの連携が必要', 'card renewed: bind the new card'],
  'card-revoked': ['カード失効（{event}）', 'card revoked ({event})'],
};
const LIFE_EVENTS: Record<string, [string, string]> = {
  'moved-or-renamed': ['転出・氏名変更など', 'moved or renamed'],
  died: ['死亡', 'died'],
  'card-lost': ['紛失', 'card lost'],
  renewed: ['カード更新', 'renewed'],
  other: ['その他', 'other'],
};
export function bindingReasonText(d: {
  reason: string | null;
  reasonCode?: string | null;
  endedBy?: string | null;
  lifeEvent?: string | null;
}): string | null {
  const words = d.reasonCode ? END_REASONS[d.reasonCode] : undefined;
  if (!words) return d.reason; // unknown to this page: show what was stored
  const event = d.lifeEvent
    ? LIFE_EVENTS[d.lifeEvent]
      ? pick(LIFE_EVENTS[d.lifeEvent]!)
      : d.lifeEvent
    : pick(LIFE_EVENTS.other!);
  return pick(words)
    .replace('{by}', d.endedBy ?? '')
    .replace('{event}', event);
}

/** The level's fixed phrase and the action it asks for, in the UI language. */
export function levelText(level: number): { phrase: string; action: string } {
  const s = LEVELS[level as AlertLevel];
  if (!s) return { phrase: String(level), action: '' };
  // Official English names of the levels (Cabinet Office); the long guideline sentence stays in s.english.
  const EN: Record<number, string> = {
    3: 'Evacuation of the elderly, etc.',
    4: 'Evacuation instruction',
    5: 'Emergency safety measures',
  };
  return lang() === 'ja'
    ? { phrase: s.phrase, action: s.action }
    : { phrase: EN[level] ?? s.english, action: s.english };
}

export const answerName = (a: string | null) =>
  a === 'evacuating'
    ? t('evacuating')
    : a === 'safe-indoors'
      ? t('safeIndoors')
      : a === 'need-help'
        ? t('needHelpAnswer')
        : '—';
