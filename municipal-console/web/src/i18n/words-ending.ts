/** Ending an alert (issues 18/19): lifting (解除: the danger is over) and cancelling (取消: sent in error), each worded for itself. */
export const ja = {
  lift: '解除（危険が去った）',
  cancelError: '取消（誤って送信）',
  liftTitle: 'この避難情報を解除しますか？',
  liftHint:
    '危険が去ったときに使います。TVには「解除されました」の画面が出て、ホーム画面に解除の時刻が残ります。誤って送った場合は「取消」を使ってください。',
  cancelTitle: 'この避難情報を取り消しますか？',
  cancelHint:
    '誤って送信したときに使います。TVには「誤って送信されたもの」と表示されます。危険が去った場合は「解除」を使ってください。',
  endApproval: '別の職員が承認するまでTVには届きません（自治体の承認ルール）。',
  endNow: 'ただちにTVに届きます（承認は不要です）。',
  liftOk: '解除する',
  cancelOk: '取り消す（誤送信）',
  st_lifted: '解除済',
};

export const en: Record<keyof typeof ja, string> = {
  lift: 'Lift (danger over)',
  cancelError: 'Cancel (sent in error)',
  liftTitle: 'Lift this alert?',
  liftHint:
    'Use this when the danger is over. TVs show a “lifted” screen, and Home keeps the time it was lifted. If it was sent in error, use Cancel.',
  cancelTitle: 'Cancel this alert as sent in error?',
  cancelHint:
    'Use this when it was sent in error. TVs say plainly that it was sent in error. If the danger is over, use Lift.',
  endApproval: 'It reaches no TV until another staff member approves it (the approval rule).',
  endNow: 'It reaches the TVs at once (no approval needed).',
  liftOk: 'Lift',
  cancelOk: 'Cancel as sent in error',
  st_lifted: 'Lifted',
};
