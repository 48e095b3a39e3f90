/**
 * The card tasks (binding, post-box, My information) as the root component opens them. Their code
 * and words are loaded on demand (flows/ is a chunk of its own) to keep start-up light, so
 * everything here waits for that chunk and copes with it not loading.
 */
import type { Language } from '@kizuna/contract/levels';
import type { Flow } from './flows/flow.ts';
import type { FlowKind } from './flows/index.ts';
import type { Strings } from './i18n/strings.ts';
import type { FlowView } from './pages/FlowScreen/index.ts';
import type { TvController } from './tv-controller.ts';

export type { FlowKind } from './flows/index.ts';
export type FlowModule = typeof import('./flows/index.ts');
export type KeyWords = FlowView['keyWords'];

/** The keyboard's words before a card screen's language has loaded. */
export const DEFAULT_KEY_WORDS: KeyWords = { del: '⌫', ok: 'OK', count: '{n}', tooShort: '≥ {min}' };

/** A card task's title: its menu entry's words. */
export function flowTitle(kind: FlowKind, s: Strings): string {
  return { bind: s.menuBind, postbox: s.menuPostbox, myinfo: s.menuMyInfo }[kind];
}

/** The card screens' code, or null when it cannot load (a box that lost its network). */
export async function loadFlows(): Promise<FlowModule | null> {
  try {
    return await import('./flows/index.ts');
  } catch {
    return null;
  }
}

/** Loads this language's card-screen words (their own small chunk; English stands in if it cannot load) and gives the keyboard's. */
export async function loadKeyWords(mod: FlowModule, lang: Language): Promise<KeyWords> {
  await mod.loadFlowStrings(lang);
  const fs = mod.flowStrings(lang);
  return { del: fs.keyDelete, ok: fs.keyOk, count: fs.secretCount, tooShort: fs.secretTooShort };
}

/** A card task wired to this TV: its card-reader bridge, the console, the post-box and the bindings it knows. */
export function createCardFlow(mod: FlowModule, kind: FlowKind, lang: Language, c: TvController): Flow {
  const cfg = c.cfg;
  return mod.createFlow(kind, {
    lang,
    openReader: mod.readerOpener(cfg.bridge),
    console: mod.consoleApi(cfg.console, cfg.device, cfg.user, cfg.pass),
    postbox: mod.postboxApi(cfg.postbox, { muni: cfg.muni, device: cfg.device }),
    rememberBindings: (list) => c.rememberBindings(list),
    knownBindings: () => c.knownBindings(),
    forgetMail: () => c.forgetMail(),
  });
}

/**
 * Who is bound to this TV is the console's to say: asked once at start, after the first frame (the
 * flows' code loads lazily), so Home names the residents without opening a flow.
 */
export async function refreshBindings(c: TvController, flowOpen: () => boolean): Promise<void> {
  const cfg = c.cfg;
  if (!cfg.console) return;
  try {
    const mod = await import('./flows/index.ts');
    const list = await mod.consoleApi(cfg.console, cfg.device, cfg.user, cfg.pass).bindings();
    // a flow opened meanwhile asks the console itself: leave its view of the bindings alone
    if (!flowOpen()) c.rememberBindings(list);
  } catch {
    /* offline or no console: Home keeps what it last knew */
  }
}
