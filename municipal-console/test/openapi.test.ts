/** Every API route declares its schemas, so the OpenAPI page at /docs/json describes the whole API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '@kizuna/core';
import { consoleWith, startBroker } from './helpers.ts';

describe('OpenAPI description', () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Awaited<ReturnType<typeof openDb>>;
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

  it('lists every /api route with a response schema, and a body schema where there is a body', async () => {
    const spec = (await c.app.inject('/docs/json')).json();
    expect(spec.openapi).toBe('3.1.0');
    const paths = Object.keys(spec.paths);
    for (const p of [
      '/api/session',
      '/api/alerts',
      '/api/alerts/cap',
      '/api/alerts/{id}/status',
      '/api/alerts/{id}/rescue',
      '/api/alerts/{id}/preview',
      '/api/live',
      '/api/bind/nonce',
      '/api/bind',
      '/api/bind/{bindingId}',
      '/api/bindings/{id}',
      '/api/shelters/{id}/roster',
      '/api/devices/{id}/credentials',
      '/api/shelters/{id}/terminals/{terminal}/credentials',
    ])
      expect(paths).toContain(p);
    expect(paths.some((p) => p === '/livez' || p === '/metrics')).toBe(false);
    // every violation at once, so one missing schema does not hide the next
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(
      spec.paths as Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses ?? {});
        if (method === 'delete' ? !codes.includes('204') : !codes.some((k) => k.startsWith('2')))
          problems.push(`${method} ${path}: no success response schema`);
        if (
          ['post', 'patch'].includes(method) &&
          !/\/(send|approve|reject|cancel|reached)$/.test(path) &&
          !op.requestBody
        )
          problems.push(`${method} ${path}: no body schema`);
      }
    }
    expect(problems).toEqual([]);
    expect(spec.components.securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(spec.paths['/api/shelters/{id}/roster'].get.security).toEqual([{ basic: [] }]);
    expect((await c.app.inject('/docs')).statusCode).toBeLessThan(400);
  });
});
