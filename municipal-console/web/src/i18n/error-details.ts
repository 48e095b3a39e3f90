/** Errors whose words depend on their details: why a staff card or a CAP import was refused, a named field. */
import { en, ja } from './dictionary.ts';
import type { Words } from './ui-lang.ts';

/** Why a staff card was refused (jpki FAILURE_REASONS, the details.reason of KZ_CONSOLE_CARD_REFUSED). */
export const CARD_REFUSALS: Record<string, Words> = {
  'bad-signature': [
    'カードの署名を確認できませんでした。もう一度お試しください。',
    'The card’s signature did not verify. Try again.',
  ],
  'content-tampered': [
    '署名した内容が途中で変わっています。もう一度お試しください。',
    'What the card signed was changed on the way. Try again.',
  ],
  'unknown-issuer': [
    'このカードの証明書は、信頼できる認証局が発行したものではありません。',
    'The card’s certificate was not issued by a trusted authority.',
  ],
  'wrong-certificate-type': [
    'このカードの証明書は、ログインに使えない種類です。',
    'The card’s certificate is of a kind that cannot log in.',
  ],
  expired: [
    'カードの証明書の有効期限が切れています。市区町村の窓口で更新してください。パスワードでもログインできます。',
    'The card’s certificate has expired; renew it at the municipal office. You can also log in with your password.',
  ],
  'not-yet-valid': [
    'カードの証明書はまだ有効になっていません。しばらくしてからもう一度お試しください。',
    'The card’s certificate is not valid yet. Try again later.',
  ],
  revoked: [ja.cardRevoked, en.cardRevoked],
  'status-unknown': [ja.cardStatus, en.cardStatus],
  malformed: [
    'カードから読み取ったデータが正しくありません。カードを置き直して、もう一度お試しください。',
    'What was read from the card is malformed. Put the card on the reader again and retry.',
  ],
  'challenge-replayed': [
    'このログインの確認はすでに使われています。もう一度ログインしてください。',
    'This login check was already used. Log in again.',
  ],
  'challenge-expired': [
    'ログインの確認の期限（2分）が切れました。もう一度ログインしてください。',
    'The login check expired (2 minutes). Log in again.',
  ],
};

/** With a named field: KZ_VALIDATION (details.field from the schema check) and CAP's element. */
export const FIELD_ERRORS: Record<string, Words> = {
  KZ_VALIDATION: [
    '「{field}」の値が正しくありません。確かめて、もう一度お試しください。',
    'The value of “{field}” is invalid. Check it and try again.',
  ],
  FST_ERR_VALIDATION: [
    '「{field}」の値が正しくありません。確かめて、もう一度お試しください。',
    'The value of “{field}” is invalid. Check it and try again.',
  ],
  KZ_BAD_INPUT: [
    '「{field}」に使えない制御文字（NUL）が含まれています。',
    '“{field}” contains a NUL control character.',
  ],
  KZ_CONSOLE_BAD_RESIDENT: ['住民の情報の「{field}」に誤りがあります。', 'The resident’s {field} is invalid.'],
  KZ_CONSOLE_CAP_INVALID: [
    'CAP 1.2 の {path} に誤りがあるため、取り込んでいません。',
    'The CAP 1.2 document is invalid at {path}; nothing was imported.',
  ],
};

export const CAP_NOT_XML: Words = [
  'CAP 1.2 の XML として読み取れないため、取り込んでいません。貼り付けた内容やファイルを確認してください。',
  'This is not a readable CAP 1.2 XML document; nothing was imported. Check what was pasted or the file.',
];

/** A refused CAP import's words: that nothing was imported, then why. */
const capWords = (ja: string, en: string): Words => [
  `CAP 1.2 を取り込んでいません。${ja}`,
  `Nothing was imported: ${en}`,
];

/** Why a CAP import was refused (server CAP_REFUSALS, details.reason), with the element's path and what was found. */
export const CAP_REFUSAL_WORDS: Record<string, Words> = {
  'not-xml': CAP_NOT_XML,
  'no-alert': capWords('<alert> 要素がありません。', 'there is no <alert> element.'),
  namespace: capWords(
    '{path} は {allowed} にしてください（「{got}」でした）。',
    '{path} must be {allowed} (it was “{got}”).',
  ),
  required: capWords('{path} がありません。', '{path} is missing.'),
  'one-of': capWords(
    '{path} は {allowed} のいずれかにしてください（「{got}」でした）。',
    '{path} must be one of {allowed} (it was “{got}”).',
  ),
  'date-time': capWords(
    '{path} は 2026-11-23T19:00:00+09:00 のように時差付きの日時にしてください（「{got}」でした）。',
    '{path} must be a date and time with its offset, like 2026-11-23T19:00:00+09:00 (it was “{got}”).',
  ),
  'identifier-characters': capWords(
    '{path} に空白、コンマ、<、& は使えません。',
    '{path} must not contain spaces, commas, < or &.',
  ),
  'not-shown': capWords(
    '{got} のメッセージは住民に表示しません。status は Actual、Exercise、Test のいずれかにしてください。',
    '{got} messages are not shown to residents; the status must be Actual, Exercise or Test.',
  ),
  'not-an-alert': capWords('{got} は配信する警報ではありません。', '{got} is not an alert to publish.'),
  'references-required': capWords(
    '{got} には、変更する警報を示す {path} が必要です。',
    'an {got} needs {path}, naming the alert it changes.',
  ),
  'level-value': capWords(
    '警戒レベル（{path}）は 3、4、5 のいずれかにしてください（「{got}」でした）。',
    'the evacuation level ({path}) must be 3, 4 or 5 (it was “{got}”).',
  ),
  'polygon-point': capWords(
    '{path} の {point} 番目の点が「緯度,経度」になっていません。',
    'point {point} of {path} is not “lat,lon”.',
  ),
  'polygon-points': capWords(
    '{path} には 4 点以上が必要です（最初と最後が同じ点の、閉じた形）。',
    '{path} needs at least 4 points (closed: the first and the last the same).',
  ),
  'polygon-open': capWords(
    '{path} の最初と最後の点を同じにしてください。',
    'the first and last points of {path} must be the same.',
  ),
  'circle-format': capWords('{path} は「緯度,経度 半径km」の形にしてください。', '{path} must be “lat,lon radius-km”.'),
  'circle-range': capWords(
    '{path} の緯度、経度または半径が範囲外です。',
    'the latitude, longitude or radius of {path} is out of range.',
  ),
  'one-polygon': capWords(
    '多角形は1つまでです（{path}）。複数の地区は geocode kizuna:zone で指定してください。',
    'only one polygon per alert ({path}); name more areas with geocode kizuna:zone.',
  ),
  'one-circle': capWords('円は1つまでです（{path}）。', 'only one circle per alert ({path}).'),
  'level-required': capWords(
    '更新（Update）に警戒レベル（parameter EvacuationLevel: 3、4、5）がありません。',
    'the Update gives no evacuation level (parameter EvacuationLevel: 3, 4 or 5).',
  ),
  'hazard-required': capWords(
    '災害の種類がわかりません。<event> に書くか、eventCode kizuna:hazard（{allowed}）で指定してください。',
    'the hazard is unknown; name it in <event> or as eventCode kizuna:hazard ({allowed}).',
  ),
  'expires-required': capWords(
    '期限（{path}）がありません。期限がないと再送を止められません。',
    'the expiry ({path}) is missing; without it, re-sending could not stop.',
  ),
  'area-required': capWords(
    '{path} に多角形、円、または geocode kizuna:zone が必要です。',
    '{path} needs a polygon, a circle or a geocode kizuna:zone.',
  ),
  'utf-8': capWords(
    '文字コードが UTF-8 として正しくありません（{byte} バイト目）。UTF-8 で保存し直してください。',
    'the text is not valid UTF-8 (at byte {byte}); save it as UTF-8 again.',
  ),
  encoding: capWords(
    '文字コードは UTF-8 にしてください（宣言は「{got}」でした）。',
    'the document must be UTF-8 (its declaration says “{got}”).',
  ),
  doctype: capWords(
    'DOCTYPE や ENTITY の宣言は受け付けません（{line} 行目）。CAP 文書には不要です。',
    'DOCTYPE and ENTITY declarations are not accepted (line {line}); CAP documents have none.',
  ),
  depth: capWords(
    '{path} の要素の入れ子が深すぎます（{limit} 段まで）。',
    'the elements at {path} nest too deep (at most {limit} levels).',
  ),
  'too-many': capWords('{path} で上限（{limit}）を超えました。', '{path} goes over the limit ({limit}).'),
  'too-long': capWords(
    '{path} の文字数が上限（{limit} 文字）を超えています。',
    '{path} is longer than the limit ({limit} characters).',
  ),
  schema: capWords(
    '{path} が CAP 1.2 のスキーマ（OASIS）に合っていません（順序、名前、値を確かめてください）。',
    '{path} does not follow the OASIS CAP 1.2 schema (check its order, name and value).',
  ),
  'reference-format': capWords(
    '{path} は「送信者,識別子,送信日時」の組にしてください（「{got}」でした）。',
    '{path} must be “sender,identifier,sent” triples (it was “{got}”).',
  ),
};
