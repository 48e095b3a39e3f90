/**
 * A flow is one task done with the remote (bind a card, answer a notice, read my information) as
 * a sequence of steps. A step is plain data that the one FlowScreen draws; the remote's input
 * comes back as actions. Flows hold no Lightning code, so their logic runs in Node tests against
 * the real bridge and servers.
 */
export type Tone = 'error' | 'warn' | 'ok' | 'info';

export interface FlowItem {
  id: string;
  label: string;
  detail?: string | undefined;
}

export interface SecretSpec {
  /** 'policy' is not secret: an insurance policy number, shown as typed. */
  kind: 'password' | 'pin' | 'policy';
  min: number;
  max: number;
  /** What is being entered, shown above the field. */
  label: string;
}

export interface FlowStep {
  /** Stable id of the step (tests and logs), e.g. 'bind.password'. */
  id: string;
  title: string;
  /** Paragraphs of body text (wrapped; ≥ 32 px). */
  lines: string[];
  notice?: { text: string; tone: Tone } | undefined;
  /** 'list': Up/Down through items; 'buttons': Left/Right; 'secret': the on-screen keyboard; 'busy': wait. */
  mode: 'list' | 'buttons' | 'secret' | 'busy';
  items: FlowItem[];
  secret?: SecretSpec | undefined;
  /** Body longer than the screen: Up/Down scroll it (buttons mode). */
  scroll?: boolean | undefined;
  hint: string;
}

export type FlowAction = { type: 'choose'; id: string } | { type: 'secret'; value: string } | { type: 'back' };

export type FlowEvent = { type: 'step'; step: FlowStep } | { type: 'exit' } | { type: 'bound'; displayName: string };

export type Handler = (a: FlowAction) => void | Promise<void>;

export abstract class Flow {
  private listeners: ((e: FlowEvent) => void)[] = [];
  protected current: FlowStep | null = null;
  private handler: Handler = () => undefined;
  /** Bumped on every step: an answer arriving after the user moved on is dropped. */
  protected epoch = 0;
  private closed = false;

  on(fn: (e: FlowEvent) => void): void {
    this.listeners.push(fn);
  }
  get step(): FlowStep | null {
    return this.current;
  }

  protected emit(e: FlowEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  /** Show a step; `handle` receives the remote's actions while it is up. */
  protected show(step: FlowStep, handle: Handler = () => undefined): void {
    if (this.closed) return;
    this.epoch += 1;
    this.current = step;
    this.handler = handle;
    this.emit({ type: 'step', step });
  }

  protected exit(): void {
    if (this.closed) return;
    this.epoch += 1;
    this.emit({ type: 'exit' });
  }

  /** Run an async task behind a busy step; null when the user left (or the flow closed) meanwhile. */
  protected async busy<T>(
    step: FlowStep,
    task: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | null> {
    // Back while busy leaves the flow; the task's answer is then dropped.
    this.show(step, (a) => {
      if (a.type === 'back') this.exit();
    });
    const mine = this.epoch;
    let out: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      out = { ok: true, value: await task() };
    } catch (error) {
      out = { ok: false, error };
    }
    return this.epoch === mine && !this.closed ? out : null;
  }

  async act(a: FlowAction): Promise<void> {
    if (this.closed) return;
    await this.handler(a);
  }

  abstract start(): Promise<void>;

  /** Release the card reader and sessions (the screen is closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.epoch += 1;
    await this.release();
  }

  protected abstract release(): Promise<void>;
}
