/**
 * The staff PC's card-reader bridge (jpki's startCardBridge, the same bridge the TV applet and the
 * shelter kiosk use): connected while a screen needs it, with the cards lying on the reader. Used
 * by the card login and by the staff screen that links a card to a staff member.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { connectCardBridge, CardBridgeError, type CardBridge } from '@kizuna/jpki/bridge-client';
import type { BridgeCardInfo } from '@kizuna/jpki/bridge-protocol';
import { ApiError, call } from './api.ts';
import { t } from './i18n.ts';

export interface UiConfig { cardLogin: boolean; cardBridgeUrl: string }

/** What the login screen needs before anyone is logged in (null while loading). */
export function useUiConfig(): UiConfig | null {
  const [cfg, setCfg] = useState<UiConfig | null>(null);
  useEffect(() => { call<UiConfig>('/api/ui-config').then(setCfg, () => setCfg({ cardLogin: false, cardBridgeUrl: '' })); }, []);
  return cfg;
}

/** Connect to the reader while `active`; list what lies on it. */
export function useCardReader(cfg: UiConfig | null, active: boolean): { bridge: CardBridge | null; cards: BridgeCardInfo[]; error: unknown } {
  const [bridge, setBridge] = useState<CardBridge | null>(null);
  const [cards, setCards] = useState<BridgeCardInfo[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!active || !cfg?.cardLogin) return;
    let b: CardBridge | null = null; let gone = false;
    setError(null);
    connectCardBridge(cfg.cardBridgeUrl, { timeoutMs: 30_000 }).then(async (c) => {
      b = c;
      if (gone) { c.close(); return; }
      setBridge(c);
      setCards((await c.list()).cards);
    }).catch((e) => { if (!gone) { setError(e); setBridge(null); } });
    return () => { gone = true; b?.close(); setBridge(null); };
  }, [active, cfg]);
  return { bridge, cards, error };
}

/** A card or bridge failure in the staff's words; the code stays visible for the help desk. */
export function CardError({ error }: { error: unknown }) {
  if (!error) return null;
  const code = (error as { code?: string }).code ?? '';
  let text: string;
  if (error instanceof CardBridgeError) {
    text = code === 'KZ_CARD_PIN_WRONG' ? t('pinWrong', { n: error.triesLeft ?? '?' })
      : code === 'KZ_CARD_LOCKED' ? t('pinLocked')
        : code === 'KZ_CARD_PIN_FORMAT' ? t('pinFormat')
          : code.startsWith('KZ_BRIDGE_') && code !== 'KZ_BRIDGE_NO_CARD' ? t('bridgeDown') : `${t('cardRefused')} ${error.message}`;
  } else if (error instanceof ApiError) {
    text = code === 'KZ_CONSOLE_CARD_REVOKED' ? t('cardRevoked')
      : code === 'KZ_CONSOLE_CARD_UNKNOWN' ? t('cardUnknown')
        : code === 'KZ_CONSOLE_CARD_TAKEN' ? t('cardTaken')
          : code === 'KZ_CONSOLE_CARD_STATUS_UNAVAILABLE' ? t('cardStatus') : `${t('cardRefused')} ${error.message}`;
  } else text = `${t('cardRefused')} ${(error as Error).message}`;
  return html`<div class="error" role="alert" data-code=${code}><strong>${text}</strong> <small>(${code || t('error')})</small></div>`;
}
