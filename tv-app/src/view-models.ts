/**
 * What each screen shows, computed from the TV's state without Lightning, so the wording rules
 * (language per recipient, fixed level phrases, exercise marking) are plain functions.
 */
import { LEVELS, type Language } from '@kizuna/contract/levels';
import type { AreaAlert, Answer, Recipient, ShelterRef } from '@kizuna/contract';
import type { Ended, StoredAlert } from './alerts/alert-store.ts';
import { LEVEL_PHRASES, fmt, stringsFor } from './i18n/strings.ts';
import type { HomeModel, MenuId } from './pages/Home/index.ts';
import type { Choice, TakeoverModel } from './pages/AlertTakeover/index.ts';
import type { ConnState } from './tv-controller.ts';
import { C, argb } from './ui/theme.ts';
import { colourOrder } from './keymap.ts';
import { remoteWords } from './i18n/remote-words.ts';
import type { KeyHint } from './components/KeyHints/index.ts';

export function levelPhrase(level: 3 | 4 | 5, lang: Language): { phrase: string; action: string } {
  const L = LEVELS[level];
  if (lang === 'ja') return { phrase: L.phrase, action: L.action };
  if (lang === 'ja-x-easy') return { phrase: L.phrase, action: L.easyPhrase };
  return LEVEL_PHRASES[lang]?.[level] ?? { phrase: L.english, action: '' };
}

/**
 * A shelter's name and address in the screen's script (issue 18): the register's romanised or
 * translated ones on screens in the Latin alphabet and Korean, the Japanese ones otherwise and
 * when there are none.
 */
export function shelterText(sh: ShelterRef, lang: Language): { name: string; address: string } {
  const latin = lang === 'en' || lang === 'pt' || lang === 'vi' || lang === 'ko';
  return {
    name: (latin && sh.nameLatin) || sh.name,
    address: (latin && sh.addressLatin) || sh.address,
  };
}

export function answerLabel(a: Answer, lang: Language): string {
  const s = stringsFor(lang);
  return a === 'evacuating' ? s.answerEvacuating : a === 'safe-indoors' ? s.answerSafeIndoors : s.answerNeedHelp;
}

/** The answers in the order of the remote's colour keys (Japanese remotes: 赤 need help, 緑 evacuating, 黄 safe indoors). */
export function choices(lang: Language): Choice[] {
  const s = stringsFor(lang);
  const all: Choice[] = [
    { answer: 'need-help', label: s.answerNeedHelp, key: 'Red', color: C.red },
    { answer: 'evacuating', label: s.answerEvacuating, key: 'Green', color: C.green },
    { answer: 'safe-indoors', label: s.answerSafeIndoors, key: 'Yellow', color: C.yellow },
  ];
  const order = colourOrder();
  return all.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

/** The key of one reading: the answer gate waits for the reading of the person's name. */
export function speechKey(e: StoredAlert, r: Recipient): string {
  return [e.alert.alertId, e.alert.revision, r.ref].join('|');
}

export function distanceText(m: number | undefined, lang: Language): string {
  if (m === undefined) return '';
  const s = stringsFor(lang);
  return m >= 1000
    ? fmt(s.distanceKm, { km: (m / 1000).toFixed(1) })
    : fmt(s.distanceM, { m: Math.round(m / 10) * 10 });
}

export interface TakeoverState {
  entry: StoredAlert;
  recipient: Recipient;
  /** Shown instead of answer keys; 'lifted' and 'error' (sent in error) get their own calm screen. */
  closeReason?: 'answered' | 'cancelled' | 'expired' | 'lifted' | 'error' | undefined;
  confirmation?: string | undefined;
  online: boolean;
  scale: number;
  /** An area alert on an unbound TV: nobody to answer for, OK closes it. */
  area?: boolean | undefined;
  /** This person's screen is read aloud: answers wait until their name has been read. */
  readAloud?: boolean | undefined;
  /** The municipality's telephone number (config), for the after-help screen. */
  phone?: string | undefined;
}

/** Calm colours for the end screens: nothing about them may look like a level's warning colour. */
const LIFTED_BG = 0xff1d5a78;
const ERROR_BG = 0xff3d4852;

/** The TV's clock time of an ISO instant, HH:MM (Home's line and the end screens). */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * The lifting screen (解除: the danger is over) or the cancel screen (取消: sent in error), full
 * screen and calm: no level colour, no tone, no answer keys; the console's words for this person
 * (the Cancel's headline and instruction) in their language, and when it happened.
 */
function endModel(st: TakeoverState, lifted: boolean): TakeoverModel {
  const { entry, recipient: r } = st;
  const a = entry.alert;
  const s = stringsFor(r.language);
  const exercise = a.status === 'Exercise' ? s.exercise : a.status === 'Test' ? s.test : undefined;
  const time = clockTime(a.sent);
  return {
    levelBg: lifted ? LIFTED_BG : ERROR_BG,
    levelFg: C.white,
    levelLabel: (lifted ? s.liftedLabel : s.errorLabel) + (exercise ? `【${exercise.split(/[\s—　]/)[0]}】` : ''),
    phrase: lifted ? fmt(s.liftedPhrase, { phrase: levelPhrase(a.level, r.language).phrase }) : s.errorPhrase,
    action: fmt(lifted ? s.liftedAt : s.errorAt, { time }),
    exercise,
    name: r.displayName,
    counter: '',
    headline: r.headline,
    instruction: r.instruction,
    shelter: '',
    shelterDetail: '',
    notice: undefined,
    prompt: '',
    review: false,
    waitPrompt: '',
    choosePrompt: s.chooseFirst,
    turn: [a.alertId, a.revision, r.ref, lifted ? 'lifted' : 'error'].join('|'),
    choices: choices(r.language),
    readAgain: s.readAgain,
    confirmation: undefined,
    closeOnly: true,
    closeLabel: s.backHome,
    scale: st.scale,
  };
}

/**
 * After 「助けが必要です」: what happens next — the city has been told (whose need), stay where it
 * is safe, and how to call if one can (the municipality's number when the TV has it, 119).
 */
export function afterHelp(
  entry: StoredAlert,
  lang: Language,
  phone: string | undefined,
): { headline: string; instruction: string } | undefined {
  const names = entry.alert.recipients.filter((x) => entry.answers[x.ref] === 'need-help').map((x) => x.displayName);
  if (!names.length) return undefined;
  const w = remoteWords(lang);
  return {
    headline: fmt(w.helpTold, { names: names.join(cjkSep(lang)) }),
    instruction: `${w.helpStay}${cjkSep(lang) === '、' ? '' : ' '}${fmt(w.helpCall, { city: phone ? fmt(w.helpCity, { phone }) : '' })}`,
  };
}

export function takeoverModel(st: TakeoverState): TakeoverModel {
  if (st.closeReason === 'lifted' || st.closeReason === 'error') return endModel(st, st.closeReason === 'lifted');
  const { entry, recipient: r } = st;
  const a = entry.alert;
  const lang = r.language;
  const s = stringsFor(lang);
  const L = LEVELS[a.level];
  const { phrase, action } = levelPhrase(a.level, lang);
  const exercise = a.status === 'Exercise' ? s.exercise : a.status === 'Test' ? s.test : undefined;
  const n = a.recipients.length;
  const i = a.recipients.findIndex((x) => x.ref === r.ref) + 1;
  const sh = r.shelter;
  const cjk = lang === 'ja' || lang === 'ja-x-easy' || lang === 'zh';
  const place = sh ? shelterText(sh, lang) : undefined;
  const shelter = sh
    ? `${s.shelter}${cjk ? '：' : ': '}${place!.name}${sh.welfare ? (cjk ? `（${s.welfare}）` : ` (${s.welfare})`) : ''}`
    : '';
  const shelterDetail = sh
    ? [place!.address, distanceText(sh.distanceM, lang)].filter(Boolean).join(cjk ? '　' : ' · ')
    : '';
  let notice: TakeoverModel['notice'];
  if (st.closeReason === 'cancelled') notice = { text: s.cancelled, color: C.ok };
  else if (st.closeReason === 'expired') notice = { text: s.expired, color: C.ok };
  else if (!st.online) notice = { text: s.offlineWarning, color: C.warn };
  else if (entry.updated) notice = { text: s.updated, color: C.warn };
  const closeOnly = !!st.closeReason || !!st.area;
  // Reopened from Home after this person answered: their answer so far, to keep or change.
  const current = st.area ? undefined : entry.answers[r.ref];
  const help = st.closeReason === 'answered' ? afterHelp(entry, lang, st.phone) : undefined;
  return {
    levelBg: argb(L.rgb),
    levelFg: argb(L.textRgb),
    levelLabel: fmt(s.levelLabel, { level: a.level }) + (exercise ? `【${exercise.split(/[\s—　]/)[0]}】` : ''),
    phrase,
    action,
    exercise,
    name: r.displayName,
    counter: n > 1 && !help ? fmt(s.recipientOf, { i, n }) : '',
    headline: help?.headline ?? r.headline,
    instruction: help?.instruction ?? r.instruction,
    shelter: help ? '' : shelter,
    shelterDetail: help ? '' : shelterDetail,
    notice,
    // No answer to ask for on a closed alert (answered, cancelled, expired).
    prompt:
      st.area && !st.closeReason
        ? s.areaNoAnswer
        : closeOnly
          ? ''
          : current
            ? fmt(s.answerCurrent, { name: r.displayName, answer: answerLabel(current, lang) })
            : fmt(s.answerPrompt, { name: r.displayName }),
    review: !closeOnly && !!current,
    waitPrompt: closeOnly ? '' : fmt(s.answerWait, { name: r.displayName }),
    choosePrompt: s.chooseFirst,
    turn: [a.alertId, a.revision, r.ref, st.closeReason ?? (st.area ? 'area' : 'open')].join('|'),
    speech: st.readAloud && !closeOnly ? speechKey(entry, r) : undefined,
    choices: choices(lang),
    readAgain: s.readAgain,
    confirmation: st.confirmation,
    closeOnly,
    closeLabel: st.area && !st.closeReason ? s.areaOk : s.backHome,
    scale: st.scale,
  };
}

/**
 * The words read aloud, in two parts: up to the name (level, phrase, name — kana reading when
 * known: the answer gate waits for this part), then what to do and where.
 */
export function speechParts(entry: StoredAlert, r: Recipient): [string, string] {
  const a = entry.alert;
  const lang = r.language;
  const s = stringsFor(lang);
  const { phrase, action } = levelPhrase(a.level, lang);
  const exercise = a.status === 'Exercise' ? s.exercise : a.status === 'Test' ? s.test : '';
  const where = r.shelter
    ? `${s.shelter}、${shelterText(r.shelter, lang).name}。${distanceText(r.shelter.distanceM, lang)}`
    : '';
  const join = (xs: string[]) => xs.filter(Boolean).join('。');
  return [
    join([exercise, fmt(s.levelLabel, { level: a.level }), phrase, action, r.reading ?? r.displayName]),
    join([r.headline, r.instruction, where, exercise]),
  ];
}

/**
 * One form for every name Home lists (a bound card's name has no honorific, an alert's has):
 * with さん on a Japanese screen, without a Japanese honorific on the others.
 */
export function homeName(name: string, lang: Language): string {
  const bare = name.trim().replace(/\s*(さん|様|さま)$/u, '');
  return lang === 'ja' || lang === 'ja-x-easy' ? `${bare}さん` : bare;
}

const cjkSep = (lang: Language) => (lang === 'ja' || lang === 'ja-x-easy' || lang === 'zh' ? '、' : ', ');

export interface HomeInput {
  lang: Language;
  conn: ConnState;
  residents: string[];
  active: StoredAlert[];
  areas: AreaAlert[];
  /** Alerts lifted or cancelled as sent in error, until their own time runs out: a line each. */
  ended?: Ended[] | undefined;
  mailUnread: number | null;
  scale: number;
  contrast?: boolean;
  /** A personal alert left with Back before everyone answered: the bar says so, and OK opens it. */
  pending?: StoredAlert | undefined;
  /** An area alert this TV (nobody bound) can open again from the menu. */
  areaAlert?: boolean | undefined;
}

/** 警戒レベル4　避難指示　川辺地区: an alert in one line (Home's bar, the banner). */
function alertLine(a: StoredAlert['alert'], lang: Language): string {
  const s = stringsFor(lang);
  return `${fmt(s.levelLabel, { level: a.level })}　${levelPhrase(a.level, lang).phrase}　${a.zone.name}`;
}

/** The banner over every other screen while an alert waits for an answer: in its level's colour, blue opens it. */
export function bannerModel(pending: StoredAlert, lang: Language): { level: 3 | 4 | 5; text: string } {
  return {
    level: pending.alert.level,
    text: fmt(remoteWords(lang).banner, { alert: alertLine(pending.alert, lang), key: remoteWords(lang).keyBlue }),
  };
}

export function homeModel(h: HomeInput): HomeModel {
  const s = stringsFor(h.lang);
  const connText =
    h.conn === 'online'
      ? s.connOnline
      : h.conn === 'none'
        ? s.connNoBroker
        : h.conn === 'connecting'
          ? s.connConnecting
          : s.connReconnecting;
  const connColor = h.conn === 'online' ? 0xff35d46a : h.conn === 'none' ? 0xff8a8a8a : C.warn;
  const w = remoteWords(h.lang);
  const top = h.pending ?? h.active[0];
  const alertBar = top
    ? {
        level: top.alert.level,
        text: h.pending
          ? fmt(w.banner, { alert: alertLine(top.alert, h.lang), key: w.keyOk })
          : alertLine(top.alert, h.lang),
      }
    : undefined;
  // Area status: the area alerts, plus the zones of personal alerts (the area message may not
  // have arrived, and Home must never say "no alert" under an alert bar). Highest level per zone.
  const byZone = new Map<string, { zone: string; level: 3 | 4 | 5; status: string }>();
  const put = (id: string, zone: string, level: 3 | 4 | 5, status: string) => {
    const prev = byZone.get(id);
    if (!prev || level > prev.level) byZone.set(id, { zone, level, status });
  };
  for (const a of h.areas) put(a.zone.id, a.zone.name, a.level, a.status);
  for (const e of h.active) put(e.alert.zone.id, e.alert.zone.name, e.alert.level, e.alert.status);
  const zones = [...byZone.values()].sort((a, b) => b.level - a.level);
  const areaLines: HomeModel['areaLines'] = zones.length
    ? zones.slice(0, 4).map((z) => ({
        level: z.level,
        text:
          fmt(s.areaLevel, { zone: z.zone, level: z.level, phrase: levelPhrase(z.level, h.lang).phrase }) +
          (z.status !== 'Actual' ? `【${(z.status === 'Exercise' ? s.exercise : s.test).split(/[\s—　]/)[0]}】` : ''),
      }))
    : [{ text: s.areaNone }];
  // why a banner went away: lifted (and when), or sent in error
  for (const e of h.ended ?? []) {
    const time = clockTime(e.at);
    const phrase = levelPhrase(e.level, h.lang).phrase;
    areaLines.push({ text: fmt(e.end === 'lifted' ? s.homeLifted : s.homeError, { zone: e.zone, phrase, time }) });
  }
  areaLines.splice(4);
  const menu: HomeModel['menu'] = [];
  if (top || h.areaAlert) menu.push({ id: 'alert', label: s.menuAlert });
  menu.push({ id: 'bind', label: s.menuBind });
  menu.push({
    id: 'postbox',
    label: s.menuPostbox,
    badge: h.mailUnread ? fmt(s.mailWaiting, { n: h.mailUnread }) : undefined,
  });
  menu.push({ id: 'myinfo', label: s.menuMyInfo }, { id: 'settings', label: s.menuSettings });
  return {
    title: s.appTitle,
    connText,
    connColor,
    alertBar,
    areaTitle: s.areaTitle,
    areaLines,
    residentsTitle: s.residentsTitle,
    residents: h.residents.length ? h.residents.map((n) => homeName(n, h.lang)).join(cjkSep(h.lang)) : s.noResidents,
    howToBind: h.residents.length ? undefined : s.howToBind,
    menu: menu as { id: MenuId; label: string; badge?: string }[],
    hints: [
      { cap: '↑↓', label: w.hintMove },
      { cap: w.keyOk, label: w.hintOpen },
      ...(top || h.areaAlert ? [{ key: 'Blue' as const, label: w.hintAlert }] : []),
    ] satisfies KeyHint[],
    scale: h.scale,
    contrast: !!h.contrast,
  };
}

/**
 * A takeover full of common glyphs, drawn invisibly at start-up so the first alert is fast: once per
 * level, in the TV's language, so the level band's texts (label, phrase, action) are already drawn
 * and uploaded when an alert of any level arrives (Lightning reuses a text texture of the same text
 * and style).
 */
export function warmUpModel(scale: number, level: 3 | 4 | 5 = 4, lang: Language = 'ja'): TakeoverModel {
  const s = stringsFor(lang);
  const L = LEVELS[level];
  const { phrase, action } = levelPhrase(level, lang);
  return {
    levelBg: argb(L.rgb),
    levelFg: argb(L.textRgb),
    levelLabel: fmt(s.levelLabel, { level }),
    phrase,
    action,
    exercise: undefined,
    name: s.residentsTitle,
    counter: fmt(s.recipientOf, { i: 1, n: 2 }),
    headline: `${LEVELS[3].phrase}${LEVELS[5].phrase}${s.areaNone}`,
    instruction: `${s.howToBind}${s.offlineWarning}`,
    shelter: `${s.shelter}：${s.welfare}`,
    shelterDetail: `${s.distanceKm}${s.distanceM}0123456789`,
    notice: { text: s.updated, color: C.warn },
    prompt: s.answerPrompt,
    waitPrompt: s.answerWait,
    choosePrompt: s.chooseFirst,
    turn: 'warm-up',
    choices: choices(lang),
    readAgain: s.readAgain,
    confirmation: undefined,
    closeOnly: false,
    closeLabel: s.backHome,
    scale,
  };
}
