/**
 * The local card-reader bridge: a WebSocket server on the loopback interface through which a
 * browser page (TV applet, shelter kiosk) uses a card without ever touching APDUs or keys. The
 * bridge does the high-level operations with JpkiClient, one at a time per card. Only pages
 * from allowed origins (default: loopback) may connect, so a web site cannot use the reader.
 * PINs and passwords pass through to the card and are never logged.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger, KzError, type Logger } from '@kizuna/core';
import { JpkiClient, type CardTransport } from './jpki-client.ts';
import { BRIDGE_OPS, type BridgeCardInfo, type BridgeRequest, type BridgeResponse } from './bridge-protocol.ts';
import { jpkiErrors } from './errors.ts';

/** A card on offer: an EmulatedCard qualifies, as would a PC/SC reader slot. */
export interface BridgeCard extends CardTransport {
  id: string;
  label: string;
}

export interface CardBridgeOptions {
  /** TCP port (default 18860; 0 picks a free one). */
  port?: number;
  host?: string;
  /** The cards on offer, or a function giving the current list. */
  cards: BridgeCard[] | (() => BridgeCard[]);
  /** Origins allowed to connect (default: http(s) pages on localhost, 127.0.0.1 or [::1]). Connections without Origin (not browsers) are allowed. */
  allowedOrigins?: string[] | ((origin: string) => boolean);
  logger?: Logger;
  /** Largest request, bytes (default 1 MiB: a document to sign). */
  maxPayload?: number;
}

export interface RunningBridge {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function fromB64(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s))
    throw jpkiErrors.KZ_BRIDGE_BAD_REQUEST(`${what} must be base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export async function startCardBridge(opts: CardBridgeOptions): Promise<RunningBridge> {
  const log = opts.logger ?? createLogger({ name: 'jpki-bridge' });
  const cards = () => (typeof opts.cards === 'function' ? opts.cards() : opts.cards);
  const allowed = (origin: string | undefined): boolean => {
    if (!origin) return true;
    if (typeof opts.allowedOrigins === 'function') return opts.allowedOrigins(origin);
    if (Array.isArray(opts.allowedOrigins)) return opts.allowedOrigins.includes(origin);
    return LOOPBACK.test(origin);
  };
  // one client per card: its queue keeps two pages from interleaving APDU sequences
  const clients = new WeakMap<BridgeCard, JpkiClient>();
  const clientFor = (card: BridgeCard) => {
    let c = clients.get(card);
    if (!c) clients.set(card, (c = new JpkiClient(card)));
    return c;
  };

  const wss = new WebSocketServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 18860,
    maxPayload: opts.maxPayload ?? 1024 * 1024,
    verifyClient: (info, done) => {
      if (allowed(info.origin)) return done(true);
      log.warn({ origin: info.origin }, 'card bridge: origin refused');
      done(false, 403, jpkiErrors.KZ_BRIDGE_ORIGIN_REFUSED.doc);
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });

  async function handle(req: BridgeRequest, session: { cardId: string | null }): Promise<Record<string, unknown>> {
    const inserted = () => {
      const card = cards().find((c) => c.id === session.cardId);
      if (!card) throw jpkiErrors.KZ_BRIDGE_NO_CARD(session.cardId ? 'the card was taken away' : 'insert a card first');
      return clientFor(card);
    };
    switch (req.op) {
      case 'list':
        return { cards: cards().map((c): BridgeCardInfo => ({ id: c.id, label: c.label })), inserted: session.cardId };
      case 'insert': {
        const card = cards().find((c) => c.id === req.cardId);
        if (!card) throw jpkiErrors.KZ_BRIDGE_UNKNOWN_CARD(String(req.cardId));
        session.cardId = card.id;
        return { cardId: card.id, label: card.label };
      }
      case 'eject':
        session.cardId = null;
        return {};
      case 'readAuthCertificate':
        return { certificate: b64(await inserted().readAuthCertificate()) };
      case 'readSigningCertificate':
        return { certificate: b64(await inserted().readSigningCertificate(String(req.password ?? ''))) };
      case 'authSign': {
        const client = inserted();
        const challenge = fromB64(req.challenge, 'challenge');
        const signature = await client.authSign(String(req.pin ?? ''), challenge);
        return { signature: b64(signature), certificate: b64(await client.readAuthCertificate()) };
      }
      case 'signCms':
        return {
          cms: b64(
            await inserted().signCms(String(req.password ?? ''), fromB64(req.content, 'content'), {
              detached: req.detached === true,
            }),
          ),
        };
      case 'triesLeft':
        if (req.kind !== 'auth' && req.kind !== 'sign')
          throw jpkiErrors.KZ_BRIDGE_BAD_REQUEST("kind must be 'auth' or 'sign'");
        return { triesLeft: await inserted().triesLeft(req.kind) };
    }
  }

  wss.on('connection', (ws: WebSocket) => {
    const session = { cardId: null as string | null };
    ws.on('message', async (data, isBinary) => {
      let req: BridgeRequest | undefined;
      let res: BridgeResponse;
      try {
        if (isBinary) throw jpkiErrors.KZ_BRIDGE_BAD_REQUEST('send JSON text frames');
        req = JSON.parse(data.toString()) as BridgeRequest;
        if (typeof req !== 'object' || req === null || (typeof req.id !== 'string' && typeof req.id !== 'number'))
          throw jpkiErrors.KZ_BRIDGE_BAD_REQUEST('a request needs an id');
        if (!(BRIDGE_OPS as readonly string[]).includes(req.op))
          throw jpkiErrors.KZ_BRIDGE_BAD_REQUEST(`unknown op "${String(req.op)}"`);
        log.debug({ op: req.op, card: session.cardId }, 'card bridge request');
        res = { id: req.id, ok: true, result: await handle(req, session) };
      } catch (e) {
        const err =
          e instanceof KzError
            ? e
            : e instanceof SyntaxError
              ? jpkiErrors.KZ_BRIDGE_BAD_REQUEST('not JSON')
              : jpkiErrors.KZ_CARD_TRANSPORT((e as Error).message);
        const triesLeft = err.details?.triesLeft;
        res = {
          id: typeof req?.id === 'string' || typeof req?.id === 'number' ? req.id : null,
          ok: false,
          error: { code: err.code, message: err.message, ...(typeof triesLeft === 'number' ? { triesLeft } : {}) },
        };
        log.info({ op: req?.op, code: err.code }, 'card bridge request refused');
      }
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(res));
    });
  });

  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
