/**
 * The key-hint bar: which remote keys do what on this screen. Plain keys (↑↓, OK) first, as a
 * key cap; then the colour keys, each as a dot in its colour, in the order the remote shows them
 * (keymap.ts colourOrder: 青・赤・緑・黄 on Japanese remotes).
 */
import { Component, RoundedRectangleShader } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { colourOrder, type ColourKey } from '../../keymap.ts';
import { C, estimateWidth, txt } from '../../ui/theme.ts';

export interface KeyHint {
  /** A colour key (drawn as a dot in its colour) … */
  key?: ColourKey | undefined;
  /** … or a plain key's cap text (↑↓, 決定). */
  cap?: string | undefined;
  label: string;
}

const DOT: Readonly<Record<ColourKey, number>> = { Blue: C.blue, Red: C.red, Green: C.green, Yellow: C.yellow };
export const HINT_BAR_H = 72;

/** What the key-hint bar takes in a template (typed: Lightning.Component.TemplateSpec) and its parts. */
export interface KeyHintsTemplateSpec extends Lightning.Component.TemplateSpec {
  hints: KeyHint[];
  Row: object;
}

export class KeyHints
  extends Component<KeyHintsTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<KeyHintsTemplateSpec>
{
  static override _template(): Lightning.Component.Template<KeyHintsTemplateSpec> {
    return { w: 1920, h: HINT_BAR_H, rect: true, color: 0xff000000, Row: { x: 80, y: HINT_BAR_H / 2 } };
  }

  set hints(list: KeyHint[]) {
    const order = colourOrder();
    const rank = (h: KeyHint) => (h.key ? 1 + order.indexOf(h.key) : 0);
    const sorted = [...list].sort((a, b) => rank(a) - rank(b));
    let x = 0;
    const size = 32;
    this.tag('Row')!.children = sorted.map((h, i) => {
      const capW = h.key ? 36 : Math.max(56, Math.round(estimateWidth(h.cap ?? '', 28) + 28));
      const item = {
        ref: h.key ? `Hint-${h.key}` : `Hint-${i}`,
        x,
        Key: h.key
          ? {
              y: -18,
              w: 36,
              h: 36,
              rect: true,
              color: DOT[h.key],
              shader: { type: RoundedRectangleShader, radius: 18 },
            }
          : {
              y: -22,
              w: capW,
              h: 44,
              rect: true,
              color: 0xff3a4450,
              shader: { type: RoundedRectangleShader, radius: 8 },
              Cap: { x: capW / 2, y: 24, mount: 0.5, text: txt(h.cap ?? '', 28, { bold: true }) },
            },
        Label: { x: capW + 14, y: 2, mountY: 0.5, text: txt(h.label, size) },
      };
      x += capW + 14 + estimateWidth(h.label, size) + 48;
      return item;
    });
  }
}
