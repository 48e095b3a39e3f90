/**
 * The card, post-box and My-information screens speak all seven languages of Settings (issue 5):
 * every language has every key of the Japanese reference, the same {placeholders} in each text,
 * no text left in English (or, for easy Japanese, copied unchanged from Japanese where the
 * Japanese is hard), and each language's words arrive through loadFlowStrings.
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '@kizuna/contract/levels';
import { flowStrings, formatDate, loadFlowStrings, type FlowStrings } from '../src/i18n/flow-strings.ts';

const placeholders = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

async function all(): Promise<Record<Language, FlowStrings>> {
  for (const l of LANGUAGES) expect(await loadFlowStrings(l), l).toBe(true);
  return Object.fromEntries(LANGUAGES.map((l) => [l, flowStrings(l)])) as Record<Language, FlowStrings>;
}

/** Texts that may read the same as English in another language (a format or a key label). */
const SAME_AS_EN = new Set(['keyOk', 'disclosure', 'listSep', 'errorCode']);
/** The script each language's texts must be written in (at least one such character per text with letters). */
const SCRIPT: Partial<Record<Language, RegExp>> = {
  zh: /[\u4e00-\u9fff]/,
  ko: /[\uac00-\ud7af]/,
  vi: /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i,
};

describe('card screens in every language', () => {
  it('every language has exactly the Japanese keys, non-empty, with the same placeholders', async () => {
    const words = await all();
    const keys = Object.keys(words.ja).sort();
    for (const l of LANGUAGES) {
      const w = words[l];
      expect(Object.keys(w).sort(), l).toEqual(keys);
      for (const k of keys) {
        const t = w[k as keyof FlowStrings];
        expect(t.trim().length, `${l}.${k}`).toBeGreaterThan(0);
        expect(placeholders(t), `${l}.${k}: ${t}`).toEqual(placeholders(words.ja[k as keyof FlowStrings]));
      }
    }
  });

  it('nothing is left in English, and each language uses its own script', async () => {
    const words = await all();
    for (const l of ['ja', 'ja-x-easy', 'zh', 'ko', 'vi', 'pt'] as const) {
      const untranslated = Object.keys(words.en).filter(
        (k) => !SAME_AS_EN.has(k) && words[l][k as keyof FlowStrings] === words.en[k as keyof FlowStrings],
      );
      expect(untranslated, l).toEqual([]);
      const script = SCRIPT[l];
      if (!script) continue;
      const off = Object.entries(words[l]).filter(
        ([k, t]) => !SAME_AS_EN.has(k) && /\p{L}/u.test(t.replace(/\{\w+\}/g, '')) && !script.test(t),
      );
      // Vietnamese words without tone marks exist ("OK", "Thôi" has one): allow a few short labels.
      expect(off.length, `${l}: ${off.map(([k]) => k).join(', ')}`).toBeLessThanOrEqual(l === 'vi' ? 3 : 0);
    }
  });

  it('easy Japanese rewrites the long explanations rather than copying the Japanese', async () => {
    const words = await all();
    const long = Object.keys(words.ja).filter((k) => words.ja[k as keyof FlowStrings].length > 30);
    const copied = long.filter((k) => words['ja-x-easy'][k as keyof FlowStrings] === words.ja[k as keyof FlowStrings]);
    expect(long.length).toBeGreaterThan(20);
    expect(copied).toEqual([]);
  });

  it('Portuguese and Vietnamese read as themselves, and dates follow the language (Japan time)', async () => {
    const words = await all();
    expect(words.pt.postboxTitle).toBe('Caixa postal');
    expect(words.vi.postboxTitle).toBe('Hộp thư');
    expect(formatDate('2026-11-23T01:05:00Z', 'ja')).toBe('2026年11月23日 10:05');
    expect(formatDate('2026-11-23T01:05:00Z', 'en')).toBe('23 Nov 2026, 10:05');
    expect(formatDate('2026-11-23T01:05:00Z', 'zh', false)).toBe('2026年11月23日');
    expect(formatDate('2026-11-23T01:05:00Z', 'ko', false)).toBe('2026년 11월 23일');
    expect(formatDate('not a date', 'pt')).toBe('not a date');
  });
});
