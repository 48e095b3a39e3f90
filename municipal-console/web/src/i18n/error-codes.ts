/**
 * Every coded error the console's API (and the staff PC's card-reader bridge) can answer, worded
 * by this page: the console's catalogues (consoleErrors, uiErrors), core's, jpki's card, bridge
 * and verifier codes, and fastify's own 4xx. A test (test/ui-error-words.test.ts) fails when a
 * catalogue gains a code this table lacks. Placeholders: {field} a request field in words, {path}
 * a CAP element, {n} PIN tries left, {status} the HTTP status.
 */
import { en, ja } from './dictionary.ts';
import { CARD_REFUSALS } from './error-details.ts';
import type { Words } from './ui-lang.ts';

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
export const ERRORS: Record<string, Words> = {
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
  KZ_CONSOLE_APPROVAL_STALE: [
    '承認しようとした内容は変更されています。承認していません（TVには何も送っていません）。新しい内容を確認してください。',
    'What you were approving has changed. Nothing was approved or sent to TVs. Review the new content.',
  ],
  KZ_CONSOLE_CONFIRMATION_REQUIRED: [
    '避難情報（発令・更新・解除・取消）は、確認画面で内容と送信先を確かめてから送信します。確認画面から送信してください。何も送信していません。',
    'An alert, an update, a lifting or a cancel is sent only after its confirmation has been shown. Send it from the confirmation. Nothing was sent.',
  ],
  KZ_CONSOLE_CONFIRMATION_STALE: [
    '確認画面を表示した後に、内容または送信先（人数・TV台数）が変わりました。送信していません。新しい確認画面を確かめてください。',
    'The alert or whom it reaches changed after the confirmation was shown. Nothing was sent. Check the new confirmation.',
  ],
  KZ_CONSOLE_RULE_NOT_PROPOSED: [
    'この承認ルールは提案されていません。先に別の管理者が提案してください。',
    'No admin has proposed this approval rule. Another admin must propose it first.',
  ],
  KZ_CONSOLE_RULE_SELF_CONFIRM: [
    '自分が提案した承認ルールは確定できません。別の管理者が確定します。',
    'You proposed this approval rule, so another admin must confirm it.',
  ],
  KZ_CONSOLE_BROKER_UNAVAILABLE: [
    '配信サーバー（MQTT）に接続できないため、送信していません。しばらくしてからもう一度送信してください。',
    'The broadcast server (MQTT) is not connected, so nothing was sent. Send again shortly.',
  ],
  KZ_CONSOLE_CAP_INVALID: [
    'CAP 1.2 の内容に誤りがあるため、取り込んでいません。',
    'The CAP 1.2 document is invalid; nothing was imported.',
  ],
  KZ_CONSOLE_JMA_INVALID: [
    '気象庁防災情報XMLとして読めない電文のため、取り込んでいません。',
    'The JMA disaster XML document could not be read; nothing was taken in.',
  ],
  KZ_CONSOLE_JMA_WITHDRAWN: [
    'この提案は気象庁の続報または取消により取り下げられました。最新の提案から下書きを作ってください。',
    'This suggestion was withdrawn or replaced by a later JMA document. Draft from the current one.',
  ],
  KZ_CONSOLE_CAP_SENDER: [
    'この警報を出した送信者（または信頼する送信者）からの CAP ではないため、更新・取消をしていません。',
    'This CAP update or cancel is not from the alert’s own sender or a trusted one; nothing was changed.',
  ],
  KZ_CONSOLE_LEVEL_UNKNOWN: [
    '取り込んだ CAP に警戒レベルがないため、送信していません。先に警戒レベルを選んでください。',
    'The imported CAP document gives no evacuation level, so nothing was sent. Choose the level first.',
  ],
  KZ_CONSOLE_WARNING_UNCONFIRMED: [
    '送信画面の注意（例：どの地区にも届かない区域）を確認していないため、送信していません。',
    'A warning of the send confirmation (e.g. an area that reaches no one) was not confirmed, so nothing was sent.',
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
  KZ_CONSOLE_AUDIT_KEY: [
    'このサーバーには監査ログを検証する鍵がないため、ログを確認できません。管理者に連絡してください。',
    'This server does not hold the key that checks the audit log, so the log cannot be verified. Contact an administrator.',
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
  KZ_CONSOLE_PASSWORD_TOO_SHORT: [
    'パスワードが短すぎます。12文字以上にしてください。',
    'The password is too short. Use at least 12 characters.',
  ],
  KZ_CONSOLE_PASSWORD_TOO_LONG: [
    'パスワードが長すぎます。128文字以内にしてください。',
    'The password is too long. Use at most 128 characters.',
  ],
  KZ_CONSOLE_PASSWORD_WEAK: [
    'このパスワードは推測されやすいため使えません（よく使われるもの、同じ文字の繰り返し、空白だけ、ユーザー名に近いもの）。別のパスワードにしてください。',
    'This password is too easy to guess (a common one, a repeated character, only spaces, or close to the username). Choose another.',
  ],
  KZ_CONSOLE_PASSWORD_WRONG: ['現在のパスワードが違います。', 'The current password is wrong.'],
  KZ_CONSOLE_PASSWORD_CHANGE_REQUIRED: [
    '管理者がパスワードを再設定しました。続ける前に新しいパスワードを設定してください。',
    'An administrator reset your password. Set a new one before you continue.',
  ],
  KZ_CONSOLE_REAUTH_REQUIRED: [
    'この操作の前に、もう一度パスワードを入力してください。',
    'Enter your password again before this action.',
  ],
  KZ_CONSOLE_SAME_ADMIN: [
    'ご自身が提案した変更は確定できません。別の管理者に確定を依頼してください。',
    'You cannot confirm a change you proposed. Ask another administrator to confirm it.',
  ],
  KZ_CONSOLE_CHANGE_UNKNOWN: [
    'この変更はもう確認待ちではありません。一覧を再読み込みしてください。',
    'This change is no longer waiting for confirmation. Reload the list.',
  ],
  KZ_CONSOLE_CHANGE_CONFLICT: [
    '提案の後にこのアカウントが変更されたため、この変更は適用できません。もう一度提案してください。',
    'The account changed after this was proposed, so it cannot be applied. Propose it again.',
  ],
  KZ_CONSOLE_SESSION_UNKNOWN: [
    'このセッションはすでに終了しています。一覧を再読み込みしてください。',
    'This session has already ended. Reload the list.',
  ],
  KZ_CONSOLE_LAST_ADMIN: [
    '最後の有効な管理者は無効にできません。先に別の管理者を有効にしてください。',
    'The last enabled administrator cannot be disabled. Enable another administrator first.',
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
  KZ_BAD_INPUT: [
    '入力に使えない制御文字（NUL）が含まれています。内容を確かめて、もう一度お試しください。',
    'What you entered contains a NUL control character. Check it and try again.',
  ],
  // fastify's own 4xx, renamed by core (core/src/http.ts)
  KZ_BODY_TOO_LARGE: [
    'ファイルが大きすぎます。小さく分けてから取り込んでください。',
    'The file is too large. Split it into smaller parts and import those.',
  ],
  KZ_UNSUPPORTED_MEDIA_TYPE: ['この形式のデータは受け付けられません。', 'Data of this type is not accepted.'],
  KZ_BODY_INCOMPLETE: ['送信が途中で切れました。もう一度お試しください。', 'The upload was cut short. Try again.'],
  KZ_INVALID_JSON: [
    '送信内容を読み取れませんでした。ページを再読み込みして、もう一度お試しください。',
    'What was sent could not be read. Reload the page and try again.',
  ],
  KZ_BODY_REQUIRED: NO_BODY,
  KZ_BAD_URL: BAD_URL,
  KZ_METRICS_OFF: ADMIN,
  // fastify's own 4xx codes, from servers older than the renaming
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

// The verifier's own codes for the same checks (jpki verificationError) say the same.
for (const reason of Object.keys(CARD_REFUSALS))
  ERRORS[`KZ_JPKI_${reason.replace(/-/g, '_').toUpperCase()}`] = CARD_REFUSALS[reason]!;
