/**
 * Many simulated TVs in child processes, for suites at city scale (the fault suite). Each TV is
 * the applet's own broker link (tv-app/src/net/mqtt-link.ts: its credentials, its clean session
 * as on the cluster, its failover over the nodes' Web MQTT URLs, its backoff), shows each alert
 * revision once (TvScreen, the applet's rule) and confirms every copy it receives, as the applet
 * does. The parent asks each child what its TVs show of an alert; the times are wall-clock
 * (Date.now) on this machine, comparable with the parent's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectLink, type Link } from '@kizuna/tv-app/mqtt-link';
import { receiptFor, TvScreen } from '@kizuna/municipal-console/test/console-process';

const SELF = fileURLToPath(import.meta.url);

export interface SwarmTv {
  device: string;
  username: string;
  password: string;
  /** Web MQTT URLs in the order this TV tries them (its own node first: nodeOrderFor). */
  urls: string[];
}

/** What a share of TVs shows of one alert. */
export interface AlertTally {
  /** TVs that show it. */
  have: number;
  /** The latest first arrival among them (ms since the epoch); 0 if none. */
  lastFirstAt: number;
  /** Copies received in all (re-sends and redeliveries included). */
  copies: number;
  /** TVs that show it more than once (more than one revision, or more than one text). */
  twice: string[];
  /**
   * TVs that do not show it (only when asked with `missing`): "(not online)" after those whose link
   * is not online, then what their link is doing (Link.inspect) as JSON.
   */
  missing: string[];
  /** Receipts (of any alert, since the start) not acknowledged in time: the link replaced its connection. */
  receiptTimeouts: number;
  /** TVs online now. */
  online: number;
  /** Times since the start a TV that was online lost its connection. */
  drops: number;
  /** Why, by the link's last word before each drop (an error's message, digits as N), and how often. */
  dropReasons: Record<string, number>;
}

type ToChild =
  | { type: 'start'; muni: string; tvs: SwarmTv[]; wave: number }
  | { type: 'tally'; alertId: string; missing: boolean }
  | { type: 'stop' };
type FromChild =
  { type: 'online'; count: number } | ({ type: 'tally' } & AlertTally) | { type: 'error'; message: string };

// ---------------------------------------------------------------- child: a share of the TVs

function child() {
  const send = (m: FromChild) => process.send!(m);
  const links: Link[] = [];
  const linkOf = new Map<string, Link>();
  const screens = new Map<string, TvScreen>();
  /** alertId → device → first arrival */
  const firstAt = new Map<string, Map<string, number>>();
  const online = new Set<string>();
  let receiptTimeouts = 0;
  let drops = 0;
  const dropReasons = new Map<string, number>();
  /** The link's last word before a drop: its error, else its last client event (close, offline, …). */
  const dropReason = (link: Link | undefined, detail: string | undefined) => {
    const events = link?.inspect().events ?? [];
    const last = detail ?? events.at(-1)?.replace(/^\d+ /, '') ?? 'unknown';
    return last.replace(/\d+/g, 'N').slice(0, 100);
  };

  process.on('message', async (m: ToChild) => {
    if (m.type === 'stop') {
      await Promise.all(links.map((l) => l.close().catch(() => undefined)));
      process.exit(0);
    }
    if (m.type === 'tally') {
      const arrivals = firstAt.get(m.alertId) ?? new Map<string, number>();
      const tally: AlertTally = {
        have: arrivals.size,
        lastFirstAt: 0,
        copies: 0,
        twice: [],
        missing: [],
        receiptTimeouts,
        online: online.size,
        drops,
        dropReasons: Object.fromEntries(dropReasons),
      };
      for (const t of arrivals.values()) tally.lastFirstAt = Math.max(tally.lastFirstAt, t);
      for (const [device, screen] of screens) {
        const got = screen.got.filter((a) => a.alertId === m.alertId).length;
        tally.copies += got;
        if (screen.shown(m.alertId).length > 1 || screen.versions(m.alertId) > 1) tally.twice.push(device);
        if (m.missing && got === 0)
          tally.missing.push(
            online.has(device) ? device : `${device} (not online) ${JSON.stringify(linkOf.get(device)?.inspect())}`,
          );
      }
      return send({ type: 'tally', ...tally });
    }
    const report = setInterval(() => send({ type: 'online', count: online.size }), 1000);
    for (let i = 0; i < m.tvs.length; i += m.wave) {
      for (const tv of m.tvs.slice(i, i + m.wave)) {
        const screen = new TvScreen();
        screens.set(tv.device, screen);
        const link: Link = connectLink(
          {
            url: tv.urls[0]!,
            fallbackUrls: tv.urls.slice(1),
            cleanSession: true,
            muni: m.muni,
            device: tv.device,
            username: tv.username,
            password: tv.password,
          },
          {
            onAlert: (alert) => {
              let arrivals = firstAt.get(alert.alertId);
              if (!arrivals) firstAt.set(alert.alertId, (arrivals = new Map()));
              if (!arrivals.has(tv.device)) arrivals.set(tv.device, Date.now());
              screen.receive(alert);
              // every copy is confirmed: the console may not have stored the first receipt
              void link.publishReceipt(receiptFor(alert)).catch((e: Error) => {
                if (e.message.startsWith('receipt not acknowledged')) receiptTimeouts += 1;
              });
            },
            onArea: () => undefined,
            onMail: () => undefined,
            onInvalid: () => undefined,
            onState: (s, detail) => {
              if (s === 'online') online.add(tv.device);
              else if (online.delete(tv.device)) {
                drops += 1;
                const why = dropReason(linkOf.get(tv.device), detail);
                dropReasons.set(why, (dropReasons.get(why) ?? 0) + 1);
              }
            },
          },
        );
        links.push(link);
        linkOf.set(tv.device, link);
      }
      while (online.size < links.length) await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(report);
    send({ type: 'online', count: online.size });
  });
  process.on('uncaughtException', (e) => send({ type: 'error', message: String(e?.stack ?? e) }));
}

// ---------------------------------------------------------------- parent

export interface TvSwarm {
  readonly size: number;
  /** TVs online now (their subscriptions answered), as last reported. */
  online(): number;
  /** What every TV shows of `alertId`, summed over the children; `missing` lists the TVs without it. */
  tally(alertId: string, missing?: boolean): Promise<AlertTally>;
  close(): Promise<void>;
}

/** A child busy with thousands of links answers a tally within seconds; one silent this long is stuck. */
const TALLY_TIMEOUT_MS = 60_000;

/**
 * Starts `tvs` over `procs` child processes, each connecting its TVs in waves of `wave` (the
 * next wave once the last is online); resolves when every TV is online, or rejects after `timeoutMs`.
 */
export async function startTvSwarm(
  muni: string,
  tvs: SwarmTv[],
  { procs = 4, wave = 100, timeoutMs = 600_000 } = {},
): Promise<TvSwarm> {
  const children: ChildProcess[] = [];
  const online = new Array<number>(procs).fill(0);
  // a tally each child owes: answered by its message, failed by its exit or after TALLY_TIMEOUT_MS
  const waiting: Array<{ resolve: (t: AlertTally) => void; reject: (e: Error) => void } | undefined> = new Array(procs);
  let failed = '';
  for (let p = 0; p < procs; p++) {
    const c = fork(SELF, ['--tv-swarm-child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    c.on('message', (m: FromChild) => {
      if (m.type === 'online') online[p] = m.count;
      else if (m.type === 'error') failed ||= m.message;
      else {
        const owed = waiting[p];
        waiting[p] = undefined;
        const { type: _t, ...tally } = m;
        owed?.resolve(tally);
      }
    });
    c.on('exit', (code, signal) => {
      if (code !== 0) failed ||= `TV child ${p} exited ${code ?? signal}`;
      waiting[p]?.reject(new Error(`TV child ${p} exited (${code ?? signal}) before its tally`));
      waiting[p] = undefined;
    });
    children.push(c);
  }
  const share = Math.ceil(tvs.length / procs);
  children.forEach((c, p) =>
    c.send({ type: 'start', muni, tvs: tvs.slice(p * share, (p + 1) * share), wave } satisfies ToChild),
  );
  const close = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const killer = setTimeout(() => c.kill('SIGKILL'), 20_000);
            c.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            c.send({ type: 'stop' } satisfies ToChild);
          }),
      ),
    );
  };
  const sum = () => online.reduce((a, b) => a + b, 0);
  const deadline = Date.now() + timeoutMs;
  while (sum() < tvs.length) {
    if (failed || Date.now() > deadline) {
      await close();
      throw new Error(failed || `only ${sum()} of ${tvs.length} TVs came online in ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    size: tvs.length,
    online: sum,
    async tally(alertId, missing = false) {
      if (failed) throw new Error(failed);
      const parts = await Promise.all(
        children.map(
          (c, p) =>
            new Promise<AlertTally>((resolve, reject) => {
              const timer = setTimeout(() => {
                waiting[p] = undefined;
                reject(new Error(`TV child ${p} did not answer a tally within ${TALLY_TIMEOUT_MS / 1000} s`));
              }, TALLY_TIMEOUT_MS);
              const settle =
                <T>(f: (v: T) => void) =>
                (v: T) => {
                  clearTimeout(timer);
                  f(v);
                };
              waiting[p] = { resolve: settle(resolve), reject: settle(reject) };
              c.send({ type: 'tally', alertId, missing } satisfies ToChild);
            }),
        ),
      );
      return parts.reduce((a, b) => ({
        have: a.have + b.have,
        lastFirstAt: Math.max(a.lastFirstAt, b.lastFirstAt),
        copies: a.copies + b.copies,
        twice: [...a.twice, ...b.twice],
        missing: [...a.missing, ...b.missing],
        receiptTimeouts: a.receiptTimeouts + b.receiptTimeouts,
        online: a.online + b.online,
        drops: a.drops + b.drops,
        dropReasons: Object.fromEntries(
          [...new Set([...Object.keys(a.dropReasons), ...Object.keys(b.dropReasons)])].map((k) => [
            k,
            (a.dropReasons[k] ?? 0) + (b.dropReasons[k] ?? 0),
          ]),
        ),
      }));
    },
    close,
  };
}

if (process.argv.includes('--tv-swarm-child')) child();
