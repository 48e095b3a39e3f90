/**
 * Line breaking for Japanese (and Chinese) in Lightning. Lightning's wrapText breaks only at
 * spaces and U+200B (docs/PLATFORM.md, "Japanese text in Lightning"), so we mark where a line
 * may break with U+200B:
 *
 * - Japanese (any kana in the text): between phrases (文節) as BudouX finds them (npm `budoux`,
 *   its Japanese model), so no line breaks inside a word, a name or an address number
 *   (「絆市山手1丁目8番10号」「保険会社」「マイナンバー」「（個人番号）」 stay whole). The model is
 *   BudouX's own made small for the bundle (ja-phrase-model.ts, scripts/budoux-ja-model.mjs). A phrase
 *   longer than a line may also break before an opening bracket and after a closing one.
 * - Chinese and kanji-only text (no kana): between any two characters, as Chinese sets it.
 * - Always the basic 禁則 of JIS X 4051: no line starts with closing punctuation, the long-vowel
 *   mark or small kana, and no line ends with an opening bracket.
 *
 * The applet and the console's TV preview (the same bundle in preview mode) both use this.
 */
import { Parser } from 'budoux';
import { DROPPED, MODEL, STEP } from './ja-phrase-model.ts';

const ZWSP = '\u200B';
// Characters that may not start a line (行頭禁則).
const NO_START = new Set([
  ...'、。，．,.・：；？！!?)）」』】〕〉》〙〗ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〜…‥',
]);
// Characters that may not end a line (行末禁則).
const NO_END = new Set([...'（(「『【〔〈《〘〖']);
const OPENING = new Set([...'（(「『【〔〈《']);
const CLOSING = new Set([...'）)」』】〕〉》']);

const CJK = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const KANA = /[\u3041-\u30ff]/;
/** A phrase longer than this may break at its brackets too. */
const LONG_PHRASE = 14;

let parser: Parser | undefined;

/** BudouX's model object from the compact form (ja-phrase-model.ts). */
function model(): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of MODEL.split('\n')) {
    const [name, ...pairs] = line.split('\t');
    const group: Record<string, number> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) group[pairs[i]!] = parseInt(pairs[i + 1]!, 36) * STEP;
    out[name!] = group;
  }
  // A feature no text matches carries what was dropped, so the base score is the full model's.
  (out.UW1 ??= {})['\u0000'] = DROPPED;
  return out;
}

/** Insert U+200B at allowed break points of CJK text; leaves text without CJK untouched. */
export function zwsp(text: string): string {
  if (!CJK.test(text)) return text;
  if (!KANA.test(text)) return join(Array.from(text));
  parser ??= new Parser(model());
  // BudouX reads runs between spaces (Lightning breaks at spaces already).
  return text
    .split(' ')
    .map((run) => (CJK.test(run) ? join(parser!.parse(run).flatMap(splitLong)) : run))
    .join(' ');
}

/** A long phrase split before an opening bracket and after a closing one (never inside the brackets' words). */
function splitLong(phrase: string): string[] {
  if (phrase.length <= LONG_PHRASE) return [phrase];
  const out: string[] = [];
  let cur = '';
  for (const ch of phrase) {
    if (cur && (OPENING.has(ch) || CLOSING.has(cur[cur.length - 1]!))) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** Join pieces with U+200B where a line may break between them (禁則 and only beside CJK). */
function join(parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (!part) continue;
    const prev = out[out.length - 1];
    const next = part[0]!;
    if (
      prev !== undefined &&
      prev !== ' ' &&
      next !== ' ' &&
      !NO_START.has(next) &&
      !NO_END.has(prev) &&
      (CJK.test(prev) || CJK.test(next)) &&
      // not inside a run of Latin letters or digits ("8番10号" is one phrase already; "A4" stays whole)
      !(/[\p{L}\p{N}]/u.test(prev) && /[\p{L}\p{N}]/u.test(next) && !CJK.test(prev) && !CJK.test(next))
    ) {
      out += ZWSP;
    }
    out += part;
  }
  return out;
}
