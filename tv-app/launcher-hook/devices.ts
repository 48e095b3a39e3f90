/**
 * Reference display and launcher for a Linux box: libCEC's `cec-client` and a kiosk browser.
 * `cec-client -s` runs one command from standard input and exits; `on 0` sends Image View On to
 * the TV (logical address 0) and `as` makes the box the active source — together HDMI-CEC's One
 * Touch Play (CEC 1.4 §13.1).
 */
import { spawn } from 'node:child_process';
import type { AppRun, Display, Launcher, Run, Spawn } from './ports.ts';

export const runProgram: Run = (cmd, args, stdin) =>
  new Promise((resolve, reject) => {
    const p = spawn(cmd, [...args], { stdio: ['pipe', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code }));
    p.stdin.end(stdin ?? '');
  });

export const spawnProgram: Spawn = (cmd, args) => {
  const p = spawn(cmd, [...args], { stdio: 'ignore' });
  return { exited: new Promise<void>((resolve) => p.on('close', () => resolve()).on('error', () => resolve())) };
};

export function cecDisplay(run: Run = runProgram, bin = 'cec-client'): Display {
  return {
    async wake() {
      for (const command of ['on 0', 'as']) {
        const { code } = await run(bin, ['-s', '-d', '1'], `${command}\n`);
        if (code !== 0) throw new Error(`${bin} "${command}" exited with ${code}`);
      }
    },
  };
}

/** A kiosk browser; the box's own launcher (e.g. a Wayland shell's app launcher) fits the same interface. */
export function browserLauncher(spawnFn: Spawn = spawnProgram, bin = 'chromium'): Launcher {
  return {
    async open(url: string): Promise<AppRun> {
      return spawnFn(bin, ['--kiosk', '--noerrdialogs', '--autoplay-policy=no-user-gesture-required', url]);
    },
  };
}
