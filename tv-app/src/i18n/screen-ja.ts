/**
 * The TV's own screen words (Home, the alert takeover, Settings) in Japanese, the reference
 * language, with the Strings type every other language fills (screen-words/words-*.ts).
 */
export interface Strings {
  appTitle: string;
  connOnline: string;
  connConnecting: string;
  connReconnecting: string;
  connNoBroker: string;
  areaNone: string;
  areaTitle: string;
  areaLevel: string;
  residentsTitle: string;
  noResidents: string;
  howToBind: string;
  menuAlert: string;
  menuBind: string;
  menuPostbox: string;
  menuMyInfo: string;
  menuSettings: string;
  mailWaiting: string;
  levelLabel: string;
  exercise: string;
  test: string;
  shelter: string;
  distanceKm: string;
  distanceM: string;
  welfare: string;
  answerPrompt: string;
  /** While the screen does not yet take answers (the first second): whose turn it is. */
  answerWait: string;
  /** OK pressed with no answer chosen. */
  chooseFirst: string;
  /** An answered person's screen reopened from Home: their answer so far, and how to change or keep it. */
  answerCurrent: string;
  answerEvacuating: string;
  answerSafeIndoors: string;
  answerNeedHelp: string;
  answerSending: string;
  answerSent: string;
  answerQueued: string;
  backHome: string;
  updated: string;
  cancelled: string;
  expired: string;
  /** The lifting screen (解除: the danger is over) and the cancel screen (取消: sent in error); Home's line after either. */
  liftedLabel: string;
  liftedPhrase: string;
  liftedAt: string;
  errorLabel: string;
  errorPhrase: string;
  errorAt: string;
  homeLifted: string;
  homeError: string;
  offlineWarning: string;
  recipientOf: string;
  readAgain: string;
  backHint: string;
  everyoneIn: string;
  areaOk: string;
  areaNoAnswer: string;
  setPerson: string;
  setLanguage: string;
  setTextSize: string;
  setContrast: string;
  setReadAloud: string;
  sizeNormal: string;
  sizeLarge: string;
  sizeXLarge: string;
  on: string;
  off: string;
  everyone: string;
  setHint: string;
}

export const ja: Strings = {
  everyoneIn: '{zone}の皆さん',
  areaOk: '確認しました',
  areaNoAnswer: 'この地域のすべての方へのお知らせです。決定ボタンで閉じます',
  appTitle: 'きずな テレビ',
  connOnline: '接続中',
  connConnecting: '接続しています…',
  connReconnecting: '再接続しています…',
  connNoBroker: '避難情報の受信が設定されていません',
  areaNone: '現在、避難情報は出ていません',
  areaTitle: '地域の避難情報',
  areaLevel: '{zone}：警戒レベル{level} {phrase}',
  residentsTitle: 'このテレビの方',
  noResidents: 'まだマイナンバーカードが登録されていません',
  howToBind:
    'カードを登録すると、あなたあての避難情報がこのテレビに届きます。「カードを登録する」を選んで 決定 を押してください。',
  menuAlert: '避難情報を見る',
  menuBind: 'カードを登録する',
  menuPostbox: '郵便受け',
  menuMyInfo: 'わたしの情報',
  menuSettings: '設定',
  mailWaiting: '新しいお知らせ {n}通',
  levelLabel: '警戒レベル{level}',
  exercise: '訓練です　これは訓練です',
  test: 'テストです　これはテストです',
  shelter: '避難先',
  distanceKm: '約{km}キロメートル',
  distanceM: '約{m}メートル',
  welfare: '福祉避難所',
  answerPrompt: '{name}、返事をリモコンの色ボタンで選んでください',
  answerWait: '{name}の番です。まず、お知らせをお読みください',
  chooseFirst: 'まだ返事を選んでいません。色ボタンを押すか、←→で選んで決定を押してください',
  answerCurrent: '{name}の返事は「{answer}」です。変えるときは色ボタン、このままなら決定',
  answerEvacuating: '避難します',
  answerSafeIndoors: '家の中で安全です',
  answerNeedHelp: '助けが必要です',
  answerSending: '送っています…',
  answerSent: '「{answer}」と市に伝えました',
  answerQueued: '「{answer}」を受け付けました。つながったら市に送ります',
  backHome: 'ホームに戻る',
  updated: '内容が新しくなりました',
  cancelled: 'この避難情報は取り消されました',
  expired: 'この避難情報は期限が切れました',
  liftedLabel: '解除',
  liftedPhrase: '{phrase}は解除されました',
  liftedAt: '{time}に解除されました',
  errorLabel: '取消',
  errorPhrase: 'この避難情報は誤って送信されました',
  errorAt: '{time}に取り消されました',
  homeLifted: '{zone}：{phrase}は{time}に解除されました',
  homeError: '{zone}：{time}の取消 — 誤って送信された避難情報でした',
  offlineWarning: '通信が切れています。最新の情報ではない可能性があります',
  recipientOf: '{i}人目／{n}人',
  readAgain: 'もう一度読み上げる',
  backHint: '戻るボタンで前の画面に戻ります',
  setPerson: 'だれの設定',
  setLanguage: '言語',
  setTextSize: '文字の大きさ',
  setContrast: 'はっきり表示（白黒）',
  setReadAloud: '読み上げ',
  sizeNormal: '標準',
  sizeLarge: '大きい',
  sizeXLarge: 'とても大きい',
  on: '入',
  off: '切',
  everyone: 'このテレビ（全員）',
  setHint: '上下で項目、左右で変更。変更はすぐに保存されます。戻るボタンでホームへ。',
};
