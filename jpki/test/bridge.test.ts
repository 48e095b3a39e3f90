/** The card-reader bridge over a real WebSocket, used through the browser client module. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { verify, X509Certificate } from 'node:crypto';
import { createLogger } from '@kizuna/core';
import { createAuthority, type Authority } from '../src/authority.ts';
import { startCardBridge, type RunningBridge } from '../src/bridge-server.ts';
import { connectCardBridge, CardBridgeError, type CardBridge } from '../src/bridge-client.ts';
import { createVerifier } from '../src/verifier.ts';
import type { EmulatedCard } from '../src/emulated-card.ts';
import { HANAKO, SECRETS, TARO, utf8 } from './fixtures.ts';

let authority: Authority;
let bridge: RunningBridge;
let cards: EmulatedCard[];
let client: CardBridge;

beforeAll(async () => {
  authority = await createAuthority();
  cards = [
    (await authority.issueCard(HANAKO, SECRETS, { label: '住民 1' })).card,
    (await authority.issueCard(TARO, SECRETS, { label: '住民 2' })).card,
  ];
  bridge = await startCardBridge({ port: 0, cards, logger: createLogger({ name: 't', level: 'silent' }) });
  client = await connectCardBridge(bridge.url, { WebSocket: WebSocket as never, timeoutMs: 10_000 });
});

afterAll(async () => {
  client?.close();
  await bridge?.close();
});

describe('card-reader bridge', () => {
  it('lists the cards by label only, and needs one inserted', async () => {
    const { cards: list, inserted } = await client.list();
    expect(list).toEqual([
      { id: cards[0]!.id, label: '住民 1' },
      { id: cards[1]!.id, label: '住民 2' },
    ]);
    expect(inserted).toBeNull();
    await expect(client.readAuthCertificate()).rejects.toMatchObject({ code: 'KZ_BRIDGE_NO_CARD' });
    await expect(client.insert('no-such-card')).rejects.toMatchObject({ code: 'KZ_BRIDGE_UNKNOWN_CARD' });
  });

  it('signs a login challenge and a CMS report that the verifier accepts', async () => {
    await client.insert(cards[0]!.id);
    const challenge = utf8('challenge-abc');
    const { signature, certificate } = await client.authSign(SECRETS.authPin, challenge);
    expect(verify('sha256', challenge, new X509Certificate(certificate).publicKey, signature)).toBe(true);
    const v = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });
    const cms = await client.signCms(SECRETS.signPassword, utf8('report'));
    expect(await v.verifyCms(cms)).toMatchObject({ ok: true, personal: { name: '山田　花子' } });
    const det = await client.signCms(SECRETS.signPassword, utf8('report'), { detached: true });
    expect((await v.verifyCms(det, { detachedContent: utf8('report') })).ok).toBe(true);
    expect(new X509Certificate(await client.readSigningCertificate(SECRETS.signPassword)).serialNumber).toBeTruthy();
  });

  it("passes on the card's coded errors with the tries left", async () => {
    await client.insert(cards[1]!.id);
    const err = await client.authSign('9999', utf8('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CardBridgeError);
    expect(err).toMatchObject({ code: 'KZ_CARD_PIN_WRONG', triesLeft: 2 });
    expect(await client.triesLeft('auth')).toBe(2);
    await expect(client.signCms('short', utf8('x'))).rejects.toMatchObject({ code: 'KZ_CARD_PIN_FORMAT' });
    await client.eject();
    expect((await client.list()).inserted).toBeNull();
  });

  it('answers bad frames with a coded error and keeps the connection', async () => {
    const ws = new WebSocket(bridge.url);
    await new Promise((r) => ws.once('open', r));
    const next = () =>
      new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send('not json');
    expect(await next()).toMatchObject({ id: null, ok: false, error: { code: 'KZ_BRIDGE_BAD_REQUEST' } });
    ws.send(JSON.stringify({ id: 7, op: 'format-card' }));
    expect(await next()).toMatchObject({ id: 7, ok: false, error: { code: 'KZ_BRIDGE_BAD_REQUEST' } });
    ws.send(JSON.stringify({ id: 8, op: 'insert', cardId: cards[0]!.id }));
    expect(await next()).toMatchObject({ id: 8, ok: true });
    ws.send(JSON.stringify({ id: 9, op: 'authSign', pin: '1234', challenge: '***' }));
    expect(await next()).toMatchObject({ id: 9, ok: false, error: { code: 'KZ_BRIDGE_BAD_REQUEST' } });
    ws.close();
  });

  it('refuses pages from other origins', async () => {
    const foreign = new WebSocket(bridge.url, { headers: { origin: 'https://evil.example' } });
    const status = await new Promise((r) => foreign.once('unexpected-response', (_req, res) => r(res.statusCode)));
    expect(status).toBe(403);
    const local = new WebSocket(bridge.url, { headers: { origin: 'http://localhost:18810' } });
    await new Promise((r, j) => {
      local.once('open', r);
      local.once('error', j);
    });
    local.close();
  });

  it('times out and reports a bridge that is not there', async () => {
    await expect(
      connectCardBridge('ws://127.0.0.1:9', { WebSocket: WebSocket as never, timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: 'KZ_BRIDGE_UNAVAILABLE' });
  });
});
