/** The map (MapLibre) on the situation screen and the approval page: zones, shelters, people, the alert's area. */
export const ja = {
  mapLoading: '地図を読み込み中…',
  mapNoWebgl: 'この端末では地図（WebGL）を表示できません。地区の図で表示しています。',
  mapArrived: '到着',
  mapPeopleNeedHelp: '助けが必要（住所）',
  mapPeopleSilent: '要支援・未応答（住所）',
  mapPeopleHidden: '要支援者の位置は発令担当・管理者のみに表示されます',
  mapShelter: '避難所（収容/定員）',
  mapArea: '発令の対象地域',
};

export const en: Record<keyof typeof ja, string> = {
  mapLoading: 'Loading the map…',
  mapNoWebgl: 'This computer cannot show the map (WebGL); showing the zone diagram instead.',
  mapArrived: 'arrived',
  mapPeopleNeedHelp: 'Need help (home)',
  mapPeopleSilent: 'Needs help to evacuate, no answer (home)',
  mapPeopleHidden: 'Where people needing help are is shown to issuers and admins only',
  mapShelter: 'Shelter (present/capacity)',
  mapArea: 'Area of the alert',
};
