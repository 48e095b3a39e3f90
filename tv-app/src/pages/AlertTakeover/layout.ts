/**
 * The alert takeover's fixed layout (AlertTakeover.ts patches its texts and sizes): the level
 * band, the message panel, the answer bar and the exercise frame.
 */
import type Lightning from '@lightningjs/core';
import { ALERT_PANEL } from '@kizuna/contract/levels';
import { C, argb, txt } from '../../ui/theme.ts';

export const PANEL_BG = argb(ALERT_PANEL.rgb);
export const PANEL_FG = argb(ALERT_PANEL.textRgb);
export const EXERCISE_BG = 0xffffe600;
export const PHRASE_Y = 92;

export const BANNER_H = 76;
export const BOTTOM_Y = 824;
export const FRAME = 18;

/**
 * The takeover's parts (typed template: Lightning.Component.TemplateSpec). The band's text groups
 * (bandTexts(), one per band colour) and the answer row's cells are added at run time.
 */
export interface TakeoverTemplateSpec extends Lightning.Component.TemplateSpec {
  Band: { Rule: object };
  Panel: {
    NameRow: { Name: object; Counter: object };
    Headline: object;
    Instruction: object;
    Shelter: object;
    ShelterDetail: object;
  };
  Bottom: { Notice: object; Prompt: object; Choices: object; Close: { Label: object } };
  Exercise: { Frame: { Top: object; Bottom: object; Left: object; Right: object }; Banner: { Label: object } };
}

export function takeoverTemplate(): Lightning.Component.Template<TakeoverTemplateSpec> {
  return {
    // Above the page under it, whose own raised parts (Home's key-hint bar, zIndex 2) would
    // otherwise be drawn over the answer row: the Router keeps that page drawn under an alert.
    zIndex: 10,
    w: 1920,
    h: 1080,
    rect: true,
    color: PANEL_BG,
    Band: {
      w: 1920,
      h: 230,
      rect: true,
      // The band's texts, one group per band colour (bandTexts()), added as alerts need them.
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

/**
 * The level band's texts for one band colour. Each colour keeps its own group, hidden while another
 * shows: Lightning frees a text's drawing as soon as its text changes, so one shared group would
 * draw the level phrase again (30–60 ms a text at 4× CPU throttle) at every change of level; the
 * groups for levels 3–5 are drawn at start-up (App's warm-up) and the first alert finds them drawn.
 */
export function bandTexts(): Lightning.Component.Template {
  return {
    LevelLabel: { x: 80, y: 20, text: txt('', 56, { bold: true }) },
    Phrase: { x: 80, y: PHRASE_Y, text: txt('', 100, { bold: true, w: 1760, maxLines: 1, lineHeight: 120 }) },
    Action: { x: 1840, y: 32, mountX: 1, text: txt('', 44, { bold: true, w: 900, maxLines: 1, align: 'right' }) },
  };
}
