/**
 * The full-screen alert. Top: the level colour with the fixed phrase in large text (the
 * contract's text colour for that level, ≥ 4.5:1 for large text). Below: the message on
 * ALERT_PANEL (black, white text: ≥ 7:1 on every level). Exercises and tests carry a yellow
 * banner and a yellow frame round the whole screen. Bottom: the remote's colour keys in the
 * remote's order (Japanese remotes 青・赤・緑・黄: blue reads the message aloud again, red need
 * help, green evacuating, yellow safe indoors; keymap.ts colourOrder) — answers pressed directly,
 * or chosen with Left/Right and confirmed with OK (nothing is chosen at first: a stray OK never
 * answers). Keys act only once the screen has been shown a moment, and its name read when
 * read-aloud is on (answer-gate.ts): until then the answer row is dimmed and the prompt says whose
 * turn it is.
 *
 * It is built once at start-up (hidden) so an alert only patches text: docs/PLATFORM.md measured
 * the cold first alert at ≈ 0.5 s against ≈ 0.2 s warm. The band's texts are kept per band colour
 * (bandGroup()) and drawn for every level at start-up, so an alert draws only the person's texts.
 */
import { Component, RoundedRectangleShader } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import type { Answer } from '@kizuna/contract';
import { fire } from '../../ui/fire.ts';
import { C, estimateWidth, fitSize, txt } from '../../ui/theme.ts';
import { colourOrder } from '../../keymap.ts';
import { AnswerGate } from './answer-gate.ts';
import {
  BANNER_H,
  BOTTOM_Y,
  FRAME,
  PANEL_FG,
  PHRASE_Y,
  bandTexts,
  takeoverTemplate,
  type TakeoverTemplateSpec,
} from './layout.ts';

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
  /** Whose turn it is, shown while the screen does not yet accept answers. */
  waitPrompt: string;
  prompt: string;
  /** After OK with no answer chosen: how to choose one. */
  choosePrompt: string;
  /** Who answers what on this screen (alert, revision, person, closed or not): a new turn waits again. */
  turn: string;
  /** The reading of this person's screen (read-aloud on): answers wait until their name has been read. */
  speech?: string | undefined;
  choices: Choice[];
  /** The blue key's label in the answer row: read aloud again. */
  readAgain: string;
  /** Text confirming the last answer: in place of the prompt once closed, above the next person's prompt otherwise. */
  confirmation?: string | undefined;
  /** This person has answered already (reopened from Home): OK with nothing chosen keeps the answer. */
  review?: boolean | undefined;
  /** No answer to give (all answered, cancelled, expired): OK closes. */
  closeOnly: boolean;
  closeLabel: string;
  scale: number;
}

/** A child added at run time (not in the typed template), by its ref. */
const byRef = (parent: Lightning.Element, ref: string): Lightning.Element | undefined =>
  parent.children.find((c) => c.ref === ref);

/** The answer row's opacity while the screen does not yet accept answers. */
const WAIT_ALPHA = 0.35;

export class AlertTakeover
  extends Component<TakeoverTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<TakeoverTemplateSpec>
{
  /** The Router creates its pages itself: the ref App (and the browser tests) find this one by. */
  override _construct(): void {
    this.ref = 'Takeover';
  }

  /** The answer chosen with Left/Right; -1 = none yet (OK then only says how to choose). */
  private choiceIndex = -1;
  /** OK was pressed with nothing chosen: the prompt says how to choose. */
  private nudge = false;
  private model: TakeoverModel | null = null;
  private drawnCb: (() => void) | null = null;
  /** The band text group on show (bandGroup()). */
  private bandGroupOn: Lightning.Element | null = null;
  private readonly gate = new AnswerGate(() => this.paintState());
  private readonly onFrameEnd = () => this.checkDrawn();

  static override _template(): Lightning.Component.Template<TakeoverTemplateSpec> {
    return takeoverTemplate();
  }

  override _init(): void {
    this.stage.on('frameEnd', this.onFrameEnd);
  }

  override _detach(): void {
    this.stage.off('frameEnd', this.onFrameEnd);
  }

  /** Hidden: shown again, it waits again before it accepts answers. */
  override _disable(): void {
    this.gate.reset();
  }

  /** The reading `key` has got past the person's name (App's speech callback). */
  heardName(key: string): void {
    this.gate.heardName(key);
  }

  /** Whether key presses answer now (the screen has been shown long enough). */
  get acceptingAnswers(): boolean {
    return this.gate.accepting;
  }

  get currentModel(): TakeoverModel | null {
    return this.model;
  }

  /** Draw a model; `onDrawn` runs once its texts are on screen (for the 'displayed' receipt). */
  render(m: TakeoverModel, onDrawn?: () => void): void {
    this.model = m;
    const s = m.scale;
    const top = m.exercise ? BANNER_H : 0;
    // The row follows the remote: blue (read again) narrower, the three answers alike.
    const readW = 300;
    const gap = 20;
    const choiceW = Math.floor((1760 - readW - 3 * gap) / 3);
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
    this.bandGroup(m.levelBg).patch({
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
    });
    this.patch({
      Band: { y: top, h: bandH, color: m.levelBg, Rule: { y: bandH - 8 } },
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
        Choices: { visible: !m.closeOnly },
        Close: { visible: m.closeOnly, Label: { text: { text: m.closeLabel } } },
      },
      Exercise: { visible: !!m.exercise, Banner: { Label: { text: { text: m.exercise ?? '' } } } },
    });
    // A new turn (person, revision, closed): nothing chosen, and keys wait until it has been shown.
    if (this.gate.show(m.turn, m.speech)) {
      this.choiceIndex = -1;
      this.nudge = false;
    }
    let x = 0;
    this.tag('Bottom.Choices')!.children = colourOrder().flatMap((key) => {
      const c = m.choices.find((ch) => ch.key === key);
      if (!c && key !== 'Blue') return [];
      const w = c ? choiceW : readW;
      const label = c ? c.label : m.readAgain;
      const labelW = w - 104 - 12;
      // One line as large as fits (40 px for an answer); a long translation takes two lines.
      const one = fitSize(label, c ? 40 : 34, labelW, 32);
      const two = estimateWidth(label, one) > labelW;
      const cell = {
        x,
        w,
        h: 112,
        rect: true,
        color: 0xff000000,
        ref: c ? `Choice-${c.answer}` : 'ReadAgain',
        Border: { x: -6, y: -6, w: w + 12, h: 124, rect: true, color: 0x00000000, zIndex: -1 },
        Key: {
          x: 24,
          y: 26,
          w: 60,
          h: 60,
          rect: true,
          color: c ? c.color : C.blue,
          shader: { type: RoundedRectangleShader, radius: 30 },
        },
        Label: {
          x: 104,
          y: 58,
          mountY: 0.5,
          text: txt(label, two ? 30 : one, {
            bold: !!c,
            color: PANEL_FG,
            w: labelW,
            maxLines: two ? 2 : 1,
            ...(two ? { lineHeight: 36 } : {}),
          }),
        },
      };
      x += w + gap;
      return [cell];
    });
    this.paintState();
    // A re-render (connection state, answer) keeps a pending 'drawn' report.
    if (onDrawn) this.drawnCb = onDrawn;
  }

  /** The band's text group for this band colour, shown alone (created the first time: bandTexts()). */
  private bandGroup(bg: number): Lightning.Element {
    const band = this.tag('Band')!;
    const ref = `Texts-${(bg >>> 0).toString(16)}`;
    const group = byRef(band, ref) ?? band.childList.a({ ref, ...bandTexts() });
    for (const c of band.children) if (c.ref?.startsWith('Texts-')) c.visible = c === group;
    this.bandGroupOn = group;
    return group;
  }

  /** The prompt, the notice line and the answer row for the gate's state. */
  private paintState(): void {
    const m = this.model;
    if (!m) return;
    const open = this.gate.accepting;
    // Between two people, the previous person's confirmation stays above the next one's prompt.
    const between = !m.closeOnly && !!m.confirmation;
    const notice = between ? { text: m.confirmation!, color: C.ok } : m.notice;
    const prompt = m.closeOnly
      ? (m.confirmation ?? m.prompt)
      : !open
        ? m.waitPrompt
        : this.nudge
          ? m.choosePrompt
          : m.prompt;
    const color = m.closeOnly && m.confirmation ? C.ok : open && this.nudge && !m.closeOnly ? C.warn : PANEL_FG;
    this.patch({
      Bottom: {
        // Hidden when empty: a text set to '' keeps its last words in the inspector's mirror (the
        // tests' view), so a closed screen's prompt looked like the answer prompt still up.
        Notice: { visible: !!notice?.text, text: { text: notice?.text ?? '', textColor: notice?.color ?? C.warn } },
        Prompt: { visible: prompt !== '', text: { text: prompt, textColor: color } },
        Choices: { alpha: open ? 1 : WAIT_ALPHA },
        Close: { alpha: open ? 1 : WAIT_ALPHA },
      },
    });
    this.paintFocus();
  }

  private paintFocus(): void {
    const m = this.model;
    if (!m) return;
    m.choices.forEach((c, i) => {
      const el = byRef(this.tag('Bottom.Choices')!, `Choice-${c.answer}`);
      if (!el) return;
      const f = i === this.choiceIndex && this.hasFocus() && this.gate.accepting;
      el.patch({
        color: f ? C.white : 0xff000000,
        Border: { color: f ? C.focusBg : 0x00000000 },
        Label: { text: { textColor: f ? C.black : PANEL_FG } },
      });
    });
  }

  /** Report the first frame that shows this model's texts (phrase, name, instruction). */
  private checkDrawn(): void {
    if ((!this.drawnCb && !this.gate.waitingForDraw) || !this.bandGroupOn || !this.visible || this.alpha === 0) return;
    const els = [this.bandGroupOn!.tag('Phrase')!, this.tag('Panel.NameRow.Name')!, this.tag('Panel.Headline')!];
    const ready = els.every(
      (el) => !el.text || el.text.text === '' || (el.textureIsLoaded() && el.displayedTexture === el.texture),
    );
    if (!ready) return;
    this.gate.drawnNow();
    const cb = this.drawnCb;
    this.drawnCb = null;
    cb?.();
  }

  override _focus(): void {
    this.paintFocus();
  }
  override _unfocus(): void {
    this.paintFocus();
  }

  /** Left/Right move among the answers (from none: Right to the first, Left to the last). */
  private move(dir: 1 | -1, e?: KeyboardEvent): boolean {
    const n = this.model?.choices.length ?? 0;
    if (!this.gate.allows(e) || this.model?.closeOnly || !n) return true;
    this.choiceIndex =
      this.choiceIndex < 0 ? (dir > 0 ? 0 : n - 1) : Math.max(0, Math.min(n - 1, this.choiceIndex + dir));
    if (this.nudge) {
      this.nudge = false;
      this.paintState();
    } else this.paintFocus();
    return true;
  }

  override _handleLeft(e?: KeyboardEvent): boolean {
    return this.move(-1, e);
  }

  override _handleRight(e?: KeyboardEvent): boolean {
    return this.move(1, e);
  }

  private choose(key: Choice['key'] | null, e?: KeyboardEvent): boolean {
    const m = this.model;
    if (!m || m.closeOnly || !this.gate.allows(e)) return true;
    const c = key ? m.choices.find((x) => x.key === key) : m.choices[this.choiceIndex];
    if (c) fire(this, '$answer', c.answer);
    else if (!key && m.review) fire(this, '$keepAnswer');
    else if (!key) {
      // OK with nothing chosen answers nothing: say how to choose.
      this.nudge = true;
      this.paintState();
    }
    return true;
  }

  override _handleEnter(e?: KeyboardEvent): boolean {
    if (this.model?.closeOnly) {
      if (this.gate.allows(e)) fire(this, '$closeAlert');
      return true;
    }
    return this.choose(null, e);
  }

  _handleGreen(e?: KeyboardEvent): boolean {
    return this.choose('Green', e);
  }
  _handleYellow(e?: KeyboardEvent): boolean {
    return this.choose('Yellow', e);
  }
  _handleRed(e?: KeyboardEvent): boolean {
    return this.choose('Red', e);
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
