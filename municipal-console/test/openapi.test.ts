/** Every API route declares its schemas, so the OpenAPI page at /docs/json describes the whole API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@kizuna/core';
import { consoleWith, startBroker } from './helpers.ts';

describe('OpenAPI description', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof openDb>>;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  beforeAll(async () => { broker = await startBroker(); db = await openDb({}); c = await consoleWith(db, broker); });
  afterAll(async () => { await c?.close(); await db?.close(); await broker?.close(); });

  it('lists every /api route with a response schema, and a body schema where there is a body', async () => {
    const spec = (await c.app.inject('/docs/json')).json();
    expect(spec.openapi).toBe('3.1.0');
    const paths = Object.keys(spec.paths);
    for (const p of ['/api/session', '/api/alerts', '/api/alerts/cap', '/api/alerts/{id}/status', '/api/alerts/{id}/rescue', '/api/alerts/{id}/preview', '/api/live']) expect(paths).toContain(p);
    expect(paths.some((p) => p === '/livez' || p === '/metrics')).toBe(false);
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toContain(method === 'delete' ? '204' : (Object.keys(op.responses ?? {}).find((k) => k.startsWith('2')) ?? 'none'));
        if (['post', 'patch'].includes(method) && !/\/(send|approve|reject|cancel)$/.test(path)) expect(op.requestBody, `${method} ${path} body`).toBeDefined();
      }
    }
    expect((await c.app.inject('/docs')).statusCode).toBeLessThan(400);
  });
});
