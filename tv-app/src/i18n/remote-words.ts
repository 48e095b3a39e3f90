/**
 * The words of the remote's key hints, the banner of an alert left unanswered, and what happens
 * after 「助けが必要です」 (issue 18, item 8), in the seven languages: Japanese and English here,
 * each other language a chunk of its own (remote-words/words-remote-*.ts) loaded for the TV's
 * language at start and for each recipient's language when an alert arrives — long before an
 * answer brings up the after-help words. Until a chunk is there (or if it cannot load), easy
 * Japanese falls back to Japanese and the others to English. `{x}`: filled by `fmt`.
 */
import type { Language } from '@kizuna/contract/levels';
import type { RemoteWords } from './remote-words/remote-type.ts';

export type { RemoteWords } from './remote-words/remote-type.ts';

export const ja: RemoteWords = {
  keyOk: '決定',
  keyBlue: '青ボタン',
  hintMove: '選ぶ',
  hintOpen: '開く',
  hintAlert: '避難情報を開く',
  banner: '{alert}　まだ返事がありません。{key}で開きます',
  helpTold: '{names}：助けが必要なことを市に伝えました。',
  helpStay: '安全な所で待ってください。危ないときは2階など高い所へ。',
  helpCall: '電話できるときは{city}119番へ。',
  helpCity: '市役所（{phone}）か',
};

export const en: RemoteWords = {
  keyOk: 'OK',
  keyBlue: 'blue',
  hintMove: 'choose',
  hintOpen: 'open',
  hintAlert: 'open the alert',
  banner: '{alert} — not answered yet. Press {key} to open it',
  helpTold: 'The city has been told who needs help: {names}.',
  helpStay: 'Wait where it is safe. If danger comes, go to a higher floor.',
  helpCall: 'If you can call: {city}119.',
  helpCity: 'the city office {phone} or ',
};

const loaded: Partial<Record<Language, RemoteWords>> = { ja, en };

/** One chunk per language (Vite splits each import()); names start with words-remote- (the bench counts the largest). */
const chunks: Record<Exclude<Language, 'ja' | 'en'>, () => Promise<{ default: RemoteWords }>> = {
  'ja-x-easy': () => import('./remote-words/words-remote-ja-easy.ts'),
  zh: () => import('./remote-words/words-remote-zh.ts'),
  ko: () => import('./remote-words/words-remote-ko.ts'),
  vi: () => import('./remote-words/words-remote-vi.ts'),
  pt: () => import('./remote-words/words-remote-pt.ts'),
};

/** The words for `lang` if loaded; else Japanese for easy Japanese, English for the others. */
export function remoteWords(lang: Language): RemoteWords {
  return loaded[lang] ?? (lang === 'ja-x-easy' ? ja : en);
}

/** Whether a language's words are here (no fetch, no redraw needed). */
export function hasRemoteWords(lang: Language): boolean {
  return !!loaded[lang];
}

/** Fetch a language's words; false when they could not be loaded (the fallback then stands in). */
export async function loadRemoteWords(lang: Language): Promise<boolean> {
  if (loaded[lang]) return true;
  try {
    loaded[lang] = (await chunks[lang as keyof typeof chunks]()).default;
    return true;
  } catch {
    return false;
  }
}
