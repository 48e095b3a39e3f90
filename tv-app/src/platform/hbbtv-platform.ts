/**
 * HbbTV / Hybridcast boxes (ETSI TS 102 796; OIPF DAE vol. 5 for the objects used here). What an
 * app can do there: request the key set it needs (colour, arrow, number keys), show itself when it
 * runs hidden as a broadcast-related app, and read the box's preferred UI language. What it cannot:
 * start while the operator's signalling does not list it, wake a box in standby, or leave the
 * broadcast service it is bound to — those are the operator's (tv-app/README.md, "Packaging").
 */
import { LANGUAGES, type Language } from '@kizuna/contract/levels';
import { BrowserPlatform } from './browser-platform.ts';
import type { ForwardOutcome, TvPlatform } from './tv-platform.ts';

/** OIPF DAE 7.2.5 Keyset constants. */
export const KEYSET = { RED: 0x1, GREEN: 0x2, YELLOW: 0x4, BLUE: 0x8, NAVIGATION: 0x10, NUMERIC: 0x100 } as const;
/** Everything the applet uses: the four colour keys, arrows/OK/Back, digits for the PIN. */
export const KIZUNA_KEYSET =
  KEYSET.RED | KEYSET.GREEN | KEYSET.YELLOW | KEYSET.BLUE | KEYSET.NAVIGATION | KEYSET.NUMERIC;

/** The parts of OIPF's Application object used here. */
export interface OipfApplication {
  show(): boolean | void;
  privateData: { keyset: { setValue(mask: number): number | void } };
}

/** ISO 639-2 codes (OIPF preferredUILanguage) to the applet's languages. */
const ISO639_2: Record<string, Language> = {
  jpn: 'ja',
  eng: 'en',
  zho: 'zh',
  chi: 'zh',
  kor: 'ko',
  vie: 'vi',
  por: 'pt',
};

/** The first of the box's preferred UI languages ("jpn,eng") that the applet speaks. */
export function languageOfOipf(preferred: string | undefined): Language | undefined {
  for (const code of (preferred ?? '').split(',')) {
    const l = ISO639_2[code.trim().toLowerCase()];
    if (l && LANGUAGES.includes(l)) return l;
  }
  return undefined;
}

function oipfObject<T>(doc: Document, type: string): T | null {
  try {
    let el = doc.querySelector(`object[type="${type}"]`) as unknown as T | null;
    if (!el) {
      const o = doc.createElement('object');
      o.setAttribute('type', type);
      o.style.cssText = 'position:absolute;width:0;height:0;visibility:hidden';
      doc.body.appendChild(o);
      el = o as unknown as T;
    }
    return el;
  } catch {
    return null;
  }
}

export class HbbtvPlatform extends BrowserPlatform {
  override readonly name: TvPlatform['name'] = 'hbbtv';
  private app: OipfApplication | null = null;

  override async start(): Promise<void> {
    await super.start();
    const doc = this.win.document;
    const manager = oipfObject<{ getOwnerApplication?(d: Document): OipfApplication | null }>(
      doc,
      'application/oipfApplicationManager',
    );
    this.app = manager?.getOwnerApplication?.(doc) ?? null;
    try {
      this.app?.privateData.keyset.setValue(KIZUNA_KEYSET);
    } catch (e) {
      console.warn('[kizuna] HbbTV key set request refused:', (e as Error).message);
    }
    const conf = oipfObject<{ configuration?: { preferredUILanguage?: string } }>(doc, 'application/oipfConfiguration');
    const lang = languageOfOipf(conf?.configuration?.preferredUILanguage);
    if (lang) this.box = { lang };
  }

  /** A broadcast-related app that runs hidden may show itself (OIPF Application.show()). */
  override async bringForward(): Promise<ForwardOutcome> {
    if (!this.app) return super.bringForward();
    try {
      this.app.show();
      this.setState('foreground');
      return 'foreground';
    } catch {
      return 'unsupported';
    }
  }
}
