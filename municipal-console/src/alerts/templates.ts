/**
 * What a resident reads: fixed phrases per level, language and situation. People act on the
 * level's phrase and colour, so headlines start with it; instructions name the hazard and the
 * shelter chosen for that resident. ja-x-easy follows やさしい日本語 (short, kana, spaces).
 */
import type { AlertStatus, EndReason, EvacuationLevel, Hazard, Language, MsgType } from '@kizuna/contract';
import { toRomaji } from 'wanakana';

export interface NameParts {
  familyName: string;
  givenName: string;
  familyKana: string;
  givenKana: string;
  sex: number;
  /** The name in alphabet as registered (a foreign resident's residence record), if any. */
  familyNameLatin?: string | null | undefined;
  givenNameLatin?: string | null | undefined;
}
export interface ShelterText {
  name: string;
  address: string;
  /** Name and address for non-Japanese screens (romanised or translated), if the register has them. */
  nameLatin?: string | undefined;
  addressLatin?: string | undefined;
  distanceM?: number | undefined;
  welfare?: boolean;
}
/** Which message a recipient gets: at level 3 only the elderly and those needing help are told to leave. */
export type Advice = 'leave-now' | 'get-ready' | 'secure-safety';

export interface PersonalText {
  headline: string;
  instruction: string;
}

interface LanguagePack {
  honorific(n: NameParts): string;
  hazard: Record<Hazard, string>;
  mark: { Exercise: string; Test: string; Update: string };
  headline(level: EvacuationLevel, advice: Advice, who: string): string;
  cancelHeadline(who: string, hazard: string): string;
  shelter(s: ShelterText): string;
  noShelter: string;
  body(advice: Advice, hazard: string): string;
  cancelBody: string;
  /** A Cancel of a message sent in error (取消): says plainly that it was sent in error. */
  errorHeadline(who: string, hazard: string): string;
  errorBody: string;
  everyone(zone: string): string;
}

/**
 * Names in the resident's script (issue 18). Japanese screens use the register's name (kanji, or
 * katakana as a foreign name is registered). Screens in the Latin alphabet (en, pt, vi)
 * use the name in alphabet as registered, else the kana reading romanised (Hepburn), never a
 * katakana name behind "Mr". Chinese and Korean keep a name written in kanji; a katakana name
 * there is written in alphabet too.
 */
const KATAKANA_NAME = /^[\u30a0-\u30ff\s・=＝]+$/u;
const title = (w: string) =>
  w
    .split(/([\s・-]+)/)
    .map((x) => (/^[a-z]/i.test(x) ? x[0]!.toUpperCase() + x.slice(1).toLowerCase() : x))
    .join('')
    .replace(/・/g, ' ');
/** Kana romanised as names are on passports (Hepburn without long marks: タロウ → Taro). */
const romanised = (kana: string) =>
  title(
    toRomaji(kana.trim().replace(/[・=＝]/g, ' '))
      .replace(/ou/g, 'o')
      .replace(/uu/g, 'u'),
  );
/** The name's two parts in alphabet: as registered, else the kana reading romanised. */
export function latinName(n: NameParts): { family: string; given: string } {
  return n.familyNameLatin && n.givenNameLatin
    ? { family: n.familyNameLatin, given: n.givenNameLatin }
    : { family: romanised(n.familyKana), given: romanised(n.givenKana) };
}
/** A name written in kanji (not a foreign name in katakana): Chinese and Korean readers read it as it is. */
const kanjiName = (n: NameParts) => !KATAKANA_NAME.test(`${n.familyName}${n.givenName}`);
/** Shelter name and address on a screen in the Latin alphabet or Korean: the register's own, else the Japanese. */
const shelterLatin = (s: ShelterText): ShelterText => ({
  ...s,
  name: s.nameLatin || s.name,
  address: s.addressLatin || s.address,
});

const km = (m: number, unitKm: string, unitM: string) =>
  m >= 1000 ? `${(m / 1000).toFixed(1)}${unitKm}` : `${Math.round(m / 10) * 10}${unitM}`;

export const PACKS: Record<Language, LanguagePack> = {
  ja: {
    honorific: (n) => `${n.familyName} ${n.givenName}さん`,
    hazard: {
      flood: '洪水',
      landslide: '土砂災害',
      'storm-surge': '高潮',
      earthquake: '地震',
      tsunami: '津波',
      fire: '火災',
      volcano: '噴火',
    },
    mark: { Exercise: '【訓練】', Test: '【テスト】', Update: '【更新】' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `【警戒レベル3 高齢者等避難】${who}、避難を始めてください`
          : `【警戒レベル3 高齢者等避難】${who}、避難の準備をしてください`
        : level === 4
          ? `【警戒レベル4 避難指示】${who}、すぐに避難してください`
          : `【警戒レベル5 緊急安全確保】${who}、直ちに命を守る行動をとってください`,
    cancelHeadline: (who, hz) => `${who}、${hz}の避難情報は解除されました`,
    shelter: (s) =>
      `避難先：${s.name}（${s.address}${s.distanceM !== undefined ? `、約${km(s.distanceM, 'km', 'm')}` : ''}）${s.welfare ? '〔福祉避難所〕' : ''}。`,
    noShelter: '近くの安全な場所へ避難してください。',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `${hz}の危険があります。危険な場所から避難してください。`
        : advice === 'get-ready'
          ? `${hz}の危険があります。すぐに避難できるよう準備し、今後の情報に注意してください。`
          : `${hz}が発生しています。避難所への移動がかえって危険な場合は、建物の上の階など少しでも安全な場所へ移ってください。`,
    cancelBody: '引き続き気象情報や市からのお知らせに注意してください。',
    errorHeadline: (who, hz) => `${who}、先ほどの${hz}の避難情報は誤って送信されたものです`,
    errorBody:
      'この避難情報は取り消されました。この情報による避難の必要はありません。引き続き市からのお知らせに注意してください。',
    everyone: (zone) => `${zone}の皆さん`,
  },
  'ja-x-easy': {
    honorific: (n) => `${n.familyKana} ${n.givenKana} さん`,
    hazard: {
      flood: 'こうずい（かわの みずが あふれる）',
      landslide: 'どしゃさいがい（やまや がけが くずれる）',
      'storm-surge': 'たかしお（うみの みずが くる）',
      earthquake: 'じしん',
      tsunami: 'つなみ',
      fire: 'かじ',
      volcano: 'ふんか（かざんの ばくはつ）',
    },
    mark: { Exercise: '【くんれん】', Test: '【テスト】', Update: '【あたらしい じょうほう】' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `レベル3　${who}、にげて ください`
          : `レベル3　${who}、にげる じゅんびを して ください`
        : level === 4
          ? `レベル4　${who}、すぐに にげて ください`
          : `レベル5　${who}、いのちを まもって ください`,
    cancelHeadline: (who, hz) => `${who}、${hz}の あぶない じょうほうは おわりました`,
    shelter: (s) =>
      `にげる ばしょ：${s.name}（${s.address}${s.distanceM !== undefined ? `　${km(s.distanceM, 'キロメートル', 'メートル')}` : ''}）。`,
    noShelter: 'ちかくの あんぜんな ばしょへ にげて ください。',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `${hz}が おこるかも しれません。あぶない ばしょから にげて ください。`
        : advice === 'get-ready'
          ? `${hz}が おこるかも しれません。すぐ にげられるように じゅんびを して ください。`
          : `${hz}が おきて います。そとが あぶない ときは、たてものの うえの かいへ いって ください。`,
    cancelBody: 'テレビや しやくしょの じょうほうを みて ください。',
    errorHeadline: (who, hz) => `${who}、さっきの ${hz}の じょうほうは まちがいでした`,
    errorBody: 'この じょうほうで にげる ひつようは ありません。テレビや しやくしょの じょうほうを みて ください。',
    everyone: (zone) => `${zone}の みなさん`,
  },
  en: {
    // No Mr/Ms: given name first, in alphabet (latinName).
    honorific: (n) => {
      const l = latinName(n);
      return `${l.given} ${l.family}`;
    },
    hazard: {
      flood: 'flooding',
      landslide: 'landslides',
      'storm-surge': 'a storm surge',
      earthquake: 'an earthquake',
      tsunami: 'a tsunami',
      fire: 'fire',
      volcano: 'a volcanic eruption',
    },
    mark: { Exercise: '[EXERCISE] ', Test: '[TEST] ', Update: '[UPDATE] ' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `Level 3 Evacuate if elderly or needing help — ${who}, please start evacuating now`
          : `Level 3 — ${who}, please get ready to evacuate`
        : level === 4
          ? `Level 4 Evacuation order — ${who}, please evacuate now`
          : `Level 5 Emergency — ${who}, protect your life immediately`,
    cancelHeadline: (who, hz) => `${who}, the evacuation notice for ${hz} has been lifted`,
    shelter: (s) =>
      `Go to: ${s.name} (${s.address}${s.distanceM !== undefined ? `, about ${km(s.distanceM, ' km', ' m')}` : ''})${s.welfare ? ' [welfare shelter]' : ''}.`,
    noShelter: 'Go to a safe place nearby.',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `There is a risk of ${hz}. Leave dangerous places now.`
        : advice === 'get-ready'
          ? `There is a risk of ${hz}. Get ready to leave and watch for further information.`
          : `${hz[0]!.toUpperCase()}${hz.slice(1)} is happening. If going outside is dangerous, move to an upper floor or the safest place you can reach.`,
    cancelBody: 'Keep watching the weather and city announcements.',
    errorHeadline: (who, hz) => `${who}, the evacuation notice for ${hz} was sent in error`,
    errorBody: 'It has been withdrawn: you do not need to evacuate because of it. Keep watching city announcements.',
    everyone: (zone) => `Everyone in ${zone}`,
  },
  zh: {
    honorific: (n) => {
      const l = latinName(n);
      const who = kanjiName(n) ? `${n.familyName}${n.givenName}` : `${l.given} ${l.family}`;
      return `${who}${n.sex === 1 ? '先生' : n.sex === 2 ? '女士' : ''}`;
    },
    hazard: {
      flood: '洪水',
      landslide: '泥石流、山体滑坡',
      'storm-surge': '风暴潮',
      earthquake: '地震',
      tsunami: '海啸',
      fire: '火灾',
      volcano: '火山喷发',
    },
    mark: { Exercise: '【演习】', Test: '【测试】', Update: '【更新】' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `警戒等级3 老年人等避难：${who}，请立即开始避难`
          : `警戒等级3：${who}，请做好避难准备`
        : level === 4
          ? `警戒等级4 避难指示：${who}，请立即避难`
          : `警戒等级5 紧急确保安全：${who}，请立即采取保护生命的行动`,
    cancelHeadline: (who, hz) => `${who}，${hz}的避难信息已解除`,
    shelter: (s) =>
      `避难场所：${s.name}（${s.address}${s.distanceM !== undefined ? `，约${km(s.distanceM, '公里', '米')}` : ''}）${s.welfare ? '〔福利避难所〕' : ''}。`,
    noShelter: '请前往附近的安全场所。',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `有发生${hz}的危险。请离开危险场所。`
        : advice === 'get-ready'
          ? `有发生${hz}的危险。请做好随时避难的准备，并注意后续信息。`
          : `${hz}正在发生。如外出更危险，请转移到建筑物高层等较安全的地方。`,
    cancelBody: '请继续关注气象信息和市政府的通知。',
    errorHeadline: (who, hz) => `${who}，刚才${hz}的避难信息是误发的`,
    errorBody: '该信息已撤销，无需因此避难。请继续关注市政府的通知。',
    everyone: (zone) => `${zone}的各位居民`,
  },
  ko: {
    honorific: (n) => {
      // A name in kanji stays in kanji (Korean readers read hanja); a katakana name is written in alphabet.
      if (kanjiName(n)) return `${n.familyName} ${n.givenName} 님`;
      const l = latinName(n);
      return `${l.family} ${l.given} 님`;
    },
    hazard: {
      flood: '홍수',
      landslide: '토사 재해',
      'storm-surge': '해일',
      earthquake: '지진',
      tsunami: '쓰나미',
      fire: '화재',
      volcano: '화산 분화',
    },
    mark: { Exercise: '[훈련] ', Test: '[테스트] ', Update: '[갱신] ' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `경계레벨3 고령자 등 대피: ${who}, 지금 대피를 시작하세요`
          : `경계레벨3: ${who}, 대피할 준비를 하세요`
        : level === 4
          ? `경계레벨4 대피 지시: ${who}, 즉시 대피하세요`
          : `경계레벨5 긴급 안전 확보: ${who}, 즉시 생명을 지키는 행동을 하세요`,
    cancelHeadline: (who, hz) => `${who}, ${hz} 대피 정보가 해제되었습니다`,
    shelter: (s) =>
      `대피 장소: ${s.name} (${s.address}${s.distanceM !== undefined ? `, 약 ${km(s.distanceM, 'km', 'm')}` : ''})${s.welfare ? ' [복지 대피소]' : ''}.`,
    noShelter: '가까운 안전한 곳으로 대피하세요.',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `${hz} 위험이 있습니다. 위험한 곳에서 벗어나세요.`
        : advice === 'get-ready'
          ? `${hz} 위험이 있습니다. 바로 대피할 수 있도록 준비하고 정보에 주의하세요.`
          : `${hz}가 발생했습니다. 밖이 위험하면 건물 위층 등 조금이라도 안전한 곳으로 이동하세요.`,
    cancelBody: '계속해서 기상 정보와 시의 안내에 주의하세요.',
    errorHeadline: (who, hz) => `${who}, 방금 전 ${hz} 대피 정보는 잘못 발송되었습니다`,
    errorBody: '이 정보는 취소되었으며, 이 정보에 따라 대피할 필요는 없습니다. 계속해서 시의 안내에 주의하세요.',
    everyone: (zone) => `${zone} 주민 여러분`,
  },
  vi: {
    // Family name first, as Vietnamese names are written and as the register has the name.
    honorific: (n) => {
      const l = latinName(n);
      return `${n.sex === 1 ? 'Ông ' : n.sex === 2 ? 'Bà ' : ''}${l.family} ${l.given}`;
    },
    hazard: {
      flood: 'lũ lụt',
      landslide: 'sạt lở đất',
      'storm-surge': 'triều cường do bão',
      earthquake: 'động đất',
      tsunami: 'sóng thần',
      fire: 'hỏa hoạn',
      volcano: 'núi lửa phun trào',
    },
    mark: { Exercise: '[DIỄN TẬP] ', Test: '[THỬ NGHIỆM] ', Update: '[CẬP NHẬT] ' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `Cấp độ 3 Người cao tuổi sơ tán — ${who}, hãy bắt đầu sơ tán ngay`
          : `Cấp độ 3 — ${who}, hãy chuẩn bị sơ tán`
        : level === 4
          ? `Cấp độ 4 Lệnh sơ tán — ${who}, hãy sơ tán ngay`
          : `Cấp độ 5 Khẩn cấp — ${who}, hãy bảo vệ tính mạng ngay lập tức`,
    cancelHeadline: (who, hz) => `${who}, thông báo sơ tán do ${hz} đã được dỡ bỏ`,
    shelter: (s) =>
      `Nơi sơ tán: ${s.name} (${s.address}${s.distanceM !== undefined ? `, khoảng ${km(s.distanceM, ' km', ' m')}` : ''})${s.welfare ? ' [nơi sơ tán phúc lợi]' : ''}.`,
    noShelter: 'Hãy đến nơi an toàn gần nhất.',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `Có nguy cơ ${hz}. Hãy rời khỏi nơi nguy hiểm.`
        : advice === 'get-ready'
          ? `Có nguy cơ ${hz}. Hãy chuẩn bị để sơ tán và theo dõi thông tin.`
          : `Đang xảy ra ${hz}. Nếu ra ngoài nguy hiểm, hãy lên tầng cao hoặc nơi an toàn nhất có thể.`,
    cancelBody: 'Hãy tiếp tục theo dõi thông tin thời tiết và thông báo của thành phố.',
    errorHeadline: (who, hz) => `${who}, thông báo sơ tán do ${hz} vừa rồi đã được gửi nhầm`,
    errorBody: 'Thông báo này đã bị hủy, bạn không cần sơ tán vì nó. Hãy tiếp tục theo dõi thông báo của thành phố.',
    everyone: (zone) => `Cư dân khu vực ${zone}`,
  },
  pt: {
    honorific: (n) => {
      const l = latinName(n);
      return `${n.sex === 1 ? 'Sr. ' : n.sex === 2 ? 'Sra. ' : ''}${l.given} ${l.family}`;
    },
    hazard: {
      flood: 'inundação',
      landslide: 'deslizamento de terra',
      'storm-surge': 'ressaca (maré de tempestade)',
      earthquake: 'terremoto',
      tsunami: 'tsunami',
      fire: 'incêndio',
      volcano: 'erupção vulcânica',
    },
    mark: { Exercise: '[SIMULADO] ', Test: '[TESTE] ', Update: '[ATUALIZAÇÃO] ' },
    headline: (level, advice, who) =>
      level === 3
        ? advice === 'leave-now'
          ? `Nível 3 Evacuação de idosos — ${who}, comece a evacuar agora`
          : `Nível 3 — ${who}, prepare-se para evacuar`
        : level === 4
          ? `Nível 4 Ordem de evacuação — ${who}, evacue imediatamente`
          : `Nível 5 Emergência — ${who}, proteja sua vida imediatamente`,
    cancelHeadline: (who, hz) => `${who}, o aviso de evacuação por ${hz} foi suspenso`,
    shelter: (s) =>
      `Abrigo: ${s.name} (${s.address}${s.distanceM !== undefined ? `, cerca de ${km(s.distanceM, ' km', ' m')}` : ''})${s.welfare ? ' [abrigo de assistência]' : ''}.`,
    noShelter: 'Vá para um lugar seguro próximo.',
    body: (advice, hz) =>
      advice === 'leave-now'
        ? `Há risco de ${hz}. Saia dos lugares perigosos.`
        : advice === 'get-ready'
          ? `Há risco de ${hz}. Prepare-se para sair e acompanhe as informações.`
          : `Está ocorrendo ${hz}. Se sair for perigoso, suba para um andar alto ou o lugar mais seguro possível.`,
    cancelBody: 'Continue acompanhando a meteorologia e os avisos da prefeitura.',
    errorHeadline: (who, hz) => `${who}, o aviso de evacuação por ${hz} foi enviado por engano`,
    errorBody: 'Ele foi anulado: não é preciso evacuar por causa dele. Continue acompanhando os avisos da prefeitura.',
    everyone: (zone) => `Moradores de ${zone}`,
  },
};

export interface RenderInput {
  language: Language;
  level: EvacuationLevel;
  hazard: Hazard;
  status: AlertStatus;
  msgType: MsgType;
  /** On a Cancel: lifted (the danger is over) or sent in error; absent reads as sent in error. */
  end?: EndReason | undefined;
  advice: Advice;
  /** Who is addressed: a resident's name parts, or a zone name for the area message. */
  who: { person: NameParts } | { zone: string };
  shelter?: ShelterText | undefined;
  /** Staff's additional text for this language, appended as is. */
  extra?: string | undefined;
}

function mark(p: LanguagePack, status: AlertStatus, msgType: MsgType): string {
  return (status === 'Actual' ? '' : p.mark[status]) + (msgType === 'Update' ? p.mark.Update : '');
}

export function displayName(language: Language, n: NameParts): string {
  return PACKS[language].honorific(n);
}

export function render(i: RenderInput): PersonalText {
  const p = PACKS[i.language];
  const who = 'person' in i.who ? p.honorific(i.who.person) : p.everyone(i.who.zone);
  if (i.msgType === 'Cancel') {
    const lifted = i.end === 'lifted';
    return {
      headline: mark(p, i.status, 'Alert') + (lifted ? p.cancelHeadline : p.errorHeadline)(who, p.hazard[i.hazard]),
      instruction: lifted ? p.cancelBody : p.errorBody,
    };
  }
  return { headline: headlineFor(i, who), instruction: instructionFor(i) };
}

/** An Alert's or Update's headline for `who` (a resident's honorific, see displayName, or a zone's everyone). */
export function headlineFor(i: Omit<RenderInput, 'who' | 'shelter' | 'extra'>, who: string): string {
  const p = PACKS[i.language];
  return mark(p, i.status, i.msgType) + p.headline(i.level, i.advice, who);
}

/**
 * An Alert's or Update's instruction. It names no one: everyone given the same language, advice,
 * shelter and distance reads the same one, and a fan-out makes it once for all of them.
 */
export function instructionFor(i: Omit<RenderInput, 'who'>): string {
  const p = PACKS[i.language];
  const hz = p.hazard[i.hazard];
  const latin = i.language === 'en' || i.language === 'pt' || i.language === 'vi' || i.language === 'ko';
  const where =
    i.advice === 'secure-safety'
      ? ''
      : i.shelter
        ? p.shelter(latin ? shelterLatin(i.shelter) : i.shelter)
        : p.noShelter;
  return [p.body(i.advice, hz), where, i.extra ?? '']
    .filter(Boolean)
    .join(i.language.startsWith('ja') || i.language === 'zh' ? '' : ' ');
}
