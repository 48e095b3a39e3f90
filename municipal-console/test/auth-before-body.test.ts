/**
 * Issue 24, item 11: staff (and TV) routes authenticate before the body is read or validated — a
 * caller without a session sending a bad body gets 401, not 400 — and /metrics is not public.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@kizuna/core';
import { consoleWith, startBroker, type TestBroker } from './helpers.ts';

describe('authentication before the body, /metrics not public', () => {
  let broker: TestBroker;
  let db: Db;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  beforeAll(async () => {
    broker = await startBroker();
    db = await openDb({});
    c = await consoleWith(db, broker);
  });
  afterAll(async () => {
    await c?.close();
    await db?.close();
    await broker?.close();
  });

  const send = (method: 'POST' | 'PATCH', url: string, payload: string, type = 'application/json') =>
    c.app.inject({ method, url, headers: { 'content-type': type }, payload });

  it('staff routes: no session and an invalid, malformed or foreign body → 401 KZ_CONSOLE_SESSION_EXPIRED', async () => {
    for (const [method, url] of [
      ['POST', '/api/alerts'],
      ['POST', '/api/shelters'],
      ['PATCH', '/api/shelters/s-1'],
      ['POST', '/api/staff'],
    ] as const) {
      for (const [payload, type] of [
        ['{"level": "x", "junk": true}', 'application/json'],
        ['{not json', 'application/json'],
        ['<a/>', 'application/xml'],
      ] as const) {
        const res = await send(method, url, payload, type);
        expect(res.statusCode, `${method} ${url} ${payload}`).toBe(401);
        expect(res.json().code, `${method} ${url} ${payload}`).toBe('KZ_CONSOLE_SESSION_EXPIRED');
      }
    }
  });

  it('TV routes: no credentials and a bad body → 401 KZ_CONSOLE_CLIENT_AUTH', async () => {
    const res = await send('POST', '/api/bind', '{not json');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('KZ_CONSOLE_CLIENT_AUTH');
  });

  it('the login itself still validates its body (it is the way in)', async () => {
    const res = await send('POST', '/api/session', '{"username": 1}');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('KZ_VALIDATION');
  });

  it('/metrics is not served on the console port without the metrics token', async () => {
    const res = await c.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain('http_request_duration_seconds');
  });
});
