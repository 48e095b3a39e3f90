/**
 * Entry: read the configuration, install Japanese line breaking, launch the Lightning app,
 * then (after the first frame) connect to the broker. We launch core's Application directly,
 * as the SDK's Launch does, with tree-shaken named imports: the SDK's Launch pulls in its
 * Router, media player, ads and the whole of core (≈ 37 KB gzip), which the 250 KB budget
 * cannot afford next to mqtt.js (tv-app/README.md). A bad configuration is shown on screen
 * with the failed checks, never a blank screen.
 */
import { Application, TextTokenizer } from '@lightningjs/core';
import type Lightning from '@lightningjs/core';
import { App, useController } from './App.ts';
import { ConfigError, loadTvConfig, type TvConfig } from './config.ts';
import { initTone } from './platform/tone.ts';
import { useColourOrder, useKeyMap } from './keymap.ts';
import { zwsp } from './text/ja-wrap.ts';
import { TvController } from './tv-controller.ts';
import { applyPreview, previewFromHash } from './preview-mode.ts';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function showFatal(title: string, lines: string[]): void {
  // Plain DOM: Lightning may be what failed.
  const el = document.createElement('div');
  el.setAttribute('role', 'alert');
  el.style.cssText = 'color:#fff;background:#000;font:40px "Noto Sans CJK JP",sans-serif;padding:60px;line-height:1.5';
  el.textContent = `${title}\n${lines.join('\n')}`;
  el.style.whiteSpace = 'pre-wrap';
  document.body.appendChild(el);
}

class Root extends Application {
  static override _template(): Lightning.Component.Template {
    return { App: { type: App } };
  }

  override _getFocused(): Lightning.Component | undefined {
    return this.tag('App') as Lightning.Component;
  }
}

async function main(): Promise<void> {
  let cfg: TvConfig;
  try {
    cfg = await loadTvConfig();
  } catch (e) {
    const problems = e instanceof ConfigError ? e.problems : [(e as Error).message];
    showFatal('設定に誤りがあります / The TV configuration is invalid (KZ_TV_CONFIG_INVALID)', problems);
    return;
  }

  // Japanese wraps only where we mark U+200B (docs/PLATFORM.md); ASCII-only text keeps the default.
  TextTokenizer.setCustomTokenizer((t: string) => TextTokenizer.defaultTokenizer(zwsp(t)), true);

  if (cfg.inspect) await (await import('./platform/inspector.ts')).attach();

  initTone();
  useKeyMap(cfg.keys);
  useColourOrder(cfg.colours);
  const preview = previewFromHash(window.location.hash);
  const controller = new TvController(cfg, preview ? null : storage());
  useController(controller);

  // Designed at 1920×1080; the stage draws at the window's size (precision scales coordinates).
  const w = window.innerWidth || 1920;
  const h = Math.round((w * 9) / 16);
  const app = new Root({
    stage: { w, h, precision: w / 1920, clearColor: 0xff000000, canvas2d: cfg.canvas2d, useImageWorker: false },
    debug: false,
    keys: cfg.keys as unknown as Record<number, string>,
  } as Lightning.Application.Options);
  document.body.appendChild(app.stage.getCanvas());

  // mqtt.js and the validators load after the first frame: start-up stays light.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (preview) {
        applyPreview(controller, preview);
        return;
      }
      controller.connect().catch((e: Error) => console.error('[kizuna] broker link failed to start:', e.message));
      attachBox(controller, cfg, app);
    }, 0),
  );
}

/** The box's platform layer (issue 25; src/platform/attach-platform.ts): its only two calls into the App. */
function attachBox(controller: TvController, cfg: TvConfig, root: Root): void {
  const app = () => root.tag('App') as App;
  void import('./platform/attach-platform.ts')
    .then((m) =>
      m.attachPlatform(controller, cfg, { openAlert: () => app().$open('alert'), refresh: () => app().renderHome() }),
    )
    .catch((e: Error) => console.error('[kizuna] platform layer failed to start:', e.message));
}

void main();
