/**
 * Ten-foot UI constants. Coordinates are 1920×1080 (the stage scales them). Body text is at
 * least 32 px at 1080p (issue 5); "large" (the default) makes it 40 px. Colours are ARGB
 * numbers as Lightning wants them.
 */
import type Lightning from '@lightningjs/core';

/** The system CJK font (fonts-noto-cjk): no multi-megabyte web font to download. */
export const FONT = ['Noto Sans CJK JP', 'sans-serif'];

export type TextSize = 'normal' | 'large' | 'x-large';
export const TEXT_SCALE: Record<TextSize, number> = { normal: 0.85, large: 1, 'x-large': 1.2 };

export function argb(rgb: readonly [number, number, number], alpha = 255): number {
  return ((alpha << 24) | (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]) >>> 0;
}

export const C = {
  bg: 0xff101820,
  panel: 0xff1e2a36,
  text: 0xffffffff,
  dim: 0xffd0d8e0,
  black: 0xff000000,
  white: 0xffffffff,
  focusBg: 0xffffe14d,
  focusText: 0xff000000,
  warn: 0xffffd400,
  ok: 0xff7dff9b,
  red: 0xffe8291c,
  green: 0xff1fa34a,
  yellow: 0xfff2d300,
  blue: 0xff2a62e8,
};

/** High-contrast palette: pure black and white, yellow focus. */
export const C_HIGH = { ...C, bg: 0xff000000, panel: 0xff000000, dim: 0xffffffff };

export interface TextOpts {
  color?: number;
  bold?: boolean;
  w?: number;
  maxLines?: number;
  align?: 'left' | 'center' | 'right';
  lineHeight?: number;
}

/** A text patch with the CJK font, wrapping (through the U+200B tokenizer) and an ellipsis. */
export function txt(
  text: string,
  size: number,
  o: TextOpts = {},
): Lightning.Element.PatchTemplate<Lightning.Element.TemplateSpecLoose>['text'] {
  return {
    text,
    fontFace: FONT,
    fontSize: size,
    fontStyle: o.bold ? 'bold' : 'normal',
    textColor: o.color ?? C.text,
    lineHeight: o.lineHeight ?? Math.round(size * 1.35),
    textAlign: o.align ?? 'left',
    // Centre the glyphs in their line box, so mountY 0.5 centres text in a button.
    verticalAlign: 'middle',
    ...(o.w ? { wordWrap: true, wordWrapWidth: o.w } : { wordWrap: false }),
    ...(o.maxLines ? { maxLines: o.maxLines, maxLinesSuffix: '…' } : {}),
  };
}

/** Rough rendered width: CJK glyphs are square, Latin ones about half as wide (bold ≈ 0.56). */
export function estimateWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += /[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(ch) ? 1 : 0.56;
  return w * size;
}

/** The largest size ≤ `size` (and ≥ `min`) at which one line of `text` fits `width`. */
export function fitSize(text: string, size: number, width: number, min = 32): number {
  const est = estimateWidth(text, size);
  return est <= width ? size : Math.max(min, Math.floor((size * width) / est));
}
