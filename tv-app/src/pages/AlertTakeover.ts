/**
 * The full-screen alert. Top: the level colour with the fixed phrase in large text (the
 * contract's text colour for that level, ≥ 4.5:1 for large text). Below: the message on
 * ALERT_PANEL (black, white text: ≥ 7:1 on every level). Exercises and tests carry a yellow
 * banner and a yellow frame round the whole screen. Bottom: the answer keys in their own
 * colours — green evacuating, yellow safe indoors, red need help — focusable with Left/Right
 * and OK, or pressed directly; Blue reads the message aloud again.
 *
 * It is built once at start-up (hidden) so an alert only patches text: docs/PLATFORM.md measured
 * the cold first alert at ≈ 0.5 s against ≈ 0.2 s warm.
 */
import { Component, RoundedRectangleShader } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { ALERT_PANEL } from '@kizuna/contract/levels';
import type { Answer } from '@kizuna/contract';
import { fire } from '../ui/fire.ts';
import { C, argb, estimateWidth, txt } from '../ui/theme.ts';

export interface Choice {
  answer: Answer;
  label: string;
  key: 'Green' | 'Yellow' | 'Red';
  color: number;
}

export interface TakeoverModel {
  levelBg: number;
  levelFg: number;
  levelLabel: string;
  phrase: string;
  action: string;
  /** Banner text for an exercise or a test; absent for an actual alert. */
  exercise?: string | undefined;
  name: string;
  counter: string;
  headline: string;
  instruction: string;
  shelter: string;
  shelterDetail: string;
  /** A notice above the answer keys (updated, offline, cancelled…), with its colour. */
  notice?: { text: string; color: number } | undefined;
  prompt: string;
  choices: Choice[];
  /** Text confirming the last answer, shown in place of the prompt when set. */
  confirmation?: string | undefined;
  /** No answer to give (all answered, cancelled, expired): OK closes. */
  closeOnly: boolean;
  closeLabel: string;
  scale: number;
}

const PANEL_BG = argb(ALERT_PANEL.rgb);
const PANEL_FG = argb(ALERT_PANEL.textRgb);
const EXERCISE_BG = 0xffffe600;
const PHRASE_Y = 92;

const BANNER_H = 76;
const BOTTOM_Y = 824;
const FRAME = 18;

export class AlertTakeover extends Component {
  private choiceIndex = 0;
  private model: TakeoverModel | null = null;
  private drawnCb: (() => void) | null = null;
  private readonly onFrameEnd = () => this.checkDrawn();

  static override _template(): Lightning.Component.Template {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: PANEL_BG,
      Band: {
        w: 1920,
        h: 230,
        rect: true,
        LevelLabel: { x: 80, y: 20, text: txt('', 56, { bold: true }) },
        Phrase: { x: 80, y: PHRASE_Y, text: txt('', 100, { bold: true, w: 1760, maxLines: 1, lineHeight: 120 }) },
        Action: { x: 1840, y: 32, mountX: 1, text: txt('', 44, { bold: true, w: 900, maxLines: 1, align: 'right' }) },
        // A white rule sets the band off the black panel (level 5's colour is almost black).
        Rule: { x: 0, y: 222, w: 1920, h: 8, rect: true, color: C.white },
      },
      Panel: {
        x: 80,
        y: 254,
        w: 1760,
        flex: { direction: 'column' },
        NameRow: {
          w: 1760,
          h: 84,
          flexItem: { marginBottom: 8 },
          Name: { text: txt('', 64, { bold: true, color: PANEL_FG, w: 1400, maxLines: 1 }) },
          Counter: { x: 1760, mountX: 1, y: 14, text: txt('', 36, { color: PANEL_FG }) },
        },
        Headline: {
          flexItem: { marginBottom: 8 },
          text: txt('', 50, { bold: true, color: PANEL_FG, w: 1760, maxLines: 2 }),
        },
        Instruction: { flexItem: { marginBottom: 16 }, text: txt('', 42, { color: PANEL_FG, w: 1760, maxLines: 3 }) },
        Shelter: {
          flexItem: { marginBottom: 4 },
          text: txt('', 46, { bold: true, color: PANEL_FG, w: 1760, maxLines: 1 }),
        },
        ShelterDetail: { text: txt('', 40, { color: PANEL_FG, w: 1760, maxLines: 1 }) },
      },
      Bottom: {
        x: 0,
        y: BOTTOM_Y,
        w: 1920,
        h: 1080 - BOTTOM_Y,
        rect: true,
        color: 0xff1a1a1a,
        Notice: { x: 80, y: 6, text: txt('', 36, { bold: true, color: C.warn, w: 1760, maxLines: 1 }) },
        Prompt: { x: 80, y: 52, text: txt('', 38, { color: PANEL_FG, w: 1760, maxLines: 1 }) },
        Choices: { x: 80, y: 118 },
        Close: {
          x: 80,
          y: 118,
          w: 900,
          h: 112,
          rect: true,
          color: C.focusBg,
          visible: false,
          Label: {
            x: 40,
            y: 56,
            mountY: 0.5,
            text: txt('', 44, { bold: true, color: C.focusText, w: 820, maxLines: 1 }),
          },
        },
      },
      Exercise: {
        visible: false,
        Frame: {
          Top: { w: 1920, h: FRAME, rect: true, color: EXERCISE_BG },
          Bottom: { y: 1080 - FRAME, w: 1920, h: FRAME, rect: true, color: EXERCISE_BG },
          Left: { w: FRAME, h: 1080, rect: true, color: EXERCISE_BG },
          Right: { x: 1920 - FRAME, w: FRAME, h: 1080, rect: true, color: EXERCISE_BG },
        },
        Banner: {
          w: 1920,
          h: BANNER_H,
          rect: true,
          color: EXERCISE_BG,
          Label: { x: 960, y: BANNER_H / 2 + 2, mount: 0.5, text: txt('', 54, { bold: true, color: C.black }) },
        },
      },
    };
  }

  override _init(): void {
    this.stage.on('frameEnd', this.onFrameEnd);
  }

  override _detach(): void {
    this.stage.off('frameEnd', this.onFrameEnd);
  }

  get currentModel(): TakeoverModel | null {
    return this.model;
  }

  /** Draw a model; `onDrawn` runs once its texts are on screen (for the 'displayed' receipt). */
  render(m: TakeoverModel, onDrawn?: () => void): void {
    const prev = this.model;
    this.model = m;
    const s = m.scale;
    const top = m.exercise ? BANNER_H : 0;
    const choiceW = 560;
    // The fixed phrase is one huge line in Japanese; longer translations get two smaller lines.
    const phraseSize = estimateWidth(m.phrase, 100) <= 1760 ? 100 : estimateWidth(m.phrase, 72) <= 1760 ? 72 : 60;
    const long = phraseSize === 60;
    const phraseLH = Math.round(phraseSize * 1.2);
    const bandH = PHRASE_Y + phraseLH * (long ? 2 : 1) + 18;
    const bottomY = m.exercise ? BOTTOM_Y - FRAME : BOTTOM_Y;
    const panelY = top + bandH + 16;
    // Fit the panel above the answer bar. The instruction (what to do, where to go) must be read
    // whole: shrink the panel's type (never below 32 px body text) until the headline (≤ 2 lines),
    // the shelter lines and every line of the instruction fit; if they still do not, the shelter's
    // detail line gives way (the console's instruction already names the shelter and its address).
    let k = Math.min(s, 1.1);
    const lh = (size: number) => Math.round(size * k * 1.35);
    // A text texture is its lines plus half a font size of room for descenders.
    const pad = (size: number) => Math.round(size * k * 0.5);
    const room = bottomY - panelY - 8;
    const MIN_K = 32 / 42;
    let headLines = 1;
    let fixed = 0;
    let need = 1;
    let detail = !!m.shelterDetail;
    for (;;) {
      headLines = Math.min(2, Math.max(1, Math.ceil(estimateWidth(m.headline, 50 * k) / 1760)));
      // 6 % slack: lines break at phrase boundaries, not at the last pixel.
      need = Math.max(1, Math.ceil((estimateWidth(m.instruction, 42 * k) * 1.06) / 1760));
      fixed =
        Math.round(84 * k) +
        8 +
        headLines * lh(50) +
        pad(50) +
        8 +
        pad(42) +
        16 +
        (m.shelter ? lh(46) + pad(46) + 4 : 0) +
        (detail ? lh(40) + pad(40) : 0);
      if (fixed + need * lh(42) <= room) break;
      if (k > MIN_K) {
        k = Math.max(MIN_K, k - 0.04);
        continue;
      }
      if (detail) {
        detail = false;
        continue;
      }
      break;
    }
    const instrLines = Math.max(1, Math.min(need + 1, Math.floor((room - fixed) / lh(42))));
    this.patch({
      Band: {
        y: top,
        h: bandH,
        color: m.levelBg,
        LevelLabel: { text: { text: m.levelLabel, textColor: m.levelFg } },
        Phrase: {
          text: {
            text: m.phrase,
            textColor: m.levelFg,
            fontSize: phraseSize,
            lineHeight: phraseLH,
            maxLines: long ? 2 : 1,
          },
        },
        Action: { text: { text: m.action, textColor: m.levelFg } },
        Rule: { y: bandH - 8 },
      },
      Panel: {
        y: panelY,
        NameRow: {
          h: Math.round(84 * k),
          Name: { text: { text: m.name, fontSize: Math.round(64 * k), lineHeight: lh(64) } },
          Counter: { text: { text: m.counter } },
        },
        Headline: { text: { text: m.headline, fontSize: Math.round(50 * k), lineHeight: lh(50) } },
        Instruction: {
          text: { text: m.instruction, fontSize: Math.round(42 * k), lineHeight: lh(42), maxLines: instrLines },
        },
        Shelter: { visible: !!m.shelter, text: { text: m.shelter, fontSize: Math.round(46 * k), lineHeight: lh(46) } },
        ShelterDetail: {
          visible: detail,
          text: { text: m.shelterDetail, fontSize: Math.max(32, Math.round(40 * k)), lineHeight: lh(40) },
        },
      },
      Bottom: {
        y: bottomY,
        Notice: { text: { text: m.notice?.text ?? '', textColor: m.notice?.color ?? C.warn } },
        Prompt: { text: { text: m.confirmation ?? m.prompt, textColor: m.confirmation ? C.ok : PANEL_FG } },
        Choices: { visible: !m.closeOnly },
        Close: { visible: m.closeOnly, Label: { text: { text: m.closeLabel } } },
      },
      Exercise: { visible: !!m.exercise, Banner: { Label: { text: { text: m.exercise ?? '' } } } },
    });
    // Keep the focused choice across re-renders of the same screen; reset for a new message.
    if (!prev || prev.name !== m.name || prev.headline !== m.headline) this.choiceIndex = 0;
    this.tag('Bottom.Choices')!.children = m.choices.map((c, i) => ({
      x: i * (choiceW + 20),
      w: choiceW,
      h: 112,
      rect: true,
      color: 0xff000000,
      ref: `Choice-${c.answer}`,
      Border: { x: -6, y: -6, w: choiceW + 12, h: 124, rect: true, color: 0x00000000, zIndex: -1 },
      Key: {
        x: 24,
        y: 26,
        w: 60,
        h: 60,
        rect: true,
        color: c.color,
        shader: { type: RoundedRectangleShader, radius: 30 },
      },
      Label: {
        x: 104,
        y: 58,
        mountY: 0.5,
        text: txt(c.label, 40, { bold: true, color: PANEL_FG, w: choiceW - 120, maxLines: 1 }),
      },
    }));
    this.paintFocus();
    // A re-render (connection state, answer) keeps a pending 'drawn' report.
    if (onDrawn) this.drawnCb = onDrawn;
  }

  private paintFocus(): void {
    const m = this.model;
    if (!m) return;
    this.tag('Bottom.Choices')!.children.forEach((el: Lightning.Element, i: number) => {
      const f = i === this.choiceIndex && this.hasFocus();
      el.patch({
        color: f ? C.white : 0xff000000,
        Border: { color: f ? C.focusBg : 0x00000000 },
        Label: { text: { textColor: f ? C.black : PANEL_FG } },
      });
    });
  }

  /** Report the first frame that shows this model's texts (phrase, name, instruction). */
  private checkDrawn(): void {
    if (!this.drawnCb || !this.visible || this.alpha === 0) return;
    const els = ['Band.Phrase', 'Panel.NameRow.Name', 'Panel.Headline'].map((p) => this.tag(p)!);
    const ready = els.every(
      (el) => !el.text || el.text.text === '' || (el.textureIsLoaded() && el.displayedTexture === el.texture),
    );
    if (ready) {
      const cb = this.drawnCb;
      this.drawnCb = null;
      cb();
    }
  }

  override _focus(): void {
    this.paintFocus();
  }
  override _unfocus(): void {
    this.paintFocus();
  }

  override _handleLeft(): boolean {
    if (this.choiceIndex > 0) this.choiceIndex -= 1;
    this.paintFocus();
    return true;
  }

  override _handleRight(): boolean {
    const n = this.model?.choices.length ?? 0;
    if (this.choiceIndex < n - 1) this.choiceIndex += 1;
    this.paintFocus();
    return true;
  }

  private choose(key: Choice['key'] | null): boolean {
    const m = this.model;
    if (!m || m.closeOnly) return true;
    const c = key ? m.choices.find((x) => x.key === key) : m.choices[this.choiceIndex];
    if (c) fire(this, '$answer', c.answer);
    return true;
  }

  override _handleEnter(): boolean {
    if (this.model?.closeOnly) {
      fire(this, '$closeAlert');
      return true;
    }
    return this.choose(null);
  }

  _handleGreen(): boolean {
    return this.choose('Green');
  }
  _handleYellow(): boolean {
    return this.choose('Yellow');
  }
  _handleRed(): boolean {
    return this.choose('Red');
  }
  _handleBlue(): boolean {
    fire(this, '$readAloud');
    return true;
  }
  override _handleBack(): boolean {
    fire(this, '$alertBack');
    return true;
  }
}
