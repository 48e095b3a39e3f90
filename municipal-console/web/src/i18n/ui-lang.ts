/** The page's language (Japanese or English), kept across visits, and who redraws when it changes. */
export type UiLang = 'ja' | 'en';

let current: UiLang = (() => {
  try {
    return localStorage.getItem('kz-console-lang') === 'en' ? 'en' : 'ja';
  } catch {
    return 'ja';
  }
})();
const listeners = new Set<() => void>();
export const lang = () => current;
export function setLang(l: UiLang) {
  current = l;
  try {
    localStorage.setItem('kz-console-lang', l);
  } catch {
    /* private mode */
  }
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export const onLang = (f: () => void) => {
  listeners.add(f);
  return () => listeners.delete(f);
};

/** A word in both languages: [Japanese, English]. */
export type Words = [string, string];

/** The word of a [Japanese, English] pair in the page's language. */
export const pick = <T>(pair: [T, T]) => pair[current === 'ja' ? 0 : 1];
