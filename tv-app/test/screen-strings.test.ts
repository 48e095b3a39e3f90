/**
 * Every string a screen uses, in all seven languages (issue 18, item 6): the TV's own screen
 * words (alert screen, Home, Settings, end screens, errors: i18n/screen-*.ts) and the level
 * phrase with its action line. The card screens' words have their own test (flow-strings.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGES, LEVELS } from '@kizuna/contract/levels';
import { STRINGS, type Strings } from '../src/i18n/strings.ts';
import { levelPhrase, shelterText } from '../src/view-models.ts';

const placeholders = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Texts that may read the same as English in another language (names, formats, key labels). */
const SAME_AS_EN = new Set(['appTitle', 'keyOk']);
/** Words that are the same in English and Portuguese. */
const SAME_IN_PT = new Set(['sizeNormal']);
/** English Home line names no phrase: English has no short level phrase (its phrase is the action sentence). */
const EN_WITHOUT = new Set(['homeLifted', 'liftedPhrase']);
const SCRIPT = {
  ja: /[\u3040-\u30ff\u4e00-\u9fff]/,
  'ja-x-easy': /[\u3040-\u30ff]/,
  zh: /[\u4e00-\u9fff]/,
  ko: /[\uac00-\ud7af]/,
  vi: /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i,
  pt: /[a-zà-ú]/i,
  en: /[a-z]/i,
} as const;

describe('the screens in every language', () => {
  it('every language has exactly the Japanese keys, non-empty, with the same placeholders', () => {
    const keys = Object.keys(STRINGS.ja).sort();
    for (const l of LANGUAGES) {
      const w = STRINGS[l];
      expect(Object.keys(w).sort(), l).toEqual(keys);
      for (const k of keys) {
        const t = w[k as keyof Strings];
        expect(t.trim().length, `${l}.${k}`).toBeGreaterThan(0);
        const want = placeholders(STRINGS.ja[k as keyof Strings]);
        expect(placeholders(t), `${l}.${k}: ${t}`).toEqual(
          l === 'en' && EN_WITHOUT.has(k) ? want.filter((p) => p !== 'phrase') : want,
        );
      }
    }
  });

  it('nothing is left in English, and each language uses its own script', () => {
    for (const l of ['ja', 'ja-x-easy', 'zh', 'ko', 'vi', 'pt'] as const) {
      const untranslated = Object.keys(STRINGS.en).filter(
        (k) =>
          !SAME_AS_EN.has(k) &&
          !(l === 'pt' && SAME_IN_PT.has(k)) &&
          /\p{L}{3}/u.test(STRINGS.en[k as keyof Strings]) &&
          STRINGS[l][k as keyof Strings] === STRINGS.en[k as keyof Strings],
      );
      expect(untranslated, l).toEqual([]);
      if (l === 'pt') continue;
      const off = Object.entries(STRINGS[l]).filter(
        ([k, t]) => !SAME_AS_EN.has(k) && /\p{L}/u.test(t.replace(/\{\w+\}/g, '')) && !SCRIPT[l].test(t),
      );
      // Vietnamese words without tone marks exist ("OK", "Tivi"): allow short labels only.
      expect(
        off.filter(([, t]) => l !== 'vi' || t.length > 12).map(([k, t]) => `${k}: ${t}`),
        l,
      ).toEqual([]);
    }
  });

  it('the level phrase and its action line are in the screen language, never English', () => {
    for (const l of LANGUAGES) {
      for (const level of [3, 4, 5] as const) {
        const { phrase, action } = levelPhrase(level, l);
        expect(phrase.trim().length, `${l} ${level} phrase`).toBeGreaterThan(0);
        if (l === 'en') continue;
        expect(action.trim().length, `${l} ${level} action`).toBeGreaterThan(0);
        expect(action, `${l} ${level} action`).not.toBe(LEVELS[level].english);
        // The official phrase stays in kanji on the easy-Japanese screen; its action line is kana.
        const phraseScript = l === 'ja-x-easy' ? SCRIPT.ja : SCRIPT[l];
        expect(phraseScript.test(phrase) && SCRIPT[l].test(action), `${l} ${level}: ${phrase} / ${action}`).toBe(true);
        if (l === 'pt' || l === 'vi')
          expect(/\b(the|must|everyone|people|danger)\b/i.test(phrase + ' ' + action), `${l} ${level}: ${action}`).toBe(
            false,
          );
      }
    }
  });
});

describe('places in the screen language (issue 18, item 5)', () => {
  const sh = {
    id: 'sh-1',
    name: '絆市立第一小学校',
    address: '絆市山手一丁目2番3号',
    nameLatin: 'Kizuna City Daiichi Elementary School',
    addressLatin: '1-2-3 Yamate, Kizuna City',
  };
  it('uses the romanised or translated name and address on Latin-alphabet and Korean screens', () => {
    for (const l of ['en', 'pt', 'vi', 'ko'] as const)
      expect(shelterText(sh, l), l).toEqual({ name: sh.nameLatin, address: sh.addressLatin });
    for (const l of ['ja', 'ja-x-easy', 'zh'] as const)
      expect(shelterText(sh, l), l).toEqual({ name: sh.name, address: sh.address });
    expect(shelterText({ id: 'sh-2', name: '公民館', address: '絆市' }, 'en')).toEqual({
      name: '公民館',
      address: '絆市',
    });
  });
});
