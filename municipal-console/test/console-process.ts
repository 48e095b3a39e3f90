/**
 * The machinery of the multi-process console suites (console takeover, system's fault suite):
 * the console's real server (`municipal-console/src/server.ts`) run as an operator runs it, an
 * alert sent through its HTTP API as staff do, and what a simulated TV shows of the personal
 * alerts it receives (the applet's rule: one screen per alert revision).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { PersonalAlert, Receipt } from '@kizuna/contract';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

export interface ConsoleProcess {
  name: string;
  url: string;
  proc: ChildProcess;
  exited: Promise<void>;
}

/** Every console process started, so that the cleanup stops even one that never got to listen. */
const spawned: ChildProcess[] = [];

/**
 * One console process as an operator starts it (its own broker session: `name`); resolves when it
 * listens. With KZ_TEST_CONSOLE_LOG_DIR set, its log (stdout and stderr) is kept in
 * `<dir>/console-<name>.log`, to see afterwards what a process did.
 */
export async function startConsoleProcess(name: string, env: Record<string, string>): Promise<ConsoleProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, ...env, KZ_CONSOLE_MQTT_INSTANCE: name, KZ_CONSOLE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const logDir = process.env.KZ_TEST_CONSOLE_LOG_DIR;
  if (logDir) {
    mkdirSync(logDir, { recursive: true }); // a directory not made yet is an uncaught ENOENT otherwise
    const file = createWriteStream(join(logDir, `console-${name}.log`), { flags: 'a' });
    proc.stdout!.pipe(file);
    proc.stderr!.pipe(file);
  }
  const lines = createInterface({ input: proc.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    // generous: on a loaded 2-core machine, tsx compiling the console cold was seen to take over a minute
    const t = setTimeout(() => reject(new Error(`console ${name} did not start: ${stderr}`)), 180_000);
    lines.on('line', (l) => {
      try {
        const j = JSON.parse(l) as { msg?: string; url?: string };
        if (j.msg === 'municipal console listening' && j.url) {
          clearTimeout(t);
          resolve(j.url);
        }
      } catch {
        /* not a log line */
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`console ${name} exited ${code}: ${stderr}`));
    });
  });
  return { name, url, proc, exited };
}

/** SIGTERM to every console process still running; resolves when they have exited. */
export async function stopConsoleProcesses(): Promise<void> {
  const running = spawned.filter((p) => p.exitCode === null && p.signalCode === null);
  const gone = running.map((p) => new Promise<void>((resolve) => p.once('exit', () => resolve())));
  for (const p of running) p.kill('SIGTERM');
  await Promise.all(gone);
}

export interface SentAlert {
  id: string;
  /** The send request's answer; null when its process was killed before it answered. */
  answer: Promise<{ status: number; body: Record<string, unknown> } | null>;
}

/**
 * Staff of one console: log in, then draft, confirm and send a level-4 exercise alert to `zones`
 * as the approval page does. Resolves once the send was requested (its answer comes later).
 */
export async function sendAlertAsStaff(
  consoleUrl: string,
  staff: { username: string; password: string },
  zones: string[],
): Promise<SentAlert> {
  const session = await fetch(`${consoleUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(staff),
  });
  if (session.status !== 200) throw new Error(`staff login answered ${session.status}`);
  const { token } = (await session.json()) as { token: string };
  const api = async (path: string, body?: object) => {
    const r = await fetch(`${consoleUrl}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const draft = await api('/api/alerts', {
    level: 4,
    hazard: 'flood',
    status: 'Exercise',
    expires: new Date(Date.now() + 3 * 3600_000).toISOString(),
    target: { zones },
    draft: true,
  });
  if (draft.status !== 201) throw new Error(`the draft answered ${draft.status}: ${JSON.stringify(draft.body)}`);
  const id = String(draft.body.id);
  const seen = await api(`/api/alerts/${id}/confirmation`);
  if (seen.status !== 200) throw new Error(`the confirmation answered ${seen.status}`);
  const { revision, digest, warnings } = seen.body as { revision: number; digest: string; warnings?: string[] };
  const answer = api(`/api/alerts/${id}/send`, {
    revision,
    digest,
    ...(warnings?.length ? { acknowledged: warnings } : {}),
  }).catch(() => null);
  return { id, answer };
}

/**
 * What one TV shows of its personal alerts, by the applet's rule: each (alert, revision) once,
 * however often the broker or a re-sending console delivers it. Every message is kept, so that
 * a test can count what was received as well as what was shown.
 */
export class TvScreen {
  readonly got: PersonalAlert[] = [];
  /** Records a message; true when its revision is on screen already (a repeat, not shown again). */
  receive(m: PersonalAlert): boolean {
    const repeat = this.got.some((x) => x.alertId === m.alertId && x.revision === m.revision);
    this.got.push(m);
    return repeat;
  }
  /** The revisions of `alertId` this TV shows: one per revision. */
  shown(alertId: string): number[] {
    return [...new Set(this.got.filter((m) => m.alertId === alertId).map((m) => m.revision))];
  }
  /** The distinct message texts (their `sent`) of `alertId` this TV received: one if nothing was re-issued. */
  versions(alertId: string): number {
    return new Set(this.got.filter((m) => m.alertId === alertId).map((m) => m.sent)).size;
  }
}

/** The TV's receipt for `m`: 'delivered' for every copy (the console may not have stored the first). */
export function receiptFor(m: PersonalAlert, extra: Partial<Receipt> = {}): Receipt {
  return {
    v: 1,
    kind: 'receipt',
    alertId: m.alertId,
    revision: m.revision,
    at: new Date().toISOString(),
    state: 'delivered',
    ...extra,
  } as Receipt;
}
