/** The register extract CSV in the staff's words: its columns, and what is wrong with a line. */
import { langName } from './names.ts';
import { lang, pick } from './ui-lang.ts';

/** Columns of the register extract CSV, as staff call them. */
export const REGISTER_FIELDS: Record<string, [string, string]> = {
  id: ['住民番号', 'resident ID'],
  familyName: ['氏', 'family name'],
  givenName: ['名', 'given name'],
  familyKana: ['氏（カナ）', 'family name (kana)'],
  givenKana: ['名（カナ）', 'given name (kana)'],
  address: ['住所', 'address'],
  birthDate: ['生年月日', 'birth date'],
  sex: ['性別', 'sex'],
  language: ['言語', 'language'],
  needsHelp: ['要支援', 'needs help'],
  supporter: ['支援者', 'supporter'],
  phone: ['電話番号', 'phone'],
  household: ['世帯番号', 'household'],
  zone: ['地区', 'zone'],
  lat: ['緯度', 'latitude'],
  lon: ['経度', 'longitude'],
  careNeeds: ['配慮事項', 'care needs'],
  familyNameLatin: ['氏（アルファベット）', 'family name (alphabet)'],
  givenNameLatin: ['名（アルファベット）', 'given name (alphabet)'],
};
export const registerFieldName = (f: string | undefined) =>
  f ? (REGISTER_FIELDS[f] ? pick(REGISTER_FIELDS[f]!) : f) : '';

/**
 * One problem of one line of the register extract, from its code (server REGISTER_ROW_PROBLEMS)
 * and parameters: {field} the column in words, {column} its header name, {value}, {expected}, {line}.
 */
const ROW_PROBLEMS: Record<string, [string, string]> = {
  'csv-unreadable': [
    'CSVとして読み取れません（{line}行目付近）。引用符（"）の閉じ忘れなどがないか確認してください。',
    'The file cannot be read as CSV (near line {line}). Check for an unclosed quote (").',
  ],
  'missing-column': [
    '見出し行に「{field}」の列（{column}）がありません。',
    'The header row lacks the {field} column ({column}).',
  ],
  'no-data-rows': ['データの行がありません（見出し行だけです）。', 'There are no data rows (only the header row).'],
  'field-count': [
    '項目の数が{value}個あります。見出し行は{expected}個です。',
    'This line has {value} fields; the header row has {expected}.',
  ],
  'duplicate-id': [
    '住民番号「{value}」が{expected}行目と重複しています。',
    'Resident ID "{value}" repeats line {expected}.',
  ],
  required: ['{field}が空欄です。', '{field} is empty.'],
  'too-long': ['{field}が長すぎます（{expected}文字まで）。', '{field} is too long ({expected} characters at most).'],
  'bad-id': [
    '{field}「{value}」に使えない文字があります（半角英数字と「_」「-」で64文字まで）。',
    '{field} "{value}" may only contain letters, digits, "_" and "-" (up to 64).',
  ],
  'bad-date': [
    '{field}「{value}」は正しい日付ではありません（例：1950-04-01）。',
    '{field} "{value}" is not a real date (e.g. 1950-04-01).',
  ],
  'bad-sex': [
    '{field}「{value}」は使えません。1（男性）、2（女性）、3（不明）のいずれかにしてください。',
    '{field} "{value}" must be 1 (male), 2 (female) or 3 (unknown).',
  ],
  'bad-language': [
    '{field}「{value}」には対応していません。{expected}のいずれかにしてください。',
    '{field} "{value}" is not supported; use one of {expected}.',
  ],
  'bad-boolean': [
    '{field}「{value}」は使えません。「はい」か「いいえ」（1 か 0 でも可）にしてください。',
    '{field} "{value}" must be true or false (or yes/no, 1/0).',
  ],
  'not-a-number': ['{field}「{value}」は数値ではありません。', '{field} "{value}" is not a number.'],
  'out-of-range': [
    '{field}「{value}」は範囲外です（-{expected}〜{expected}）。',
    '{field} "{value}" is out of range (-{expected} to {expected}).',
  ],
  'date-out-of-range': [
    '{field}「{value}」は範囲外です（{expected}）。',
    '{field} "{value}" is out of range ({expected}).',
  ],
  'nul-character': [
    '{field}に使えない制御文字（NUL）が含まれています。元のファイルを確かめてください。',
    '{field} contains a NUL control character. Check the original file.',
  ],
  'lat-lon-together': [
    '{field}がありません。緯度と経度は両方入れるか、両方空欄にしてください。',
    '{field} is missing: give both latitude and longitude, or neither.',
  ],
  'unknown-zone': ['{field}「{value}」は登録されていません。', '{field} "{value}" does not exist.'],
  'bad-care-needs': ['{field}「{value}」は使えません。', '{field} "{value}" is not allowed.'],
  'latin-name-together': [
    '{field}がありません。アルファベット氏名は姓と名を両方入れるか、両方空欄にしてください。',
    '{field} is missing: give both parts of the name in alphabet (family and given), or neither.',
  ],
};
export interface RowError {
  code: string;
  line: number;
  field?: string;
  value?: string;
  expected?: string;
  message: string;
}
export function rowProblemText(e: RowError): string {
  const words = ROW_PROBLEMS[e.code];
  if (!words) return e.message; // a code newer than this page: the server's English is better than nothing
  const expected =
    e.code === 'bad-language' && e.expected
      ? e.expected
          .split(',')
          .map((l) => (lang() === 'ja' ? `${l}（${langName(l)}）` : `${l} (${langName(l)})`))
          .join(lang() === 'ja' ? '、' : ', ')
      : (e.expected ?? '');
  const vars: Record<string, string | number> = {
    field: registerFieldName(e.field),
    column: e.field ?? '',
    value: e.value ?? '',
    expected,
    line: e.line,
  };
  const text = pick(words).replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
  return lang() === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
