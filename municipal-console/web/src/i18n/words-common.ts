/** Words every screen shares: progress, live state, back and close, language. */
export const ja = {
  sendingTvs: 'TVへ送信中',
  sendingPrepare: 'TVへの送信を準備中…',
  loading: '読み込み中…',
  live: 'ライブ更新中',
  offline: '再接続中…',
  connecting: '接続中…',
  back: '戻る',
  close: '閉じる',
  error: 'エラー',
  exerciseBanner: '訓練',
  since: '発令',
  lang: 'English',
  langLabel: '表示言語',
};

export const en: Record<keyof typeof ja, string> = {
  sendingTvs: 'Sending to TVs:',
  sendingPrepare: 'Preparing to send to TVs…',
  loading: 'Loading…',
  live: 'Live',
  offline: 'Reconnecting…',
  connecting: 'Connecting…',
  back: 'Back',
  close: 'Close',
  error: 'Error',
  exerciseBanner: 'EXERCISE',
  since: 'Issued',
  lang: '日本語',
  langLabel: 'Language',
};
