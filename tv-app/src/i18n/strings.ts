/**
 * On-screen words in the seven languages residents can choose (contract LANGUAGES).
 * Alert content itself (headline, instruction) comes rendered by the console; these are the
 * TV's own labels: Japanese (the reference, with the Strings type) in screen-ja.ts, the others in
 * screen-words/. All of them are imported eagerly, unlike the card screens' words: an alert must
 * show at once in each resident's language, whatever the TV's own setting.
 * `{x}` marks a value filled in by `fmt`.
 */
import type { Language } from '@kizuna/contract/levels';
import { Language as SdkLanguage } from '../sdk/index.ts';
import { ja, type Strings } from './screen-ja.ts';
import { easy } from './screen-words/words-ja-easy.ts';
import { en } from './screen-words/words-en.ts';
import { zh } from './screen-words/words-zh.ts';
import { ko } from './screen-words/words-ko.ts';
import { vi } from './screen-words/words-vi.ts';
import { pt } from './screen-words/words-pt.ts';

export type { Strings } from './screen-ja.ts';

export const STRINGS: Readonly<Record<Language, Strings>> = { ja, 'ja-x-easy': easy, en, zh, ko, vi, pt };

/**
 * The level phrase and its action line in languages the contract does not carry (ja, easy ja and
 * en come from LEVELS): both in the screen's language (a Korean screen once showed the English
 * action line, cut off), short enough for one line of the alert screen.
 */
export const LEVEL_PHRASES: Readonly<Partial<Record<Language, Record<3 | 4 | 5, { phrase: string; action: string }>>>> =
  {
    zh: {
      3: { phrase: '老年人等避难', action: '老年人等请从危险场所避难' },
      4: { phrase: '避难指示', action: '所有人从危险场所避难' },
      5: { phrase: '紧急安全确保', action: '生命危险 立即确保安全！' },
    },
    ko: {
      3: { phrase: '고령자 등 피난', action: '위험한 곳에서 고령자 등은 피난' },
      4: { phrase: '피난 지시', action: '위험한 곳에서 전원 피난' },
      5: { phrase: '긴급 안전 확보', action: '생명의 위험 즉시 안전 확보!' },
    },
    vi: {
      3: { phrase: 'Người cao tuổi v.v. sơ tán', action: 'Người cao tuổi v.v. rời khỏi nơi nguy hiểm' },
      4: { phrase: 'Lệnh sơ tán', action: 'Mọi người rời khỏi nơi nguy hiểm' },
      5: { phrase: 'Đảm bảo an toàn khẩn cấp', action: 'Nguy hiểm tính mạng: lập tức bảo vệ an toàn!' },
    },
    pt: {
      3: { phrase: 'Evacuação de idosos etc.', action: 'Idosos e outros: saiam de locais perigosos' },
      4: { phrase: 'Ordem de evacuação', action: 'Todos devem sair de locais perigosos' },
      5: { phrase: 'Garanta sua segurança já', action: 'Perigo de vida: proteja-se imediatamente!' },
    },
  };

/** Language names as their speakers write them (the language menu shows each in its own script). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  ja: '日本語',
  'ja-x-easy': 'やさしい にほんご',
  en: 'English',
  zh: '中文',
  ko: '한국어',
  vi: 'Tiếng Việt',
  pt: 'Português',
};

/**
 * The SDK's `Language` holds these tables and the TV's own language (the active profile's): the
 * screens in the TV's language (Settings, the card screens' titles) read it with `tvText`. It holds
 * one language at a time, so the alert screen, drawn in each recipient's language on a TV shared by
 * residents of different languages, reads its recipient's table with `stringsFor` instead.
 */
SdkLanguage.translations({ ...STRINGS, meta: { default: 'ja', names: LANGUAGE_NAMES } });

/** The TV's own language changed (start-up, a setting, another profile). */
export function useTvLanguage(lang: Language): void {
  if (SdkLanguage.get() !== lang) void SdkLanguage.set(lang);
}

/** A word in the TV's language (the SDK's `Language.translate`, `{x}` filled from `values`). */
export function tvText(key: keyof Strings, values?: Record<string, string | number>): string {
  return values ? SdkLanguage.translate(key, values) : SdkLanguage.translate(key);
}

/** The languages the TV offers, each named in its own script, in menu order. */
export function tvLanguages(): { code: Language; name: string }[] {
  return SdkLanguage.available() as { code: Language; name: string }[];
}

export function fmt(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

export function stringsFor(lang: Language): Strings {
  return STRINGS[lang] ?? ja;
}
