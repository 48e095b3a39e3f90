/**
 * The base every Kizuna HTTP server starts from: request ids, secure headers, TypeBox
 * validation, one error handler that names the failed check and hides 5xx details,
 * liveness/readiness, Prometheus metrics, optional TLS. Routes are added by each part.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifySchema, type FastifyServerOptions } from 'fastify';
import helmet from '@fastify/helmet';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Registry, collectDefaultMetrics, Histogram } from 'prom-client';
import { KzError, coreErrors } from './errors.ts';
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
}

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
  if (opts.tls) fastifyOpts.https = readTls(opts.tls);
  const app = Fastify(fastifyOpts as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

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
      // fastify's own 4xx (bad JSON, body too large, unsupported media type) keep their code
      return reply.status(status).send({ code: err.code ?? 'KZ_BAD_REQUEST', message: err.message });
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
  app.get('/metrics', { logLevel: 'warn', schema: HIDDEN }, async (_req, reply) => {
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
