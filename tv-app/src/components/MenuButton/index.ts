/**
 * A large remote-control button: dark when idle, bright yellow with black text when focused
 * (focus must be visible from across the room), with an optional badge text on the right.
 */
import { Component, RoundedRectangleShader } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { C, txt } from '../../ui/theme.ts';

/** What a MenuButton takes in a template (typed: Lightning.Component.TemplateSpec) and its parts. */
export interface MenuButtonTemplateSpec extends Lightning.Component.TemplateSpec {
  label: string;
  badge: string;
  contrast: boolean;
  buttonWidth: number;
  Marker: object;
  Outline: object;
  Label: object;
  Badge: object;
}

export class MenuButton
  extends Component<MenuButtonTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<MenuButtonTemplateSpec>
{
  static override _template(): Lightning.Component.Template<MenuButtonTemplateSpec> {
    return {
      w: 720,
      h: 104,
      rect: true,
      color: C.panel,
      shader: { type: RoundedRectangleShader, radius: 14 },
      Marker: { x: 0, y: 0, w: 14, h: 104, rect: true, color: 0x00000000 },
      Outline: { x: 0, y: 100, w: 720, h: 4, rect: true, color: C.white, visible: false },
      Label: { x: 40, y: 54, mountY: 0.5, text: txt('', 42, { w: 640, maxLines: 1 }) },
      Badge: { x: 690, y: 54, mountX: 1, mountY: 0.5, text: txt('', 36) },
    };
  }

  set label(v: string) {
    this.tag('Label')!.patch({ text: { text: v } });
  }
  set badge(v: string) {
    // Hidden when empty: a text texture set to '' keeps its last text in the inspector's mirror.
    this.tag('Badge')!.patch({ visible: v !== '', text: { text: v } });
  }
  private idle = C.panel;
  /** High contrast: black buttons with a white outline instead of dark grey. */
  set contrast(v: boolean) {
    this.idle = v ? C.black : C.panel;
    this.patch({ Outline: { visible: v } });
    if (!this.hasFocus()) this.patch({ color: this.idle });
  }

  set buttonWidth(w: number) {
    this.patch({ w, Label: { text: { wordWrapWidth: w - 80 } }, Badge: { x: w - 30 } });
  }

  override _focus(): void {
    this.patch({
      color: C.focusBg,
      Marker: { color: C.black },
      Label: { text: { textColor: C.focusText } },
      Badge: { text: { textColor: C.focusText } },
    });
  }

  override _unfocus(): void {
    this.patch({
      color: this.idle,
      Marker: { color: 0x00000000 },
      Label: { text: { textColor: C.text } },
      Badge: { text: { textColor: C.text } },
    });
  }
}
