/**
 * A screen that is not built yet says so plainly, and Back (or OK) returns home, so no
 * menu entry ever leads to a dead end.
 */
import { Component } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { fire } from '../../ui/fire.ts';
import { C, txt } from '../../ui/theme.ts';

/** The parts of the offline notice (typed template: Lightning.Component.TemplateSpec). */
export interface PlaceholderTemplateSpec extends Lightning.Component.TemplateSpec {
  Title: object;
  Body: object;
  Button: { Label: object };
}

export class Placeholder
  extends Component<PlaceholderTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<PlaceholderTemplateSpec>
{
  /** The Router creates its pages itself: the ref App (and the browser tests) find this one by. */
  override _construct(): void {
    this.ref = 'Placeholder';
  }

  static override _template(): Lightning.Component.Template<PlaceholderTemplateSpec> {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: C.bg,
      Title: { x: 80, y: 80, text: txt('', 64, { bold: true }) },
      Body: { x: 80, y: 220, text: txt('', 44, { w: 1760, maxLines: 4 }) },
      Button: {
        x: 80,
        y: 420,
        w: 720,
        h: 104,
        rect: true,
        color: C.focusBg,
        Label: { x: 40, y: 52, mountY: 0.5, text: txt('', 42, { bold: true, color: C.focusText }) },
      },
    };
  }

  render(title: string, body: string, back: string): void {
    this.patch({
      Title: { text: { text: title } },
      Body: { text: { text: body } },
      Button: { Label: { text: { text: back } } },
    });
  }

  override _handleEnter(): boolean {
    fire(this, '$goHome');
    return true;
  }
  /** Back is the Router's: one step back in its history (to Home, where this screen was opened). */
  override _handleBack(): boolean {
    return false;
  }
}
