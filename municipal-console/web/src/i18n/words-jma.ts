/** The dashboard's JMA suggestions (issue 20). */
export const ja = {
  jmaSuggestions: '気象庁の情報からの提案',
  jmaLevelEquivalent: '警戒レベル{level}相当',
  jmaMakeDraft: '下書きを作る',
  jmaDrafted: '下書き作成済み',
  jmaOpenDraft: '下書きを開く',
  jmaFrom: '{office} {title}（{time}）',
  jmaNeverSent: '提案は自動では送信されません。下書きを確認してから送信してください。',
  jmaZones: '対象地区',
};
export const en: Record<keyof typeof ja, string> = {
  jmaSuggestions: 'Suggestions from JMA information',
  jmaLevelEquivalent: 'Corresponds to level {level}',
  jmaMakeDraft: 'Make a draft',
  jmaDrafted: 'Draft made',
  jmaOpenDraft: 'Open the draft',
  jmaFrom: '{office} {title} ({time})',
  jmaNeverSent: 'Suggestions are never sent by themselves. Review the draft, then send it.',
  jmaZones: 'Zones',
};
