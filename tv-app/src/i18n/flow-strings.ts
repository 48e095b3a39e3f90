/**
 * Words of the card, post-box and My-information screens (issue 5), in all seven languages.
 * Japanese (the reference: its keys are the type) and English live here, in the card screens'
 * chunk; やさしい日本語, Chinese, Korean, Vietnamese and Portuguese are one small chunk each
 * (flow-words/), loaded with `loadFlowStrings` when a card screen opens, so a TV downloads only
 * its own language. Until that chunk is there (or if it cannot load) English stands in.
 * `{x}` is filled by `fmt`; test/flow-strings.test.ts checks every language has every key.
 */
import type { Language } from '@kizuna/contract/levels';

const ja = {
  backHome: 'ホームに戻る', retry: 'もう一度', cancel: 'やめる', chooseOther: '別のカードを選ぶ',
  hintList: '上下で選んで 決定。戻るボタンで前の画面へ', hintButtons: '左右で選んで 決定。戻るボタンで前の画面へ',
  hintScroll: '上下で読み進めます。左右で選んで 決定。戻るボタンで前の画面へ', hintBusy: 'しばらくお待ちください',
  hintPassword: '矢印で文字を選んで 決定。数字は数字ボタンでも入れられます。赤ボタン：1文字消す。戻るボタン：やめる',
  hintPin: '数字ボタンで4桁を入れて 決定。赤ボタン：1文字消す。戻るボタン：やめる',
  keyDelete: '1字消す', keyOk: '決定', secretCount: '{n}文字', secretTooShort: '{min}文字以上 入れてください',
  connectingReader: 'カードリーダーに接続しています…',
  chooseCardTitle: 'カードを選んでください',
  chooseCardLine: 'マイナンバーカードをカードリーダーに置き、下の一覧から選んで 決定 を押してください。',
  noCards: 'カードが見つかりません。カードをカードリーダーに置いてから「もう一度」を選んでください。',
  passwordLabel: '署名用のパスワード（英大文字と数字 6〜16文字）',
  pinLabel: '利用者証明用の暗証番号（数字4桁）',
  triesLeftNote: 'あと{n}回まちがえるとロックされます。',
  bindTitle: 'カードを登録する', bindBound: 'このテレビに登録済みの方：{names}', bindNone: 'このテレビには、まだだれも登録されていません。',
  bindPasswordLine: 'カードの署名用パスワードで、このテレビへの登録に署名します。市役所には、カードの氏名・住所・生年月日・性別が伝わり、住民登録と照合されます。マイナンバー（個人番号）は使いません。',
  bindBusy: '登録しています…（カードで署名し、市役所で確認しています）',
  bindDoneTitle: '登録しました', bindDone: '{name}さんを このテレビに登録しました。{name}さんあての避難情報が、このテレビに届きます。',
  bindAnother: 'もう一人 登録する',
  wrongPassword: 'パスワードが違います。', wrongPin: '暗証番号が違います。',
  lastTry: '次にまちがえるとロックされます。わからないときは入力せず、市区町村の窓口にご相談ください。',
  formatPassword: 'パスワードは英大文字と数字で6〜16文字です。', formatPin: '暗証番号は数字4桁です。',
  lockedPasswordTitle: 'カードの署名用パスワードがロックされています', lockedPinTitle: 'カードの暗証番号がロックされています',
  lockedWhy: '続けてまちがえて入力されたため、安全のためにカードが使えなくなっています（ロック）。',
  lockedWhatPassword: 'お住まいの市区町村の窓口で「署名用パスワードの初期化（再設定）」をしてください。マイナンバーカードと、運転免許証などの本人確認書類をお持ちください。',
  lockedWhatPin: 'お住まいの市区町村の窓口で「利用者証明用暗証番号の初期化（再設定）」をしてください。マイナンバーカードと、運転免許証などの本人確認書類をお持ちください。',
  lockedMeanwhile: 'ロックが解けるまで、このカードでの登録や署名はできません。',
  revokedTitle: 'このカードの電子証明書は失効しています',
  revokedWhy: '引っ越し・氏名の変更・カードの紛失などで電子証明書が失効すると、このカードでは登録や署名ができません。',
  revokedWhat: 'お住まいの市区町村の窓口で電子証明書を新しく発行してもらってから、もう一度お試しください。',
  certInvalidTitle: 'このカードの電子証明書は使えません', certInvalidWhat: '証明書の有効期限が切れているなどの理由で、確認できませんでした。市区町村の窓口にご相談ください。',
  statusTitle: '証明書の状態を確認できませんでした', statusWhat: 'いまは証明書が有効かどうかを確認できないため、何も送っていません。しばらくしてから、もう一度お試しください。',
  readerTitle: 'カードリーダーにつながりません', readerWhat: 'カードリーダーの電源とケーブルを確かめて、「もう一度」を選んでください。',
  noCardTitle: 'カードが読み取れません', noCardWhat: 'カードをカードリーダーに置き直して、もう一度お試しください。',
  networkTitle: 'サーバーにつながりません', networkWhat: '通信が切れているか、サーバーが止まっています。まだ何も送られていません。通信を確かめて、もう一度お試しください。',
  sessionTitle: 'もう一度やり直してください', sessionWhat: '時間がたったため、手続きが無効になりました。最初からやり直してください。',
  noMatchTitle: '住民登録と照合できませんでした', noMatchWhat: 'カードの氏名・住所・生年月日・性別が、この市の住民登録と一致しませんでした。引っ越したばかりの方などは、市役所の窓口で登録してください。',
  notConfiguredTitle: 'この機能は設定されていません', notConfiguredWhat: 'このテレビには接続先が設定されていません。販売店か市役所にお問い合わせください。',
  refusedTitle: '受け付けられませんでした', refusedWhat: '理由：{detail}',
  errorCode: '（コード：{code}）',
  postboxTitle: '郵便受け', loginLine: '郵便受けを開くには、カードの利用者証明用の暗証番号（数字4桁）を入れます。マイナンバー（個人番号）は使いません。',
  loginBusy: 'カードで本人確認をしています…', loading: '読み込んでいます…',
  noNotices: 'お知らせはありません。', noticeCount: 'お知らせ {n}通（未読 {u}通）',
  stUnread: '未読', stRead: '既読', stAnswered: '回答済み', stWithdrawn: '取り下げ', kindStatusCheck: '現況届のお願い', due: '期限 {date}',
  noticeFrom: '差出人：{sender}', noticeDate: '届いた日：{date}', answerThis: '回答する（現況届）', backToList: '一覧に戻る',
  answeredAlready: 'このお知らせには回答済みです（{date}）。', withdrawnNote: 'このお知らせは取り下げられました。',
  answerTitle: '現況届の回答', answerQuestion: '{sender}からの「{subject}」に回答します。あてはまるものを選んでください。',
  answerLiving: '元気です。氏名・住所に変わりはありません', answerChanged: '元気です。氏名か住所が変わりました',
  reviewTitle: '送る内容の確認', reviewTo: '宛先：{sender}', reviewPolicy: '証券番号：{policy}', reviewAnswer: '回答：{answer}',
  reviewSign: 'カードの署名用電子証明書で署名して送ります。署名には、証明書に記録された氏名・住所・生年月日・性別が含まれます。',
  signAndSend: '署名して送る', reportPasswordLine: '署名用のパスワードを入れると、この回答に署名して送ります。',
  sending: '署名して送っています…', receiptTitle: '受け付けました', receiptTo: '{sender}への現況届を受け付けました。',
  receiptId: '受付番号：{id}', receiptAt: '受付日時：{at}', receiptVerified: '署名の確認：有効（証明書の失効確認済み）',
  receiptHash: '控えの番号：{hash}', late: '期限を過ぎてからの回答として受け付けました。',
  myinfoTitle: 'わたしの情報', myinfoLine: '見たいものを選んでください。', myCards: '登録したカード', myDisclosures: 'わたしの情報の提供記録',
  cardActive: '{name}さん：有効（{date}に登録）。避難情報が届きます', cardEnded: '{name}さん：登録が終わっています（証明書の失効など）。もう一度登録してください',
  cardsNone: 'このテレビに登録されたカードはありません。',
  disclosuresLine: 'あなたの情報を、だれが・いつ・何を・何のために受け取ったかの記録です。',
  disclosure: '{at}　{party}：{items}', purpose: '目的：{purpose}',
  disclosuresNone: '記録はありません。あなたの情報は、まだどこにも提供されていません。',
  itemName: '氏名', itemAddress: '住所', itemBirthDate: '生年月日', itemSex: '性別', listSep: '・',
  myinfoLoginLine: '提供記録を見るには、カードの利用者証明用の暗証番号（数字4桁）を入れます。',
  gwHeading: '【保険会社への提供】', gwNone: '保険会社への提供はありません。',
  muniHeading: '【市役所からの提供】', muniNone: '市役所からの提供はありません。',
  muniDisclosure: '{at}　{name}さんの情報 → {party}：{items}', muniMore: 'これより前の記録は、省略しています。',
  muniUnavailable: '市役所の記録は、いま読み込めません。',
  partyMunicipality: '市役所', partyShelter: '避難所「{name}」', partyStaff: '市役所の職員（{role}）',
  roleViewer: '閲覧の担当', roleIssuer: '避難情報を出す担当', roleApprover: '避難情報を承認する担当', roleAdmin: '管理の担当',
  purposeCardBinding: 'このテレビへのカードの登録（カードの内容を住民の記録と照らし合わせるため）',
  purposeShelterRoster: '避難所の受付（避難して来た人を迎えて受付するため）',
  purposeRescueList: '救助の名簿（返事のない人を助けに行くため）', purposeOther: '市役所のその他の仕事',
  purposeEnrolment: '保険契約 {policy} の登録（保険会社が契約者の記録と照らし合わせるため）', purposeInsurerOther: '保険会社のその他の手続き',
  itemReading: 'ふりがな', itemHousehold: '世帯', itemAgeGroup: '年代', itemCareNeeds: '必要な支援', itemCardKey: 'カードの照合用番号',
  itemCertSerial: '電子証明書の番号', itemPhone: '電話番号', itemSupporter: '支援者', itemArea: '地区', itemAnswer: '避難情報への返事',
  itemLastContact: '最後に連絡がとれた日時', itemShelter: '避難先',
  enrolMenu: '保険の契約を 郵便受けにつなぐ', enrolTitle: '保険の契約をつなぐ',
  enrolLine: 'お知らせを受け取りたい保険会社を選んでください。つなぐのは、契約ごとに一度だけです。',
  enrolLinked: 'つないである契約：{list}', enrolLinkedItem: '{insurer}（証券番号 {policy}）', enrolNone: 'まだ、どの保険の契約もつないでいません。',
  noInsurers: 'いま、つなぐことのできる保険会社はありません。',
  policyLabel: '証券番号（英大文字・数字・ハイフン）', policyLine: '{insurer}の証券番号を入れてください。保険証券や、保険会社からの手紙に書いてあります。',
  hintPolicy: '矢印で文字を選んで 決定。数字は数字ボタンでも入れられます。赤ボタン：1文字消す。戻るボタン：前の画面へ',
  formatPolicy: '証券番号は、英大文字・数字・ハイフンで入れてください。',
  enrolReviewTitle: '伝わる内容の確認', enrolReviewTo: '受け取る保険会社：{insurer}',
  enrolReviewItems: '伝わる情報：{items}（カードの署名用電子証明書に記録されたもの）',
  enrolReviewWhy: '保険会社が、契約者ご本人かどうかを照合するために、一度だけ伝わります。そのあと保険会社は、あなたを専用の番号でだけ知ります。マイナンバー（個人番号）は伝わりません。',
  enrolReviewAfter: 'つなぐと、この保険会社からのお知らせ（現況届のお願いなど）が、この郵便受けに届きます。この記録は「わたしの情報」で見られます。',
  enrolSign: '同意して署名する', enrolPasswordLine: '署名用のパスワードを入れると、この同意に署名して送ります。',
  enrolDoneTitle: 'つなぎました', enrolDone: '{insurer}の証券番号 {policy} を、この郵便受けにつなぎました。',
  enrolDoneNext: 'これからは、{insurer}からのお知らせが、この郵便受けに届きます。',
  alreadyLinkedTitle: 'この契約は、もうつないであります', alreadyLinkedWhat: 'この証券番号は、この郵便受けにつないであります。もう一度つなぐ必要はありません。',
  policyTakenTitle: 'この証券番号は、ほかの郵便受けにつながっています', policyTakenWhat: '番号をまちがえていないか確かめてください。心あたりがないときは、保険会社にお問い合わせください。',
};

export type FlowStrings = typeof ja;

const en: FlowStrings = {
  backHome: 'Back to home', retry: 'Try again', cancel: 'Cancel', chooseOther: 'Choose another card',
  hintList: 'Up/Down to choose, OK to select. Back: previous screen', hintButtons: 'Left/Right to choose, OK to select. Back: previous screen',
  hintScroll: 'Up/Down to read on. Left/Right to choose, OK to select. Back: previous screen', hintBusy: 'Please wait',
  hintPassword: 'Arrows choose a character, OK types it. Number keys type digits. Red: delete one. Back: cancel',
  hintPin: 'Type the 4 digits with the number keys, then OK. Red: delete one. Back: cancel',
  keyDelete: 'Delete', keyOk: 'OK', secretCount: '{n} characters', secretTooShort: 'Enter at least {min} characters',
  connectingReader: 'Connecting to the card reader…',
  chooseCardTitle: 'Choose your card',
  chooseCardLine: 'Place your My Number card on the reader, choose it in the list below and press OK.',
  noCards: 'No card found. Place your card on the reader, then choose "Try again".',
  passwordLabel: 'Signing password (6–16 capital letters and digits)',
  pinLabel: 'User authentication PIN (4 digits)',
  triesLeftNote: '{n} more wrong tries will lock it.',
  bindTitle: 'Register a card', bindBound: 'Registered on this TV: {names}', bindNone: 'Nobody is registered on this TV yet.',
  bindPasswordLine: 'Your signing password signs the registration of this TV. The city receives the name, address, birth date and sex on your card and checks them against the resident register. Your My Number is not used.',
  bindBusy: 'Registering… (signing with your card; the city is checking it)',
  bindDoneTitle: 'Registered', bindDone: '{name} is now registered on this TV. Evacuation alerts for {name} will come to this TV.',
  bindAnother: 'Register another person',
  wrongPassword: 'The password is wrong.', wrongPin: 'The PIN is wrong.',
  lastTry: 'One more mistake locks it. If you are not sure, stop and ask at your city office.',
  formatPassword: 'The password is 6–16 capital letters and digits.', formatPin: 'The PIN is 4 digits.',
  lockedPasswordTitle: 'The card\'s signing password is locked', lockedPinTitle: 'The card\'s PIN is locked',
  lockedWhy: 'It was entered wrongly too many times, so the card blocks it for your safety (locked).',
  lockedWhatPassword: 'Ask your city or town office to reset the signing password. Bring your My Number card and a photo ID such as a driving licence.',
  lockedWhatPin: 'Ask your city or town office to reset the user authentication PIN. Bring your My Number card and a photo ID such as a driving licence.',
  lockedMeanwhile: 'Until then this card cannot register or sign.',
  revokedTitle: 'This card\'s certificate has been revoked',
  revokedWhy: 'After a move, a change of name or a lost card, the certificate is revoked and the card can no longer register or sign.',
  revokedWhat: 'Get a new certificate at your city or town office, then try again.',
  certInvalidTitle: 'This card\'s certificate cannot be used', certInvalidWhat: 'It could not be accepted (for example, it has expired). Please ask at your city office.',
  statusTitle: 'The certificate could not be checked', statusWhat: 'Its validity cannot be checked right now, so nothing was sent. Please try again later.',
  readerTitle: 'The card reader is not connected', readerWhat: 'Check the reader\'s power and cable, then choose "Try again".',
  noCardTitle: 'The card cannot be read', noCardWhat: 'Place the card on the reader again and retry.',
  networkTitle: 'The server cannot be reached', networkWhat: 'The connection is down or the server has stopped. Nothing was sent. Check the connection and try again.',
  sessionTitle: 'Please start again', sessionWhat: 'Too much time passed and the request is no longer valid. Please start again.',
  noMatchTitle: 'Not found in the resident register', noMatchWhat: 'The name, address, birth date and sex on the card do not match the city\'s register. If you moved recently, please register at the city office.',
  notConfiguredTitle: 'This function is not set up', notConfiguredWhat: 'This TV has no server address for it. Please ask your dealer or city office.',
  refusedTitle: 'Not accepted', refusedWhat: 'Reason: {detail}',
  errorCode: '(code: {code})',
  postboxTitle: 'Mailbox', loginLine: 'To open your mailbox, enter your card\'s user authentication PIN (4 digits). Your My Number is not used.',
  loginBusy: 'Checking your card…', loading: 'Loading…',
  noNotices: 'No notices.', noticeCount: '{n} notice(s), {u} unread',
  stUnread: 'Unread', stRead: 'Read', stAnswered: 'Answered', stWithdrawn: 'Withdrawn', kindStatusCheck: 'Status check request', due: 'due {date}',
  noticeFrom: 'From: {sender}', noticeDate: 'Received: {date}', answerThis: 'Answer (status check)', backToList: 'Back to the list',
  answeredAlready: 'You answered this notice ({date}).', withdrawnNote: 'This notice was withdrawn.',
  answerTitle: 'Status check answer', answerQuestion: 'Answering "{subject}" from {sender}. Choose what applies.',
  answerLiving: 'I am well; my name and address are unchanged', answerChanged: 'I am well; my name or address changed',
  reviewTitle: 'Check what will be sent', reviewTo: 'To: {sender}', reviewPolicy: 'Policy: {policy}', reviewAnswer: 'Answer: {answer}',
  reviewSign: 'It is signed with your card\'s signing certificate, which carries your name, address, birth date and sex.',
  signAndSend: 'Sign and send', reportPasswordLine: 'Enter your signing password to sign and send this answer.',
  sending: 'Signing and sending…', receiptTitle: 'Received', receiptTo: 'Your status check answer to {sender} was received.',
  receiptId: 'Receipt number: {id}', receiptAt: 'Received at: {at}', receiptVerified: 'Signature: valid (revocation checked)',
  receiptHash: 'Reference: {hash}', late: 'It was received after the due date.',
  myinfoTitle: 'My information', myinfoLine: 'Choose what to see.', myCards: 'Registered cards', myDisclosures: 'Who received my information',
  cardActive: '{name}: active (registered {date}); alerts come to this TV', cardEnded: '{name}: registration ended (certificate revoked or similar); please register again',
  cardsNone: 'No card is registered on this TV.',
  disclosuresLine: 'Who received your information, when, what and why.',
  disclosure: '{at}  {party}: {items}', purpose: 'Purpose: {purpose}',
  disclosuresNone: 'No records: your information has not been given to anyone.',
  itemName: 'name', itemAddress: 'address', itemBirthDate: 'birth date', itemSex: 'sex', listSep: ', ',
  myinfoLoginLine: 'To see the records, enter your card\'s user authentication PIN (4 digits).',
  gwHeading: 'Given to insurers', gwNone: 'Nothing was given to insurers.',
  muniHeading: 'Given by the city office', muniNone: 'The city office has given nothing.',
  muniDisclosure: '{at}  {name}\'s information to {party}: {items}', muniMore: 'Older records are left out.',
  muniUnavailable: 'The city office\'s records cannot be loaded now.',
  partyMunicipality: 'the city office', partyShelter: 'the shelter "{name}"', partyStaff: 'city office staff ({role})',
  roleViewer: 'viewing records', roleIssuer: 'issuing alerts', roleApprover: 'approving alerts', roleAdmin: 'administration',
  purposeCardBinding: 'registering the card on this TV (to match the card with the resident register)',
  purposeShelterRoster: 'shelter reception (to greet and check in people who come to the shelter)',
  purposeRescueList: 'rescue list (to go and help people who have not answered)', purposeOther: 'other work of the city office',
  purposeEnrolment: 'linking policy {policy} (so the insurer can match its customer record)', purposeInsurerOther: 'another procedure of the insurer',
  itemReading: 'name reading', itemHousehold: 'household', itemAgeGroup: 'age group', itemCareNeeds: 'help needed', itemCardKey: 'card matching number',
  itemCertSerial: 'certificate number', itemPhone: 'phone number', itemSupporter: 'supporter', itemArea: 'area', itemAnswer: 'answer to the alert',
  itemLastContact: 'last contact', itemShelter: 'shelter',
  enrolMenu: 'Link an insurance policy', enrolTitle: 'Link an insurance policy',
  enrolLine: 'Choose the insurer whose notices you want to receive. Each policy is linked only once.',
  enrolLinked: 'Already linked: {list}', enrolLinkedItem: '{insurer} (policy {policy})', enrolNone: 'No policy is linked yet.',
  noInsurers: 'No insurer can be linked at present.',
  policyLabel: 'Policy number (capital letters, digits, hyphen)', policyLine: 'Enter your policy number with {insurer}. It is on your policy document and on the insurer\'s letters.',
  hintPolicy: 'Arrows choose a character, OK types it. Number keys type digits. Red: delete one. Back: previous screen',
  formatPolicy: 'Use capital letters, digits and hyphens only.',
  enrolReviewTitle: 'Check what will be shared', enrolReviewTo: 'Insurer: {insurer}',
  enrolReviewItems: 'Shared: {items} (as recorded in your card\'s signing certificate)',
  enrolReviewWhy: 'They are shared once, so the insurer can match you with its customer record. After that it knows you only by a code of its own. Your My Number is not shared.',
  enrolReviewAfter: 'Once linked, this insurer\'s notices (such as status check requests) come to this mailbox. You can see this record in "My information".',
  enrolSign: 'Agree and sign', enrolPasswordLine: 'Enter your signing password to sign and send this consent.',
  enrolDoneTitle: 'Linked', enrolDone: 'Policy {policy} with {insurer} is now linked to this mailbox.',
  enrolDoneNext: 'From now on, notices from {insurer} come to this mailbox.',
  alreadyLinkedTitle: 'This policy is already linked', alreadyLinkedWhat: 'This policy number is already linked to this mailbox. There is nothing more to do.',
  policyTakenTitle: 'This policy is linked to another mailbox', policyTakenWhat: 'Please check the number. If you do not know why, contact the insurer.',
};

const loaded: Partial<Record<Language, FlowStrings>> = { ja, en };

/** One chunk per language (Vite splits each import()); names start with words- (the bench counts one). */
const chunks: Record<Exclude<Language, 'ja' | 'en'>, () => Promise<{ default: FlowStrings }>> = {
  'ja-x-easy': () => import('./flow-words/words-ja-easy.ts'),
  zh: () => import('./flow-words/words-zh.ts'),
  ko: () => import('./flow-words/words-ko.ts'),
  vi: () => import('./flow-words/words-vi.ts'),
  pt: () => import('./flow-words/words-pt.ts'),
};

/** Fetch a language's words before its screens are drawn; false when they could not be loaded. */
export async function loadFlowStrings(lang: Language): Promise<boolean> {
  if (loaded[lang]) return true;
  const chunk = chunks[lang as keyof typeof chunks];
  if (!chunk) return false;
  try {
    loaded[lang] = (await chunk()).default;
    return true;
  } catch {
    return false;
  }
}

export function flowStrings(lang: Language): FlowStrings {
  return loaded[lang] ?? en;
}

const DATE_LOCALE: Record<Language, string> = { ja: 'ja-JP', 'ja-x-easy': 'ja-JP', en: 'en-GB', zh: 'zh-CN', ko: 'ko-KR', vi: 'vi-VN', pt: 'pt-BR' };

/** Dates as residents read them, in Japan's time zone: 2026年11月23日 10:05, 23 Nov 2026, 10:05, 2026年11月23日 … */
export function formatDate(iso: string, lang: Language, withTime = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const cjk = lang === 'ja' || lang === 'ja-x-easy' || lang === 'zh' || lang === 'ko';
  return new Intl.DateTimeFormat(DATE_LOCALE[lang] ?? 'en-GB', {
    timeZone: 'Asia/Tokyo', year: 'numeric', month: cjk ? 'long' : 'short', day: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(d);
}
