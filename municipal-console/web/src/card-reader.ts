/**
 * The staff PC's card-reader bridge (jpki's startCardBridge, the same bridge the TV applet and the
 * shelter kiosk use): connected while a screen needs it, with the cards lying on the reader. Used
 * by the card login and by the staff screen that links a card to a staff member.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { connectCardBridge, type BridgeCardInfo, type CardBridge } from '@kizuna/jpki/bridge-client';
import { call } from './api.ts';
import { describeError, t } from './i18n.ts';

export interface UiConfig {
  cardLogin: boolean;
  cardBridgeUrl: string;
}

/** What the login screen needs before anyone is logged in (null while loading). */
export function useUiConfig(): UiConfig | null {
  const [cfg, setCfg] = useState<UiConfig | null>(null);
  useEffect(() => {
    call<UiConfig>('/api/ui-config').then(setCfg, () => setCfg({ cardLogin: false, cardBridgeUrl: '' }));
  }, []);
  return cfg;
}

/** Connect to the reader while `active`; list what lies on it. */
export function useCardReader(
  cfg: UiConfig | null,
  active: boolean,
): { bridge: CardBridge | null; cards: BridgeCardInfo[]; error: unknown } {
  const [bridge, setBridge] = useState<CardBridge | null>(null);
  const [cards, setCards] = useState<BridgeCardInfo[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!active || !cfg?.cardLogin) return;
    let b: CardBridge | null = null;
    let gone = false;
    setError(null);
    connectCardBridge(cfg.cardBridgeUrl, { timeoutMs: 30_000 })
      .then(async (c) => {
        b = c;
        if (gone) {
          c.close();
          return;
        }
        setBridge(c);
        setCards((await c.list()).cards);
      })
      .catch((e) => {
        if (!gone) {
          setError(e);
          setBridge(null);
        }
      });
    return () => {
      gone = true;
      b?.close();
      setBridge(null);
    };
  }, [active, cfg]);
  return { bridge, cards, error };
}

/**
 * A card or bridge failure in the staff's words (every jpki card and bridge code and every card
 * refusal of the console is worded in i18n.ts); the code stays visible for the help desk. Only a
 * code newer than this page falls back to "could not verify" with the server's message.
 */
export function CardError({ error }: { error: unknown }) {
  if (!error) return null;
  const d = describeError(error);
  const text = d.worded ? d.text : `${t('cardRefused')} ${d.text}`;
  return html`<div class="error" role="alert" data-code=${d.code} title=${(error as Error).message}><strong>${text}</strong> <small>(${d.code || t('error')})</small></div>`;
}
