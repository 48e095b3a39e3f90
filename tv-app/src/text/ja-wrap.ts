/**
 * Japanese line breaking for Lightning. Lightning's wrapText breaks only at spaces and U+200B
 * (docs/PLATFORM.md, "Japanese text in Lightning"), so Japanese would run off the box.
 * We mark break opportunities with U+200B between word segments (Intl.Segmenter), following
 * the basic 禁則 rules of JIS X 4051:
 * no line starts with closing punctuation, the long-vowel mark or small kana, and no line
 * ends with an opening bracket. Like a phrase (文節) breaker, a segment that starts with
 * hiragana (particles, okurigana, endings: に・して・ください) stays with the word before it,
 * unless that would leave a run too long to fit.
 */
const ZWSP = '\u200B';
// Characters that may not start a line (行頭禁則).
const NO_START = new Set([
  ...'、。，．,.・：；？！!?)）」』】〕〉》〙〗ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〜…‥',
]);
// Characters that may not end a line (行末禁則).
const NO_END = new Set([...'（(「『【〔〈《〘〖']);

const CJK = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const HIRAGANA = /^[\u3041-\u309f]/;
/** After this many characters without a break, hiragana may start a line after all. */
const MAX_RUN = 10;

let segmenter: Intl.Segmenter | null | undefined;
function getSegmenter(): Intl.Segmenter | null {
  if (segmenter === undefined) {
    segmenter =
      typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter('ja', { granularity: 'word' }) : null;
  }
  return segmenter;
}

/** Insert U+200B at allowed break points of CJK text; leaves ASCII-only text untouched. */
export function zwsp(text: string): string {
  if (!CJK.test(text)) return text;
  const seg = getSegmenter();
  // Without Intl.Segmenter (old boxes): allow a break between any two CJK characters.
  const parts = seg ? Array.from(seg.segment(text), (s) => s.segment) : Array.from(text);
  let out = '';
  let run = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i > 0) {
      const prev = out[out.length - 1] ?? '';
      const next = part[0] ?? '';
      const breakable =
        prev !== ' ' &&
        next !== ' ' &&
        prev !== ZWSP &&
        !NO_START.has(next) &&
        !NO_END.has(prev) &&
        (CJK.test(prev) || CJK.test(next)) &&
        (!HIRAGANA.test(next) || run + part.length > MAX_RUN);
      if (breakable) {
        out += ZWSP;
        run = 0;
      }
    }
    out += part;
    run = part.includes(' ') ? part.length - part.lastIndexOf(' ') - 1 : run + part.length;
  }
  return out;
}
