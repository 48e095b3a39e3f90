/**
 * Words of the card, post-box and My-information screens (issue 5), in all seven languages.
 * Japanese (flow-ja.ts, the reference: its keys are the type) and English are in the card screens'
 * chunk; やさしい日本語, Chinese, Korean, Vietnamese and Portuguese are one small chunk each
 * (flow-words/), loaded with `loadFlowStrings` when a card screen opens, so a TV downloads only
 * its own language. Until that chunk is there (or if it cannot load) English stands in.
 * `{x}` is filled by `fmt`; test/flow-strings.test.ts checks every language has every key.
 */
import type { Language } from '@kizuna/contract/levels';
import { ja, type FlowStrings } from './flow-ja.ts';

export type { FlowStrings } from './flow-ja.ts';

const en: FlowStrings = {
  backHome: 'Back to home',
  retry: 'Try again',
  cancel: 'Cancel',
  chooseOther: 'Choose another card',
  hintList: 'Up/Down to choose, OK to select. Back: previous screen',
  hintButtons: 'Left/Right to choose, OK to select. Back: previous screen',
  hintScroll: 'Up/Down to read on. Left/Right to choose, OK to select. Back: previous screen',
  hintBusy: 'Please wait',
  hintPassword: 'Arrows choose a character, OK types it. Number keys type digits. Red: delete one. Back: cancel',
  hintPin: 'Type the 4 digits with the number keys, then OK. Red: delete one. Back: cancel',
  keyDelete: 'Delete',
  keyOk: 'OK',
  secretCount: '{n} characters',
  secretTooShort: 'Enter at least {min} characters',
  connectingReader: 'Connecting to the card reader…',
  chooseCardTitle: 'Choose your card',
  chooseCardLine: 'Place your My Number card on the reader, choose it in the list below and press OK.',
  noCards: 'No card found. Place your card on the reader, then choose "Try again".',
  passwordLabel: 'Signing password (6–16 capital letters and digits)',
  pinLabel: 'User authentication PIN (4 digits)',
  triesLeftNote: '{n} more wrong tries will lock it.',
  bindTitle: 'Register a card',
  bindBound: 'Registered on this TV: {names}',
  bindNone: 'Nobody is registered on this TV yet.',
  bindPasswordLine:
    'Your signing password signs the registration of this TV. The city receives the name, address, birth date and sex on your card and checks them against the resident register. Your My Number is not used.',
  bindBusy: 'Registering… (signing with your card; the city is checking it)',
  bindDoneTitle: 'Registered',
  bindDone: '{name} is now registered on this TV. Evacuation alerts for {name} will come to this TV.',
  bindAnother: 'Register another person',
  wrongPassword: 'The password is wrong.',
  wrongPin: 'The PIN is wrong.',
  lastTry: 'One more mistake locks it. If you are not sure, stop and ask at your city office.',
  formatPassword: 'The password is 6–16 capital letters and digits.',
  formatPin: 'The PIN is 4 digits.',
  lockedPasswordTitle: "The card's signing password is locked",
  lockedPinTitle: "The card's PIN is locked",
  lockedWhy: 'It was entered wrongly too many times, so the card blocks it for your safety (locked).',
  lockedWhatPassword:
    'Ask your city or town office to reset the signing password. Bring your My Number card and a photo ID such as a driving licence.',
  lockedWhatPin:
    'Ask your city or town office to reset the user authentication PIN. Bring your My Number card and a photo ID such as a driving licence.',
  lockedMeanwhile: 'Until then this card cannot register or sign.',
  revokedTitle: "This card's certificate has been revoked",
  revokedWhy:
    'After a move, a change of name or a lost card, the certificate is revoked and the card can no longer register or sign.',
  revokedWhat: 'Get a new certificate at your city or town office, then try again.',
  certInvalidTitle: "This card's certificate cannot be used",
  certInvalidWhat: 'It could not be accepted (for example, it has expired). Please ask at your city office.',
  statusTitle: 'The certificate could not be checked',
  statusWhat: 'Its validity cannot be checked right now, so nothing was sent. Please try again later.',
  readerTitle: 'The card reader is not connected',
  readerWhat: 'Check the reader\'s power and cable, then choose "Try again".',
  noCardTitle: 'The card cannot be read',
  noCardWhat: 'Place the card on the reader again and retry.',
  networkTitle: 'The server cannot be reached',
  networkWhat:
    'The connection is down or the server has stopped. Nothing was sent. Check the connection and try again.',
  sessionTitle: 'Please start again',
  sessionWhat: 'Too much time passed and the request is no longer valid. Please start again.',
  noMatchTitle: 'Not found in the resident register',
  noMatchWhat:
    "The name, address, birth date and sex on the card do not match the city's register. If you moved recently, please register at the city office.",
  notConfiguredTitle: 'This function is not set up',
  notConfiguredWhat: 'This TV has no server address for it. Please ask your dealer or city office.',
  refusedTitle: 'Not accepted',
  refusedWhat: 'Reason: {detail}',
  errorCode: '(code: {code})',
  postboxTitle: 'Mailbox',
  loginLine: "To open your mailbox, enter your card's user authentication PIN (4 digits). Your My Number is not used.",
  loginBusy: 'Checking your card…',
  loading: 'Loading…',
  noNotices: 'No notices.',
  noticeCount: '{n} notice(s), {u} unread',
  stUnread: 'Unread',
  stRead: 'Read',
  stAnswered: 'Answered',
  stWithdrawn: 'Withdrawn',
  kindStatusCheck: 'Status check request',
  due: 'due {date}',
  noticeFrom: 'From: {sender}',
  noticeDate: 'Received: {date}',
  answerThis: 'Answer (status check)',
  backToList: 'Back to the list',
  answeredAlready: 'You answered this notice ({date}).',
  withdrawnNote: 'This notice was withdrawn.',
  answerTitle: 'Status check answer',
  answerQuestion: 'Answering "{subject}" from {sender}. Choose what applies.',
  answerLiving: 'I am well; my name and address are unchanged',
  answerChanged: 'I am well; my name or address changed',
  reviewTitle: 'Check what will be sent',
  reviewTo: 'To: {sender}',
  reviewPolicy: 'Policy: {policy}',
  reviewAnswer: 'Answer: {answer}',
  reviewSign:
    "It is signed with your card's signing certificate, which carries your name, address, birth date and sex.",
  signAndSend: 'Sign and send',
  reportPasswordLine: 'Enter your signing password to sign and send this answer.',
  sending: 'Signing and sending…',
  receiptTitle: 'Received',
  receiptTo: 'Your status check answer to {sender} was received.',
  receiptId: 'Receipt number: {id}',
  receiptAt: 'Received at: {at}',
  receiptVerified: 'Signature: valid (revocation checked)',
  receiptHash: 'Reference: {hash}',
  late: 'It was received after the due date.',
  myinfoTitle: 'My information',
  myinfoLine: 'Choose what to see.',
  myCards: 'Registered cards',
  myDisclosures: 'Who received my information',
  cardActive: '{name}: active (registered {date}); alerts come to this TV',
  cardEnded: '{name}: registration ended (certificate revoked or similar); please register again',
  cardsNone: 'No card is registered on this TV.',
  disclosuresLine: 'Who received your information, when, what and why.',
  disclosure: '{at}  {party}: {items}',
  purpose: 'Purpose: {purpose}',
  disclosuresNone: 'No records: your information has not been given to anyone.',
  itemName: 'name',
  itemAddress: 'address',
  itemBirthDate: 'birth date',
  itemSex: 'sex',
  listSep: ', ',
  myinfoLoginLine: "To see the records, enter your card's user authentication PIN (4 digits).",
  gwHeading: 'Given to insurers',
  gwNone: 'Nothing was given to insurers.',
  muniHeading: 'Given by the city office',
  muniNone: 'The city office has given nothing.',
  muniDisclosure: "{at}  {name}'s information to {party}: {items}",
  muniMore: 'Older records are left out.',
  muniUnavailable: "The city office's records cannot be loaded now.",
  partyMunicipality: 'the city office',
  partyShelter: 'the shelter "{name}"',
  partyStaff: 'city office staff ({role})',
  roleViewer: 'viewing records',
  roleIssuer: 'issuing alerts',
  roleApprover: 'approving alerts',
  roleAdmin: 'administration',
  purposeCardBinding: 'registering the card on this TV (to match the card with the resident register)',
  purposeShelterRoster: 'shelter reception (to greet and check in people who come to the shelter)',
  purposeRescueList: 'rescue list (to go and help people who have not answered)',
  purposeOther: 'other work of the city office',
  purposeEnrolment: 'linking policy {policy} (so the insurer can match its customer record)',
  purposeInsurerOther: 'another procedure of the insurer',
  itemReading: 'name reading',
  itemHousehold: 'household',
  itemAgeGroup: 'age group',
  itemCareNeeds: 'help needed',
  itemCardKey: 'card matching number',
  itemCertSerial: 'certificate number',
  itemPhone: 'phone number',
  itemSupporter: 'supporter',
  itemArea: 'area',
  itemAnswer: 'answer to the alert',
  itemLastContact: 'last contact',
  itemShelter: 'shelter',
  enrolMenu: 'Link an insurance policy',
  enrolTitle: 'Link an insurance policy',
  enrolLine: 'Choose the insurer whose notices you want to receive. Each policy is linked only once.',
  enrolLinked: 'Already linked: {list}',
  enrolLinkedItem: '{insurer} (policy {policy})',
  enrolNone: 'No policy is linked yet.',
  noInsurers: 'No insurer can be linked at present.',
  policyLabel: 'Policy number (capital letters, digits, hyphen)',
  policyLine: "Enter your policy number with {insurer}. It is on your policy document and on the insurer's letters.",
  hintPolicy: 'Arrows choose a character, OK types it. Number keys type digits. Red: delete one. Back: previous screen',
  formatPolicy: 'Use capital letters, digits and hyphens only.',
  enrolReviewTitle: 'Check what will be shared',
  enrolReviewTo: 'Insurer: {insurer}',
  enrolReviewItems: "Shared: {items} (as recorded in your card's signing certificate)",
  enrolReviewWhy:
    'They are shared once, so the insurer can match you with its customer record. After that it knows you only by a code of its own. Your My Number is not shared.',
  enrolReviewAfter:
    'Once linked, this insurer\'s notices (such as status check requests) come to this mailbox. You can see this record in "My information".',
  enrolSign: 'Agree and sign',
  enrolPasswordLine: 'Enter your signing password to sign and send this consent.',
  enrolDoneTitle: 'Linked',
  enrolDone: 'Policy {policy} with {insurer} is now linked to this mailbox.',
  enrolDoneNext: 'From now on, notices from {insurer} come to this mailbox.',
  alreadyLinkedTitle: 'This policy is already linked',
  alreadyLinkedWhat: 'This policy number is already linked to this mailbox. There is nothing more to do.',
  policyTakenTitle: 'This policy is linked to another mailbox',
  policyTakenWhat: 'Please check the number. If you do not know why, contact the insurer.',
  otherCardTitle: 'This card is not the one you logged in with',
  otherCardWhy:
    "Nothing was sent: the signature came from another person's card than the card that opened this mailbox.",
  otherCardWhat: 'Sign with your own card, the one you logged in with.',
  devicesMenu: 'TVs linked to this mailbox',
  devicesTitle: 'Linked TVs',
  devicesLine:
    'When a notice arrives in this mailbox, the TVs below show "new notice". To remove a TV, choose it and press OK.',
  devicesNone: 'No TV is linked to this mailbox.',
  thisNotLinked: 'This TV is not linked to this mailbox.',
  deviceThis: 'This TV',
  deviceOther: 'TV {device} (municipality {muni})',
  deviceLinkedAt: 'Linked: {date}',
  removeTitle: 'Remove a TV',
  removeAsk: 'Remove {tv} from this mailbox?',
  removeAskThis: 'Remove this TV from this mailbox?',
  removeWhatOther: 'That TV will no longer show that a notice has arrived. The notices stay in your mailbox.',
  removeWhatThis: 'This TV will no longer show that a notice has arrived. The notices stay in your mailbox.',
  relinkThis: 'To link it again, open the mailbox on this TV with your card.',
  removeOk: 'Remove',
  removedOther: '{tv} was removed.',
  removedThis: 'This TV was removed: it will no longer show that a notice has arrived.',
  removedGone: '{tv} had already been removed.',
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

const DATE_LOCALE: Record<Language, string> = {
  ja: 'ja-JP',
  'ja-x-easy': 'ja-JP',
  en: 'en-GB',
  zh: 'zh-CN',
  ko: 'ko-KR',
  vi: 'vi-VN',
  pt: 'pt-BR',
};

/** Dates as residents read them, in Japan's time zone: 2026年11月23日 10:05, 23 Nov 2026, 10:05, 2026年11月23日 … */
export function formatDate(iso: string, lang: Language, withTime = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const cjk = lang === 'ja' || lang === 'ja-x-easy' || lang === 'zh' || lang === 'ko';
  return new Intl.DateTimeFormat(DATE_LOCALE[lang] ?? 'en-GB', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: cjk ? 'long' : 'short',
    day: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(d);
}
