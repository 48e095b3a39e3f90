/** The remote's key hints, the unanswered-alert banner and the after-help words: one language, loaded on demand (remote-words.ts). */
import type { RemoteWords } from './remote-type.ts';

const words: RemoteWords = {
  keyOk: 'けってい',
  keyBlue: 'あおい ボタン',
  hintMove: 'えらぶ',
  hintOpen: 'ひらく',
  hintAlert: 'おしらせを みる',
  banner: '{alert}　まだ こたえて いません。{key}で ひらきます',
  helpTold: '{names}：たすけが いることを しやくしょに つたえました。',
  helpStay: 'あんぜんな ところで まって ください。あぶない ときは 2かいなど たかい ところへ。',
  helpCall: 'でんわが できる ときは {city}119ばんへ。',
  helpCity: 'しやくしょ（{phone}）か ',
};

export default words;
