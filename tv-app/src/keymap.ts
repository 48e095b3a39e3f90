/**
 * Remote-control keys. Lightning dispatches `_handle<Name>` for each key name below. The
 * colour keys follow HbbTV/OIPF (403–406); a set-top box maker overrides any code in
 * tv-config.json (`"keys": {"403": "Red"}`) or the hash (`keys=403:Red,404:Green`).
 * Digits are also mapped from the numeric keypad so a PC keyboard can stand in for a remote.
 * The map in force is the box's, handed to the SDK's `Launch` as a platform setting.
 */
import { Settings } from './sdk/index.ts';

export type KeyName =
  | 'Up'
  | 'Down'
  | 'Left'
  | 'Right'
  | 'Enter'
  | 'Back'
  | 'Red'
  | 'Green'
  | 'Yellow'
  | 'Blue'
  | 'Digit0'
  | 'Digit1'
  | 'Digit2'
  | 'Digit3'
  | 'Digit4'
  | 'Digit5'
  | 'Digit6'
  | 'Digit7'
  | 'Digit8'
  | 'Digit9';

export type KeyMap = Record<number, KeyName>;

export const KEY_NAMES: readonly KeyName[] = [
  'Up',
  'Down',
  'Left',
  'Right',
  'Enter',
  'Back',
  'Red',
  'Green',
  'Yellow',
  'Blue',
  'Digit0',
  'Digit1',
  'Digit2',
  'Digit3',
  'Digit4',
  'Digit5',
  'Digit6',
  'Digit7',
  'Digit8',
  'Digit9',
];

function digits(base: number): KeyMap {
  const m: KeyMap = {};
  for (let d = 0; d <= 9; d++) m[base + d] = `Digit${d}` as KeyName;
  return m;
}

export const DEFAULT_KEYS: KeyMap = {
  37: 'Left',
  38: 'Up',
  39: 'Right',
  40: 'Down',
  13: 'Enter',
  // Back: Backspace on PCs, 461 on webOS/HbbTV remotes, 10009 on Tizen, Escape as a fallback.
  8: 'Back',
  27: 'Back',
  461: 'Back',
  10009: 'Back',
  403: 'Red',
  404: 'Green',
  405: 'Yellow',
  406: 'Blue',
  ...digits(48),
  ...digits(96),
};

/** Accepts `{"403":"Red"}` or `"403:Red,404:Green"`; throws naming the bad entry. */
export function parseKeyMap(value: unknown): KeyMap {
  let entries: [string, unknown][];
  if (typeof value === 'string') {
    entries = value
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [code, name] = pair.split(':');
        return [code ?? '', name];
      });
  } else if (value && typeof value === 'object') {
    entries = Object.entries(value);
  } else {
    throw new Error('keys must be an object or "code:Name,…"');
  }
  const out: KeyMap = {};
  for (const [code, name] of entries) {
    const n = Number(code);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`keys: "${code}" is not a key code`);
    if (!KEY_NAMES.includes(name as KeyName))
      throw new Error(`keys: "${String(name)}" is not a key name (${KEY_NAMES.join(', ')})`);
    out[n] = name as KeyName;
  }
  return out;
}

/** The digit a key event stands for under this key map, or null. */
export function digitOf(keys: KeyMap, keyCode: number): number | null {
  const name = keys[keyCode];
  return name && name.startsWith('Digit') ? Number(name.slice(5)) : null;
}

/** The key map in force: this box's, given to `Launch` in the platform settings (index.ts). */
export function activeKeyMap(): KeyMap {
  return Settings.get<KeyMap>('platform', 'keys', DEFAULT_KEYS);
}

/** The four colour keys, in the order a remote shows them. */
export type ColourKey = 'Blue' | 'Red' | 'Green' | 'Yellow';
const COLOURS: readonly ColourKey[] = ['Blue', 'Red', 'Green', 'Yellow'];

/**
 * Japanese remotes (ARIB) run 青・赤・緑・黄: the alert's answer row and every key hint follow
 * this order. A box whose remote runs otherwise (HbbTV in Europe: red, green, yellow, blue)
 * gives its own order in `colours` (e.g. `colours=Red,Green,Yellow,Blue`).
 */
export const DEFAULT_COLOUR_ORDER: readonly ColourKey[] = COLOURS;

/** Accepts `"Red,Green,Yellow,Blue"` or `["Red",…]`: each of the four colour keys once; throws naming the problem. */
export function parseColourOrder(value: unknown): ColourKey[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (
    !Array.isArray(list) ||
    list.length !== COLOURS.length ||
    !COLOURS.every((c) => list.includes(c)) ||
    new Set(list).size !== COLOURS.length
  )
    throw new Error(`colours must name each of ${COLOURS.join(', ')} once, in the remote's order`);
  return list as ColourKey[];
}

/** The colour-key order in force: this box's, from the platform settings. */
export function colourOrder(): readonly ColourKey[] {
  return Settings.get<readonly ColourKey[]>('platform', 'colours', DEFAULT_COLOUR_ORDER);
}
