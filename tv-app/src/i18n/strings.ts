/**
 * On-screen words in the seven languages residents can choose (contract LANGUAGES).
 * Alert content itself (headline, instruction) comes rendered by the console; these are the
 * TV's own labels. やさしい日本語 uses short sentences, hiragana and spaces between phrases.
 * `{x}` marks a value filled in by `fmt`.
 */
import type { Language } from '@kizuna/contract/levels';

export interface Strings {
  appTitle: string;
  connOnline: string;
  connConnecting: string;
  connReconnecting: string;
  connNoBroker: string;
  areaNone: string;
  areaTitle: string;
  areaLevel: string;
  residentsTitle: string;
  noResidents: string;
  howToBind: string;
  menuAlert: string;
  menuBind: string;
  menuPostbox: string;
  menuMyInfo: string;
  menuSettings: string;
  mailWaiting: string;
  mailNone: string;
  levelLabel: string;
  exercise: string;
  test: string;
  shelter: string;
  distanceKm: string;
  distanceM: string;
  welfare: string;
  answerPrompt: string;
  answerEvacuating: string;
  answerSafeIndoors: string;
  answerNeedHelp: string;
  okConfirms: string;
  answerSending: string;
  answerSent: string;
  answerQueued: string;
  allAnswered: string;
  backHome: string;
  updated: string;
  cancelled: string;
  expired: string;
  offlineWarning: string;
  recipientOf: string;
  readAgain: string;
  comingSoon: string;
  backHint: string;
  configError: string;
  everyoneIn: string;
  areaOk: string;
  areaNoAnswer: string;
  setPerson: string;
  setLanguage: string;
  setTextSize: string;
  setContrast: string;
  setReadAloud: string;
  sizeNormal: string;
  sizeLarge: string;
  sizeXLarge: string;
  on: string;
  off: string;
  everyone: string;
  setHint: string;
}

const ja: Strings = {
  everyoneIn: '{zone}の皆さん',
  areaOk: '確認しました',
  areaNoAnswer: 'この地域のすべての方へのお知らせです。決定ボタンで閉じます',
  appTitle: 'きずな テレビ',
  connOnline: '接続中',
  connConnecting: '接続しています…',
  connReconnecting: '再接続しています…',
  connNoBroker: '避難情報の受信が設定されていません',
  areaNone: '現在、避難情報は出ていません',
  areaTitle: '地域の避難情報',
  areaLevel: '{zone}：警戒レベル{level} {phrase}',
  residentsTitle: 'このテレビの方',
  noResidents: 'まだマイナンバーカードが登録されていません',
  howToBind:
    'カードを登録すると、あなたあての避難情報がこのテレビに届きます。「カードを登録する」を選んで 決定 を押してください。',
  menuAlert: '避難情報を見る',
  menuBind: 'カードを登録する',
  menuPostbox: '郵便受け',
  menuMyInfo: 'わたしの情報',
  menuSettings: '設定',
  mailWaiting: '新しいお知らせ {n}通',
  mailNone: 'お知らせはありません',
  levelLabel: '警戒レベル{level}',
  exercise: '訓練です　これは訓練です',
  test: 'テストです　これはテストです',
  shelter: '避難先',
  distanceKm: '約{km}キロメートル',
  distanceM: '約{m}メートル',
  welfare: '福祉避難所',
  answerPrompt: '{name}、返事をリモコンの色ボタンで選んでください',
  answerEvacuating: '避難します',
  answerSafeIndoors: '家の中で安全です',
  answerNeedHelp: '助けが必要です',
  okConfirms: '決定ボタンでも選べます',
  answerSending: '送っています…',
  answerSent: '「{answer}」と市に伝えました',
  answerQueued: '「{answer}」を受け付けました。つながったら市に送ります',
  allAnswered: '返事を市に伝えました。決定ボタンでホームに戻ります',
  backHome: 'ホームに戻る',
  updated: '内容が新しくなりました',
  cancelled: 'この避難情報は取り消されました',
  expired: 'この避難情報は期限が切れました',
  offlineWarning: '通信が切れています。最新の情報ではない可能性があります',
  recipientOf: '{i}人目／{n}人',
  readAgain: 'もう一度読み上げる',
  comingSoon: 'この画面は準備中です',
  backHint: '戻るボタンで前の画面に戻ります',
  configError: '設定に誤りがあります',
  setPerson: 'だれの設定',
  setLanguage: '言語',
  setTextSize: '文字の大きさ',
  setContrast: 'はっきり表示（白黒）',
  setReadAloud: '読み上げ',
  sizeNormal: '標準',
  sizeLarge: '大きい',
  sizeXLarge: 'とても大きい',
  on: '入',
  off: '切',
  everyone: 'このテレビ（全員）',
  setHint: '上下で項目、左右で変更。変更はすぐに保存されます。戻るボタンでホームへ。',
};

const easy: Strings = {
  everyoneIn: '{zone}の みなさん',
  areaOk: 'わかりました',
  areaNoAnswer: 'この ちいきの みんなへの しらせ です。けってい ボタンで とじます',
  appTitle: 'きずな テレビ',
  connOnline: 'つながって います',
  connConnecting: 'つないで います…',
  connReconnecting: 'もう いちど つないで います…',
  connNoBroker: 'ひなんの しらせを うけとる せっていが ありません',
  areaNone: 'いま ひなんの しらせは ありません',
  areaTitle: 'ちいきの ひなんの しらせ',
  areaLevel: '{zone}：レベル{level} {phrase}',
  residentsTitle: 'この テレビの ひと',
  noResidents: 'まだ マイナンバーカードが ありません',
  howToBind:
    'カードを とうろく すると、あなたへの ひなんの しらせが この テレビに きます。「カードを とうろく」を えらんで けっていを おして ください。',
  menuAlert: 'ひなんの しらせを みる',
  menuBind: 'カードを とうろく',
  menuPostbox: 'ゆうびんうけ',
  menuMyInfo: 'わたしの じょうほう',
  menuSettings: 'せってい',
  mailWaiting: 'あたらしい おしらせ {n}',
  mailNone: 'おしらせは ありません',
  levelLabel: 'けいかい レベル{level}',
  exercise: 'くんれん です　ほんとうでは ありません',
  test: 'テスト です　ほんとうでは ありません',
  shelter: 'にげる ばしょ',
  distanceKm: 'やく {km} キロメートル',
  distanceM: 'やく {m} メートル',
  welfare: 'ふくし ひなんじょ',
  answerPrompt: '{name}、いろの ボタンで こたえて ください',
  answerEvacuating: 'にげます',
  answerSafeIndoors: 'いえの なかで あんぜん です',
  answerNeedHelp: 'たすけて ください',
  okConfirms: 'けってい ボタンでも えらべます',
  answerSending: 'おくって います…',
  answerSent: '「{answer}」を しやくしょに つたえました',
  answerQueued: '「{answer}」を うけとりました。つながったら おくります',
  allAnswered: 'しやくしょに つたえました。けってい ボタンで もどります',
  backHome: 'はじめの がめんに もどる',
  updated: 'しらせが かわりました',
  cancelled: 'この ひなんの しらせは おわりました',
  expired: 'この ひなんの しらせは じかんが すぎました',
  offlineWarning: 'つうしんが きれて います。あたらしい しらせでは ない かもしれません',
  recipientOf: '{i}ばんめ／{n}にん',
  readAgain: 'もう いちど よむ',
  comingSoon: 'この がめんは じゅんびちゅう です',
  backHint: 'もどる ボタンで もどります',
  configError: 'せっていが まちがって います',
  setPerson: 'だれの せってい',
  setLanguage: 'ことば',
  setTextSize: 'もじの おおきさ',
  setContrast: 'はっきり みせる',
  setReadAloud: 'こえで よむ',
  sizeNormal: 'ふつう',
  sizeLarge: 'おおきい',
  sizeXLarge: 'とても おおきい',
  on: 'する',
  off: 'しない',
  everyone: 'この テレビ（みんな）',
  setHint: 'うえ・したで えらぶ。ひだり・みぎで かえる。もどる ボタンで もどる。',
};

const en: Strings = {
  everyoneIn: 'Everyone in {zone}',
  areaOk: 'I have seen this',
  areaNoAnswer: 'A message for everyone in this area. Press OK to close',
  appTitle: 'Kizuna TV',
  connOnline: 'Connected',
  connConnecting: 'Connecting…',
  connReconnecting: 'Reconnecting…',
  connNoBroker: 'Alert reception is not set up',
  areaNone: 'No evacuation information at present',
  areaTitle: 'Evacuation information for your area',
  areaLevel: '{zone}: Level {level} {phrase}',
  residentsTitle: 'People on this TV',
  noResidents: 'No My Number card registered yet',
  howToBind:
    'Register your card and evacuation alerts addressed to you will come to this TV. Choose "Register a card" and press OK.',
  menuAlert: 'View the alert',
  menuBind: 'Register a card',
  menuPostbox: 'Mailbox',
  menuMyInfo: 'My information',
  menuSettings: 'Settings',
  mailWaiting: '{n} new notice(s)',
  mailNone: 'No notices',
  levelLabel: 'Alert level {level}',
  exercise: 'EXERCISE — this is only an exercise',
  test: 'TEST — this is only a test',
  shelter: 'Go to',
  distanceKm: 'about {km} km',
  distanceM: 'about {m} m',
  welfare: 'welfare shelter',
  answerPrompt: '{name}, answer with a colour button on your remote',
  answerEvacuating: 'I am evacuating',
  answerSafeIndoors: 'I am safe indoors',
  answerNeedHelp: 'I need help',
  okConfirms: 'or choose and press OK',
  answerSending: 'Sending…',
  answerSent: 'Sent to the city: "{answer}"',
  answerQueued: '"{answer}" noted; it will be sent when the connection returns',
  allAnswered: 'Your answer was sent. Press OK to go back home',
  backHome: 'Back to home',
  updated: 'This message was updated',
  cancelled: 'This alert has been cancelled',
  expired: 'This alert has expired',
  offlineWarning: 'Connection lost: this may not be the latest information',
  recipientOf: '{i} of {n}',
  readAgain: 'Read aloud again',
  comingSoon: 'This screen is not ready yet',
  backHint: 'Press Back to return',
  configError: 'The TV settings are wrong',
  setPerson: 'Settings for',
  setLanguage: 'Language',
  setTextSize: 'Text size',
  setContrast: 'High contrast',
  setReadAloud: 'Read aloud',
  sizeNormal: 'Normal',
  sizeLarge: 'Large',
  sizeXLarge: 'Extra large',
  on: 'On',
  off: 'Off',
  everyone: 'This TV (everyone)',
  setHint: 'Up/Down: choose a setting. Left/Right: change it (saved at once). Back: home.',
};

const zh: Strings = {
  everyoneIn: '{zone}的各位',
  areaOk: '已确认',
  areaNoAnswer: '这是给本地区所有人的通知。按确定键关闭',
  appTitle: 'Kizuna 电视',
  connOnline: '已连接',
  connConnecting: '正在连接…',
  connReconnecting: '正在重新连接…',
  connNoBroker: '未设置接收避难信息',
  areaNone: '目前没有避难信息',
  areaTitle: '本地区的避难信息',
  areaLevel: '{zone}：警戒等级{level} {phrase}',
  residentsTitle: '本电视的用户',
  noResidents: '尚未登记个人编号卡',
  howToBind: '登记卡片后，发给您的避难信息会显示在这台电视上。请选择“登记卡片”并按确定键。',
  menuAlert: '查看避难信息',
  menuBind: '登记卡片',
  menuPostbox: '信箱',
  menuMyInfo: '我的信息',
  menuSettings: '设置',
  mailWaiting: '新通知 {n} 封',
  mailNone: '没有通知',
  levelLabel: '警戒等级{level}',
  exercise: '演练 — 这是演练',
  test: '测试 — 这是测试',
  shelter: '避难场所',
  distanceKm: '约{km}公里',
  distanceM: '约{m}米',
  welfare: '福利避难所',
  answerPrompt: '{name}，请用遥控器的彩色键回答',
  answerEvacuating: '我正在避难',
  answerSafeIndoors: '我在室内很安全',
  answerNeedHelp: '我需要帮助',
  okConfirms: '也可选择后按确定键',
  answerSending: '正在发送…',
  answerSent: '已告知市政府：“{answer}”',
  answerQueued: '已记录“{answer}”，恢复连接后发送',
  allAnswered: '回答已发送。按确定键返回首页',
  backHome: '返回首页',
  updated: '信息已更新',
  cancelled: '此避难信息已取消',
  expired: '此避难信息已过期',
  offlineWarning: '连接中断：这可能不是最新信息',
  recipientOf: '第{i}位／共{n}位',
  readAgain: '再读一遍',
  comingSoon: '此画面正在准备中',
  backHint: '按返回键返回',
  configError: '电视设置有误',
  setPerson: '谁的设置',
  setLanguage: '语言',
  setTextSize: '文字大小',
  setContrast: '高对比度',
  setReadAloud: '朗读',
  sizeNormal: '标准',
  sizeLarge: '大',
  sizeXLarge: '特大',
  on: '开',
  off: '关',
  everyone: '本电视（所有人）',
  setHint: '上下选择项目，左右更改（立即保存）。按返回键回到首页。',
};

const ko: Strings = {
  everyoneIn: '{zone} 주민 여러분',
  areaOk: '확인했습니다',
  areaNoAnswer: '이 지역 모든 분께 드리는 알림입니다. 확인 버튼으로 닫습니다',
  appTitle: 'Kizuna TV',
  connOnline: '연결됨',
  connConnecting: '연결 중…',
  connReconnecting: '다시 연결하는 중…',
  connNoBroker: '피난 정보 수신이 설정되지 않았습니다',
  areaNone: '현재 피난 정보가 없습니다',
  areaTitle: '지역 피난 정보',
  areaLevel: '{zone}: 경계 레벨 {level} {phrase}',
  residentsTitle: '이 TV의 사용자',
  noResidents: '아직 마이넘버 카드가 등록되지 않았습니다',
  howToBind: '카드를 등록하면 당신에게 보내는 피난 정보가 이 TV에 옵니다. "카드 등록"을 선택하고 확인을 누르세요.',
  menuAlert: '피난 정보 보기',
  menuBind: '카드 등록',
  menuPostbox: '우편함',
  menuMyInfo: '내 정보',
  menuSettings: '설정',
  mailWaiting: '새 알림 {n}건',
  mailNone: '알림이 없습니다',
  levelLabel: '경계 레벨 {level}',
  exercise: '훈련 — 이것은 훈련입니다',
  test: '테스트 — 이것은 테스트입니다',
  shelter: '피난처',
  distanceKm: '약 {km}km',
  distanceM: '약 {m}m',
  welfare: '복지 피난소',
  answerPrompt: '{name}, 리모컨의 색상 버튼으로 답해 주세요',
  answerEvacuating: '피난하겠습니다',
  answerSafeIndoors: '실내에서 안전합니다',
  answerNeedHelp: '도움이 필요합니다',
  okConfirms: '선택 후 확인 버튼도 됩니다',
  answerSending: '보내는 중…',
  answerSent: '시에 전달했습니다: "{answer}"',
  answerQueued: '"{answer}"을(를) 받았습니다. 연결되면 보냅니다',
  allAnswered: '답을 전달했습니다. 확인을 누르면 홈으로 돌아갑니다',
  backHome: '홈으로',
  updated: '내용이 업데이트되었습니다',
  cancelled: '이 피난 정보는 취소되었습니다',
  expired: '이 피난 정보는 기한이 지났습니다',
  offlineWarning: '연결이 끊겼습니다. 최신 정보가 아닐 수 있습니다',
  recipientOf: '{n}명 중 {i}번째',
  readAgain: '다시 읽기',
  comingSoon: '이 화면은 준비 중입니다',
  backHint: '뒤로 버튼으로 돌아갑니다',
  configError: 'TV 설정이 잘못되었습니다',
  setPerson: '누구의 설정',
  setLanguage: '언어',
  setTextSize: '글자 크기',
  setContrast: '고대비',
  setReadAloud: '읽어 주기',
  sizeNormal: '보통',
  sizeLarge: '크게',
  sizeXLarge: '아주 크게',
  on: '켬',
  off: '끔',
  everyone: '이 TV (모두)',
  setHint: '위/아래로 항목, 왼쪽/오른쪽으로 변경(바로 저장). 뒤로 버튼으로 홈.',
};

const vi: Strings = {
  everyoneIn: 'Mọi người ở {zone}',
  areaOk: 'Tôi đã xem',
  areaNoAnswer: 'Thông báo cho mọi người trong khu vực. Nhấn OK để đóng',
  appTitle: 'Kizuna TV',
  connOnline: 'Đã kết nối',
  connConnecting: 'Đang kết nối…',
  connReconnecting: 'Đang kết nối lại…',
  connNoBroker: 'Chưa cài đặt nhận thông tin sơ tán',
  areaNone: 'Hiện không có thông tin sơ tán',
  areaTitle: 'Thông tin sơ tán khu vực',
  areaLevel: '{zone}: Cấp {level} {phrase}',
  residentsTitle: 'Người dùng TV này',
  noResidents: 'Chưa đăng ký thẻ My Number',
  howToBind: 'Khi đăng ký thẻ, thông tin sơ tán gửi cho bạn sẽ hiện trên TV này. Hãy chọn "Đăng ký thẻ" và nhấn OK.',
  menuAlert: 'Xem thông tin sơ tán',
  menuBind: 'Đăng ký thẻ',
  menuPostbox: 'Hộp thư',
  menuMyInfo: 'Thông tin của tôi',
  menuSettings: 'Cài đặt',
  mailWaiting: '{n} thông báo mới',
  mailNone: 'Không có thông báo',
  levelLabel: 'Cấp cảnh báo {level}',
  exercise: 'DIỄN TẬP — đây chỉ là diễn tập',
  test: 'THỬ NGHIỆM — đây chỉ là thử nghiệm',
  shelter: 'Nơi sơ tán',
  distanceKm: 'khoảng {km} km',
  distanceM: 'khoảng {m} m',
  welfare: 'nơi sơ tán phúc lợi',
  answerPrompt: '{name}, hãy trả lời bằng nút màu trên điều khiển',
  answerEvacuating: 'Tôi đang sơ tán',
  answerSafeIndoors: 'Tôi an toàn trong nhà',
  answerNeedHelp: 'Tôi cần giúp đỡ',
  okConfirms: 'hoặc chọn rồi nhấn OK',
  answerSending: 'Đang gửi…',
  answerSent: 'Đã báo cho thành phố: "{answer}"',
  answerQueued: 'Đã ghi nhận "{answer}", sẽ gửi khi có kết nối',
  allAnswered: 'Đã gửi câu trả lời. Nhấn OK để về màn hình chính',
  backHome: 'Về màn hình chính',
  updated: 'Thông tin đã được cập nhật',
  cancelled: 'Thông tin sơ tán này đã bị hủy',
  expired: 'Thông tin sơ tán này đã hết hạn',
  offlineWarning: 'Mất kết nối: có thể không phải thông tin mới nhất',
  recipientOf: '{i}/{n}',
  readAgain: 'Đọc lại',
  comingSoon: 'Màn hình này đang được chuẩn bị',
  backHint: 'Nhấn Quay lại để trở về',
  configError: 'Cài đặt TV bị sai',
  setPerson: 'Cài đặt cho',
  setLanguage: 'Ngôn ngữ',
  setTextSize: 'Cỡ chữ',
  setContrast: 'Độ tương phản cao',
  setReadAloud: 'Đọc to',
  sizeNormal: 'Thường',
  sizeLarge: 'Lớn',
  sizeXLarge: 'Rất lớn',
  on: 'Bật',
  off: 'Tắt',
  everyone: 'TV này (mọi người)',
  setHint: 'Lên/Xuống: chọn mục. Trái/Phải: thay đổi (lưu ngay). Quay lại: màn hình chính.',
};

const pt: Strings = {
  everyoneIn: 'Todos em {zone}',
  areaOk: 'Eu vi',
  areaNoAnswer: 'Aviso para todos desta região. Aperte OK para fechar',
  appTitle: 'Kizuna TV',
  connOnline: 'Conectado',
  connConnecting: 'Conectando…',
  connReconnecting: 'Reconectando…',
  connNoBroker: 'Recepção de alertas não configurada',
  areaNone: 'Não há informação de evacuação no momento',
  areaTitle: 'Informação de evacuação da região',
  areaLevel: '{zone}: Nível {level} {phrase}',
  residentsTitle: 'Pessoas desta TV',
  noResidents: 'Nenhum cartão My Number registrado',
  howToBind:
    'Registre o seu cartão e os alertas de evacuação para você chegarão a esta TV. Escolha "Registrar cartão" e aperte OK.',
  menuAlert: 'Ver o alerta',
  menuBind: 'Registrar cartão',
  menuPostbox: 'Caixa postal',
  menuMyInfo: 'Minhas informações',
  menuSettings: 'Configurações',
  mailWaiting: '{n} aviso(s) novo(s)',
  mailNone: 'Nenhum aviso',
  levelLabel: 'Nível de alerta {level}',
  exercise: 'SIMULADO — isto é apenas um simulado',
  test: 'TESTE — isto é apenas um teste',
  shelter: 'Vá para',
  distanceKm: 'cerca de {km} km',
  distanceM: 'cerca de {m} m',
  welfare: 'abrigo assistencial',
  answerPrompt: '{name}, responda com um botão colorido do controle',
  answerEvacuating: 'Estou evacuando',
  answerSafeIndoors: 'Estou seguro em casa',
  answerNeedHelp: 'Preciso de ajuda',
  okConfirms: 'ou escolha e aperte OK',
  answerSending: 'Enviando…',
  answerSent: 'Enviado à prefeitura: "{answer}"',
  answerQueued: '"{answer}" anotado; será enviado quando a conexão voltar',
  allAnswered: 'Resposta enviada. Aperte OK para voltar ao início',
  backHome: 'Voltar ao início',
  updated: 'Esta mensagem foi atualizada',
  cancelled: 'Este alerta foi cancelado',
  expired: 'Este alerta expirou',
  offlineWarning: 'Sem conexão: esta pode não ser a informação mais recente',
  recipientOf: '{i} de {n}',
  readAgain: 'Ler de novo',
  comingSoon: 'Esta tela ainda não está pronta',
  backHint: 'Aperte Voltar para retornar',
  configError: 'As configurações da TV estão erradas',
  setPerson: 'Configurações de',
  setLanguage: 'Idioma',
  setTextSize: 'Tamanho do texto',
  setContrast: 'Alto contraste',
  setReadAloud: 'Ler em voz alta',
  sizeNormal: 'Normal',
  sizeLarge: 'Grande',
  sizeXLarge: 'Muito grande',
  on: 'Ligado',
  off: 'Desligado',
  everyone: 'Esta TV (todos)',
  setHint: 'Cima/Baixo: escolher. Esquerda/Direita: mudar (salvo na hora). Voltar: início.',
};

export const STRINGS: Readonly<Record<Language, Strings>> = { ja, 'ja-x-easy': easy, en, zh, ko, vi, pt };

/** The level phrases in languages the contract does not carry (ja, easy ja and en come from LEVELS). */
export const LEVEL_PHRASES: Readonly<Partial<Record<Language, Record<3 | 4 | 5, string>>>> = {
  zh: { 3: '老年人等避难', 4: '避难指示', 5: '紧急安全确保' },
  ko: { 3: '고령자 등 피난', 4: '피난 지시', 5: '긴급 안전 확보' },
  vi: { 3: 'Người cao tuổi v.v. sơ tán', 4: 'Lệnh sơ tán', 5: 'Đảm bảo an toàn khẩn cấp' },
  pt: { 3: 'Evacuação de idosos etc.', 4: 'Ordem de evacuação', 5: 'Garanta sua segurança já' },
};

/** Language names as their speakers write them (the language menu shows each in its own script). */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  ja: '日本語',
  'ja-x-easy': 'やさしい にほんご',
  en: 'English',
  zh: '中文',
  ko: '한국어',
  vi: 'Tiếng Việt',
  pt: 'Português',
};

export function fmt(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

export function stringsFor(lang: Language): Strings {
  return STRINGS[lang] ?? ja;
}
