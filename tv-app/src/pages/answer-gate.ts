/**
 * One person, one deliberate answer (issue 18, item 1). The takeover's keys act only on a screen
 * that has been shown, whole, for a minimum time: a new "turn" (another person, another revision,
 * or the answered / cancelled / expired screen) closes the gate; it opens ANSWER_AFTER_MS after the
 * turn's texts are drawn. Presses before that are ignored, and so is key repeat (a held key), so a
 * double press or a held key answers once, for the person whose screen was read.
 */

/** How long a person's screen is shown, drawn, before a key press counts for them. */
export const ANSWER_AFTER_MS = 1000;

export class AnswerGate {
  private turn: string | null = null;
  private drawn = false;
  private open = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `onOpen` runs when the gate opens (the screen then shows that it accepts answers). */
  constructor(
    private readonly onOpen: () => void,
    private readonly delayMs = ANSWER_AFTER_MS,
  ) {}

  /** A screen for `turn` is being drawn; true when it is a new turn (the gate then closes). */
  show(turn: string): boolean {
    if (turn === this.turn) return false;
    this.reset();
    this.turn = turn;
    return true;
  }

  /** Whether this turn still waits for its first drawn frame. */
  get waitingForDraw(): boolean {
    return this.turn !== null && !this.drawn;
  }

  /** The turn's texts are on screen: open once the minimum time has passed. */
  drawnNow(): void {
    if (!this.waitingForDraw) return;
    this.drawn = true;
    this.timer = setTimeout(() => {
      this.open = true;
      this.onOpen();
    }, this.delayMs);
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
    clearTimeout(this.timer);
    this.turn = null;
    this.drawn = false;
    this.open = false;
  }
}
