/**
 * Home: who this TV serves, the area's current status (level and colour), mail waiting, the
 * connection state, and one large button per function. Works before any card is bound:
 * it then explains how to bind. Up/Down move the focus, OK opens, Back stays here.
 */
import { Component, RoundedRectangleShader } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { LEVELS } from '@kizuna/contract/levels';
import { MenuButton } from '../../components/MenuButton/index.ts';
import { HINT_BAR_H, KeyHints, type KeyHint } from '../../components/KeyHints/index.ts';
import { fire } from '../../ui/fire.ts';
import { C, argb, estimateWidth, fitSize, txt } from '../../ui/theme.ts';

export type MenuId = 'alert' | 'bind' | 'postbox' | 'myinfo' | 'settings';

export interface HomeModel {
  title: string;
  connText: string;
  connColor: number;
  /** The alert bar at the top (an active personal alert), if any. */
  alertBar?: { level: 3 | 4 | 5; text: string } | undefined;
  areaTitle: string;
  areaLines: { text: string; level?: 3 | 4 | 5 | undefined }[];
  residentsTitle: string;
  residents: string;
  howToBind?: string | undefined;
  menu: { id: MenuId; label: string; badge?: string | undefined }[];
  /** The key-hint bar at the bottom. */
  hints: KeyHint[];
  scale: number;
  contrast: boolean;
}

/** The parts of Home (typed template: Lightning.Component.TemplateSpec). */
export interface HomeTemplateSpec extends Lightning.Component.TemplateSpec {
  Header: { Title: object; ConnDot: object; Conn: object };
  AlertBar: { Text: object };
  Body: {
    Menu: object;
    Info: { AreaTitle: object; Area: object; ResidentsTitle: object; Residents: object; HowToBind: object };
  };
  Hints: typeof KeyHints;
}

export class Home
  extends Component<HomeTemplateSpec>
  implements Lightning.Component.ImplementTemplateSpec<HomeTemplateSpec>
{
  /** The Router creates its pages itself: the ref App (and the browser tests) find this one by. */
  override _construct(): void {
    this.ref = 'Home';
  }

  private index = 0;
  private ids: MenuId[] = [];

  static override _template(): Lightning.Component.Template<HomeTemplateSpec> {
    return {
      w: 1920,
      h: 1080,
      rect: true,
      color: C.bg,
      Header: {
        w: 1920,
        h: 110,
        rect: true,
        color: C.black,
        Title: { x: 80, y: 56, mountY: 0.5, text: txt('', 52, { bold: true }) },
        ConnDot: {
          x: 1330,
          y: 56,
          mountY: 0.5,
          w: 28,
          h: 28,
          rect: true,
          shader: { type: RoundedRectangleShader, radius: 14 },
        },
        Conn: { x: 1372, y: 56, mountY: 0.5, text: txt('', 36, { w: 480, maxLines: 1 }) },
      },
      AlertBar: {
        y: 110,
        w: 1920,
        h: 0,
        rect: true,
        visible: false,
        Text: { x: 80, y: 60, mountY: 0.5, text: txt('', 48, { bold: true, w: 1760, maxLines: 1 }) },
      },
      Body: {
        y: 150,
        Menu: { x: 80, y: 0 },
        Info: {
          x: 880,
          y: 0,
          w: 960,
          flex: { direction: 'column' },
          AreaTitle: { flexItem: { marginBottom: 12 }, text: txt('', 36, { color: C.dim }) },
          Area: { flexItem: { marginBottom: 40 }, flex: { direction: 'column' } },
          ResidentsTitle: { flexItem: { marginBottom: 12 }, text: txt('', 36, { color: C.dim }) },
          Residents: { flexItem: { marginBottom: 20 }, text: txt('', 44, { w: 960, maxLines: 3, bold: true }) },
          HowToBind: { text: txt('', 40, { w: 960, maxLines: 5 }) },
        },
      },
      Hints: { type: KeyHints, y: 1080 - HINT_BAR_H, zIndex: 2 },
    };
  }

  render(m: HomeModel): void {
    const s = m.scale;
    const barH = m.alertBar ? 120 : 0;
    this.patch({
      color: m.contrast ? C.black : C.bg,
      Header: {
        Title: { text: { text: m.title, fontSize: Math.round(52 * s) } },
        ConnDot: { color: m.connColor },
        Conn: { text: { text: m.connText, fontSize: Math.round(34 * s) } },
      },
      AlertBar: m.alertBar
        ? {
            visible: true,
            h: barH,
            color: argb(LEVELS[m.alertBar.level].rgb),
            Text: {
              text: {
                text: m.alertBar.text,
                textColor: argb(LEVELS[m.alertBar.level].textRgb),
                fontSize: fitSize(m.alertBar.text, Math.round(48 * s), 1740, 36),
              },
            },
          }
        : { visible: false, h: 0 },
      Body: {
        y: 150 + barH,
        Info: {
          AreaTitle: {
            text: { text: m.areaTitle, fontSize: Math.round(36 * s), textColor: m.contrast ? C.white : C.dim },
          },
          ResidentsTitle: {
            text: { text: m.residentsTitle, fontSize: Math.round(36 * s), textColor: m.contrast ? C.white : C.dim },
          },
          Residents: { text: { text: m.residents, fontSize: Math.round(44 * s) } },
          HowToBind: { visible: !!m.howToBind, text: { text: m.howToBind ?? '', fontSize: Math.round(40 * s) } },
        },
      },
    });
    (this.tag('Hints') as KeyHints).hints = m.hints;
    const area = this.tag('Body.Info.Area')!;
    area.children = m.areaLines.map((l) => {
      const bg = l.level ? argb(LEVELS[l.level].rgb) : m.contrast ? C.black : C.panel;
      const fg = l.level ? argb(LEVELS[l.level].textRgb) : C.text;
      // Shrink to fit one line; a translation too long even at 32 px wraps to two.
      const size = fitSize(l.text, Math.round(40 * s), 890);
      const two = estimateWidth(l.text, size) > 890;
      const h = two ? Math.round(size * 1.35 * 2 + 24) : Math.round(96 * s);
      return {
        w: 960,
        h,
        rect: true,
        color: bg,
        flexItem: { marginBottom: 10 },
        Label: {
          x: 28,
          y: h / 2,
          mountY: 0.5,
          text: txt(l.text, size, { color: fg, w: 900, maxLines: two ? 2 : 1, bold: !!l.level }),
        },
      };
    });
    const focusedId = this.ids[this.index];
    this.ids = m.menu.map((i) => i.id);
    const keep = focusedId ? this.ids.indexOf(focusedId) : -1;
    // An alert entry is put first and takes the focus when it appears.
    this.index = m.menu[0]?.id === 'alert' && focusedId !== 'alert' ? 0 : keep >= 0 ? keep : 0;
    const btnH = Math.round(104 * s);
    this.tag('Body.Menu')!.children = m.menu.map((item, i) => ({
      type: MenuButton,
      y: i * (btnH + 24),
      h: btnH,
      label: item.label,
      badge: item.badge ?? '',
      buttonWidth: 720,
      ref: `Item-${item.id}`,
      contrast: m.contrast,
    }));
    for (const child of this.tag('Body.Menu')!.children) {
      child.patch({
        Label: { text: { fontSize: Math.round(42 * s) }, y: btnH / 2 },
        Badge: { y: btnH / 2 },
        Marker: { h: btnH },
        Outline: { y: btnH - 4 },
      });
    }
    this._refocus();
  }

  get focusedId(): MenuId | undefined {
    return this.ids[this.index];
  }

  override _getFocused(): Lightning.Component | undefined {
    return (this.tag('Body.Menu')!.children[this.index] as Lightning.Component | undefined) ?? undefined;
  }

  override _handleUp(): boolean {
    if (this.index > 0) this.index -= 1;
    this._refocus();
    return true;
  }

  override _handleDown(): boolean {
    if (this.index < this.ids.length - 1) this.index += 1;
    this._refocus();
    return true;
  }

  override _handleEnter(): boolean {
    const id = this.ids[this.index];
    if (id) fire(this, '$open', id);
    return true;
  }

  /** Back on Home stays on Home (never exits into nothing). */
  override _handleBack(): boolean {
    return true;
  }
}
