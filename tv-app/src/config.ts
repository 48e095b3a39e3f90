/**
 * The TV's configuration. It comes from the URL hash (never sent to a server, so the broker
 * password stays on the box) or, for packaged set-top boxes, from `tv-config.json` next to
 * the bundle. Every field is checked; a bad one is reported by name, never guessed.
 */
import { isSafeId } from '@kizuna/contract/ids';
import { LANGUAGES, type Language } from '@kizuna/contract/levels';
import {
  DEFAULT_COLOUR_ORDER,
  DEFAULT_KEYS,
  parseColourOrder,
  parseKeyMap,
  type ColourKey,
  type KeyMap,
} from './keymap.ts';

export interface TvConfig {
  /** This TV's device id (its own MQTT topics). */
  device: string;
  /** Municipality code: the topic root for alerts. */
  muni: string;
  /** Broker URL over WebSocket (ws:// or wss://); absent = no live alerts (shown on screen). */
  mqtt?: string | undefined;
  /**
   * Further nodes of the same broker cluster, in the order to try them: when the current node does
   * not answer, the next reconnect goes to the next one (the `mqtt` value's later comma-separated URLs).
   */
  mqttFallback: string[];
  /**
   * A clean MQTT session (`clean=1`): the broker keeps nothing for the TV while it is away, and the
   * console's re-sender brings what it missed. For RabbitMQ 3.10 clusters, whose Web MQTT does not
   * deliver from replicated (quorum) session queues and refuses a session whose node is lost. Each
   * connection then has a client id of its own (`<user>~<connection>`, mqtt-link.ts), which
   * Mosquitto's dynamic security refuses: not for Mosquitto.
   */
  cleanSession: boolean;
  /** Broker username (= client id) and password: the device's own credentials. */
  user?: string | undefined;
  pass?: string | undefined;
  /** Municipal console base URL (card binding API); a path such as `/console` is relative to the page. */
  console?: string | undefined;
  /** Card-reader bridge WebSocket URL. */
  bridge?: string | undefined;
  /** Insurer gateway base URL (its post-box API is under /postbox/v1); a path such as `/gateway` is relative to the page. */
  postbox?: string | undefined;
  /** The TV's zone, for the area status on Home (optional: otherwise all zones are shown). */
  zone?: string | undefined;
  /** Default UI language until a resident chooses one. */
  lang: Language;
  /** Key codes → key names, per set-top box. */
  keys: KeyMap;
  /** Attach Lightning's inspector (DOM mirror) — for tests and debugging only. */
  inspect: boolean;
  /** Draw with canvas 2D instead of WebGL (boxes without WebGL). */
  canvas2d: boolean;
  /**
   * Upload text to the GPU as Lightning does by default, read back with getImageData, instead of
   * the canvas itself: for a box whose WebGL cannot take a canvas (the readback was about a third
   * of the text work around a cold alert at 4× throttle, so the applet passes the canvas unless told).
   */
  imageDataUpload: boolean;
  /** Broker reconnect backoff (ms): first ceiling and its cap; absent = the contract's defaults. */
  reconnectBase?: number | undefined;
  reconnectCap?: number | undefined;
  /** The colour keys in the order the remote shows them (default 青・赤・緑・黄). */
  colours: readonly ColourKey[];
  /** After Back on an unanswered personal alert, the takeover comes back after this many ms. */
  alertReturn: number;
  /** The municipality's telephone number, shown after "I need help" (absent: only 119). */
  phone?: string | undefined;
  /** Which box's platform layer to use (issue 25); `auto` detects Firebolt and HbbTV. */
  platform: PlatformKind;
  /** The applet's own Firebolt app id: what it names when it asks to come forward (Discovery.launch). */
  appId?: string | undefined;
  /** The Router's first route (deep link): `home`, `settings`, `alert/<alertId>`; absent = home. */
  route?: string | undefined;
}

export const PLATFORMS = ['auto', 'browser', 'hbbtv', 'firebolt'] as const;
export type PlatformKind = (typeof PLATFORMS)[number];

/** Routes a launcher may start at (the card screens start from Home: they need the card reader). */
const DEEP_ROUTE = /^(home|settings|alert\/[A-Za-z0-9_-]{1,80})$/;

/** Default wait before an alert left unanswered with Back takes the screen again: 3 minutes. */
export const ALERT_RETURN_MS = 180_000;

export class ConfigError extends Error {
  readonly code = 'KZ_TV_CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`TV configuration is invalid: ${problems.join('; ')}`);
  }
}

type Raw = Record<string, unknown>;

function wsUrl(v: unknown, name: string, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') {
    problems.push(`${name} must be a string`);
    return undefined;
  }
  try {
    const u = new URL(v);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') problems.push(`${name} must be a ws:// or wss:// URL`);
    return v;
  } catch {
    problems.push(`${name} is not a URL`);
    return undefined;
  }
}

/** An http(s) URL; a path (`/console`) is taken relative to the page (the TV server forwards it). */
function httpUrl(v: unknown, name: string, problems: string[], base?: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') {
    problems.push(`${name} must be a string`);
    return undefined;
  }
  let abs: string = v;
  if (v.startsWith('/') && !v.startsWith('//')) {
    if (!base) {
      problems.push(`${name} is a path but the page address is unknown`);
      return undefined;
    }
    abs = new URL(v, base).toString();
  }
  try {
    const u = new URL(abs);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${name} must be an http:// or https:// URL`);
    return abs.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} is not a URL`);
    return undefined;
  }
}

/** A whole number of milliseconds, 1 to 10 minutes; absent or empty = the default. */
function millis(v: unknown, name: string, problems: string[]): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 600_000) return n;
  problems.push(`${name} must be a whole number of milliseconds from 1 to 600000`);
  return undefined;
}

function flag(v: unknown): boolean {
  return v === true || v === '1' || v === 'true';
}

/** Validate a raw configuration object (from the hash or tv-config.json). */
export function validateConfig(raw: Raw, base?: string): TvConfig {
  const problems: string[] = [];
  const device = raw.device;
  const muni = raw.muni;
  if (!isSafeId(device)) problems.push('device is missing or not a safe id (letters, digits, _ and - only)');
  if (!isSafeId(muni)) problems.push('muni is missing or not a safe id');
  const lang = (raw.lang ?? 'ja') as Language;
  if (!LANGUAGES.includes(lang)) problems.push(`lang must be one of ${LANGUAGES.join(', ')}`);
  const zone = raw.zone === undefined || raw.zone === '' ? undefined : raw.zone;
  if (zone !== undefined && !isSafeId(zone)) problems.push('zone is not a safe id');
  // One URL, or a cluster's nodes separated by commas (this TV's node first).
  const mqttList =
    typeof raw.mqtt === 'string' && raw.mqtt.includes(',')
      ? raw.mqtt.split(',').map((u, i) => wsUrl(u.trim(), i === 0 ? 'mqtt' : `mqtt (URL ${i + 1})`, problems))
      : [wsUrl(raw.mqtt, 'mqtt', problems)];
  const [mqtt, ...mqttFallback] = mqttList;
  if (mqttList.length > 1 && mqttList.some((u) => u === undefined)) problems.push('mqtt has an empty URL in its list');
  const user = raw.user === undefined || raw.user === '' ? undefined : String(raw.user);
  const pass = raw.pass === undefined || raw.pass === '' ? undefined : String(raw.pass);
  if (mqtt && !user) problems.push('user is required with mqtt (the broker username is the client id)');
  if (user !== undefined && !isSafeId(user)) problems.push('user is not a safe id');
  let keys: KeyMap = { ...DEFAULT_KEYS };
  try {
    if (raw.keys !== undefined && raw.keys !== '') keys = { ...DEFAULT_KEYS, ...parseKeyMap(raw.keys) };
  } catch (e) {
    problems.push((e as Error).message);
  }
  let colours: readonly ColourKey[] = DEFAULT_COLOUR_ORDER;
  try {
    if (raw.colours !== undefined && raw.colours !== '') colours = parseColourOrder(raw.colours);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const phone = raw.phone === undefined || raw.phone === '' ? undefined : String(raw.phone);
  if (phone !== undefined && !/^\+?[0-9][0-9-]{1,19}$/.test(phone))
    problems.push('phone must be a telephone number (digits and hyphens, e.g. 0120-000-000)');
  const platform = (raw.platform === undefined || raw.platform === '' ? 'auto' : raw.platform) as PlatformKind;
  if (!PLATFORMS.includes(platform)) problems.push(`platform must be one of ${PLATFORMS.join(', ')}`);
  const appId = raw.appId === undefined || raw.appId === '' ? undefined : String(raw.appId);
  if (appId !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(appId)) problems.push('appId is not an app id');
  const route = raw.route === undefined || raw.route === '' ? undefined : String(raw.route);
  if (route !== undefined && !DEEP_ROUTE.test(route)) problems.push('route must be home, settings or alert/<alert id>');
  const cfg: TvConfig = {
    device: device as string,
    muni: muni as string,
    mqtt,
    mqttFallback: mqttFallback.filter((u): u is string => u !== undefined),
    cleanSession: flag(raw.clean),
    user,
    pass,
    console: httpUrl(raw.console, 'console', problems, base),
    bridge: wsUrl(raw.bridge, 'bridge', problems),
    postbox: httpUrl(raw.postbox, 'postbox', problems, base),
    zone: zone as string | undefined,
    lang,
    keys,
    inspect: flag(raw.inspect),
    canvas2d: flag(raw.canvas2d),
    imageDataUpload: flag(raw.imageDataUpload),
    reconnectBase: millis(raw.reconnectBase, 'reconnectBase', problems),
    reconnectCap: millis(raw.reconnectCap, 'reconnectCap', problems),
    colours,
    alertReturn: millis(raw.alertReturn, 'alertReturn', problems) ?? ALERT_RETURN_MS,
    phone,
    platform,
    appId,
    route,
  };
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** Parse `#device=…&muni=…` (URLSearchParams rules: values are percent-decoded). */
export function parseHash(hash: string): Raw {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const out: Raw = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

/**
 * The hash wins when it names a device; otherwise `tv-config.json` next to the bundle (a
 * packaged box), with hash values overriding single fields (e.g. `#lang=en&inspect=1`).
 */
export async function loadTvConfig(loc: Location = window.location, fetchFn: typeof fetch = fetch): Promise<TvConfig> {
  const fromHash = parseHash(loc.hash);
  if (fromHash.device) return validateConfig(fromHash, loc.href);
  let fromFile: Raw = {};
  try {
    const res = await fetchFn(new URL('tv-config.json', loc.href).toString(), { cache: 'no-store' });
    if (res.ok) fromFile = (await res.json()) as Raw;
    else if (res.status !== 404) throw new ConfigError([`tv-config.json could not be read (HTTP ${res.status})`]);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (e instanceof SyntaxError) throw new ConfigError(['tv-config.json is not valid JSON']);
  }
  return validateConfig({ ...fromFile, ...fromHash }, loc.href);
}
