/**
 * One person, one deliberate answer (issue 18, item 1). The takeover's keys act only on a screen
 * that has been shown, whole, for a minimum time: a new "turn" (another person, another revision,
 * or the answered / cancelled / expired screen) closes the gate; it opens ANSWER_AFTER_MS after the
 * turn's texts are drawn. Presses before that are ignored, and so is key repeat (a held key), so a
 * double press or a held key answers once, for the person whose screen was read. With read-aloud on,
 * the gate also waits until the person's name has been read (the speech engine reports the end of
 * the part of the reading that ends with the name), at most SPEECH_WAIT_CAP_MS: a stuck engine must
 * not keep anyone from answering.
 */
import { Registry } from '../../sdk/index.ts';

/** How long a person's screen is shown, drawn, before a key press counts for them. */
export const ANSWER_AFTER_MS = 1000;
/** The longest the gate waits for the name to be read, from the drawn frame. */
export const SPEECH_WAIT_CAP_MS = 20_000;

export class AnswerGate {
  private turn: string | null = null;
  private drawn = false;
  private open = false;
  private minShown = false;
  /** The reading this turn waits for (alert|revision|ref), or null. */
  private speech: string | null = null;
  private heard = false;
  /** The SDK Registry's timers: they die with the page (reset() on hide, and Registry.clear() on app close). */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private capTimer: ReturnType<typeof setTimeout> | undefined;

  /** `onOpen` runs when the gate opens (the screen then shows that it accepts answers). */
  constructor(
    private readonly onOpen: () => void,
    private readonly delayMs = ANSWER_AFTER_MS,
  ) {}

  /**
   * A screen for `turn` is being drawn; true when it is a new turn (the gate then closes). With
   * `speech`, the turn also waits until `heardName(speech)`.
   */
  show(turn: string, speech?: string): boolean {
    if (turn === this.turn) return false;
    this.reset();
    this.turn = turn;
    this.speech = speech ?? null;
    return true;
  }

  /** The reading `key` has got past the person's name (or could not be spoken). */
  heardName(key: string): void {
    if (key !== this.speech) return;
    this.heard = true;
    this.tryOpen();
  }

  /** Whether the turn still waits for its name to be read. */
  get waitingForSpeech(): boolean {
    return !!this.speech && !this.heard;
  }

  private tryOpen(): void {
    if (this.open || !this.minShown || this.waitingForSpeech) return;
    this.open = true;
    this.onOpen();
  }

  /** Whether this turn still waits for its first drawn frame. */
  get waitingForDraw(): boolean {
    return this.turn !== null && !this.drawn;
  }

  /** The turn's texts are on screen: open once the minimum time has passed. */
  drawnNow(): void {
    if (!this.waitingForDraw) return;
    this.drawn = true;
    this.timer = Registry.setTimeout(() => {
      this.timer = undefined;
      this.minShown = true;
      this.tryOpen();
    }, this.delayMs);
    if (this.speech)
      this.capTimer = Registry.setTimeout(() => {
        this.capTimer = undefined;
        this.heard = true;
        this.tryOpen();
      }, SPEECH_WAIT_CAP_MS);
  }

  get accepting(): boolean {
    return this.open;
  }

  /** Whether a key press may act now: the gate is open and the press is not key repeat. */
  allows(e?: { repeat?: boolean } | null): boolean {
    return this.open && !e?.repeat;
  }

  /** The screen is gone (hidden): showing it again starts a new wait. */
  reset(): void {
    if (this.timer !== undefined) Registry.clearTimeout(this.timer);
    if (this.capTimer !== undefined) Registry.clearTimeout(this.capTimer);
    this.timer = this.capTimer = undefined;
    this.turn = null;
    this.drawn = false;
    this.open = false;
    this.minShown = false;
    this.speech = null;
    this.heard = false;
  }
}
