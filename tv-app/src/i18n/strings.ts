/**
 * On-screen words in the seven languages residents can choose (contract LANGUAGES).
 * Alert content itself (headline, instruction) comes rendered by the console; these are the
 * TV's own labels: Japanese (the reference, with the Strings type) in screen-ja.ts, the others in
 * screen-words/. All of them are imported eagerly, unlike the card screens' words: an alert must
 * show at once in each resident's language, whatever the TV's own setting.
 * `{x}` marks a value filled in by `fmt`.
 */
import type { Language } from '@kizuna/contract/levels';
import { ja, type Strings } from './screen-ja.ts';
import { easy } from './screen-words/words-ja-easy.ts';
import { en } from './screen-words/words-en.ts';
import { zh } from './screen-words/words-zh.ts';
import { ko } from './screen-words/words-ko.ts';
import { vi } from './screen-words/words-vi.ts';
import { pt } from './screen-words/words-pt.ts';

export type { Strings } from './screen-ja.ts';

export const STRINGS: Readonly<Record<Language, Strings>> = { ja, 'ja-x-easy': easy, en, zh, ko, vi, pt };

/** The level phrases in languages the contract does not carry (ja, easy ja and en come from LEVELS). */
export const LEVEL_PHRASES: Readonly<Partial<Record<Language, Record<3 | 4 | 5, string>>>> = {
  zh: { 3: '老年人等避难', 4: '避难指示', 5: '紧急安全确保' },
  ko: { 3: '고령자 등 피난', 4: '피난 지시', 5: '긴급 안전 확보' },
  vi: { 3: 'Người cao tuổi v.v. sơ tán', 4: 'Lệnh sơ tán', 5: 'Đảm bảo an toàn khẩn cấp' },
  pt: { 3: 'Evacuação de idosos etc.', 4: 'Ordem de evacuação', 5: 'Garanta sua segurança já' },
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

export function fmt(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

export function stringsFor(lang: Language): Strings {
  return STRINGS[lang] ?? ja;
}
