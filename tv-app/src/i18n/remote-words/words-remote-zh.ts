/** The remote's key hints, the unanswered-alert banner and the after-help words: one language, loaded on demand (remote-words.ts). */
import type { RemoteWords } from './remote-type.ts';

const words: RemoteWords = {
  keyOk: '确定键',
  keyBlue: '蓝色键',
  hintMove: '选择',
  hintOpen: '打开',
  hintAlert: '打开避难信息',
  banner: '{alert}　尚未回答。按{key}打开',
  helpTold: '已告知市政府需要帮助：{names}。',
  helpStay: '请在安全的地方等待。危险时请到二楼等高处。',
  helpCall: '能打电话时，请拨打{city}119。',
  helpCity: '市政府（{phone}）或',
};

export default words;
