/**
 * The words of the remote's key hints, the banner of an alert left unanswered, and what happens
 * after 「助けが必要です」 (issue 18, item 8), in the seven languages. Imported eagerly: the banner
 * and the after-help screen must show at once in each resident's language. `{x}`: filled by `fmt`.
 */
import type { Language } from '@kizuna/contract/levels';

export interface RemoteWords {
  /** The OK key's name on the key-hint bar. */
  keyOk: string;
  /** Key hints: move the focus, open the focused item, open the alert. */
  hintMove: string;
  hintOpen: string;
  hintAlert: string;
  /** The banner of an alert left with Back before it was answered: on Home (OK opens it) and on the other screens. */
  bannerHome: string;
  bannerOther: string;
  /** After 「助けが必要です」: the city has been told; stay safe; how to call. */
  helpTold: string;
  helpStay: string;
  helpCall: string;
  helpCallCity: string;
}

const ja: RemoteWords = {
  keyOk: '決定',
  hintMove: '選ぶ',
  hintOpen: '開く',
  hintAlert: '避難情報を開く',
  bannerHome: '{alert}　まだ返事がありません。決定ボタンで開きます',
  bannerOther: '{alert}　まだ返事がありません。青ボタンで開きます',
  helpTold: '{names}が助けを必要としていることを、市に伝えました。',
  helpStay: '今いる所が安全なら、そこで待ってください。危ないときは、2階など高い所へ。',
  helpCall: '電話ができるときは、119番へ。',
  helpCallCity: '電話ができるときは、市役所（{phone}）へ。命が危ないときは119番へ。',
};

const easy: RemoteWords = {
  keyOk: 'けってい',
  hintMove: 'えらぶ',
  hintOpen: 'ひらく',
  hintAlert: 'ひなんの おしらせを みる',
  bannerHome: '{alert}　まだ こたえて いません。けってい ボタンで ひらきます',
  bannerOther: '{alert}　まだ こたえて いません。あおい ボタンで ひらきます',
  helpTold: '{names}を たすけて ほしいと、しやくしょに つたえました。',
  helpStay: 'いまの ところが あんぜんなら、そこで まって ください。あぶない ときは、2かいなど たかい ところへ。',
  helpCall: 'でんわが できる ときは、119ばんへ。',
  helpCallCity: 'でんわが できる ときは、しやくしょ（{phone}）へ。いのちが あぶない ときは 119ばんへ。',
};

const en: RemoteWords = {
  keyOk: 'OK',
  hintMove: 'choose',
  hintOpen: 'open',
  hintAlert: 'open the alert',
  bannerHome: '{alert} — not answered yet. Press OK to open it',
  bannerOther: '{alert} — not answered yet. Press blue to open it',
  helpTold: 'The city has been told who needs help: {names}.',
  helpStay: 'Stay where you are if it is safe. If danger comes closer, go up, to a higher floor.',
  helpCall: 'If you can make a call: 119.',
  helpCallCity: 'If you can make a call: the city office, {phone}. If your life is in danger: 119.',
};

const zh: RemoteWords = {
  keyOk: '确定',
  hintMove: '选择',
  hintOpen: '打开',
  hintAlert: '打开避难信息',
  bannerHome: '{alert}　尚未回答。按确定键打开',
  bannerOther: '{alert}　尚未回答。按蓝色键打开',
  helpTold: '已告知市政府：{names}需要帮助。',
  helpStay: '如果您所在的地方安全，请在原地等待。危险时，请到二楼等高处。',
  helpCall: '能打电话时，请拨打119。',
  helpCallCity: '能打电话时，请打给市政府（{phone}）。有生命危险时，请拨打119。',
};

const ko: RemoteWords = {
  keyOk: '확인',
  hintMove: '선택',
  hintOpen: '열기',
  hintAlert: '피난 정보 열기',
  bannerHome: '{alert}　아직 답하지 않았습니다. 확인 버튼으로 엽니다',
  bannerOther: '{alert}　아직 답하지 않았습니다. 파란 버튼으로 엽니다',
  helpTold: '{names}에게 도움이 필요하다고 시에 전달했습니다.',
  helpStay: '지금 있는 곳이 안전하면 그곳에서 기다려 주세요. 위험하면 2층 등 높은 곳으로.',
  helpCall: '전화할 수 있으면 119로.',
  helpCallCity: '전화할 수 있으면 시청({phone})으로. 생명이 위험하면 119로.',
};

const vi: RemoteWords = {
  keyOk: 'OK',
  hintMove: 'chọn',
  hintOpen: 'mở',
  hintAlert: 'mở thông báo sơ tán',
  bannerHome: '{alert} — chưa trả lời. Nhấn OK để mở',
  bannerOther: '{alert} — chưa trả lời. Nhấn nút xanh dương để mở',
  helpTold: 'Đã báo cho thành phố những người cần giúp đỡ: {names}.',
  helpStay: 'Nếu nơi bạn đang ở an toàn, hãy chờ ở đó. Khi nguy hiểm, hãy lên tầng 2 hoặc nơi cao.',
  helpCall: 'Nếu gọi được điện thoại: 119.',
  helpCallCity: 'Nếu gọi được điện thoại: tòa thị chính ({phone}). Khi nguy hiểm đến tính mạng: 119.',
};

const pt: RemoteWords = {
  keyOk: 'OK',
  hintMove: 'escolher',
  hintOpen: 'abrir',
  hintAlert: 'abrir o alerta',
  bannerHome: '{alert} — ainda sem resposta. Aperte OK para abrir',
  bannerOther: '{alert} — ainda sem resposta. Aperte o azul para abrir',
  helpTold: 'A prefeitura foi avisada de quem precisa de ajuda: {names}.',
  helpStay: 'Fique onde está se for seguro. Se o perigo chegar perto, suba para um andar mais alto.',
  helpCall: 'Se puder telefonar: 119.',
  helpCallCity: 'Se puder telefonar: prefeitura, {phone}. Se houver risco de vida: 119.',
};

export const REMOTE_WORDS: Readonly<Record<Language, RemoteWords>> = { ja, 'ja-x-easy': easy, en, zh, ko, vi, pt };

export function remoteWords(lang: Language): RemoteWords {
  return REMOTE_WORDS[lang] ?? ja;
}
