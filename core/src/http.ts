/**
 * The base every Kizuna HTTP server starts from: request ids, secure headers, TypeBox
 * validation, one error handler that names the failed check and hides 5xx details (fastify's own
 * request errors renamed to KZ_ codes), liveness/readiness, Prometheus metrics behind a token,
 * authentication hooks moved before body parsing, optional TLS. Routes are added by each part.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
  type FastifyServerOptions,
} from 'fastify';
import Type from 'typebox';
import helmet from '@fastify/helmet';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';
import { KzError, coreErrors, type ErrorFactory } from './errors.ts';
import { loadConfig } from './config.ts';
import { refuseNul } from './input-guard.ts';
import { noStoreByDefault } from './no-store.ts';
import type { Logger } from './log.ts';

export { findNul, inputErrors } from './input-guard.ts';

export interface TlsFiles {
  /** PEM certificate chain (server certificate first). */
  certFile: string;
  keyFile: string;
  /** CA bundle to verify client certificates (mutual TLS). */
  caFile?: string | undefined;
  /** Ask clients for a certificate (mutual TLS); verified against caFile. */
  requestClientCert?: boolean;
}

export function readTls(files: TlsFiles) {
  return {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    ...(files.caFile ? { ca: readFileSync(files.caFile) } : {}),
    ...(files.requestClientCert ? { requestCert: true, rejectUnauthorized: false } : {}),
  };
}

export interface HttpServerOptions {
  name: string;
  logger: Logger;
  tls?: TlsFiles | undefined;
  /** Readiness: resolves true when dependencies (database, broker) are usable. */
  ready?: () => Promise<boolean> | boolean;
  bodyLimit?: number;
  /** Content-Security-Policy can be turned off for pages that need inline scripts. */
  contentSecurityPolicy?: boolean;
  /** fastify's trustProxy: true, or the proxy's addresses/CIDRs (comma-separated string or list). */
  trustProxy?: boolean | string | string[] | undefined;
  /**
   * Bearer token that /metrics requires; without one /metrics is off (KZ_METRICS_OFF). Defaults to
   * KZ_METRICS_TOKEN from the environment, so every server of a deployment is configured at once.
   */
  metricsToken?: string | undefined;
}

/** The variable every server reads for its /metrics token (listed in .env.example). */
export const MetricsConfigSchema = Type.Object({
  KZ_METRICS_TOKEN: Type.Optional(
    Type.String({
      minLength: 24,
      description:
        'Bearer token Prometheus sends to /metrics on every server (Authorization: Bearer …); unset turns /metrics off',
    }),
  ),
});
export const loadMetricsConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(MetricsConfigSchema, env);

// fastify's own request errors (its `code`) and the KZ_ code each answers with; the message says what to fix.
const FRAMEWORK_ERRORS: Record<string, [ErrorFactory, (req: FastifyRequest, limit: number) => string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    coreErrors.KZ_UNSUPPORTED_MEDIA_TYPE,
    (req) => `${String(req.headers['content-type'] ?? '(none)').slice(0, 100)}; send application/json`,
  ],
  FST_ERR_CTP_BODY_TOO_LARGE: [coreErrors.KZ_BODY_TOO_LARGE, (_req, limit) => `at most ${limit} bytes`],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [coreErrors.KZ_BODY_INCOMPLETE, () => 'send it again'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [coreErrors.KZ_INVALID_JSON, () => 'the body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [coreErrors.KZ_INVALID_JSON, () => 'check quotes, commas and brackets'],
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: [coreErrors.KZ_BODY_REQUIRED, () => 'no Content-Type'],
  FST_ERR_ROUTE_MISSING_CONTENT: [coreErrors.KZ_BODY_REQUIRED, () => 'no body'],
  FST_ERR_BAD_URL: [coreErrors.KZ_BAD_URL, () => 'a path segment is not valid percent-encoding'],
  FST_ERR_INVALID_URL: [coreErrors.KZ_BAD_URL, () => 'not a URL'],
  FST_ERR_MAX_PARAM_LENGTH: [coreErrors.KZ_BAD_URL, () => 'a path segment is too long'],
  FST_ERR_NOT_FOUND: [coreErrors.KZ_NOT_FOUND, (req) => `no route ${req.method} ${req.url.split('?')[0]}`],
};

/** The KZ_ error for one of fastify's own 4xx (or a parser's SyntaxError), never its FST_ code. */
function frameworkError(err: Error & { code?: string; statusCode?: number }, req: FastifyRequest, limit: number) {
  const known = err.code ? FRAMEWORK_ERRORS[err.code] : undefined;
  if (known) return known[0](known[1](req, limit));
  // a content-type parser's own failure (JSON.parse, prototype poisoning) comes as a SyntaxError with 400
  if (err instanceof SyntaxError) return coreErrors.KZ_INVALID_JSON(err.message.slice(0, 200));
  // a plugin's own 4xx: its message says what is wrong; its code (FST_… or none) is not passed on
  return new KzError('KZ_BAD_REQUEST', err.message || 'the request is malformed', err.statusCode ?? 400);
}

const AUTHENTICATION = Symbol.for('kizuna.authentication');
type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/**
 * Marks a route's `preHandler` as its authentication: createHttpServer moves it to the route's
 * preParsing phase, so a caller who is not authenticated is refused (401) before the body is
 * parsed or validated (a bad body never answers 400 to a stranger). preParsing, not onRequest:
 * every onRequest hook (rate limits, CSRF) still runs first.
 */
export function authentication<H extends Hook>(hook: H): H {
  return Object.assign(hook, { [AUTHENTICATION]: true });
}
const isAuthentication = (h: unknown) => typeof h === 'function' && AUTHENTICATION in h;
const hookList = (h: unknown): unknown[] => (h === undefined ? [] : Array.isArray(h) ? h : [h]);

// Operational endpoints stay out of the OpenAPI pages (@fastify/swagger reads `hide`).
const HIDDEN = { hide: true } as FastifySchema;

export type KzFastify = FastifyInstance & { metrics: Registry };

export async function createHttpServer(opts: HttpServerOptions): Promise<KzFastify> {
  const fastifyOpts: FastifyServerOptions & { https?: unknown } = {
    loggerInstance: opts.logger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? false,
    // close() ends every connection, open streams (SSE) included: a stop must not wait for a browser
    forceCloseConnections: true,
    ajv: { customOptions: { allErrors: false } },
  };
  const bodyLimit = fastifyOpts.bodyLimit!;
  // errors fastify answers before any route (malformed URL): the same KZ_ codes
  fastifyOpts.frameworkErrors = (err, req, reply) => {
    const e = frameworkError(err, req as FastifyRequest, bodyLimit);
    void (reply as FastifyReply).status(e.statusCode).send({ code: e.code, message: e.message });
  };
  if (opts.tls) fastifyOpts.https = readTls(opts.tls);
  const app = Fastify(fastifyOpts as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.addHook('onRoute', (route) => {
    const pre = hookList(route.preHandler);
    if (!pre.some(isAuthentication)) return;
    route.preHandler = pre.filter((h) => !isAuthentication(h)) as typeof route.preHandler;
    route.preParsing = [...hookList(route.preParsing), ...pre.filter(isAuthentication)] as typeof route.preParsing;
  });

  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.name });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  app.decorate('metrics', registry);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(helmet, {
    contentSecurityPolicy: opts.contentSecurityPolicy === false ? false : undefined,
    hsts: !!opts.tls,
  });
  refuseNul(app);
  noStoreByDefault(app);

  app.setErrorHandler(
    (
      err: Error & { statusCode?: number; validation?: unknown[]; validationContext?: string; code?: string },
      req,
      reply,
    ) => {
      if (err instanceof KzError) {
        if (err.statusCode >= 500) req.log.error({ err }, 'request failed');
        const body =
          err.statusCode >= 500 && err.statusCode !== 503
            ? { code: err.code, message: 'internal error', requestId: req.id }
            : { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
        return reply.status(err.statusCode).send(body);
      }
      if (err.validation) {
        const first = err.validation[0] as { instancePath?: string; message?: string; schemaPath?: string } | undefined;
        const where = `${err.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
        // TypeBox reports a field refused by additionalProperties: false as "schema is false".
        const unknown = first?.schemaPath?.endsWith('/additionalProperties');
        return reply.status(400).send({
          code: coreErrors.KZ_VALIDATION.code,
          message: `${where} ${unknown ? 'is not an accepted field' : (first?.message ?? 'is invalid')}`,
          field: where,
        });
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err }, 'unhandled error');
        return reply.status(500).send({ code: 'KZ_INTERNAL', message: 'internal error', requestId: req.id });
      }
      // fastify's own 4xx (bad JSON, body too large, unsupported media type) answer with KZ_ codes
      const e = frameworkError(err, req, reply.routeOptions.bodyLimit ?? bodyLimit);
      return reply.status(e.statusCode).send({ code: e.code, message: e.message });
    },
  );
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ code: 'KZ_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.get('/livez', { logLevel: 'warn', schema: HIDDEN }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn', schema: HIDDEN }, async (_req, reply) => {
    const ok = opts.ready ? await Promise.resolve(opts.ready()).catch(() => false) : true;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });
  const metricsToken = 'metricsToken' in opts ? opts.metricsToken : loadMetricsConfig().KZ_METRICS_TOKEN;
  const tokenDigest = metricsToken ? createHash('sha256').update(metricsToken).digest() : null;
  app.get('/metrics', { logLevel: 'warn', schema: HIDDEN }, async (req, reply) => {
    if (!tokenDigest) throw coreErrors.KZ_METRICS_OFF();
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    // compare digests: constant time whatever the length given
    if (!timingSafeEqual(createHash('sha256').update(given).digest(), tokenDigest)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw coreErrors.KZ_UNAUTHORIZED('/metrics needs Authorization: Bearer <KZ_METRICS_TOKEN>');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return app as unknown as KzFastify;
}

/**
 * @fastify/rate-limit's errorResponseBuilder: a refusal coded like every other (the limiter's own
 * reply has no code), saying the limit and when to try again (also in Retry-After).
 */
export function rateLimitRefusal(_req: unknown, c: { max: number; ttl: number; after: string }): KzError {
  return coreErrors.KZ_RATE_LIMITED(`at most ${c.max} per time window; try again in ${c.after}`, {
    retryAfterS: Math.ceil(c.ttl / 1000),
  });
}

/** Listen, turning "port in use" and similar into one clear coded error. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      throw coreErrors.KZ_PORT_IN_USE(`${host}:${port} — stop the other program or set another port`);
    if (err.code === 'EACCES')
      throw coreErrors.KZ_PORT_IN_USE(`${host}:${port} needs privileges — choose a port above 1024`);
    throw e;
  }
}
