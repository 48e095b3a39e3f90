/** Japanese and English UI text. Level phrases come from @kizuna/contract (fixed official wording). */
import { LEVELS, type AlertLevel } from '@kizuna/contract/levels';

export type UiLang = 'ja' | 'en';

const ja = {
  appTitle: '絆 防災コンソール', skip: '本文へ移動', login: 'ログイン', logout: 'ログアウト', username: 'ユーザー名', password: 'パスワード',
  loginTitle: '職員ログイン', loginHint: '自分のアカウントでログインしてください。すべての操作は記録されます。', loginCard: 'マイナンバーカードでログイン',
  sessionExpired: 'セッションが切れました。もう一度ログインしてください。',
  navDashboard: '状況', navCompose: '発令', navCap: 'CAP取込', navResidents: '住民・TV', navShelters: '避難所', navAudit: '監査ログ',
  activeAlerts: '発令中の避難情報', pendingAlerts: '承認待ち', drafts: '下書き', noActive: '発令中の避難情報はありません', recentAlerts: '最近の避難情報',
  targeted: '対象', delivered: '配信', displayed: '表示', acknowledged: '応答', arrived: '避難所到着', needsHelp: '要支援者', noAnswer: '未応答',
  evacuating: '避難する', safeIndoors: '安全な場所にいる', needHelpAnswer: '助けが必要',
  zonesMap: '地区の避難状況', progress: '応答・到着の割合', notTargeted: '対象外', shelters: '避難所', occupancy: '収容', capacity: '定員',
  open: '開設', closed: '閉鎖', openAction: '開設する', closeAction: '閉鎖する', welfare: '福祉避難所', hazards: '対応災害', save: '保存',
  hazard: '災害の種類', level: '警戒レベル', status: '種別', actual: '本番', exercise: '訓練', areas: '対象地区', areasHint: '地図の地区を押すか、一覧で選んでください',
  group: '対象者', groupAll: '全員', groupNeedsHelp: '要支援者のみ', groupVulnerable: '要支援者と高齢者', template: '指示文', tplShelter: '避難所へ避難',
  tplUpstairs: '建物の上の階へ', extra: '追加の文（任意）', expiry: '有効期限', minutes: '分後', previewDraft: '下書き保存してプレビュー', composeTitle: '避難情報の作成',
  approvalNote: '本番の警戒レベル4・5は、送信後に別の職員の承認が必要です。',
  send: '送信', approve: '承認して発令', reject: '差し戻し', cancel: '取消', correct: '訂正', confirmCancel: 'この避難情報を取り消しますか？（すべてのTVの表示が取り消されます）',
  correctTitle: '訂正（全TVの表示を置き換えます）', downloadCap: 'CAP 1.2 をダウンロード', rescueList: '救助リスト', state: '状態',
  st_draft: '下書き', 'st_pending-approval': '承認待ち', st_active: '発令中', st_cancelled: '取消済', st_expired: '期限切れ',
  ownAlertNoApprove: '自分が作成した避難情報は承認できません。別の職員が承認します。', issuedBy: '作成', approvedBy: '承認',
  preview: 'TV画面のプレビュー', previewHint: 'TVアプリそのものが、この種類の受信者に表示する画面です。', reach: '送信先',
  k_resident: '一人の住民', k_household: '世帯のTV', 'k_needs-help': '要支援者', 'k_get-ready': '準備（レベル3）', 'k_unbound-tv': '住民未登録のTV',
  devices: 'TV台数', residentsCount: '住民', zonesCount: '地区', unboundTvs: '未登録TV',
  capTitle: 'CAP 1.2 の取り込み', capHint: '都道府県などの CAP 1.2 XML を貼り付けるかファイルを選ぶと、下書きとして取り込みます。', capImport: '下書きとして取り込む', capFile: 'CAPファイル',
  rescueTitle: '救助リスト', rescueHint: '避難行動要支援者のうち、応答も到着もない人（「助けが必要」が先頭）', silentFor: '未応答の経過時間', print: '印刷', csv: 'CSV出力',
  name: '氏名', address: '住所', supporter: '支援者', phone: '電話', answer: '応答', lastContact: '最終接触', markReached: '接触済みにする', reachedBy: '接触済み', zone: '地区', noOne: '該当者はいません',
  residentsTitle: '住民とTV', importTitle: '住民基本台帳抽出データ（CSV）の取り込み', importHint: '1行目は見出し。不正な行が一つでもあれば何も取り込みません。', importAction: '取り込む', csvFile: 'CSVファイル', csvText: 'CSVの内容（貼り付けも可）',
  importedCount: '{n} 件を取り込みました', chooseFile: 'ファイルを選択', noFileChosen: '選択されていません', badRowsCount: '誤りのある行が {n} 行あります。', nothingImported: '何も取り込んでいません。誤りを直して、ファイル全体をもう一度取り込んでください。', line: '行', residentId: '住民番号', errors: '誤り', language: '言語', tvs: 'TV・カード', unbind: '連携解除', household: '世帯',
  confirmUnbind: 'このTVとの連携を解除しますか？個別の避難情報がこのTVに届かなくなります。', personalAlerts: '個別通知', yes: 'あり', no: 'なし',
  sheltersTitle: '避難所', auditTitle: '監査ログ', search: '検索', chainOk: 'ハッシュチェーン検証済み', chainBroken: 'ハッシュチェーンが壊れています', time: '日時', actor: '実行者', action: '操作', subject: '対象', details: '詳細',
  loading: '読み込み中…', live: 'ライブ更新中', offline: '再接続中…', back: '戻る', close: '閉じる', error: 'エラー', exerciseBanner: '訓練', since: '発令',
  lang: 'English', langLabel: '表示言語',
  withCard: 'カード', withPassword: 'パスワード', loginMethod: 'ログイン方法', cardReader: 'カードリーダー', cardPick: 'カード', cardPin: '利用者証明用暗証番号（数字4桁）',
  cardHint: '職員証として登録したマイナンバーカードをカードリーダーに置き、暗証番号を入力してください。', cardLoginAction: 'カードでログイン',
  bridgeDown: 'カードリーダーに接続できません。リーダーのソフトが起動しているか確認してください。パスワードでもログインできます。', noCards: 'カードが置かれていません',
  pinWrong: '暗証番号が違います。あと {n} 回間違えるとカードがロックされます。', pinLocked: '暗証番号がロックされています。市区町村の窓口で解除が必要です。パスワードでログインしてください。',
  pinFormat: '暗証番号は数字4桁です。', cardRevoked: 'このカードは失効しています（紛失の届出など）。ログインできません。管理者に連絡してください。',
  cardUnknown: 'このカードは職員として登録されていません。管理者にカードの登録を依頼してください。', cardStatus: 'カードの失効確認ができませんでした。しばらくしてからもう一度お試しください。',
  cardRefused: 'カードを確認できませんでした。', cardBusy: 'カードを確認しています…',
  navStaff: '職員', staffTitle: '職員とカード', roles: '権限', cards: '登録カード', linkCard: 'リーダーのカードを登録', unlinkCard: '登録解除', serial: '発行番号', validUntil: '有効期限', noCard: 'なし',
  confirmUnlink: 'このカードの登録を解除しますか？このカードではログインできなくなります。', linked: 'カードを登録しました',
  viaCard: 'カードでログイン中', viaPassword: 'パスワードでログイン中', cardTaken: 'このカードは別の職員に登録されています。', readerCard: 'リーダー上のカード', disabledAccount: '無効', staffMember: '職員',
  role_viewer: '閲覧', role_issuer: '発令', role_approver: '承認', role_admin: '管理',
};
type Dict = Record<keyof typeof ja, string>;
const en: Dict = {
  appTitle: 'Kizuna disaster console', skip: 'Skip to content', login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password',
  loginTitle: 'Staff login', loginHint: 'Log in with your own account. Every action is recorded.', loginCard: 'Log in with My Number card',
  sessionExpired: 'Your session has ended. Please log in again.',
  navDashboard: 'Situation', navCompose: 'Issue', navCap: 'CAP import', navResidents: 'Residents & TVs', navShelters: 'Shelters', navAudit: 'Audit log',
  activeAlerts: 'Active alerts', pendingAlerts: 'Waiting for approval', drafts: 'Drafts', noActive: 'No active alerts', recentAlerts: 'Recent alerts',
  targeted: 'Targeted', delivered: 'Delivered', displayed: 'Displayed', acknowledged: 'Answered', arrived: 'At a shelter', needsHelp: 'Need help', noAnswer: 'No answer',
  evacuating: 'Evacuating', safeIndoors: 'Safe where they are', needHelpAnswer: 'Need help',
  zonesMap: 'Evacuation progress by zone', progress: 'Answered or arrived', notTargeted: 'Not targeted', shelters: 'Shelters', occupancy: 'Occupancy', capacity: 'Capacity',
  open: 'Open', closed: 'Closed', openAction: 'Open', closeAction: 'Close', welfare: 'Welfare shelter', hazards: 'Hazards', save: 'Save',
  hazard: 'Hazard', level: 'Alert level ', status: 'Kind', actual: 'Actual', exercise: 'Exercise', areas: 'Areas', areasHint: 'Click zones on the map or pick them from the list',
  group: 'Recipients', groupAll: 'Everyone', groupNeedsHelp: 'Only people needing help', groupVulnerable: 'People needing help and the elderly', template: 'Instruction',
  tplShelter: 'Go to a shelter', tplUpstairs: 'Go to an upper floor', extra: 'Extra text (optional)', expiry: 'Expires', minutes: 'min from now',
  previewDraft: 'Save draft and preview', composeTitle: 'Compose an alert', approvalNote: 'Actual alerts at level 4 or 5 need a second staff member’s approval after sending.',
  send: 'Send', approve: 'Approve and publish', reject: 'Reject', cancel: 'Cancel alert', correct: 'Correct', confirmCancel: 'Cancel this alert? Every TV will withdraw it.',
  correctTitle: 'Correct (replaces what every TV shows)', downloadCap: 'Download CAP 1.2', rescueList: 'Rescue list', state: 'State',
  st_draft: 'Draft', 'st_pending-approval': 'Waiting for approval', st_active: 'Active', st_cancelled: 'Cancelled', st_expired: 'Expired',
  ownAlertNoApprove: 'You created this alert, so another staff member must approve it.', issuedBy: 'Issued by', approvedBy: 'Approved by',
  preview: 'TV screen preview', previewHint: 'The TV applet itself, showing what this kind of recipient sees.', reach: 'Reach',
  k_resident: 'One resident', k_household: 'Household TV', 'k_needs-help': 'Needs help', 'k_get-ready': 'Get ready (level 3)', 'k_unbound-tv': 'TV with nobody bound',
  devices: 'TVs', residentsCount: 'Residents', zonesCount: 'Zones', unboundTvs: 'Unbound TVs',
  capTitle: 'Import CAP 1.2', capHint: 'Paste CAP 1.2 XML (e.g. from the prefecture) or choose a file; it becomes a draft.', capImport: 'Import as draft', capFile: 'CAP file',
  rescueTitle: 'Rescue list', rescueHint: 'People needing help who have neither answered nor arrived ("need help" first)', silentFor: 'Silent for at least', print: 'Print', csv: 'Export CSV',
  name: 'Name', address: 'Address', supporter: 'Supporter', phone: 'Phone', answer: 'Answer', lastContact: 'Last contact', markReached: 'Mark reached', reachedBy: 'Reached', zone: 'Zone', noOne: 'Nobody on the list',
  residentsTitle: 'Residents and TVs', importTitle: 'Import the resident register extract (CSV)', importHint: 'Header row first. If any row is bad, nothing is imported.', importAction: 'Import', csvFile: 'CSV file', csvText: 'CSV content (or paste it here)',
  importedCount: 'Imported {n} resident(s).', chooseFile: 'Choose a file', noFileChosen: 'No file chosen', badRowsCount: '{n} line(s) have problems.', nothingImported: 'Nothing was imported. Correct them and import the whole file again.', line: 'Line', residentId: 'Resident ID', errors: 'Problems', language: 'Language', tvs: 'TVs & cards', unbind: 'Unbind', household: 'Household',
  confirmUnbind: 'Unbind this TV? Personal alerts will no longer reach it.', personalAlerts: 'Personal alerts', yes: 'yes', no: 'no',
  sheltersTitle: 'Shelters', auditTitle: 'Audit log', search: 'Search', chainOk: 'Hash chain verified', chainBroken: 'Hash chain is broken', time: 'Time', actor: 'Actor', action: 'Action', subject: 'Subject', details: 'Details',
  loading: 'Loading…', live: 'Live', offline: 'Reconnecting…', back: 'Back', close: 'Close', error: 'Error', exerciseBanner: 'EXERCISE', since: 'Issued',
  lang: '日本語', langLabel: 'Language',
  withCard: 'Card', withPassword: 'Password', loginMethod: 'Log in with', cardReader: 'Card reader', cardPick: 'Card', cardPin: 'Authentication PIN (4 digits)',
  cardHint: 'Put the My Number card registered as your staff ID on the reader and enter its PIN.', cardLoginAction: 'Log in with card',
  bridgeDown: 'Cannot reach the card reader. Check that the reader software is running. You can also log in with your password.', noCards: 'No card on the reader',
  pinWrong: 'Wrong PIN. {n} more wrong tries lock the card.', pinLocked: 'The PIN is locked; the municipal office must unlock it. Log in with your password.',
  pinFormat: 'The PIN is 4 digits.', cardRevoked: 'This card has been revoked (reported lost, etc.). It cannot log in. Contact an administrator.',
  cardUnknown: 'This card is not registered to any staff member. Ask an administrator to register it.', cardStatus: 'The card’s revocation status could not be checked. Try again shortly.',
  cardRefused: 'The card could not be verified.', cardBusy: 'Checking the card…',
  navStaff: 'Staff', staffTitle: 'Staff and cards', roles: 'Roles', cards: 'Registered cards', linkCard: 'Register the card on the reader', unlinkCard: 'Unregister', serial: 'Serial', validUntil: 'Valid until', noCard: 'none',
  confirmUnlink: 'Unregister this card? It will no longer log in.', linked: 'Card registered',
  viaCard: 'card login', viaPassword: 'password login', cardTaken: 'This card is already registered to another staff member.', readerCard: 'Card on the reader', disabledAccount: 'disabled', staffMember: 'Staff member',
  role_viewer: 'view', role_issuer: 'issue', role_approver: 'approve', role_admin: 'administer',
};

export type Key = keyof typeof ja;
const dicts: Record<UiLang, Dict> = { ja, en };

let current: UiLang = (() => { try { return localStorage.getItem('kz-console-lang') === 'en' ? 'en' : 'ja'; } catch { return 'ja'; } })();
const listeners = new Set<() => void>();
export const lang = () => current;
export function setLang(l: UiLang) {
  current = l;
  try { localStorage.setItem('kz-console-lang', l); } catch { /* private mode */ }
  document.documentElement.lang = l;
  for (const f of listeners) f();
}
export const onLang = (f: () => void) => { listeners.add(f); return () => listeners.delete(f); };
export const t = (k: Key, vars: Record<string, string | number> = {}): string => dicts[current][k].replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));

const HAZARD_NAMES: Record<string, [string, string]> = {
  flood: ['洪水', 'Flood'], landslide: ['土砂災害', 'Landslide'], 'storm-surge': ['高潮', 'Storm surge'], earthquake: ['地震', 'Earthquake'],
  tsunami: ['津波', 'Tsunami'], fire: ['大規模火災', 'Fire'], volcano: ['火山', 'Volcano'],
};
export const hazardName = (h: string) => HAZARD_NAMES[h]?.[current === 'ja' ? 0 : 1] ?? h;

const LANG_NAMES: Record<string, [string, string]> = {
  ja: ['日本語', 'Japanese'], 'ja-x-easy': ['やさしい日本語', 'Easy Japanese'], en: ['英語', 'English'], zh: ['中国語', 'Chinese'], ko: ['韓国語', 'Korean'], vi: ['ベトナム語', 'Vietnamese'], pt: ['ポルトガル語', 'Portuguese'],
};
export const langName = (l: string) => LANG_NAMES[l]?.[current === 'ja' ? 0 : 1] ?? l;

/** A card binding's state (binding statuses of the console's register). */
const BINDING_STATUS: Record<string, [string, string]> = {
  active: ['連携中', 'active'], unbound: ['解除済み', 'unbound'], revoked: ['失効', 'revoked'], superseded: ['カード更新済み', 'renewed'],
};
export const bindingStatusName = (s: string) => BINDING_STATUS[s]?.[current === 'ja' ? 0 : 1] ?? s;

const pick = <T>(pair: [T, T]) => pair[current === 'ja' ? 0 : 1];

/** Columns of the register extract CSV, as staff call them. */
const REGISTER_FIELDS: Record<string, [string, string]> = {
  id: ['住民番号', 'resident ID'], familyName: ['氏', 'family name'], givenName: ['名', 'given name'], familyKana: ['氏（カナ）', 'family name (kana)'],
  givenKana: ['名（カナ）', 'given name (kana)'], address: ['住所', 'address'], birthDate: ['生年月日', 'birth date'], sex: ['性別', 'sex'],
  language: ['言語', 'language'], needsHelp: ['要支援', 'needs help'], supporter: ['支援者', 'supporter'], phone: ['電話番号', 'phone'],
  household: ['世帯番号', 'household'], zone: ['地区', 'zone'], lat: ['緯度', 'latitude'], lon: ['経度', 'longitude'], careNeeds: ['配慮事項', 'care needs'],
};
export const registerFieldName = (f: string | undefined) => (f ? (REGISTER_FIELDS[f] ? pick(REGISTER_FIELDS[f]!) : f) : '');

/**
 * One problem of one line of the register extract, from its code (server REGISTER_ROW_PROBLEMS)
 * and parameters: {field} the column in words, {column} its header name, {value}, {expected}, {line}.
 */
const ROW_PROBLEMS: Record<string, [string, string]> = {
  'csv-unreadable': ['CSVとして読み取れません（{line}行目付近）。引用符（"）の閉じ忘れなどがないか確認してください。', 'The file cannot be read as CSV (near line {line}). Check for an unclosed quote (").'],
  'missing-column': ['見出し行に「{field}」の列（{column}）がありません。', 'The header row lacks the {field} column ({column}).'],
  'no-data-rows': ['データの行がありません（見出し行だけです）。', 'There are no data rows (only the header row).'],
  'field-count': ['項目の数が{value}個あります。見出し行は{expected}個です。', 'This line has {value} fields; the header row has {expected}.'],
  'duplicate-id': ['住民番号「{value}」が{expected}行目と重複しています。', 'Resident ID "{value}" repeats line {expected}.'],
  required: ['{field}が空欄です。', '{field} is empty.'],
  'too-long': ['{field}が長すぎます（{expected}文字まで）。', '{field} is too long ({expected} characters at most).'],
  'bad-id': ['{field}「{value}」に使えない文字があります（半角英数字と「_」「-」で64文字まで）。', '{field} "{value}" may only contain letters, digits, "_" and "-" (up to 64).'],
  'bad-date': ['{field}「{value}」は正しい日付ではありません（例：1950-04-01）。', '{field} "{value}" is not a real date (e.g. 1950-04-01).'],
  'bad-sex': ['{field}「{value}」は使えません。1（男性）、2（女性）、3（不明）のいずれかにしてください。', '{field} "{value}" must be 1 (male), 2 (female) or 3 (unknown).'],
  'bad-language': ['{field}「{value}」には対応していません。{expected}のいずれかにしてください。', '{field} "{value}" is not supported; use one of {expected}.'],
  'bad-boolean': ['{field}「{value}」は使えません。「はい」か「いいえ」（1 か 0 でも可）にしてください。', '{field} "{value}" must be true or false (or yes/no, 1/0).'],
  'not-a-number': ['{field}「{value}」は数値ではありません。', '{field} "{value}" is not a number.'],
  'out-of-range': ['{field}「{value}」は範囲外です（-{expected}〜{expected}）。', '{field} "{value}" is out of range (-{expected} to {expected}).'],
  'lat-lon-together': ['{field}がありません。緯度と経度は両方入れるか、両方空欄にしてください。', '{field} is missing: give both latitude and longitude, or neither.'],
  'unknown-zone': ['{field}「{value}」は登録されていません。', '{field} "{value}" does not exist.'],
  'bad-care-needs': ['{field}「{value}」は使えません。', '{field} "{value}" is not allowed.'],
};
export interface RowError { code: string; line: number; field?: string; value?: string; expected?: string; message: string }
export function rowProblemText(e: RowError): string {
  const words = ROW_PROBLEMS[e.code];
  if (!words) return e.message; // a code newer than this page: the server's English is better than nothing
  const expected = e.code === 'bad-language' && e.expected
    ? e.expected.split(',').map((l) => (current === 'ja' ? `${l}（${langName(l)}）` : `${l} (${langName(l)})`)).join(current === 'ja' ? '、' : ', ')
    : e.expected ?? '';
  const vars: Record<string, string | number> = { field: registerFieldName(e.field), column: e.field ?? '', value: e.value ?? '', expected, line: e.line };
  const text = pick(words).replace(/\{(\w+)\}/g, (_m, v: string) => String(vars[v] ?? ''));
  return current === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** Server errors this UI words itself; any other code shows the server's message (English) with its code. */
const ERRORS: Record<string, [string, string]> = {
  KZ_CONSOLE_NOT_BOUND: ['このTVとの連携はすでに解除されています。一覧を更新しました。', 'This TV is no longer bound to the resident. The list has been refreshed.'],
  KZ_CONSOLE_ROLE_REQUIRED: ['この操作を行う権限がありません。', 'Your role does not allow this.'],
  KZ_CONSOLE_UNKNOWN_RESIDENT: ['この住民は登録されていません。', 'This resident is not in the register.'],
  KZ_CONSOLE_UNKNOWN_DEVICE: ['このTVは登録されていません。', 'This TV is not registered.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['ファイルが大きすぎます。', 'The file is too large.'],
};
export const errorText = (code: string | undefined) => (code && ERRORS[code] ? pick(ERRORS[code]!) : null);

/** Why a binding ended (server BINDING_END_REASONS), with who ended it or the card's life event. */
const END_REASONS: Record<string, [string, string]> = {
  'staff-unbind': ['職員（{by}）が解除', 'unbound by staff ({by})'], 'tv-unbind': ['本人がTVで解除', 'unbound on the TV'],
  rebound: ['別のカードで連携し直し', 'bound again with another card'], 'card-renewed': ['カード更新（新しいカードに引き継ぎ）', 'card renewed (moved to the new card)'],
  'card-renewed-rebind': ['カード更新のため、新しいカードでの連携が必要', 'card renewed: bind the new card'], 'card-revoked': ['カード失効（{event}）', 'card revoked ({event})'],
};
const LIFE_EVENTS: Record<string, [string, string]> = {
  'moved-or-renamed': ['転出・氏名変更など', 'moved or renamed'], died: ['死亡', 'died'], 'card-lost': ['紛失', 'card lost'], renewed: ['カード更新', 'renewed'], other: ['その他', 'other'],
};
export function bindingReasonText(d: { reason: string | null; reasonCode?: string | null; endedBy?: string | null; lifeEvent?: string | null }): string | null {
  const words = d.reasonCode ? END_REASONS[d.reasonCode] : undefined;
  if (!words) return d.reason; // unknown to this page: show what was stored
  const event = d.lifeEvent ? (LIFE_EVENTS[d.lifeEvent] ? pick(LIFE_EVENTS[d.lifeEvent]!) : d.lifeEvent) : pick(LIFE_EVENTS.other!);
  return pick(words).replace('{by}', d.endedBy ?? '').replace('{event}', event);
}

/** The level's fixed phrase and the action it asks for, in the UI language. */
export function levelText(level: number): { phrase: string; action: string } {
  const s = LEVELS[level as AlertLevel];
  if (!s) return { phrase: String(level), action: '' };
  // Official English names of the levels (Cabinet Office); the long guideline sentence stays in s.english.
  const EN: Record<number, string> = { 3: 'Evacuation of the elderly, etc.', 4: 'Evacuation instruction', 5: 'Emergency safety measures' };
  return current === 'ja' ? { phrase: s.phrase, action: s.action } : { phrase: EN[level] ?? s.english, action: s.english };
}

export const answerName = (a: string | null) => a === 'evacuating' ? t('evacuating') : a === 'safe-indoors' ? t('safeIndoors') : a === 'need-help' ? t('needHelpAnswer') : '—';

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(current === 'ja' ? 'ja-JP' : 'en-GB', { year: 'numeric', month: 'numeric', day: 'numeric' });
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(current === 'ja' ? 'ja-JP' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
