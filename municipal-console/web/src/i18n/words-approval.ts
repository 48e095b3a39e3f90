/** The approval panel: exactly what a second person approves (issue 24). */
export const ja = {
  approvalTitle: '承認を待っている内容（第{revision}版）',
  approvalHint: '承認すると、この内容がそのままTVに送られます。内容が変わった場合は承認されません。',
  mt_Alert: '発令',
  mt_Update: '更新（TVの表示を置き換えます）',
  mt_Cancel: '取消（誤って送信：TVには「誤って送信されたもの」と表示されます）',
  mt_lifted: '解除（危険が去った：TVには「解除されました」と表示されます）',
  msgType: '操作',
  textPerLanguage: '追加の文',
  noExtraText: '（なし。定型文のみ）',
  areaShape: '範囲指定あり（多角形・円）',
  countsWhenSent: '送信時点の送信先',
  digest: '確認コード',
  contentChanged:
    'この画面を開いた後に内容が変更されました。表示中の内容では承認できません。「新しい内容を表示」で確認してください。',
  showNewContent: '新しい内容を表示',
};

export const en: Record<keyof typeof ja, string> = {
  approvalTitle: 'Waiting for approval (revision {revision})',
  approvalHint: 'Approving sends exactly this content to the TVs. If it changes, the approval is refused.',
  mt_Alert: 'Issue',
  mt_Update: 'Update (replaces what TVs show)',
  mt_Cancel: 'Cancel (sent in error: TVs say it was sent in error)',
  mt_lifted: 'Lift (danger over: TVs say it was lifted)',
  msgType: 'Action',
  textPerLanguage: 'Extra text',
  noExtraText: '(none: the standard text only)',
  areaShape: 'with a drawn area (polygon or circle)',
  countsWhenSent: 'Recipients when sent',
  digest: 'Check code',
  contentChanged:
    'The content changed after you opened this page. What is shown here cannot be approved. Use “Show the new content” to review it.',
  showNewContent: 'Show the new content',
};
