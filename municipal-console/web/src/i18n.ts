/** Japanese and English UI text. Level phrases come from @kizuna/contract (fixed official wording). */
import { LEVELS, type AlertLevel } from '@kizuna/contract/levels';

export type UiLang = 'ja' | 'en';

const ja = {
  appTitle: '絆 防災コンソール',
  skip: '本文へ移動',
  login: 'ログイン',
  logout: 'ログアウト',
  username: 'ユーザー名',
  password: 'パスワード',
  loginTitle: '職員ログイン',
  loginHint: '自分のアカウントでログインしてください。すべての操作は記録されます。',
  loginCard: 'マイナンバーカードでログイン',
  sessionExpired: 'セッションが切れました。もう一度ログインしてください。',
  navDashboard: '状況',
  navCompose: '発令',
  navCap: 'CAP取込',
  navResidents: '住民・TV',
  navShelters: '避難所',
  navAudit: '監査ログ',
  activeAlerts: '発令中の避難情報',
  pendingAlerts: '承認待ち',
  drafts: '下書き',
  noActive: '発令中の避難情報はありません',
  recentAlerts: '最近の避難情報',
  targeted: '対象',
  delivered: '配信',
  displayed: '表示',
  acknowledged: '応答',
  arrived: '避難所到着',
  needsHelp: '要支援者',
  noAnswer: '未応答',
  evacuating: '避難する',
  safeIndoors: '安全な場所にいる',
  needHelpAnswer: '助けが必要',
  zonesMap: '地区の避難状況',
  progress: '応答・到着の割合',
  notTargeted: '対象外',
  shelters: '避難所',
  occupancy: '収容',
  capacity: '定員',
  open: '開設',
  closed: '閉鎖',
  openAction: '開設する',
  closeAction: '閉鎖する',
  welfare: '福祉避難所',
  hazards: '対応災害',
  save: '保存',
  hazard: '災害の種類',
  level: '警戒レベル',
  status: '種別',
  actual: '本番',
  exercise: '訓練',
  areas: '対象地区',
  areasHint: '地図の地区を押すか、一覧で選んでください',
  group: '対象者',
  groupAll: '全員',
  groupNeedsHelp: '要支援者のみ',
  groupVulnerable: '要支援者と高齢者',
  template: '指示文',
  tplShelter: '避難所へ避難',
  tplUpstairs: '建物の上の階へ',
  extra: '追加の文（任意）',
  expiry: '有効期限',
  minutes: '分後',
  previewDraft: '下書き保存してプレビュー',
  composeTitle: '避難情報の作成',
  approvalNote: '本番の警戒レベル4・5は、送信後に別の職員の承認が必要です。',
  send: '送信',
  approve: '承認して発令',
  reject: '差し戻し',
  cancel: '取消',
  correct: '訂正',
  confirmCancel: 'この避難情報を取り消しますか？（すべてのTVの表示が取り消されます）',
  correctTitle: '訂正（全TVの表示を置き換えます）',
  downloadCap: 'CAP 1.2 をダウンロード',
  rescueList: '救助リスト',
  state: '状態',
  st_draft: '下書き',
  'st_pending-approval': '承認待ち',
  st_active: '発令中',
  st_cancelled: '取消済',
  st_expired: '期限切れ',
  ownAlertNoApprove: '自分が作成した避難情報は承認できません。別の職員が承認します。',
  issuedBy: '作成',
  approvedBy: '承認',
  preview: 'TV画面のプレビュー',
  previewHint: 'TVアプリそのものが、この種類の受信者に表示する画面です。',
  reach: '送信先',
  k_resident: '一人の住民',
  k_household: '世帯のTV',
  'k_needs-help': '要支援者',
  'k_get-ready': '準備（レベル3）',
  'k_unbound-tv': '住民未登録のTV',
  devices: 'TV台数',
  residentsCount: '住民',
  zonesCount: '地区',
  unboundTvs: '未登録TV',
  capTitle: 'CAP 1.2 の取り込み',
  capHint: '都道府県などの CAP 1.2 XML を貼り付けるかファイルを選ぶと、下書きとして取り込みます。',
  capImport: '下書きとして取り込む',
  capFile: 'CAPファイル',
  rescueTitle: '救助リスト',
  rescueHint: '避難行動要支援者のうち、応答も到着もない人（「助けが必要」が先頭）',
  silentFor: '未応答の経過時間',
  print: '印刷',
  csv: 'CSV出力',
  name: '氏名',
  address: '住所',
  supporter: '支援者',
  phone: '電話',
  answer: '応答',
  lastContact: '最終接触',
  markReached: '接触済みにする',
  reachedBy: '接触済み',
  zone: '地区',
  noOne: '該当者はいません',
  residentsTitle: '住民とTV',
  importTitle: '住民基本台帳抽出データ（CSV）の取り込み',
  importHint: '1行目は見出し。不正な行が一つでもあれば何も取り込みません。',
  importAction: '取り込む',
  csvFile: 'CSVファイル',
  csvText: 'CSVの内容（貼り付けも可）',
  importedCount: '{n} 件を取り込みました',
  chooseFile: 'ファイルを選択',
  noFileChosen: '選択されていません',
  badRowsCount: '誤りのある行が {n} 行あります。',
  nothingImported: '何も取り込んでいません。誤りを直して、ファイル全体をもう一度取り込んでください。',
  line: '行',
  residentId: '住民番号',
  errors: '誤り',
  language: '言語',
  tvs: 'TV・カード',
  unbind: '連携解除',
  household: '世帯',
  confirmUnbind: 'このTVとの連携を解除しますか？個別の避難情報がこのTVに届かなくなります。',
  personalAlerts: '個別通知',
  yes: 'あり',
  no: 'なし',
  sheltersTitle: '避難所',
  auditTitle: '監査ログ',
  search: '検索',
  chainOk: 'ハッシュチェーン検証済み',
  chainBroken: 'ハッシュチェーンが壊れています',
  time: '日時',
  actor: '実行者',
  action: '操作',
  subject: '対象',
  details: '詳細',
  sendingTvs: 'TVへ送信中',
  sendingPrepare: 'TVへの送信を準備中…',
  loading: '読み込み中…',
  live: 'ライブ更新中',
  offline: '再接続中…',
  back: '戻る',
  close: '閉じる',
  error: 'エラー',
  exerciseBanner: '訓練',
  since: '発令',
  lang: 'English',
  langLabel: '表示言語',
  withCard: 'カード',
  withPassword: 'パスワード',
  loginMethod: 'ログイン方法',
  cardReader: 'カードリーダー',
  cardPick: 'カード',
  cardPin: '利用者証明用暗証番号（数字4桁）',
  cardHint: '職員証として登録したマイナンバーカードをカードリーダーに置き、暗証番号を入力してください。',
  cardLoginAction: 'カードでログイン',
  bridgeDown:
    'カードリーダーに接続できません。リーダーのソフトが起動しているか確認してください。パスワードでもログインできます。',
  noCards: 'カードが置かれていません',
  pinWrong: '暗証番号が違います。あと {n} 回間違えるとカードがロックされます。',
  pinLocked: '暗証番号がロックされています。市区町村の窓口で解除が必要です。パスワードでログインしてください。',
  pinFormat: '暗証番号は数字4桁です。',
  cardRevoked: 'このカードは失効しています（紛失の届出など）。ログインできません。管理者に連絡してください。',
  cardUnknown: 'このカードは職員として登録されていません。管理者にカードの登録を依頼してください。',
  cardStatus: 'カードの失効確認ができませんでした。しばらくしてからもう一度お試しください。',
  cardRefused: 'カードを確認できませんでした。',
  cardBusy: 'カードを確認しています…',
  navStaff: '職員',
  staffTitle: '職員とカード',
  roles: '権限',
  cards: '登録カード',
  linkCard: 'リーダーのカードを登録',
  unlinkCard: '登録解除',
  serial: '発行番号',
  validUntil: '有効期限',
  noCard: 'なし',
  confirmUnlink: 'このカードの登録を解除しますか？このカードではログインできなくなります。',
  linked: 'カードを登録しました',
  viaCard: 'カードでログイン中',
  viaPassword: 'パスワードでログイン中',
  cardTaken: 'このカードは別の職員に登録されています。',
  readerCard: 'リーダー上のカード',
  disabledAccount: '無効',
  staffMember: '職員',
  role_viewer: '閲覧',
  role_issuer: '発令',
  role_approver: '承認',
  role_admin: '管理',
};
type Dict = Record<keyof typeof ja, string>;
const en: Dict = {
  appTitle: 'Kizuna disaster console',
  skip: 'Skip to content',
  login: 'Log in',
  logout: 'Log out',
  username: 'Username',
  password: 'Password',
  loginTitle: 'Staff login',
  loginHint: 'Log in with your own account. Every action is recorded.',
  loginCard: 'Log in with My Number card',
  sessionExpired: 'Your session has ended. Please log in again.',
  navDashboard: 'Situation',
  navCompose: 'Issue',
  navCap: 'CAP import',
  navResidents: 'Residents & TVs',
  navShelters: 'Shelters',
  navAudit: 'Audit log',
  activeAlerts: 'Active alerts',
  pendingAlerts: 'Waiting for approval',
  drafts: 'Drafts',
  noActive: 'No active alerts',
  recentAlerts: 'Recent alerts',
  targeted: 'Targeted',
  delivered: 'Delivered',
  displayed: 'Displayed',
  acknowledged: 'Answered',
  arrived: 'At a shelter',
  needsHelp: 'Need help',
  noAnswer: 'No answer',
  evacuating: 'Evacuating',
  safeIndoors: 'Safe where they are',
  needHelpAnswer: 'Need help',
  zonesMap: 'Evacuation progress by zone',
  progress: 'Answered or arrived',
  notTargeted: 'Not targeted',
  shelters: 'Shelters',
  occupancy: 'Occupancy',
  capacity: 'Capacity',
  open: 'Open',
  closed: 'Closed',
  openAction: 'Open',
  closeAction: 'Close',
  welfare: 'Welfare shelter',
  hazards: 'Hazards',
  save: 'Save',
  hazard: 'Hazard',
  level: 'Alert level ',
  status: 'Kind',
  actual: 'Actual',
  exercise: 'Exercise',
  areas: 'Areas',
  areasHint: 'Click zones on the map or pick them from the list',
  group: 'Recipients',
  groupAll: 'Everyone',
  groupNeedsHelp: 'Only people needing help',
  groupVulnerable: 'People needing help and the elderly',
  template: 'Instruction',
  tplShelter: 'Go to a shelter',
  tplUpstairs: 'Go to an upper floor',
  extra: 'Extra text (optional)',
  expiry: 'Expires',
  minutes: 'min from now',
  previewDraft: 'Save draft and preview',
  composeTitle: 'Compose an alert',
  approvalNote: 'Actual alerts at level 4 or 5 need a second staff member’s approval after sending.',
  send: 'Send',
  approve: 'Approve and publish',
  reject: 'Reject',
  cancel: 'Cancel alert',
  correct: 'Correct',
  confirmCancel: 'Cancel this alert? Every TV will withdraw it.',
  correctTitle: 'Correct (replaces what every TV shows)',
  downloadCap: 'Download CAP 1.2',
  rescueList: 'Rescue list',
  state: 'State',
  st_draft: 'Draft',
  'st_pending-approval': 'Waiting for approval',
  st_active: 'Active',
  st_cancelled: 'Cancelled',
  st_expired: 'Expired',
  ownAlertNoApprove: 'You created this alert, so another staff member must approve it.',
  issuedBy: 'Issued by',
  approvedBy: 'Approved by',
  preview: 'TV screen preview',
  previewHint: 'The TV applet itself, showing what this kind of recipient sees.',
  reach: 'Reach',
  k_resident: 'One resident',
  k_household: 'Household TV',
  'k_needs-help': 'Needs help',
  'k_get-ready': 'Get ready (level 3)',
  'k_unbound-tv': 'TV with nobody bound',
  devices: 'TVs',
  residentsCount: 'Residents',
  zonesCount: 'Zones',
  unboundTvs: 'Unbound TVs',
  capTitle: 'Import CAP 1.2',
  capHint: 'Paste CAP 1.2 XML (e.g. from the prefecture) or choose a file; it becomes a draft.',
  capImport: 'Import as draft',
  capFile: 'CAP file',
  rescueTitle: 'Rescue list',
  rescueHint: 'People needing help who have neither answered nor arrived ("need help" first)',
  silentFor: 'Silent for at least',
  print: 'Print',
  csv: 'Export CSV',
  name: 'Name',
  address: 'Address',
  supporter: 'Supporter',
  phone: 'Phone',
  answer: 'Answer',
  lastContact: 'Last contact',
  markReached: 'Mark reached',
  reachedBy: 'Reached',
  zone: 'Zone',
  noOne: 'Nobody on the list',
  residentsTitle: 'Residents and TVs',
  importTitle: 'Import the resident register extract (CSV)',
  importHint: 'Header row first. If any row is bad, nothing is imported.',
  importAction: 'Import',
  csvFile: 'CSV file',
  csvText: 'CSV content (or paste it here)',
  importedCount: 'Imported {n} resident(s).',
  chooseFile: 'Choose a file',
  noFileChosen: 'No file chosen',
  badRowsCount: '{n} line(s) have problems.',
  nothingImported: 'Nothing was imported. Correct them and import the whole file again.',
  line: 'Line',
  residentId: 'Resident ID',
  errors: 'Problems',
  language: 'Language',
  tvs: 'TVs & cards',
  unbind: 'Unbind',
  household: 'Household',
  confirmUnbind: 'Unbind this TV? Personal alerts will no longer reach it.',
  personalAlerts: 'Personal alerts',
  yes: 'yes',
  no: 'no',
  sheltersTitle: 'Shelters',
  auditTitle: 'Audit log',
  search: 'Search',
  chainOk: 'Hash chain verified',
  chainBroken: 'Hash chain is broken',
  time: 'Time',
  actor: 'Actor',
  action: 'Action',
  subject: 'Subject',
  details: 'Details',
  sendingTvs: 'Sending to TVs:',
  sendingPrepare: 'Preparing to send to TVs…',
  loading: 'Loading…',
  live: 'Live',
  offline: 'Reconnecting…',
  back: 'Back',
  close: 'Close',
  error: 'Error',
  exerciseBanner: 'EXERCISE',
  since: 'Issued',
  lang: '日本語',
  langLabel: 'Language',
  withCard: 'Card',
  withPassword: 'Password',
  loginMethod: 'Log in with',
  cardReader: 'Card reader',
  cardPick: 'Card',
  cardPin: 'Authentication PIN (4 digits)',
  cardHint: 'Put the My Number card registered as your staff ID on the reader and enter its PIN.',
  cardLoginAction: 'Log in with card',
  bridgeDown:
    'Cannot reach the card reader. Check that the reader software is running. You can also log in with your password.',
  noCards: 'No card on the reader',
  pinWrong: 'Wrong PIN. {n} more wrong tries lock the card.',
  pinLocked: 'The PIN is locked; the municipal office must unlock it. Log in with your password.',
  pinFormat: 'The PIN is 4 digits.',
  cardRevoked: 'This card has been revoked (reported lost, etc.). It cannot log in. Contact an administrator.',
  cardUnknown: 'This card is not registered to any staff member. Ask an administrator to register it.',
  cardStatus: 'The card’s revocation status could not be checked. Try again shortly.',
  cardRefused: 'The card could not be verified.',
  cardBusy: 'Checking the card…',
  navStaff: 'Staff',
  staffTitle: 'Staff and cards',
  roles: 'Roles',
  cards: 'Registered cards',
  linkCard: 'Register the card on the reader',
  unlinkCard: 'Unregister',
  serial: 'Serial',
  validUntil: 'Valid until',
  noCard: 'none',
  confirmUnlink: 'Unregister this card? It will no longer log in.',
  linked: 'Card registered',
  viaCard: 'card login',
  viaPassword: 'password login',
  cardTaken: 'This card is already registered to another staff member.',
  readerCard: 'Card on the reader',
  disabledAccount: 'disabled',
  staffMember: 'Staff member',
  role_viewer: 'view',
  role_issuer: 'issue',
  role_approver: 'approve',
  role_admin: 'administer',
};

export type Key = keyof typeof ja;
const dicts: Record<UiLang, Dict> = { ja, en };

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
export const t = (k: Key, vars: Record<string, string | number> = {}): string =>
  dicts[current][k].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));

const HAZARD_NAMES: Record<string, [string, string]> = {
  flood: ['洪水', 'Flood'],
  landslide: ['土砂災害', 'Landslide'],
  'storm-surge': ['高潮', 'Storm surge'],
  earthquake: ['地震', 'Earthquake'],
  tsunami: ['津波', 'Tsunami'],
  fire: ['大規模火災', 'Fire'],
  volcano: ['火山', 'Volcano'],
};
export const hazardName = (h: string) => HAZARD_NAMES[h]?.[current === 'ja' ? 0 : 1] ?? h;

const LANG_NAMES: Record<string, [string, string]> = {
  ja: ['日本語', 'Japanese'],
  'ja-x-easy': ['やさしい日本語', 'Easy Japanese'],
  en: ['英語', 'English'],
  zh: ['中国語', 'Chinese'],
  ko: ['韓国語', 'Korean'],
  vi: ['ベトナム語', 'Vietnamese'],
  pt: ['ポルトガル語', 'Portuguese'],
};
export const langName = (l: string) => LANG_NAMES[l]?.[current === 'ja' ? 0 : 1] ?? l;

/** A card binding's state (binding statuses of the console's register). */
const BINDING_STATUS: Record<string, [string, string]> = {
  active: ['連携中', 'active'],
  unbound: ['解除済み', 'unbound'],
  revoked: ['失効', 'revoked'],
  superseded: ['カード更新済み', 'renewed'],
};
export const bindingStatusName = (s: string) => BINDING_STATUS[s]?.[current === 'ja' ? 0 : 1] ?? s;

const pick = <T>(pair: [T, T]) => pair[current === 'ja' ? 0 : 1];

/** Columns of the register extract CSV, as staff call them. */
const REGISTER_FIELDS: Record<string, [string, string]> = {
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
  'lat-lon-together': [
    '{field}がありません。緯度と経度は両方入れるか、両方空欄にしてください。',
    '{field} is missing: give both latitude and longitude, or neither.',
  ],
  'unknown-zone': ['{field}「{value}」は登録されていません。', '{field} "{value}" does not exist.'],
  'bad-care-needs': ['{field}「{value}」は使えません。', '{field} "{value}" is not allowed.'],
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
          .map((l) => (current === 'ja' ? `${l}（${langName(l)}）` : `${l} (${langName(l)})`))
          .join(current === 'ja' ? '、' : ', ')
      : (e.expected ?? '');
  const vars: Record<string, string | number> = {
    field: registerFieldName(e.field),
    column: e.field ?? '',
    value: e.value ?? '',
    expected,
    line: e.line,
  };
  const text = pick(words).replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
  return current === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/**
 * Every coded error the console's API (and the staff PC's card-reader bridge) can answer, worded
 * by this page: the console's catalogues (consoleErrors, uiErrors), core's, jpki's card, bridge
 * and verifier codes, and fastify's own 4xx. A test (test/ui-error-words.test.ts) fails when a
 * catalogue gains a code this table lacks. Placeholders: {field} a request field in words, {path}
 * a CAP element, {n} PIN tries left, {status} the HTTP status.
 */
type Words = [string, string];
const BRIDGE_DOWN: Words = [ja.bridgeDown, en.bridgeDown];
const INTERNAL: Words = [
  'サーバーで問題が起きました。しばらくしてからもう一度お試しください。続く場合は管理者に連絡してください。',
  'Something went wrong on the server. Try again shortly; if it keeps happening, contact an administrator.',
];
const ADMIN: Words = [
  'サーバーの設定に問題があります。管理者に連絡してください。',
  'The server is not set up for this. Contact an administrator.',
];
const BAD_URL: Words = [
  'ページのアドレス（URL）が正しくありません。画面の一覧から選び直してください。',
  'The page address (URL) is invalid. Pick the item again from the list.',
];
const TOO_MANY: Words = [
  '操作の回数が多すぎます。1分ほど待ってから、もう一度お試しください。',
  'Too many tries. Wait about a minute, then try again.',
];
const NO_BODY: Words = ['送信する内容がありません。もう一度お試しください。', 'Nothing was sent. Try again.'];
const CARD_READ: Words = [
  'カードを読み取れませんでした。カードを置き直して、もう一度お試しください。',
  'The card could not be read. Put it on the reader again and retry.',
];
const ERRORS: Record<string, Words> = {
  // console (municipal-console/src/errors.ts)
  KZ_CONSOLE_LOGIN_FAILED: ['ユーザー名またはパスワードが違います。', 'The username or password is wrong.'],
  KZ_CONSOLE_SESSION_EXPIRED: [ja.sessionExpired, en.sessionExpired],
  KZ_CONSOLE_ROLE_REQUIRED: ['この操作を行う権限がありません。', 'Your role does not allow this.'],
  KZ_CONSOLE_UNKNOWN_ZONE: [
    '指定した地区は登録されていません。地区を選び直してください。',
    'That zone does not exist. Choose the areas again.',
  ],
  KZ_CONSOLE_UNKNOWN_RESIDENT: ['この住民は登録されていません。', 'This resident is not in the register.'],
  KZ_CONSOLE_UNKNOWN_DEVICE: ['このTVは登録されていません。', 'This TV is not registered.'],
  KZ_CONSOLE_UNKNOWN_SHELTER: [
    'この避難所は登録されていません。一覧を再読み込みしてください。',
    'This shelter is not registered. Reload the list.',
  ],
  KZ_CONSOLE_UNKNOWN_ALERT: [
    'この避難情報は見つかりません。一覧から選び直してください。',
    'This alert does not exist. Pick it again from the list.',
  ],
  KZ_CONSOLE_DUPLICATE: ['すでに登録されています。', 'It is already registered.'],
  KZ_CONSOLE_BAD_ID: [
    '番号に使えない文字があります（半角英数字と「_」「-」で64文字まで）。',
    'The ID may only contain letters, digits, "_" and "-" (up to 64).',
  ],
  KZ_CONSOLE_BAD_GEOMETRY: ['地区や範囲の形が正しくありません。', 'The shape of the zone or area is invalid.'],
  KZ_CONSOLE_BAD_RESIDENT: ['住民の情報に誤りがあります。', 'The resident record is invalid.'],
  KZ_CONSOLE_NO_TARGET: ['対象地区を一つ以上選んでください。', 'Choose at least one area.'],
  KZ_CONSOLE_EXPIRES_IN_PAST: [
    '有効期限が過ぎています。今より後の時刻にしてください。',
    'The expiry has already passed. Choose a time in the future.',
  ],
  KZ_CONSOLE_ALERT_STATE: [
    'この避難情報は、今の状態ではこの操作ができません。画面を再読み込みして状態を確認してください。',
    'The alert’s current state does not allow this. Reload the page to see its state.',
  ],
  KZ_CONSOLE_APPROVAL_REQUIRED: [
    '本番の警戒レベル4・5は、別の職員の承認が必要です。',
    'An actual alert at level 4 or 5 needs another staff member’s approval.',
  ],
  KZ_CONSOLE_SELF_APPROVAL: [ja.ownAlertNoApprove, en.ownAlertNoApprove],
  KZ_CONSOLE_BROKER_UNAVAILABLE: [
    '配信サーバー（MQTT）に接続できないため、送信していません。しばらくしてからもう一度送信してください。',
    'The broadcast server (MQTT) is not connected, so nothing was sent. Send again shortly.',
  ],
  KZ_CONSOLE_CAP_INVALID: [
    'CAP 1.2 の内容に誤りがあるため、取り込んでいません。',
    'The CAP 1.2 document is invalid; nothing was imported.',
  ],
  KZ_CONSOLE_BIND_NONCE: [
    '登録用の番号が無効です（使用済みか期限切れ）。TVで登録をやり直してください。',
    'The registration number is unknown, used or expired. Register again on the TV.',
  ],
  KZ_CONSOLE_BIND_SIGNATURE: [
    'カードの署名を確認できませんでした。TVで登録をやり直してください。',
    'The card’s signature did not verify. Register again on the TV.',
  ],
  KZ_CONSOLE_BIND_PAYLOAD: [
    '登録の内容に誤りがあります。TVで登録をやり直してください。',
    'The registration is invalid. Register again on the TV.',
  ],
  KZ_CONSOLE_BIND_NO_MATCH: [
    'カードの基本4情報に一致する住民がいません。窓口で確認してください。',
    'No resident matches the card’s four personal items. Check at the counter.',
  ],
  KZ_CONSOLE_BIND_UNAVAILABLE: [
    'このサーバーではカードでの連携が設定されていません。管理者に連絡してください。',
    'Card binding is not set up on this server. Contact an administrator.',
  ],
  KZ_CONSOLE_BIND_NONCE_REPLAYED: [
    '登録用の番号はすでに使われています。新しい番号で登録をやり直してください。',
    'The registration number was already used. Register again with a new one.',
  ],
  KZ_CONSOLE_BIND_NONCE_EXPIRED: [
    '登録用の番号の期限が切れました。新しい番号で登録をやり直してください。',
    'The registration number has expired. Register again with a new one.',
  ],
  KZ_CONSOLE_BIND_DEVICE_MISMATCH: [
    'この登録は別のTVか別の市区町村のものです。',
    'This registration is for another TV or municipality.',
  ],
  KZ_CONSOLE_BIND_CERT_REVOKED: [
    'カードの署名用証明書が失効しているため、連携できません。',
    'The card’s signing certificate is revoked, so it cannot be bound.',
  ],
  KZ_CONSOLE_BIND_CERT_INVALID: [
    'カードの署名用証明書を受け付けられません。',
    'The card’s signing certificate is not acceptable.',
  ],
  KZ_CONSOLE_BIND_STATUS_UNAVAILABLE: [
    '証明書の失効確認ができなかったため、連携していません。しばらくしてからもう一度お試しください。',
    'The certificate’s revocation status could not be checked, so nothing was bound. Try again shortly.',
  ],
  KZ_CONSOLE_BIND_LINK_UNAVAILABLE: [
    '認証局の情報を読み取れなかったため、連携していません。しばらくしてからもう一度お試しください。',
    'The authority’s certificate links could not be read, so nothing was bound. Try again shortly.',
  ],
  KZ_CONSOLE_BIND_ITEMS_MISMATCH: [
    '氏名と生年月日が同じ住民はいますが、住所か性別がカードと違います。窓口で確認してください。',
    'A resident has this name and birth date, but the address or sex differ from the card. Check at the counter.',
  ],
  KZ_CONSOLE_BIND_AMBIGUOUS: [
    'カードの基本4情報に一致する住民が複数います。窓口で職員が連携してください。',
    'More than one resident matches the card’s four personal items. Staff must bind at the counter.',
  ],
  KZ_CONSOLE_UNKNOWN_BINDING: [
    'このTVにこの連携はありません（解除済みの可能性があります）。一覧を再読み込みしてください。',
    'This binding does not exist or is no longer active on this TV. Reload the list.',
  ],
  KZ_CONSOLE_DEVICE_REVOKED: ['このTVは利用停止になっています。', 'This TV is revoked.'],
  KZ_CONSOLE_CLIENT_AUTH: ['機器の認証情報がないか、間違っています。', 'The device credentials are missing or wrong.'],
  KZ_CONSOLE_CLIENT_FORBIDDEN: [
    'この認証情報では、このTV・避難所・市区町村の操作はできません。',
    'These credentials are not for this TV, shelter or municipality.',
  ],
  KZ_CONSOLE_CREDENTIALS_UNAVAILABLE: ADMIN,
  KZ_CONSOLE_AUDIT_BROKEN: [
    '監査ログのハッシュチェーンが壊れています（改ざんの可能性があります）。管理者に連絡してください。',
    'The audit log’s hash chain is broken (it may have been altered). Contact an administrator.',
  ],
  // the staff UI's own endpoints (municipal-console/src/routes/ui-errors.ts)
  KZ_CONSOLE_CSRF: [
    '安全のため、この操作を受け付けませんでした。ページを再読み込みして、もう一度お試しください。',
    'For safety this request was refused. Reload the page and try again.',
  ],
  KZ_CONSOLE_CSV_INVALID: [
    'CSVに誤りのある行があるため、何も取り込んでいません。',
    'The CSV has bad lines, so nothing was imported.',
  ],
  KZ_CONSOLE_NOT_IN_RESCUE_LIST: [
    'この方は、この避難情報の救助リストに入っていません。一覧を再読み込みしてください。',
    'This person is not on this alert’s rescue list. Reload the list.',
  ],
  KZ_CONSOLE_NOT_BOUND: [
    'このTVとの連携はすでに解除されています。一覧を更新しました。',
    'This TV is no longer bound to the resident. The list has been refreshed.',
  ],
  KZ_CONSOLE_CARD_UNKNOWN: [ja.cardUnknown, en.cardUnknown],
  KZ_CONSOLE_CARD_REVOKED: [ja.cardRevoked, en.cardRevoked],
  KZ_CONSOLE_CARD_REFUSED: [
    'カードを確認できませんでした。もう一度お試しください。',
    'The card could not be verified. Try again.',
  ],
  KZ_CONSOLE_CARD_STATUS_UNAVAILABLE: [ja.cardStatus, en.cardStatus],
  KZ_CONSOLE_CARD_LOGIN_OFF: [
    'このサーバーではカードでのログインが設定されていません。パスワードでログインしてください。',
    'Card login is not set up on this server. Log in with your password.',
  ],
  KZ_CONSOLE_CARD_TAKEN: [ja.cardTaken, en.cardTaken],
  KZ_CONSOLE_UNKNOWN_STAFF: [
    'この職員は登録されていません。一覧を再読み込みしてください。',
    'This staff member does not exist. Reload the list.',
  ],
  KZ_CONSOLE_WEB_NOT_BUILT: ADMIN,
  // core (core/src/errors.ts and its HTTP error handler)
  KZ_CONFIG_INVALID: ADMIN,
  KZ_DB_UNREACHABLE: [
    'データベースに接続できません。しばらくしてからもう一度お試しください。',
    'The database cannot be reached. Try again shortly.',
  ],
  KZ_DB_NEWER_THAN_CODE: ADMIN,
  KZ_MIGRATION_FAILED: ADMIN,
  KZ_PORT_IN_USE: ADMIN,
  KZ_VALIDATION: [
    '入力内容に誤りがあります。内容を確かめて、もう一度お試しください。',
    'Something you entered is invalid. Check it and try again.',
  ],
  KZ_NOT_FOUND: ['見つかりません。ページを再読み込みしてください。', 'Not found. Reload the page.'],
  KZ_UNAUTHORIZED: [ja.sessionExpired, en.sessionExpired],
  KZ_FORBIDDEN: ['この操作は許可されていません。', 'This is not allowed.'],
  KZ_INTERNAL: INTERNAL,
  KZ_BAD_REQUEST: [
    '要求を受け付けられませんでした。ページを再読み込みして、もう一度お試しください。',
    'The request was refused. Reload the page and try again.',
  ],
  // fastify's own 4xx, passed on with their code
  FST_ERR_CTP_BODY_TOO_LARGE: [
    'ファイルが大きすぎます。小さく分けてから取り込んでください。',
    'The file is too large. Split it into smaller parts and import those.',
  ],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['この形式のデータは受け付けられません。', 'Data of this type is not accepted.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    '送信が途中で切れました。もう一度お試しください。',
    'The upload was cut short. Try again.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: NO_BODY,
  FST_ERR_CTP_INVALID_JSON_BODY: [
    '送信内容を読み取れませんでした。ページを再読み込みして、もう一度お試しください。',
    'What was sent could not be read. Reload the page and try again.',
  ],
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: NO_BODY,
  FST_ERR_ROUTE_MISSING_CONTENT: NO_BODY,
  FST_ERR_BAD_URL: BAD_URL,
  FST_ERR_INVALID_URL: BAD_URL,
  FST_ERR_MAX_PARAM_LENGTH: BAD_URL,
  FST_ERR_NOT_FOUND: ['見つかりません。ページを再読み込みしてください。', 'Not found. Reload the page.'],
  FST_ERR_VALIDATION: [
    '入力内容に誤りがあります。内容を確かめて、もう一度お試しください。',
    'Something you entered is invalid. Check it and try again.',
  ],
  // a reply without a JSON body (a proxy's page), by HTTP status
  HTTP_413: [
    'ファイルが大きすぎます。小さく分けてから取り込んでください。',
    'The file is too large. Split it into smaller parts and import those.',
  ],
  HTTP_429: TOO_MANY,
  KZ_RATE_LIMITED: TOO_MANY,
  HTTP_502: [
    'サーバーに接続できません。しばらくしてからもう一度お試しください。',
    'The server cannot be reached. Try again shortly.',
  ],
  HTTP_503: [
    'サーバーに接続できません。しばらくしてからもう一度お試しください。',
    'The server cannot be reached. Try again shortly.',
  ],
  HTTP_504: [
    'サーバーの応答がありません。しばらくしてからもう一度お試しください。',
    'The server did not answer in time. Try again shortly.',
  ],
  HTTP_4XX: [
    '要求を受け付けられませんでした（HTTP {status}）。ページを再読み込みして、もう一度お試しください。',
    'The request was refused (HTTP {status}). Reload the page and try again.',
  ],
  HTTP_5XX: [
    'サーバーで問題が起きました（HTTP {status}）。しばらくしてからもう一度お試しください。',
    'Something went wrong on the server (HTTP {status}). Try again shortly.',
  ],
  // the browser could not reach the server at all (fetch failed: no code)
  NETWORK: [
    'サーバーに接続できません。ネットワークを確認して、もう一度お試しください。',
    'The server cannot be reached. Check the network and try again.',
  ],
  // the card and the staff PC's card-reader bridge (jpki/src/errors.ts)
  KZ_CARD_PIN_WRONG: [ja.pinWrong, en.pinWrong],
  KZ_CARD_LOCKED: [ja.pinLocked, en.pinLocked],
  KZ_CARD_PIN_FORMAT: [ja.pinFormat, en.pinFormat],
  KZ_CARD_SECURITY_STATUS: [
    '暗証番号の確認が済んでいないため、カードが処理を断りました。もう一度お試しください。',
    'The card refused because the PIN was not verified. Try again.',
  ],
  KZ_CARD_NOT_JPKI: [
    'このカードはマイナンバーカードではないようです。職員証として登録したマイナンバーカードを置いてください。',
    'This does not seem to be a My Number card. Put the My Number card registered as your staff ID on the reader.',
  ],
  KZ_CARD_APDU_FAILED: CARD_READ,
  KZ_CARD_APDU_INVALID: CARD_READ,
  KZ_CARD_TRANSPORT: [
    'カードを読み取れませんでした。カードがリーダーに正しく置かれているか確認してください。',
    'The card could not be reached. Check that it lies on the reader.',
  ],
  KZ_CARD_FILE_INVALID: [
    'カードのデータを開けませんでした。管理者に連絡してください。',
    'The card’s data could not be opened. Contact an administrator.',
  ],
  KZ_BRIDGE_ORIGIN_REFUSED: [
    'このページからはカードリーダーを使えない設定です。管理者に連絡してください。パスワードでもログインできます。',
    'The card reader is not allowed for this page. Contact an administrator; you can also log in with your password.',
  ],
  KZ_BRIDGE_BAD_REQUEST: [
    'カードリーダーとのやり取りに失敗しました。もう一度お試しください。',
    'Talking to the card reader failed. Try again.',
  ],
  KZ_BRIDGE_NO_CARD: [
    'カードがリーダーから外れました。カードを置き直して、もう一度お試しください。',
    'The card was taken off the reader. Put it back and try again.',
  ],
  KZ_BRIDGE_UNKNOWN_CARD: [
    '選んだカードがリーダーにありません。カードを置き直して、選び直してください。',
    'The chosen card is not on the reader. Put it back and choose it again.',
  ],
  KZ_BRIDGE_UNAVAILABLE: BRIDGE_DOWN,
  KZ_BRIDGE_TIMEOUT: BRIDGE_DOWN,
  KZ_BRIDGE_CLOSED: BRIDGE_DOWN,
  // jpki verifier and authority codes (a staff card is refused as KZ_CONSOLE_CARD_REFUSED with details.reason; these are the same checks)
  KZ_JPKI_PERSON_INVALID: ['住民の情報に誤りがあります。', 'The resident data is invalid.'],
  KZ_JPKI_CERT_UNKNOWN: ['この証明書は認証局に記録がありません。', 'The authority has no record of this certificate.'],
  KZ_JPKI_ALREADY_REVOKED: ['この証明書はすでに失効しています。', 'The certificate is already revoked.'],
  KZ_JPKI_REASON_INVALID: ['失効の理由が正しくありません。', 'The revocation reason is not a known one.'],
  KZ_JPKI_NOT_SIGNING_CERT: ['署名用証明書の発行番号を指定してください。', 'Give the serial of a signing certificate.'],
  KZ_JPKI_STORE_CORRUPT: ADMIN,
  KZ_JPKI_STORE_BUSY: [
    '認証局が別の処理中です。しばらくしてからもう一度お試しください。',
    'The authority is busy. Try again shortly.',
  ],
  KZ_JPKI_CHALLENGE_CAPACITY: [
    'ログインが集中しています。しばらくしてからもう一度お試しください。',
    'Too many logins at once. Try again shortly.',
  ],
};

/** Why a staff card was refused (jpki FAILURE_REASONS, the details.reason of KZ_CONSOLE_CARD_REFUSED). */
const CARD_REFUSALS: Record<string, Words> = {
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

// The verifier's own codes for the same checks (jpki verificationError) say the same.
for (const reason of Object.keys(CARD_REFUSALS))
  ERRORS[`KZ_JPKI_${reason.replace(/-/g, '_').toUpperCase()}`] = CARD_REFUSALS[reason]!;

/** With a named field: KZ_VALIDATION (details.field from the schema check) and CAP's element. */
const FIELD_ERRORS: Record<string, Words> = {
  KZ_VALIDATION: [
    '「{field}」の値が正しくありません。確かめて、もう一度お試しください。',
    'The value of “{field}” is invalid. Check it and try again.',
  ],
  FST_ERR_VALIDATION: [
    '「{field}」の値が正しくありません。確かめて、もう一度お試しください。',
    'The value of “{field}” is invalid. Check it and try again.',
  ],
  KZ_CONSOLE_BAD_RESIDENT: ['住民の情報の「{field}」に誤りがあります。', 'The resident’s {field} is invalid.'],
  KZ_CONSOLE_CAP_INVALID: [
    'CAP 1.2 の {path} に誤りがあるため、取り込んでいません。',
    'The CAP 1.2 document is invalid at {path}; nothing was imported.',
  ],
};

const CAP_NOT_XML: Words = [
  'CAP 1.2 の XML として読み取れないため、取り込んでいません。貼り付けた内容やファイルを確認してください。',
  'This is not a readable CAP 1.2 XML document; nothing was imported. Check what was pasted or the file.',
];

/** A refused CAP import's words: that nothing was imported, then why. */
const capWords = (ja: string, en: string): Words => [
  `CAP 1.2 を取り込んでいません。${ja}`,
  `Nothing was imported: ${en}`,
];

/** Why a CAP import was refused (server CAP_REFUSALS, details.reason), with the element's path and what was found. */
const CAP_REFUSAL_WORDS: Record<string, Words> = {
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
    '警戒レベル（parameter EvacuationLevel: 3、4、5）がありません。',
    'the evacuation level (parameter EvacuationLevel: 3, 4 or 5) is missing.',
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
};

/** Request fields as the forms call them (the last name of a schema path such as body/target/zones/0). */
const FIELD_NAMES: Record<string, Words> = {
  expires: [ja.expiry, 'expiry'],
  level: ['警戒レベル', 'alert level'],
  hazard: [ja.hazard, 'hazard'],
  status: [ja.status, 'kind'],
  zones: [ja.areas, 'areas'],
  target: [ja.areas, 'areas'],
  group: [ja.group, 'recipients'],
  template: [ja.template, 'instruction'],
  extra: ['追加の文', 'extra text'],
  username: [ja.username, 'username'],
  password: [ja.password, 'password'],
  capacity: [ja.capacity, 'capacity'],
  open: ['開設・閉鎖', 'open or closed'],
  hazards: [ja.hazards, 'hazards'],
  certificate: ['カードの証明書', 'card certificate'],
  signature: ['カードの署名', 'card signature'],
  challengeId: ['ログインの確認', 'login check'],
  residentId: [ja.residentId, 'resident ID'],
  deviceId: ['TVの番号', 'TV ID'],
  roles: [ja.roles, 'roles'],
  displayName: ['表示名', 'display name'],
  name: ['名称', 'name'],
  limit: ['件数', 'limit'],
  q: [ja.search, 'search'],
  draft: [ja.drafts, 'draft'],
  polygon: ['範囲', 'area'],
  circle: ['範囲', 'area'],
};
/** A field path from the server ("body/target/zones/0", "expires") in the staff's words; null when it names nothing. */
export function fieldName(path: unknown): string | null {
  if (typeof path !== 'string' || !path) return null;
  const parts = path
    .split(/[/.]/)
    .filter((p) => p && !/^\d+$/.test(p) && !['body', 'params', 'querystring', 'headers', 'spec'].includes(p));
  const last = parts[parts.length - 1];
  if (!last) return null;
  if (FIELD_NAMES[last]) return pick(FIELD_NAMES[last]!);
  if (REGISTER_FIELDS[last]) return pick(REGISTER_FIELDS[last]!);
  return last;
}

/** The words of one code (both languages; undefined when this page does not know it). For the word test. */
export const errorWords = (code: string): Words | undefined => ERRORS[code];
export const cardRefusalWords = (reason: string): Words | undefined => CARD_REFUSALS[reason];
export const fieldErrorWords = (code: string): Words | undefined => FIELD_ERRORS[code];
export const capRefusalWords = (reason: string): Words | undefined => CAP_REFUSAL_WORDS[reason];

/**
 * A server (or card-reader) error in the page's language, from its code and details; null for a
 * code newer than this page (the caller then shows the server's message with the code).
 */
export function errorText(
  code: string | undefined,
  details: Record<string, unknown> = {},
  status?: number,
): string | null {
  if (!code) return null;
  let key = code;
  // No code of its own (a proxy's page, or a framework's refusal passed on as KZ_BAD_REQUEST): go by the status.
  if ((code === 'KZ_BAD_REQUEST' || code.startsWith('HTTP_')) && status) {
    key = ERRORS[`HTTP_${status}`]
      ? `HTTP_${status}`
      : code.startsWith('HTTP_')
        ? status >= 500
          ? 'HTTP_5XX'
          : 'HTTP_4XX'
        : code;
  }
  const field = fieldName(details.field);
  const path = typeof details.field === 'string' ? details.field : '';
  let words: Words | undefined = (key === 'KZ_CONSOLE_CAP_INVALID' ? path : field)
    ? (FIELD_ERRORS[key] ?? ERRORS[key])
    : ERRORS[key];
  if (key === 'KZ_CONSOLE_CARD_REFUSED' && typeof details.reason === 'string')
    words = CARD_REFUSALS[details.reason] ?? words;
  if (key === 'KZ_CONSOLE_CAP_INVALID' && path === '/') words = CAP_NOT_XML;
  if (key === 'KZ_CONSOLE_CAP_INVALID' && typeof details.reason === 'string')
    words = CAP_REFUSAL_WORDS[details.reason] ?? words;
  if (!words) return null;
  // what the server found (a CAP element's text) is shown cut short
  const found = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, 60) : '');
  const vars: Record<string, string | number> = {
    field: field ?? '',
    path,
    n: typeof details.triesLeft === 'number' ? details.triesLeft : '?',
    status: status ?? '',
    allowed: found(details.allowed),
    got: found(details.got),
    point: found(details.point),
  };
  return pick(words).replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
}

/** What an error box shows: the code (kept for the help desk) and the words, or the server's message for an unknown code. */
export function describeError(error: unknown): { code: string; text: string; worded: boolean } {
  const e = (error ?? {}) as {
    code?: string;
    status?: number;
    message?: string;
    details?: Record<string, unknown>;
    triesLeft?: number;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const details = { ...(e.details ?? {}), ...(typeof e.triesLeft === 'number' ? { triesLeft: e.triesLeft } : {}) };
  const own = code ? errorText(code, details, e.status) : error instanceof TypeError ? pick(ERRORS.NETWORK!) : null;
  return own ? { code, text: own, worded: true } : { code, text: e.message ?? String(error), worded: false };
}

/** Why a binding ended (server BINDING_END_REASONS), with who ended it or the card's life event. */
const END_REASONS: Record<string, [string, string]> = {
  'staff-unbind': ['職員（{by}）が解除', 'unbound by staff ({by})'],
  'tv-unbind': ['本人がTVで解除', 'unbound on the TV'],
  rebound: ['別のカードで連携し直し', 'bound again with another card'],
  'card-renewed': ['カード更新（新しいカードに引き継ぎ）', 'card renewed (moved to the new card)'],
  'card-renewed-rebind': ['カード更新のため、新しいカードでの連携が必要', 'card renewed: bind the new card'],
  'card-revoked': ['カード失効（{event}）', 'card revoked ({event})'],
};
const LIFE_EVENTS: Record<string, [string, string]> = {
  'moved-or-renamed': ['転出・氏名変更など', 'moved or renamed'],
  died: ['死亡', 'died'],
  'card-lost': ['紛失', 'card lost'],
  renewed: ['カード更新', 'renewed'],
  other: ['その他', 'other'],
};
export function bindingReasonText(d: {
  reason: string | null;
  reasonCode?: string | null;
  endedBy?: string | null;
  lifeEvent?: string | null;
}): string | null {
  const words = d.reasonCode ? END_REASONS[d.reasonCode] : undefined;
  if (!words) return d.reason; // unknown to this page: show what was stored
  const event = d.lifeEvent
    ? LIFE_EVENTS[d.lifeEvent]
      ? pick(LIFE_EVENTS[d.lifeEvent]!)
      : d.lifeEvent
    : pick(LIFE_EVENTS.other!);
  return pick(words)
    .replace('{by}', d.endedBy ?? '')
    .replace('{event}', event);
}

/** The level's fixed phrase and the action it asks for, in the UI language. */
export function levelText(level: number): { phrase: string; action: string } {
  const s = LEVELS[level as AlertLevel];
  if (!s) return { phrase: String(level), action: '' };
  // Official English names of the levels (Cabinet Office); the long guideline sentence stays in s.english.
  const EN: Record<number, string> = {
    3: 'Evacuation of the elderly, etc.',
    4: 'Evacuation instruction',
    5: 'Emergency safety measures',
  };
  return current === 'ja'
    ? { phrase: s.phrase, action: s.action }
    : { phrase: EN[level] ?? s.english, action: s.english };
}

export const answerName = (a: string | null) =>
  a === 'evacuating'
    ? t('evacuating')
    : a === 'safe-indoors'
      ? t('safeIndoors')
      : a === 'need-help'
        ? t('needHelpAnswer')
        : '—';

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(current === 'ja' ? 'ja-JP' : 'en-GB', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(current === 'ja' ? 'ja-JP' : 'en-GB', {
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
