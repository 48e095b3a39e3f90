/**
 * Where a CAP import's evacuation level (警戒レベル) is read from (issue 20; docs/PROTOCOL.md "CAP 1.2
 * profile"). A <parameter> or an <eventCode> whose valueName is one of LEVEL_NAMES carries it, its
 * value written as a digit (half- or full-width, "4", "４"), as "レベル4" / "警戒レベル4" / "Level 4",
 * or as the name of the evacuation information that level stands for since the May 2021 revision of
 * the Cabinet Office guidelines (避難情報に関するガイドライン): 高齢者等避難 = 3, 避難指示 = 4,
 * 緊急安全確保 = 5. Anything else leaves the level unknown: the import becomes a draft that asks staff.
 */
import type { EvacuationLevel } from '@kizuna/contract';

/** The valueNames that carry the level, in a <parameter> or an <eventCode>. */
export const LEVEL_NAMES = ['EvacuationLevel', '警戒レベル', '避難情報', '発令区分'];

/** The evacuation information each level is issued as (Cabinet Office guidelines, 2021). */
export const LEVEL_WORDS: Record<string, EvacuationLevel> = {
  高齢者等避難: 3,
  避難指示: 4,
  緊急安全確保: 5,
};

/** A level value as written: its number (any, so 1 or 2 can be refused by name), or undefined if none is there. */
export function levelNumber(value: string): number | undefined {
  const v = value.normalize('NFKC').trim();
  // "避難指示" or "警戒レベル4：避難指示": the name of the information decides
  const word = Object.keys(LEVEL_WORDS).find((w) => v.includes(w));
  if (word) return LEVEL_WORDS[word];
  const m = /^(?:(?:警戒)?レベル|level)?\s*(\d+)$/i.exec(v);
  return m ? Number(m[1]) : undefined;
}
