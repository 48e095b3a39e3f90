// The card reader as the kiosk sees it: the local card-reader bridge (jpki bridge-server.ts) over
// a WebSocket, through jpki's own browser client. The bridge lists the cards it can reach — the
// emulated demo cards, or a PC/SC reader's slot — and staff "hold" one; the kiosk reads only the
// user-authentication certificate, which needs no PIN, as a real reader at the door would.
import { connectCardBridge, toBase64 } from './vendor/bridge-client.js';

const POLL_MS = 3000;

/**
 * state: 'none' (no bridge configured) | 'connecting' | 'ready' | 'offline'.
 * onChange(reader) runs whenever the state or the list of cards changes.
 */
export function createCardReader(url, onChange) {
  const reader = { state: url ? 'connecting' : 'none', cards: [], error: null, read };
  let bridge = null;
  let busy = false;
  let timer = null;
  let lastList = '';

  const set = (state, cards = reader.cards, error = null) => {
    const list = JSON.stringify(cards);
    if (state === reader.state && list === lastList && error === reader.error) return;
    Object.assign(reader, { state, cards, error });
    lastList = list;
    onChange(reader);
  };

  async function poll() {
    clearTimeout(timer);
    try {
      if (!bridge) {
        bridge = await connectCardBridge(url, { timeoutMs: 8000 });
      }
      // the list is refreshed while idle: a reader's slot or a demo card may come and go
      if (!busy) {
        const { cards } = await bridge.list();
        set('ready', cards);
      }
    } catch (e) {
      bridge?.close();
      bridge = null;
      set('offline', [], e.code ?? 'KZ_BRIDGE_UNAVAILABLE');
    }
    timer = setTimeout(poll, POLL_MS);
  }

  /** Put the card on the reader, read its authentication certificate (no PIN), take it off. Resolves to base64 DER. */
  async function read(cardId) {
    if (!bridge)
      throw Object.assign(new Error('the card reader is not connected'), {
        code: reader.error ?? 'KZ_BRIDGE_UNAVAILABLE',
      });
    busy = true;
    try {
      await bridge.insert(cardId);
      try {
        return toBase64(await bridge.readAuthCertificate());
      } finally {
        await bridge.eject().catch(() => undefined);
      }
    } finally {
      busy = false;
    }
  }

  if (url) void poll();
  return reader;
}
