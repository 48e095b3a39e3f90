/**
 * Settings: whose settings (the TV or one resident), language, text size, high contrast,
 * read-aloud. Up/Down pick a row (focus: yellow), Left/Right change its value, saved at once;
 * Back (or OK on the last row) goes home.
 */
import { Component } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { fire } from '../../ui/fire.ts';
import { C, txt } from '../../ui/theme.ts';

export interface SettingsRow {
  id: string;
  label: string;
  value: string;
}
export interface SettingsModel {
  title: string;
  hint: string;
  rows: SettingsRow[];
  scale: number;
  contrast: boolean;
}

/** The parts of the settings screen (typed template: Lightning.Component.TemplateSpec). */
export interface SettingsTemplateSpec extends Lightning.Component.TemplateSpec {
  Title: object;
  Rows: object;
  Hint: object;
}

export class Settings
  extends Component<SettingsTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<SettingsTemplateSpec>
{
  /** The Router creates its pages itself: the ref App (and the browser tests) find this one by. */
  override _construct(): void {
    this.ref = 'Settings';
  }

  private index = 0;
  private rowIds: string[] = [];

  static override _template(): Lightning.Component.Template<SettingsTemplateSpec> {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: C.bg,
      Title: { x: 80, y: 50, text: txt('', 60, { bold: true }) },
      Rows: { x: 80, y: 170 },
      Hint: { x: 80, y: 930, text: txt('', 36, { color: C.dim, w: 1760, maxLines: 2 }) },
    };
  }

  get focusedRow(): string | undefined {
    return this.rowIds[this.index];
  }

  render(m: SettingsModel): void {
    const s = m.scale;
    const rowH = Math.round(112 * s);
    this.rowIds = m.rows.map((r) => r.id);
    this.index = Math.min(this.index, this.rowIds.length - 1);
    this.patch({
      color: m.contrast ? C.black : C.bg,
      Title: { text: { text: m.title, fontSize: Math.round(60 * s) } },
      Hint: { text: { text: m.hint, fontSize: Math.round(36 * s), textColor: m.contrast ? C.white : C.dim } },
    });
    this.tag('Rows')!.children = m.rows.map((r, i) => {
      const f = i === this.index;
      return {
        ref: `Row-${r.id}`,
        y: i * (rowH + 18),
        w: 1760,
        h: rowH,
        rect: true,
        color: f ? C.focusBg : m.contrast ? C.black : C.panel,
        Border: { x: 0, y: rowH - 4, w: 1760, h: 4, rect: true, color: m.contrast && !f ? C.white : 0x00000000 },
        Label: {
          x: 40,
          y: rowH / 2,
          mountY: 0.5,
          text: txt(r.label, Math.round(42 * s), { color: f ? C.focusText : C.text, w: 760, maxLines: 1 }),
        },
        Value: {
          x: 1720,
          y: rowH / 2,
          mountX: 1,
          mountY: 0.5,
          text: txt(`◀  ${r.value}  ▶`, Math.round(42 * s), {
            bold: true,
            color: f ? C.focusText : C.text,
            w: 900,
            maxLines: 1,
            align: 'right',
          }),
        },
      };
    });
  }

  override _handleUp(): boolean {
    if (this.index > 0) {
      this.index -= 1;
      fire(this, '$settingsRefresh');
    }
    return true;
  }
  override _handleDown(): boolean {
    if (this.index < this.rowIds.length - 1) {
      this.index += 1;
      fire(this, '$settingsRefresh');
    }
    return true;
  }
  override _handleLeft(): boolean {
    fire(this, '$settingsChange', this.rowIds[this.index], -1);
    return true;
  }
  override _handleRight(): boolean {
    fire(this, '$settingsChange', this.rowIds[this.index], 1);
    return true;
  }
  override _handleEnter(): boolean {
    fire(this, '$settingsChange', this.rowIds[this.index], 1);
    return true;
  }
  /** Back is the Router's: one step back in its history (to Home, where this screen was opened). */
  override _handleBack(): boolean {
    return false;
  }
}
