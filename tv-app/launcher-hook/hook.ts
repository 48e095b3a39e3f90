/**
 * The box's launcher hook (issue 25), for boxes where no platform lets a web app wake itself: it
 * holds the TV's broker session while the applet is closed, and when an alert comes it wakes the
 * display and opens the applet at the alert deep link, then hands the session over.
 *
 * One credential, one session. The broker takes the username as the client id (a second connection
 * with it would take the applet's session over), so the hook connects only while the applet is not
 * running, with the applet's own persistent session (clean: false, the TV's own topics):
 * - `kz/{muni}/tv/{device}/wake` (contract WakeSchema, published by the municipality): acknowledged;
 * - a personal alert: never acknowledged and never read (the hook holds no personal data). The hook
 *   drops its connection at once, so the broker still holds the alert for the applet's session and
 *   sends it again when the applet connects;
 * - anything else (mail notices, receipts echoed, area alerts the applet gets again when it
 *   subscribes): acknowledged and ignored.
 * Then it wakes the display, launches the applet, and connects again only once the applet has exited.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { decodeMessage, parseTopic, topics, WakeSchema, type Wake } from '@kizuna/contract';
import type { Display, Launcher } from './ports.ts';

export interface HookOptions {
  /** The TV's broker address and credentials (the username is the client id). */
  mqtt: { url: string; username: string; password: string; muni: string; device: string };
  /** The applet's start page as the box opens it (its configuration may already be in the hash). */
  appUrl: string;
  display: Display;
  launcher: Launcher;
  now?: () => number;
  log?: (event: string, fields?: Record<string, unknown>) => void;
}

export type HookEvent =
  | { kind: 'listening' }
  | { kind: 'woken'; by: 'wake' | 'alert'; alertId?: string | undefined; url: string }
  | { kind: 'applet-exited' };

export interface LauncherHook {
  /** Resolves when the hook next reaches this state (tests, and the program's log). */
  next(kind: HookEvent['kind']): Promise<HookEvent>;
  stop(): Promise<void>;
}

/** The deep link for an alert: the box's hash, plus `intent=alert` and the alert id when known. */
export function alertDeepLink(appUrl: string, alertId?: string): string {
  const u = new URL(appUrl);
  const p = new URLSearchParams(u.hash.replace(/^#/, ''));
  p.set('intent', 'alert');
  if (alertId) p.set('alert', alertId);
  else p.delete('alert');
  u.hash = p.toString();
  return u.toString();
}

export function startLauncherHook(o: HookOptions): LauncherHook {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => {});
  let client: MqttClient | null = null;
  let stopped = false;
  const waiters: { kind: HookEvent['kind']; resolve: (e: HookEvent) => void }[] = [];
  const emit = (e: HookEvent) => {
    log(e.kind, e as unknown as Record<string, unknown>);
    for (const w of waiters.filter((x) => x.kind === e.kind)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  };

  const listen = () => {
    if (stopped) return;
    let handing = false;
    const c = mqtt.connect(o.mqtt.url, {
      protocolVersion: 4,
      clean: false,
      clientId: o.mqtt.username,
      username: o.mqtt.username,
      password: o.mqtt.password,
      reconnectPeriod: 2000,
    });
    client = c;
    // mqtt.js sends a QoS 1 PUBACK only after handleMessage calls back (customHandleAcks is MQTT 5
    // only; aedes speaks 3.1.1): an alert's callback is never called, so it stays with the broker.
    c.handleMessage = (packet, callback) => {
      const t = parseTopic(packet.topic);
      if (t?.kind === 'tv-alert' && t.device === o.mqtt.device) {
        if (!handing) void handOver(c, 'alert', undefined);
        handing = true;
        return;
      }
      callback();
      if (t?.kind !== 'tv-wake' || t.device !== o.mqtt.device || handing) return;
      let wake: Wake;
      try {
        wake = decodeMessage(WakeSchema, packet.payload as Buffer, 'wake');
      } catch (e) {
        return log('invalid-wake', { problem: (e as Error).message });
      }
      if (Date.parse(wake.expires) <= now()) return log('expired-wake', { alertId: wake.alertId });
      handing = true;
      void handOver(c, 'wake', wake.alertId);
    };
    c.on('connect', () => {
      // The applet's own filter, so the session holds its alerts even if the applet never ran.
      c.subscribe(topics.tvOwn(o.mqtt.muni, o.mqtt.device), { qos: 1 }, (err) => {
        if (err) log('subscribe-failed', { message: err.message });
        else emit({ kind: 'listening' });
      });
    });
    c.on('error', (err) => log('mqtt-error', { message: err.message }));
  };

  const handOver = async (c: MqttClient, by: 'wake' | 'alert', alertId: string | undefined) => {
    // An alert: force, so its PUBACK is never sent. A wake: let its PUBACK go out first, or the
    // broker would send the same wake again when the hook next connects.
    await c.endAsync(by === 'alert');
    const url = alertDeepLink(o.appUrl, alertId);
    const [, run] = await Promise.all([
      o.display.wake().catch((e: Error) => log('display-wake-failed', { message: e.message })),
      o.launcher.open(url),
    ]);
    emit({ kind: 'woken', by, alertId, url });
    await run.exited;
    emit({ kind: 'applet-exited' });
    listen();
  };

  listen();
  return {
    next: (kind) => new Promise((resolve) => waiters.push({ kind, resolve })),
    async stop() {
      stopped = true;
      await client?.endAsync(true);
    },
  };
}
