/**
 * Reading alerts aloud. The engine is pluggable (a set-top box may bring its own TTS); the
 * default uses the Web Speech API where the platform has it. Japanese engines such as
 * espeak-ng read kana only, so callers pass the kana reading of names when they have one.
 */
export interface SpeakOptions {
  /** After what is being read (default: stop it first). */
  queue?: boolean | undefined;
  /** Runs once when this text has been read, or could not be (no voice, cancelled). */
  onDone?: (() => void) | undefined;
}

export interface SpeechEngine {
  readonly available: boolean;
  speak(text: string, lang: string, opts?: SpeakOptions): void;
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
    speak(text, lang, opts) {
      if (!synth) return opts?.onDone?.();
      if (!opts?.queue) synth.cancel();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = BCP47[lang] ?? lang;
      u.rate = 0.9; // a little slower for older listeners
      const done = opts?.onDone;
      if (done) {
        let called = false;
        // 'error' too: a box without a voice ('synthesis-failed') must not keep anyone waiting.
        u.onend = u.onerror = () => {
          if (called) return;
          called = true;
          done();
        };
      }
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

/** Whether the platform can read aloud at all. */
export function speechAvailable(): boolean {
  return engine.available;
}

/**
 * Read `text` (or its parts, one after the other); `onFirstDone` runs when the first part has
 * been read — or at once if it cannot be (the alert's answer gate waits for the name this way).
 */
export function speak(text: string | string[], lang: string, onFirstDone?: () => void): void {
  const parts = (Array.isArray(text) ? text : [text]).filter(Boolean);
  spoken.push({ text: parts.join('。'), lang });
  if (spoken.length > 20) spoken.shift();
  try {
    if (!engine.available || !parts.length) throw new Error('no voice');
    parts.forEach((p, i) => engine.speak(p, lang, i ? { queue: true } : { onDone: onFirstDone }));
  } catch {
    /* no voice: the screen still shows everything */
    onFirstDone?.();
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
