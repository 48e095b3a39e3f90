/**
 * What the terminal serves the kiosk besides web/: jpki's bridge client as a browser module, a
 * policy that lets the page reach the card-reader bridge and nothing else, and the bridge's
 * address in the status the page reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@kizuna/core';
import { buildTerminalApp, type TerminalApp } from '../src/app.ts';
import { kioskCsp } from '../src/kiosk-assets.ts';
import { quietLogger, IDS } from './helpers.ts';

describe('kiosk assets', () => {
  let db: Db;
  let app: TerminalApp;
  beforeAll(async () => {
    db = await openDb({});
    app = await buildTerminalApp({ db, logger: quietLogger(), ...IDS, cardBridgeUrl: 'ws://127.0.0.1:18860' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("serves jpki's card-bridge client as one browser ES module with no imports left", async () => {
    const r = await app.inject({ url: '/vendor/bridge-client.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.body).toMatch(/export\s*\{[^}]*connectCardBridge/);
    expect(r.body).not.toMatch(/^\s*import\s/m);
    // it really is runnable JavaScript: import it here and find the functions the kiosk uses
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(r.body).toString('base64')}`)) as Record<
      string,
      unknown
    >;
    expect(typeof mod.connectCardBridge).toBe('function');
    expect((mod.toBase64 as (b: Uint8Array) => string)(new Uint8Array([1, 2, 3]))).toBe('AQID');
  });

  it('lets the page connect to the bridge and to itself only, with no upgrade to https on the loopback', async () => {
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:18860");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect((await app.inject({ url: '/api/status' })).json().cardReader).toEqual({ bridgeUrl: 'ws://127.0.0.1:18860' });
  });

  it('refuses a bridge address that is not a WebSocket URL, and allows none at all', () => {
    expect(() => kioskCsp('http://127.0.0.1:18860')).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => kioskCsp('not a url')).toThrow();
    expect(kioskCsp(undefined)).toMatch(/connect-src 'self'$/);
  });
});
