/**
 * The on-screen keyboard for the card's secrets, driven by the arrow keys: the signing password
 * (upper-case letters and digits, 6–16) on a 10-column grid, the 4-digit PIN on a phone-style
 * pad, and an insurance policy number (the password keys and '-', shown as typed). Number keys type digits directly; Red deletes one character. When the field is full the
 * focus jumps to OK, so "four digits then OK" works without looking. The secret is held only
 * here, shown as ●, and handed to the flow once on OK; a new step clears it.
 */
import { Component } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { activeKeyMap, digitOf } from '../../keymap.ts';
import { fire } from '../../ui/fire.ts';
import { C, txt } from '../../ui/theme.ts';

export type KeyboardKind = 'password' | 'pin' | 'policy';

export interface KeyboardSetup {
  kind: KeyboardKind;
  min: number;
  max: number;
  label: string;
  words: { del: string; ok: string; count: string; tooShort: string };
}

type Key = { id: string; label: string; col: number; row: number; span: number };

const PASSWORD_ROWS = ['ABCDEFGHIJ', 'KLMNOPQRST', 'UVWXYZ0123', '456789'];
const PIN_ROWS = ['123', '456', '789'];
/** Policy numbers: the password keys and '-' (the gateway takes A–Z, 0–9 and -./_; TVs offer the common ones). */
const POLICY_ROWS = ['ABCDEFGHIJ', 'KLMNOPQRST', 'UVWXYZ0123', '456789-'];

function layout(kind: KeyboardKind, w: KeyboardSetup['words']): Key[] {
  const keys: Key[] = [];
  if (kind === 'password') {
    PASSWORD_ROWS.forEach((r, row) => [...r].forEach((ch, col) => keys.push({ id: ch, label: ch, col, row, span: 1 })));
    keys.push({ id: 'DEL', label: w.del, col: 6, row: 3, span: 2 }, { id: 'OK', label: w.ok, col: 8, row: 3, span: 2 });
  } else if (kind === 'policy') {
    POLICY_ROWS.forEach((r, row) => [...r].forEach((ch, col) => keys.push({ id: ch, label: ch, col, row, span: 1 })));
    keys.push({ id: 'DEL', label: w.del, col: 7, row: 3, span: 2 }, { id: 'OK', label: w.ok, col: 9, row: 3, span: 1 });
  } else {
    PIN_ROWS.forEach((r, row) => [...r].forEach((ch, col) => keys.push({ id: ch, label: ch, col, row, span: 1 })));
    keys.push(
      { id: 'DEL', label: w.del, col: 0, row: 3, span: 1 },
      { id: '0', label: '0', col: 1, row: 3, span: 1 },
      { id: 'OK', label: w.ok, col: 2, row: 3, span: 1 },
    );
  }
  return keys;
}

const KEY_H = 76;
const GAP = 10;

/** The keyboard's parts (typed template: Lightning.Component.TemplateSpec); it is set up with reset(). */
export interface KeyboardTemplateSpec extends Lightning.Component.TemplateSpec {
  Label: object;
  Field: { Dots: object };
  Count: object;
  Keys: object;
}

export class Keyboard
  extends Component<KeyboardTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<KeyboardTemplateSpec>
{
  private kbSetup: KeyboardSetup | null = null;
  private kbKeys: Key[] = [];
  private kbIndex = 0;
  private kbValue = '';
  private kbWarn = '';

  static override _template(): Lightning.Component.Template<KeyboardTemplateSpec> {
    return {
      // 60 px for the label: Vietnamese stacked diacritics and descenders touched the field at 50.
      Label: { y: -4, text: txt('', 36, { w: 1760, maxLines: 1 }) },
      Field: {
        y: 56,
        w: 900,
        h: 84,
        rect: true,
        color: C.white,
        Dots: { x: 30, y: 44, mountY: 0.5, text: txt('', 48, { bold: true, color: C.black }) },
      },
      Count: { x: 940, y: 98, mountY: 0.5, text: txt('', 34, { w: 820, maxLines: 1 }) },
      Keys: { y: 150 },
    };
  }

  /** Height of the whole keyboard block (label, field, keys). */
  static height(_kind: KeyboardKind): number {
    return 150 + 4 * (KEY_H + GAP);
  }

  reset(s: KeyboardSetup): void {
    this.kbSetup = s;
    this.kbValue = '';
    this.kbWarn = '';
    this.kbIndex = 0;
    this.kbKeys = layout(s.kind, s.words);
    const cellW = s.kind === 'pin' ? 220 : 160;
    this.tag('Label')!.patch({ text: { text: s.label } });
    this.tag('Keys')!.children = this.kbKeys.map((k) => ({
      ref: `Key-${k.id}`,
      x: k.col * (cellW + GAP),
      y: k.row * (KEY_H + GAP),
      w: k.span * cellW + (k.span - 1) * GAP,
      h: KEY_H,
      rect: true,
      color: C.panel,
      Label: {
        x: (k.span * cellW + (k.span - 1) * GAP) / 2,
        y: KEY_H / 2,
        mount: 0.5,
        text: txt(k.label, 40, { bold: true }),
      },
    }));
    this.paint();
  }

  private paint(): void {
    const s = this.kbSetup;
    if (!s) return;
    // Secrets show as ●; a policy number is not secret and is shown as typed.
    this.tag('Field.Dots')!.patch({
      text: { text: (s.kind === 'policy' ? this.kbValue : '●'.repeat(this.kbValue.length)) || ' ' },
    });
    this.tag('Count')!.patch({
      text: {
        text: this.kbWarn || s.words.count.replace('{n}', String(this.kbValue.length)),
        textColor: this.kbWarn ? C.warn : C.text,
      },
    });
    const focused = this.hasFocus();
    this.tag('Keys')!.children.forEach((el: Lightning.Element, i: number) => {
      const f = focused && i === this.kbIndex;
      el.patch({ color: f ? C.focusBg : C.panel, Label: { text: { textColor: f ? C.focusText : C.text } } });
    });
  }

  override _focus(): void {
    this.paint();
  }
  override _unfocus(): void {
    this.paint();
  }

  private move(dc: number, dr: number): boolean {
    const cur = this.kbKeys[this.kbIndex];
    if (!cur) return true;
    if (dc !== 0) {
      const row = this.kbKeys.map((k, i) => [k, i] as const).filter(([k]) => k.row === cur.row);
      const at = row.findIndex(([, i]) => i === this.kbIndex);
      const next = row[at + dc];
      if (next) this.kbIndex = next[1];
    } else {
      const row = this.kbKeys.map((k, i) => [k, i] as const).filter(([k]) => k.row === cur.row + dr);
      // The key under the same column (wide keys cover several), else the row's last key.
      const hit = row.find(([k]) => cur.col >= k.col && cur.col < k.col + k.span) ?? row[row.length - 1];
      if (hit) this.kbIndex = hit[1];
    }
    this.paint();
    return true;
  }

  override _handleLeft(): boolean {
    return this.move(-1, 0);
  }
  override _handleRight(): boolean {
    return this.move(1, 0);
  }
  override _handleUp(): boolean {
    return this.move(0, -1);
  }
  override _handleDown(): boolean {
    return this.move(0, 1);
  }

  typeChar(ch: string): void {
    const s = this.kbSetup;
    if (!s) return;
    this.kbWarn = '';
    if (this.kbValue.length < s.max) this.kbValue += ch;
    if (this.kbValue.length >= s.max) this.kbIndex = this.kbKeys.findIndex((k) => k.id === 'OK');
    this.paint();
  }

  private del(): void {
    this.kbValue = this.kbValue.slice(0, -1);
    this.kbWarn = '';
    this.paint();
  }

  private submit(): void {
    const s = this.kbSetup;
    if (!s) return;
    if (this.kbValue.length < s.min) {
      this.kbWarn = s.words.tooShort.replace('{min}', String(s.min));
      this.paint();
      return;
    }
    const v = this.kbValue;
    this.kbValue = '';
    this.paint();
    fire(this, '$flowAction', { type: 'secret', value: v });
  }

  override _handleEnter(): boolean {
    const k = this.kbKeys[this.kbIndex];
    if (!k) return true;
    if (k.id === 'OK') this.submit();
    else if (k.id === 'DEL') this.del();
    else this.typeChar(k.id);
    return true;
  }

  _handleRed(): boolean {
    this.del();
    return true;
  }

  /** Number keys (whatever codes this box's remote sends, through the key map). */
  override _handleKey(e: KeyboardEvent): boolean {
    const d = digitOf(activeKeyMap(), e.keyCode);
    if (d === null) return false;
    this.typeChar(String(d));
    return true;
  }
}
