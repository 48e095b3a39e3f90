/**
 * Reading alerts aloud. The engine is pluggable (a set-top box may bring its own TTS); the
 * default uses the Web Speech API where the platform has it. Japanese engines such as
 * espeak-ng read kana only, so callers pass the kana reading of names when they have one.
 */
export interface SpeechEngine {
  readonly available: boolean;
  speak(text: string, lang: string): void;
  cancel(): void;
}

const BCP47: Record<string, string> = {
  ja: 'ja-JP',
  'ja-x-easy': 'ja-JP',
  en: 'en-US',
  zh: 'zh-CN',
  ko: 'ko-KR',
  vi: 'vi-VN',
  pt: 'pt-BR',
};

export function webSpeech(): SpeechEngine {
  const synth = typeof speechSynthesis !== 'undefined' ? speechSynthesis : null;
  return {
    available: !!synth,
    speak(text, lang) {
      if (!synth) return;
      synth.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = BCP47[lang] ?? lang;
      u.rate = 0.9; // a little slower for older listeners
      synth.speak(u);
    },
    cancel() {
      synth?.cancel();
    },
  };
}

let engine: SpeechEngine = webSpeech();
/** Spoken texts, newest last (the tests read it: headless Chromium has no voices). */
export const spoken: { text: string; lang: string }[] = [];

export function setSpeechEngine(e: SpeechEngine): void {
  engine = e;
}

export function speak(text: string, lang: string): void {
  spoken.push({ text, lang });
  if (spoken.length > 20) spoken.shift();
  try {
    engine.speak(text, lang);
  } catch {
    /* no voice: the screen still shows everything */
  }
}

export function stopSpeaking(): void {
  try {
    engine.cancel();
  } catch {
    /* ignore */
  }
}

(globalThis as unknown as { __kzSpoken?: typeof spoken }).__kzSpoken = spoken;
