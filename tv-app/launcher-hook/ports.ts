/**
 * What the launcher hook does to the box, as two small interfaces (issue 25): turn the display on
 * and launch the applet. The reference implementations (cec.ts, browser.ts) run programs through
 * `Run`/`Spawn`, so a test records the exact commands instead of driving a television.
 */

/** HDMI-CEC or the box's own display control. */
export interface Display {
  /** One Touch Play: the TV leaves standby and switches to the box's input. */
  wake(): Promise<void>;
}

/** A running applet: settles when its process ends (the resident closed it or the box killed it). */
export interface AppRun {
  readonly exited: Promise<void>;
}

export interface Launcher {
  /** Open the applet at this deep link (`…#…&intent=alert`). */
  open(url: string): Promise<AppRun>;
}

/** Run a program to completion, with optional standard input. */
export type Run = (cmd: string, args: readonly string[], stdin?: string) => Promise<{ code: number | null }>;

/** Start a long-running program. */
export type Spawn = (cmd: string, args: readonly string[]) => AppRun;
