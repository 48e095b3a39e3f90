/**
 * Entry: read the configuration, install Japanese line breaking, then start the app the way
 * LightningJS apps start: the SDK's `Launch(App, appSettings, platformSettings, appData)`. The
 * platform settings carry this box's key map and colour-key order (read back through the SDK's
 * `Settings`); the app data carries the controller. After the first frame, connect to the broker.
 * A bad configuration is shown on screen with the failed checks, never a blank screen.
 */
import { Launch } from '@lightningjs/sdk';
import type Lightning from '@lightningjs/core';
import { TextTokenizer } from '@lightningjs/core';
import { App, type TvAppData } from './App.ts';
import { ConfigError, loadTvConfig, type TvConfig } from './config.ts';
import { initTone } from './platform/tone.ts';
import { zwsp } from './text/ja-wrap.ts';
import { TvController } from './tv-controller.ts';
import { applyPreview, previewFromHash } from './preview-mode.ts';
import { platformSettingsFor } from './sdk/platform-settings.ts';
import { sdkKeyValueStorage } from './sdk/storage.ts';

function showFatal(title: string, lines: string[]): void {
  // Plain DOM: Lightning may be what failed.
  const el = document.createElement('div');
  el.setAttribute('role', 'alert');
  el.style.cssText = 'color:#fff;background:#000;font:40px "Noto Sans CJK JP",sans-serif;padding:60px;line-height:1.5';
  el.textContent = `${title}\n${lines.join('\n')}`;
  el.style.whiteSpace = 'pre-wrap';
  document.body.appendChild(el);
}

/**
 * Some locked-down browsers throw on any touch of `localStorage`; the SDK's Storage checks it in
 * `Launch` and would throw there too (a blank screen). Hidden, Storage falls back to cookies.
 */
function hideThrowingLocalStorage(): void {
  try {
    void window.localStorage;
  } catch {
    Object.defineProperty(window, 'localStorage', { configurable: true, value: undefined });
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
  hideThrowingLocalStorage();
  const preview = previewFromHash(window.location.hash);
  // Designed at 1920×1080; the stage draws at the window's size (Launch scales by width / 1920).
  const width = window.innerWidth || 1920;
  // The SDK's Application builds App a few microtasks after Launch returns; the controller is made
  // in between because it reads the SDK's Storage, which Launch initialises.
  const appData = {} as TvAppData;
  const app = Launch(
    App,
    {
      stage: {
        clearColor: 0xff000000,
        canvas2d: cfg.canvas2d,
        useImageWorker: false,
        // Texts go to the GPU as their canvas, not read back first (config imageDataUpload).
        forceTxCanvasSource: !cfg.imageDataUpload,
      },
      debug: false,
      keys: cfg.keys as unknown as Record<number, string>,
    } as Lightning.Application.Options,
    platformSettingsFor(cfg, width),
    appData as never,
  );
  // Storage is the SDK's (localStorage, or cookies on a box without it); a console preview keeps nothing.
  const controller = new TvController(cfg, preview ? null : sdkKeyValueStorage());
  appData.controller = controller;
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
function attachBox(controller: TvController, cfg: TvConfig, root: ReturnType<typeof Launch>): void {
  const app = () => root.tag('App') as unknown as App;
  void import('./platform/attach-platform.ts')
    .then((m) =>
      m.attachPlatform(controller, cfg, { openAlert: () => app().$open('alert'), refresh: () => app().renderHome() }),
    )
    .catch((e: Error) => console.error('[kizuna] platform layer failed to start:', e.message));
}

void main();
