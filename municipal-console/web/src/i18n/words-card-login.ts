/** Logging in with a My Number card through the card-reader bridge. */
export const ja = {
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
};

export const en: Record<keyof typeof ja, string> = {
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
};
