/**
 * The one screen every card task is drawn on (flows/flow.ts): title, a coloured notice (error,
 * warning, success), the body text (wrapped; scrolled with Up/Down when longer than the room),
 * then a vertical list, a row of buttons or the on-screen keyboard, and the key hint at the
 * bottom. Focus is always on an item, a button or a key; Back goes one step back.
 */
import { Component } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import type { FlowAction, FlowStep, Tone } from '../../flows/flow.ts';
import { Keyboard, type KeyboardSetup } from '../../components/Keyboard/index.ts';
import { activeKeyMap, digitOf } from '../../keymap.ts';
import { fire } from '../../ui/fire.ts';
import { C, estimateWidth, txt } from '../../ui/theme.ts';

export interface FlowView {
  step: FlowStep;
  scale: number;
  contrast: boolean;
  keyWords: KeyboardSetup['words'];
}

const W = 1760;
const HINT_Y = 1012;
const TYPEAHEAD_MAX = 16;
const TONE: Record<Tone, { bg: number; fg: number }> = {
  error: { bg: 0xffb3261e, fg: C.white },
  warn: { bg: C.warn, fg: C.black },
  ok: { bg: 0xff1e7d3a, fg: C.white },
  info: { bg: C.panel, fg: C.white },
};

/** Lines a paragraph takes at this size (estimate; 8 % slack for wrapping at word boundaries). */
function linesOf(text: string, size: number): number {
  return Math.max(1, Math.ceil((estimateWidth(text, size) * 1.08) / W));
}

/** The parts of a card task's screen (typed template: Lightning.Component.TemplateSpec). */
export interface FlowScreenTemplateSpec extends Lightning.Component.TemplateSpec {
  Title: object;
  Notice: { Label: object };
  Clip: { Body: object };
  ScrollMark: object;
  Items: object;
  Hint: object;
  Keyboard: typeof Keyboard;
}

export class FlowScreen
  extends Component<FlowScreenTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<FlowScreenTemplateSpec>
{
  /** The Router creates its pages itself: the ref App (and the browser tests) find this one by. */
  override _construct(): void {
    this.ref = 'Flow';
  }

  private view: FlowView | null = null;
  private index = 0;
  private scroll = 0;
  private maxScroll = 0;
  private lineH = 52;
  private win = { first: 0, size: 0 };
  /** Number keys pressed while a busy step was up (the card reader connecting): typed into the
   * next PIN or password field instead of lost — people start typing before the wait ends. */
  private typeahead = '';

  static override _template(): Lightning.Component.Template<FlowScreenTemplateSpec> {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: C.bg,
      Title: { x: 80, y: 36, text: txt('', 56, { bold: true, w: W, maxLines: 1 }) },
      Notice: {
        x: 80,
        y: 124,
        w: W,
        h: 0,
        rect: true,
        visible: false,
        Label: { x: 28, y: 14, text: txt('', 40, { bold: true, w: W - 56, maxLines: 3 }) },
      },
      Clip: { x: 80, w: W, clipping: true, Body: { text: txt('', 38, { w: W }) } },
      ScrollMark: { x: 1840, mountX: 1, text: txt('', 32, { color: C.dim }) },
      Items: { x: 80 },
      Keyboard: { type: Keyboard, x: 80, visible: false },
      Hint: { x: 80, y: HINT_Y, text: txt('', 32, { color: C.dim, w: W, maxLines: 2, lineHeight: 40 }) },
    };
  }

  get currentStep(): FlowStep | null {
    return this.view?.step ?? null;
  }

  render(v: FlowView): void {
    const prev = this.view?.step;
    this.view = v;
    const st = v.step;
    const k = v.scale;
    const size = (n: number) => Math.max(32, Math.round(n * k));
    if (!prev || prev.id !== st.id || prev.items.length !== st.items.length || prev.lines.join() !== st.lines.join()) {
      this.index = 0;
      this.scroll = 0;
    }
    const bodySize = size(st.mode === 'secret' ? 36 : 38);
    this.lineH = Math.round(bodySize * 1.38);
    const noticeSize = size(40);
    const noticeLines = st.notice ? Math.min(3, linesOf(st.notice.text, noticeSize)) : 0;
    const noticeH = st.notice ? noticeLines * Math.round(noticeSize * 1.35) + 28 : 0;
    const bodyY = 124 + (st.notice ? noticeH + 20 : 0);

    // What the lower part needs, from the bottom up: keyboard, buttons row, or list.
    const itemH = Math.round(96 * Math.min(k, 1.1));
    const detailH = Math.round(40 * Math.min(k, 1.1));
    let lowerTop = HINT_Y - 20;
    if (st.mode === 'secret' && st.secret) lowerTop = HINT_Y - 12 - Keyboard.height(st.secret.kind);
    else if (st.mode === 'buttons') lowerTop = HINT_Y - 24 - itemH;
    const text = st.lines.join('\n');
    const bodyLines = st.lines.reduce((n, l) => n + linesOf(l, bodySize), 0);
    let bodyH: number;
    if (st.mode === 'list') {
      // The list gets at least three rows; the text keeps what it needs above them.
      const itemsMin = Math.min(st.items.length, 3) * (itemH + detailH + 16);
      bodyH = Math.min(bodyLines * this.lineH + 8, Math.max(this.lineH, lowerTop - bodyY - 24 - itemsMin));
    } else {
      bodyH = Math.max(this.lineH, lowerTop - bodyY - 24);
    }
    const shownLines = Math.max(1, Math.floor(bodyH / this.lineH));
    bodyH = shownLines * this.lineH;
    this.maxScroll = Math.max(0, bodyLines - shownLines);
    this.scroll = Math.min(this.scroll, this.maxScroll);

    const tone = st.notice ? TONE[st.notice.tone] : TONE.info;
    this.patch({
      color: v.contrast ? C.black : C.bg,
      Title: { text: { text: st.title, fontSize: size(56) } },
      Notice: {
        visible: !!st.notice,
        h: noticeH,
        color: tone.bg,
        Label: {
          text: {
            text: st.notice?.text ?? '',
            textColor: tone.fg,
            fontSize: noticeSize,
            lineHeight: Math.round(noticeSize * 1.35),
          },
        },
      },
      Clip: {
        y: bodyY,
        h: bodyH + Math.round(bodySize * 0.4),
        Body: {
          y: -this.scroll * this.lineH,
          text: { text, fontSize: bodySize, lineHeight: this.lineH, textColor: v.contrast ? C.white : C.text },
        },
      },
      ScrollMark: {
        y: bodyY + bodyH - 10,
        text: {
          text:
            this.maxScroll > 0 ? `${this.scroll > 0 ? '▲' : '　'} ${this.scroll < this.maxScroll ? '▼' : '　'}` : '',
        },
      },
      Hint: { text: { text: st.hint, textColor: v.contrast ? C.white : C.dim } },
      Keyboard: { visible: st.mode === 'secret', y: lowerTop },
    });
    if (st.mode === 'secret' && st.secret && (!prev || prev !== st)) {
      const kb = this.tag('Keyboard') as Keyboard;
      kb.reset({ ...st.secret, words: v.keyWords });
      for (const ch of this.typeahead) kb.typeChar(ch);
    }
    if (st.mode !== 'busy') this.typeahead = '';
    this.renderItems(bodyY + bodyH + 28, lowerTop, itemH, detailH, size);
    this._refocus();
  }

  private renderItems(
    top: number,
    lowerTop: number,
    itemH: number,
    detailH: number,
    size: (n: number) => number,
  ): void {
    const v = this.view!;
    const st = v.step;
    const items = this.tag('Items')!;
    if (st.mode === 'secret' || st.mode === 'busy') {
      items.children = [];
      return;
    }
    if (st.mode === 'buttons') {
      const n = st.items.length;
      const bw = Math.min(840, Math.floor((W - (n - 1) * 24) / Math.max(1, n)));
      items.patch({ y: lowerTop });
      items.children = st.items.map((it, i) =>
        this.button(it.label, undefined, i * (bw + 24), 0, bw, itemH, 0, i === this.index, size),
      );
      return;
    }
    // A list: a window of rows around the focused one, with marks when more are above or below.
    const rowH = (it: { detail?: string | undefined }) => itemH + (it.detail ? detailH : 0) + 16;
    const room = lowerTop - top;
    let first = Math.min(this.win.first, this.index);
    const fits = (from: number) => {
      let h = 0;
      let n = 0;
      for (let i = from; i < st.items.length && h + rowH(st.items[i]!) <= room; i++) {
        h += rowH(st.items[i]!);
        n++;
      }
      return Math.max(1, n);
    };
    while (this.index >= first + fits(first)) first++;
    const size_ = fits(first);
    this.win = { first, size: size_ };
    items.patch({ y: top });
    let y = 0;
    items.children = st.items.slice(first, first + size_).map((it, j) => {
      const el = this.button(
        it.label,
        it.detail,
        0,
        y,
        W,
        itemH,
        it.detail ? detailH : 0,
        first + j === this.index,
        size,
      );
      y += rowH(it);
      return el;
    });
    this.patch({
      ScrollMark: {
        y: top - 8,
        text: { text: `${first > 0 ? '▲' : ''}${first + size_ < st.items.length ? ' ▼' : ''}` },
      },
    });
  }

  private button(
    label: string,
    detail: string | undefined,
    x: number,
    y: number,
    w: number,
    h: number,
    dh: number,
    focused: boolean,
    size: (n: number) => number,
  ) {
    const contrast = this.view?.contrast;
    return {
      x,
      y,
      w,
      h: h + dh,
      rect: true,
      color: focused ? C.focusBg : contrast ? C.black : C.panel,
      Marker: { w: 14, h: h + dh, rect: true, color: focused ? C.black : 0x00000000 },
      Outline: { y: h + dh - 4, w, h: 4, rect: true, color: contrast && !focused ? C.white : 0x00000000 },
      Label: {
        x: 40,
        y: h / 2,
        mountY: 0.5,
        text: txt(label, size(40), { bold: focused, color: focused ? C.focusText : C.text, w: w - 80, maxLines: 1 }),
      },
      ...(detail
        ? {
            Detail: {
              x: 40,
              y: h - 10,
              text: txt(detail, size(32), { color: focused ? C.focusText : C.dim, w: w - 80, maxLines: 1 }),
            },
          }
        : {}),
    };
  }

  override _getFocused(): Lightning.Component | undefined {
    return this.view?.step.mode === 'secret' ? (this.tag('Keyboard') as Keyboard) : undefined;
  }

  private act(a: FlowAction): void {
    fire(this, '$flowAction', a);
  }

  private moveFocus(d: number): void {
    const n = this.view?.step.items.length ?? 0;
    if (n === 0) return;
    this.index = Math.max(0, Math.min(n - 1, this.index + d));
    this.render(this.view!);
  }

  private scrollBy(d: number): boolean {
    if (this.maxScroll === 0) return false;
    this.scroll = Math.max(0, Math.min(this.maxScroll, this.scroll + d));
    this.render(this.view!);
    return true;
  }

  override _handleUp(): boolean {
    const m = this.view?.step.mode;
    if (m === 'list') this.moveFocus(-1);
    else this.scrollBy(-3);
    return true;
  }

  override _handleDown(): boolean {
    const m = this.view?.step.mode;
    if (m === 'list') this.moveFocus(1);
    else this.scrollBy(3);
    return true;
  }

  override _handleLeft(): boolean {
    if (this.view?.step.mode === 'buttons') this.moveFocus(-1);
    return true;
  }
  override _handleRight(): boolean {
    if (this.view?.step.mode === 'buttons') this.moveFocus(1);
    return true;
  }

  override _handleEnter(): boolean {
    const st = this.view?.step;
    const it = st?.items[this.index];
    if (st && it && (st.mode === 'list' || st.mode === 'buttons')) this.act({ type: 'choose', id: it.id });
    return true;
  }

  override _handleBack(): boolean {
    this.act({ type: 'back' });
    return true;
  }

  override _handleKey(e: KeyboardEvent): boolean {
    if (this.view?.step.mode !== 'busy') return false;
    const d = digitOf(activeKeyMap(), e.keyCode);
    if (d === null) return false;
    if (this.typeahead.length < TYPEAHEAD_MAX) this.typeahead += String(d);
    return true;
  }
}
