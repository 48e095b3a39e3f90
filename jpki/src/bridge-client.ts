/**
 * Browser client of the card-reader bridge (bridge-protocol.ts): plain WebSocket, request ids,
 * a timeout per request, and errors that carry the card's code and tries left. No dependencies,
 * so the TV applet and the shelter kiosk can import it as is; Node can pass `ws` as WebSocket.
 */
import type { BridgeCardInfo, BridgeRequest, BridgeResponse } from './bridge-protocol.ts';

/** What the bridge says about a card on offer: browser pages take it from here, their one entry point into jpki. */
export type { BridgeCardInfo } from './bridge-protocol.ts';

export class CardBridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly triesLeft?: number,
  ) {
    super(message);
    this.name = 'CardBridgeError';
  }
}

export interface CardBridgeClientOptions {
  /** Per request, ms (default 30 000: signing with a real card takes seconds). */
  timeoutMs?: number;
  /** A WebSocket constructor (default: the global one). */
  WebSocket?: new (url: string) => WebSocket;
}

export interface CardBridge {
  list(): Promise<{ cards: BridgeCardInfo[]; inserted: string | null }>;
  insert(cardId: string): Promise<BridgeCardInfo>;
  eject(): Promise<void>;
  readAuthCertificate(): Promise<Uint8Array>;
  readSigningCertificate(password: string): Promise<Uint8Array>;
  /** Signs the challenge with the authentication key; returns the signature and the certificate to send with it. */
  authSign(pin: string, challenge: Uint8Array): Promise<{ signature: Uint8Array; certificate: Uint8Array }>;
  signCms(password: string, content: Uint8Array, opts?: { detached?: boolean }): Promise<Uint8Array>;
  triesLeft(kind: 'auth' | 'sign'): Promise<number>;
  close(): void;
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function connectCardBridge(
  url = 'ws://127.0.0.1:18860',
  opts: CardBridgeClientOptions = {},
): Promise<CardBridge> {
  const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocket }).WebSocket;
  if (!Ctor) return Promise.reject(new CardBridgeError('KZ_BRIDGE_UNAVAILABLE', 'no WebSocket implementation'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ws = new Ctor(url);
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }
  >();

  const failAll = (e: CardBridgeError) => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    pending.clear();
  };

  ws.onmessage = (ev: MessageEvent) => {
    let res: BridgeResponse;
    try {
      res = JSON.parse(String(ev.data)) as BridgeResponse;
    } catch {
      return;
    }
    const p = typeof res.id === 'number' ? pending.get(res.id) : undefined;
    if (!p) return;
    pending.delete(res.id as number);
    clearTimeout(p.timer);
    if (res.ok) p.resolve(res.result);
    else p.reject(new CardBridgeError(res.error.code, res.error.message, res.error.triesLeft));
  };
  ws.onclose = () => failAll(new CardBridgeError('KZ_BRIDGE_CLOSED', 'the card reader bridge closed the connection'));

  function call(req: Omit<BridgeRequest, 'id'>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (ws.readyState !== 1)
        return reject(new CardBridgeError('KZ_BRIDGE_CLOSED', 'the card reader bridge is not connected'));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new CardBridgeError('KZ_BRIDGE_TIMEOUT', `no answer to ${req.op} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...req, id }));
    });
  }

  const bridge: CardBridge = {
    list: async () => (await call({ op: 'list' })) as { cards: BridgeCardInfo[]; inserted: string | null },
    insert: async (cardId) => (await call({ op: 'insert', cardId })) as unknown as BridgeCardInfo,
    eject: async () => {
      await call({ op: 'eject' });
    },
    readAuthCertificate: async () => fromBase64((await call({ op: 'readAuthCertificate' })).certificate as string),
    readSigningCertificate: async (password) =>
      fromBase64((await call({ op: 'readSigningCertificate', password })).certificate as string),
    authSign: async (pin, challenge) => {
      const r = await call({ op: 'authSign', pin, challenge: toBase64(challenge) });
      return { signature: fromBase64(r.signature as string), certificate: fromBase64(r.certificate as string) };
    },
    signCms: async (password, content, o = {}) =>
      fromBase64(
        (await call({ op: 'signCms', password, content: toBase64(content), detached: o.detached === true }))
          .cms as string,
      ),
    triesLeft: async (kind) => (await call({ op: 'triesLeft', kind })).triesLeft as number,
    close: () => ws.close(),
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(new CardBridgeError('KZ_BRIDGE_TIMEOUT', `could not connect to ${url}`));
    }, timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve(bridge);
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(
        new CardBridgeError(
          'KZ_BRIDGE_UNAVAILABLE',
          `the card reader bridge at ${url} is not running (or refused this page)`,
        ),
      );
    };
  });
}
