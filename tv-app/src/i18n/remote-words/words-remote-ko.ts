/** The remote's key hints, the unanswered-alert banner and the after-help words: one language, loaded on demand (remote-words.ts). */
import type { RemoteWords } from './remote-type.ts';

const words: RemoteWords = {
  keyOk: '확인',
  keyBlue: '파란 버튼',
  hintMove: '선택',
  hintOpen: '열기',
  hintAlert: '피난 정보 열기',
  banner: '{alert}　아직 답하지 않았습니다. {key}으로 엽니다',
  helpTold: '도움이 필요하다고 시에 전달했습니다: {names}.',
  helpStay: '안전한 곳에서 기다려 주세요. 위험하면 2층 등 높은 곳으로.',
  helpCall: '전화할 수 있으면 {city}119로.',
  helpCity: '시청({phone}) 또는 ',
};

export default words;
