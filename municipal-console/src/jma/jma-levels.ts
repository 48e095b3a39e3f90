/**
 * JMA kinds → 警戒レベル相当 (the evacuation level an official JMA product corresponds to), from the
 * Cabinet Office's guidelines: 内閣府（防災担当）「避難情報に関するガイドライン」令和3年5月, the table
 * of 警戒レベルと警戒レベル相当情報 (p. 9–10 and 参考資料). Kizuna issues levels 3–5 only, so a kind
 * at level 2 (大雨注意報, 洪水注意報, 高潮注意報, 氾濫注意情報) or without a level (大雨警報（浸水害）,
 * 暴風警報, …) suggests nothing. docs/PROTOCOL.md "JMA disaster XML" prints this table.
 */
import type { EvacuationLevel, Hazard } from '@kizuna/contract';
import type { JmaDocKind, JmaEntry } from './jma-document.ts';

export interface LevelMatch {
  level: EvacuationLevel;
  hazard: Hazard;
}

export interface MappingRow {
  doc: JmaDocKind;
  kind: string;
  /** When the row applies beyond the kind's name (a note the Kind carries). */
  when?: string;
  level: EvacuationLevel;
  hazards: Hazard[];
}

/** The rows, in the guideline's order within each document; the doc table is written from them. */
export const JMA_LEVEL_TABLE: MappingRow[] = [
  {
    doc: 'weather-warning',
    kind: '大雨特別警報',
    when: 'note 土砂災害 →landslide, 浸水 →flood; neither: both',
    level: 5,
    hazards: ['landslide', 'flood'],
  },
  { doc: 'weather-warning', kind: '高潮特別警報', level: 4, hazards: ['storm-surge'] },
  { doc: 'weather-warning', kind: '高潮警報', level: 4, hazards: ['storm-surge'] },
  {
    doc: 'weather-warning',
    kind: '大雨警報',
    when: 'note 土砂災害警戒 (大雨警報（土砂災害）)',
    level: 3,
    hazards: ['landslide'],
  },
  { doc: 'weather-warning', kind: '洪水警報', level: 3, hazards: ['flood'] },
  {
    doc: 'weather-warning',
    kind: '高潮注意報',
    when: 'note 警報に切り替える可能性',
    level: 3,
    hazards: ['storm-surge'],
  },
  { doc: 'landslide', kind: '警戒', level: 4, hazards: ['landslide'] },
  { doc: 'river-flood', kind: '氾濫発生情報', level: 5, hazards: ['flood'] },
  { doc: 'river-flood', kind: '氾濫危険情報', level: 4, hazards: ['flood'] },
  { doc: 'river-flood', kind: '氾濫警戒情報', level: 3, hazards: ['flood'] },
];

/** Statuses that say the kind is no longer in force: such an entry suggests nothing. */
const LIFTED = new Set(['解除', 'なし', '発表警報・注意報はなし']);

const noted = (e: JmaEntry, word: string) => e.notes.some((n) => n.includes(word));

/** What one entry corresponds to (nothing, or one level per hazard). */
export function levelsOf(doc: JmaDocKind, e: JmaEntry): LevelMatch[] {
  if (LIFTED.has(e.status)) return [];
  const row = JMA_LEVEL_TABLE.find((r) => r.doc === doc && r.kind === e.name);
  if (!row) return [];
  if (row.kind === '大雨特別警報') {
    const hazards: Hazard[] = [
      ...(noted(e, '土砂') ? (['landslide'] as const) : []),
      ...(noted(e, '浸水') ? (['flood'] as const) : []),
    ];
    return (hazards.length ? hazards : row.hazards).map((hazard) => ({ level: row.level, hazard }));
  }
  if (row.kind === '大雨警報' && !noted(e, '土砂災害')) return [];
  if (row.kind === '高潮注意報' && !noted(e, '警報に切り替える可能性')) return [];
  return row.hazards.map((hazard) => ({ level: row.level, hazard }));
}
