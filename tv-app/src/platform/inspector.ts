/**
 * Lightning's inspector: mirrors the render tree into the DOM (`<div texture-text=…>`) so
 * tests can assert what is on screen. Loaded only with `#inspect=1`; never in normal use.
 */
import { Application, Component, Element, ElementCore, ElementTexturizer, Stage, Texture } from '@lightningjs/core';

export async function attach(): Promise<void> {
  await import('@lightningjs/core/inspector');
  window.attachInspector({ Application, Component, Element, ElementCore, ElementTexturizer, Stage, Texture });
}
