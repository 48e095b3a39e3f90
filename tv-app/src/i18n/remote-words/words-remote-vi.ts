/** The remote's key hints, the unanswered-alert banner and the after-help words: one language, loaded on demand (remote-words.ts). */
import type { RemoteWords } from './remote-type.ts';

const words: RemoteWords = {
  keyOk: 'OK',
  keyBlue: 'nút xanh dương',
  hintMove: 'chọn',
  hintOpen: 'mở',
  hintAlert: 'mở thông báo',
  banner: '{alert} — chưa trả lời. Nhấn {key} để mở',
  helpTold: 'Đã báo cho thành phố người cần giúp đỡ: {names}.',
  helpStay: 'Hãy chờ ở nơi an toàn. Khi nguy hiểm, lên tầng 2 hoặc nơi cao.',
  helpCall: 'Nếu gọi được: {city}119.',
  helpCity: 'tòa thị chính {phone} hoặc ',
};

export default words;
