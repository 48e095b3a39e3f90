/**
 * The alert tone (WebAudio, no audio file to ship). The AudioContext is created at start-up
 * and resumed on the first key press (autoplay rules); when it is not running the alert is
 * visual only, which the screen already carries in full (docs/PLATFORM.md, "Speech and sound on the TV").
 */
type Ctx = AudioContext;

let ctx: Ctx | null = null;
/** How many tones were actually scheduled (tests read it). */
export const toneLog = { played: 0, skipped: 0 };
(globalThis as unknown as { __kzTone?: typeof toneLog }).__kzTone = toneLog;

export function initTone(): void {
  try {
    const AC = (globalThis as unknown as { AudioContext?: typeof AudioContext }).AudioContext;
    if (AC && !ctx) ctx = new AC();
  } catch {
    ctx = null;
  }
}

/** Call on any key press: browsers only let audio start after a user gesture. */
export function resumeTone(): void {
  if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => {});
}

/** Three rising two-tone chimes, ≈ 2 s: distinct from TV sound, not frightening. */
export function playAlertTone(level: number): void {
  if (!ctx || ctx.state !== 'running') {
    toneLog.skipped += 1;
    return;
  }
  const t0 = ctx.currentTime + 0.05;
  const repeats = level >= 5 ? 4 : 3;
  for (let i = 0; i < repeats; i++) {
    for (const [j, freq] of [880, 1175].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const start = t0 + i * 0.6 + j * 0.22;
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(0.35, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.22);
    }
  }
  toneLog.played += 1;
}
