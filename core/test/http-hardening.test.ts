/**
 * The base every server starts from, attacked from outside (issues 23 and 24): fastify's own
 * request errors answer with named KZ_ codes, /metrics is not public, and a route's
 * authentication runs before its body is read and checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import {
  authentication,
  coreErrors,
  createHttpServer,
  createLogger,
  loadMetricsConfig,
  type KzFastify,
} from '../src/index.ts';

const logger = createLogger({ name: 't', level: 'silent' });
const TOKEN = 'metrics-token-0123456789abcdef';

describe('fastify request errors answer with KZ_ codes', () => {
  let app: KzFastify;
  beforeAll(async () => {
    app = await createHttpServer({ name: 't', logger, bodyLimit: 100 });
    app.post('/typed', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async () => ({ ok: true }));
    app.get('/items/:id', async () => ({ ok: true }));
  });
  afterAll(() => app.close());

  const post = (payload: string, type = 'application/json') =>
    app.inject({ method: 'POST', url: '/typed', headers: { 'content-type': type }, payload });

  it('unsupported media type → 415 KZ_UNSUPPORTED_MEDIA_TYPE naming the type', async () => {
    const r = await post('x', 'application/x-unknown');
    expect(r.statusCode).toBe(415);
    expect(r.json().code).toBe('KZ_UNSUPPORTED_MEDIA_TYPE');
    expect(r.json().message).toContain('application/x-unknown');
  });
  it('body too large → 413 KZ_BODY_TOO_LARGE naming the limit', async () => {
    const r = await post(JSON.stringify({ n: 1, pad: 'x'.repeat(200) }));
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('KZ_BODY_TOO_LARGE');
    expect(r.json().message).toContain('100 bytes');
  });
  it('invalid or empty JSON → 400 KZ_INVALID_JSON', async () => {
    for (const body of ['{"n":', '']) {
      const r = await post(body);
      expect(r.statusCode, body).toBe(400);
      expect(r.json().code, body).toBe('KZ_INVALID_JSON');
    }
    const poisoned = await post('{"n":1,"__proto__":{"x":1}}');
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().code).toBe('KZ_INVALID_JSON');
  });
  it('a malformed URL → 400 KZ_BAD_URL', async () => {
    const r = await app.inject({ method: 'GET', url: '/items/%E0%A4%A' });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('KZ_BAD_URL');
  });
  it('no reply carries a fastify code', async () => {
    for (const r of [await post('x', 'text/x-other'), await post('{'), await post('x'.repeat(500))])
      expect(r.body).not.toMatch(/FST_/);
  });
});

describe('/metrics is not public', () => {
  it('without a token it is off (404 KZ_METRICS_OFF, saying how to turn it on)', async () => {
    const app = await createHttpServer({ name: 't', logger, metricsToken: undefined });
    const r = await app.inject('/metrics');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('KZ_METRICS_OFF');
    expect(r.json().message).toContain('KZ_METRICS_TOKEN');
    await app.close();
  });
  it('with a token it needs Authorization: Bearer <token>', async () => {
    const app = await createHttpServer({ name: 't', logger, metricsToken: TOKEN });
    const none = await app.inject('/metrics');
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('KZ_UNAUTHORIZED');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('http_request_duration_seconds');
    await app.close();
  });
  it('KZ_METRICS_TOKEN configures every server; a short one is refused naming the variable', () => {
    expect(loadMetricsConfig({}).KZ_METRICS_TOKEN).toBeUndefined();
    expect(loadMetricsConfig({ KZ_METRICS_TOKEN: TOKEN }).KZ_METRICS_TOKEN).toBe(TOKEN);
    expect(() => loadMetricsConfig({ KZ_METRICS_TOKEN: 'short' })).toThrow(/KZ_METRICS_TOKEN/);
  });
});

describe('authentication before the body is read', () => {
  let app: KzFastify;
  let seen = 0;
  beforeAll(async () => {
    app = await createHttpServer({ name: 't', logger });
    const auth = authentication(async (req) => {
      // every onRequest hook (a rate limit, a CSRF check) has run before authentication
      if (!(req as { early?: boolean }).early) throw new Error('onRequest hooks did not run first');
      if (req.headers.authorization !== 'Bearer good') throw coreErrors.KZ_UNAUTHORIZED('no good');
    });
    const early = async (req: object) => {
      Object.assign(req, { early: true });
    };
    const counted = async () => {
      seen += 1;
    };
    app.post(
      '/guarded',
      {
        onRequest: early,
        preHandler: [counted, auth],
        schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) },
      },
      async () => ({ ok: true }),
    );
  });
  afterAll(() => app.close());

  it('an unauthenticated request with an invalid body gets 401, not 400', async () => {
    const bad = await app.inject({ method: 'POST', url: '/guarded', payload: { n: 'x' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('KZ_UNAUTHORIZED');
    const garbage = await app.inject({
      method: 'POST',
      url: '/guarded',
      headers: { 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(garbage.statusCode).toBe(401);
  });
  it('an authenticated one is then validated, and other pre-handlers still run', async () => {
    const before = seen;
    const bad = await app.inject({
      method: 'POST',
      url: '/guarded',
      headers: { authorization: 'Bearer good' },
      payload: { n: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('KZ_VALIDATION');
    const ok = await app.inject({
      method: 'POST',
      url: '/guarded',
      headers: { authorization: 'Bearer good' },
      payload: { n: 1 },
    });
    expect(ok.statusCode).toBe(200);
    expect(seen).toBe(before + 1);
  });
});

describe('the NUL guard and bodies that are not JSON values', () => {
  let app: KzFastify;
  beforeAll(async () => {
    app = await createHttpServer({ name: 't', logger });
    // as @fastify/http-proxy does (the TV applet's server): the body handed on is the request stream itself
    app.addContentTypeParser('application/x-pass-through', (_req, payload, done) => done(null, payload));
    app.post('/through', async () => ({ ok: true }));
    app.post('/json', async () => ({ ok: true }));
    app.get('/things/:id', async () => ({ ok: true }));
  });
  afterAll(() => app.close());

  it('does not walk a request stream (a cyclic graph over the socket) as if it were a JSON body', async () => {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const r = await fetch(`${url}/through`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-pass-through' },
      body: 'abc',
      signal: AbortSignal.timeout(10_000),
    });
    expect(r.status).toBe(200);
  });

  it('still finds a NUL deep inside a JSON body, naming where', async () => {
    const r = await app.inject({ method: 'POST', url: '/json', payload: { a: [{ b: 'x\u0000y' }] } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'body/a/0/b' });
  });

  it("finds a NUL in the router's path parameters (a NullObject, not a plain object) and the query", async () => {
    const p = await app.inject({ method: 'GET', url: '/things/a%00b' });
    expect(p.statusCode).toBe(400);
    expect(p.json()).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'params/id' });
    const q = await app.inject({ method: 'GET', url: '/things/a?x=%00' });
    expect(q.json()).toMatchObject({ code: 'KZ_BAD_INPUT', field: 'querystring/x' });
  });
});
