import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { Writable } from 'node:stream';
import { loadConfig, createHttpServer, createLogger, defineErrors, envExample } from '../src/index.ts';

const schema = Type.Object({
  KZ_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' }),
  KZ_URL: Type.Optional(Type.String({ format: 'uri', description: 'a URL' })),
});

describe('config', () => {
  it('applies defaults and freezes', () => {
    const c = loadConfig(schema, {});
    expect(c.KZ_PORT).toBe(8080);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('names the variable that is wrong', () => {
    expect(() => loadConfig(schema, { KZ_PORT: '70000' })).toThrow(/KZ_PORT/);
    expect(() => loadConfig(schema, { KZ_PORT: 'eighty' })).toThrow(/KZ_PORT/);
  });
  it('documents every variable in .env.example form', () => {
    expect(envExample(schema)).toContain('# HTTP port\nKZ_PORT=8080');
  });
});

describe('http base', () => {
  const lines: string[] = [];
  const logger = createLogger({
    name: 't',
    destination: new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    }),
  });
  const errs = defineErrors({ KZ_THING_BROKEN: { message: 'the thing is broken', status: 422 } });

  it('serves health, readiness and metrics, and echoes request ids', async () => {
    let ready = false;
    const metricsToken = 'metrics-token-0123456789abcdef';
    const app = await createHttpServer({ name: 't', logger, ready: () => ready, metricsToken });
    expect((await app.inject('/livez')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    ready = true;
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    const m = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    expect(m.body).toContain('http_request_duration_seconds');
    const r = await app.inject({ url: '/livez', headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers['x-request-id']).toBe('abc-123');
    await app.close();
  });

  it('turns coded errors into their status and hides 5xx details', async () => {
    const app = await createHttpServer({ name: 't', logger });
    app.get('/coded', async () => {
      throw errs.KZ_THING_BROKEN('left wheel');
    });
    app.get('/crash', async () => {
      throw new Error('secret stack detail');
    });
    app.post('/typed', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async () => ({ ok: true }));
    const a = await app.inject('/coded');
    expect(a.statusCode).toBe(422);
    expect(a.json()).toEqual({ code: 'KZ_THING_BROKEN', message: 'the thing is broken: left wheel' });
    const b = await app.inject('/crash');
    expect(b.statusCode).toBe(500);
    expect(b.body).not.toContain('secret');
    const c = await app.inject({ method: 'POST', url: '/typed', payload: { n: 'x' } });
    expect(c.statusCode).toBe(400);
    expect(c.json().code).toBe('KZ_VALIDATION');
    expect(c.json().message).toContain('/n');
    const d = await app.inject({
      method: 'POST',
      url: '/typed',
      headers: { 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(d.statusCode).toBe(400);
    expect((await app.inject('/nope')).json().code).toBe('KZ_NOT_FOUND');
    await app.close();
  });

  it('keeps personal data out of logs', () => {
    logger.info({ resident: { name: '山田 花子', address: '東京都', pin: '1234' } }, 'bound');
    const last = lines.at(-1)!;
    expect(last).not.toContain('山田');
    expect(last).not.toContain('1234');
    expect(last).toContain('[redacted]');
  });
});
