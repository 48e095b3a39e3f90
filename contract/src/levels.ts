/**
 * Japan's five evacuation alert levels (避難情報に関するガイドライン, revised 2021) with the
 * Cabinet Office's published colours (May 2020, chosen for colour-universal design).
 * The phrases are fixed: residents act on the phrase and the colour, not on long text.
 */
export type AlertLevel = 1 | 2 | 3 | 4 | 5;
/** Levels a municipality issues as evacuation information (1 and 2 come from the JMA). */
export type EvacuationLevel = 3 | 4 | 5;

export interface LevelStyle {
  level: AlertLevel;
  /** Background colour, official RGB. */
  rgb: readonly [number, number, number];
  /**
   * Colour of large text (the phrase, ≥ 48 px) drawn on the level colour: ≥ 4.5:1, WCAG's AAA
   * for large text. No colour reaches 7:1 on the official red or purple, so body text goes on
   * ALERT_PANEL instead.
   */
  textRgb: readonly [number, number, number];
  /** The fixed phrase (Japanese). */
  phrase: string;
  /** What residents must do, in the guideline's words. */
  action: string;
  /** やさしい日本語 version of the phrase. */
  easyPhrase: string;
  english: string;
}

export const LEVELS: Readonly<Record<AlertLevel, LevelStyle>> = {
  1: {
    level: 1,
    rgb: [255, 255, 255],
    textRgb: [0, 0, 0],
    phrase: '早期注意情報',
    action: '災害への心構えを高める',
    easyPhrase: 'さいがいに きを つけて ください',
    english: 'Be prepared for disasters',
  },
  2: {
    level: 2,
    rgb: [242, 231, 0],
    textRgb: [0, 0, 0],
    phrase: '注意報',
    action: '自らの避難行動を確認',
    easyPhrase: 'にげる ばしょと みちを かくにん して ください',
    english: 'Check how and where you would evacuate',
  },
  3: {
    level: 3,
    rgb: [255, 40, 0],
    textRgb: [0, 0, 0],
    phrase: '高齢者等避難',
    action: '危険な場所から高齢者等は避難',
    easyPhrase: 'おとしよりや たすけが いる ひとは にげて ください',
    english: 'Elderly people and others who need time must evacuate',
  },
  4: {
    level: 4,
    rgb: [170, 0, 170],
    textRgb: [255, 255, 255],
    phrase: '避難指示',
    action: '危険な場所から全員避難',
    easyPhrase: 'あぶない ばしょから みんな にげて ください',
    english: 'Everyone in dangerous places must evacuate',
  },
  5: {
    level: 5,
    rgb: [12, 0, 12],
    textRgb: [255, 255, 255],
    phrase: '緊急安全確保',
    action: '命の危険 直ちに安全確保！',
    easyPhrase: 'いのちが あぶない です。すぐに いのちを まもって ください',
    english: 'Danger to life: secure your safety immediately',
  },
};

/** Panel behind an alert's body text: ≥ 7:1 on every level (tested). */
export const ALERT_PANEL = { rgb: [0, 0, 0] as const, textRgb: [255, 255, 255] as const };

export function isEvacuationLevel(value: unknown): value is EvacuationLevel {
  return value === 3 || value === 4 || value === 5;
}

export function levelCss(level: AlertLevel): string {
  const [r, g, b] = LEVELS[level].rgb;
  return `rgb(${r}, ${g}, ${b})`;
}

/** Hazards we route shelters for; a shelter declares which of these it is safe against. */
export const HAZARDS = ['flood', 'landslide', 'storm-surge', 'earthquake', 'tsunami', 'fire', 'volcano'] as const;
export type Hazard = (typeof HAZARDS)[number];

/** Languages a resident can choose; `ja-x-easy` is やさしい日本語. */
export const LANGUAGES = ['ja', 'ja-x-easy', 'en', 'zh', 'ko', 'vi', 'pt'] as const;
export type Language = (typeof LANGUAGES)[number];
