/** The shelters screen's title and the audit log. */
export const ja = {
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
};

export const en: Record<keyof typeof ja, string> = {
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
};
