/**
 * Typed, coded errors (after fastify's lib/errors.js). Each part defines its registry with
 * defineErrors; the HTTP error handler turns a KzError into { code, message } with its status.
 */
export class KzError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 500,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'KzError';
  }
}

export interface ErrorSpec {
  message: string;
  status: number;
}
export type ErrorFactory = ((detail?: string, details?: Record<string, unknown>) => KzError) & {
  code: string;
  status: number;
  doc: string;
};

/** defineErrors({ KZ_X: { message: 'what went wrong', status: 400 } }) → factories by code. */
export function defineErrors<K extends string>(specs: Record<K, ErrorSpec>): Record<K, ErrorFactory> {
  const out = {} as Record<K, ErrorFactory>;
  for (const code of Object.keys(specs) as K[]) {
    const spec = specs[code];
    const f = ((detail?: string, details?: Record<string, unknown>) =>
      new KzError(code, detail ? `${spec.message}: ${detail}` : spec.message, spec.status, details)) as ErrorFactory;
    f.code = code;
    f.status = spec.status;
    f.doc = spec.message;
    out[code] = f;
  }
  return out;
}

export const coreErrors = defineErrors({
  KZ_CONFIG_INVALID: { message: 'configuration is invalid', status: 500 },
  KZ_DB_UNREACHABLE: { message: 'database is unreachable', status: 503 },
  KZ_DB_NEWER_THAN_CODE: { message: 'database schema is newer than this code', status: 500 },
  KZ_MIGRATION_FAILED: { message: 'database migration failed', status: 500 },
  KZ_PORT_IN_USE: { message: 'port is already in use', status: 500 },
  KZ_VALIDATION: { message: 'request is invalid', status: 400 },
  KZ_NOT_FOUND: { message: 'not found', status: 404 },
  KZ_UNAUTHORIZED: { message: 'authentication required', status: 401 },
  KZ_FORBIDDEN: { message: 'not allowed', status: 403 },
  KZ_RATE_LIMITED: { message: 'too many requests', status: 429 },
  KZ_INTERNAL: { message: 'internal error', status: 500 },
  // fastify's own request errors, renamed (core/src/http.ts, FRAMEWORK_ERRORS)
  KZ_UNSUPPORTED_MEDIA_TYPE: { message: 'this content type is not accepted here', status: 415 },
  KZ_BODY_TOO_LARGE: { message: 'the request body is too large', status: 413 },
  KZ_BODY_INCOMPLETE: { message: 'the request body does not match its Content-Length', status: 400 },
  KZ_INVALID_JSON: { message: 'the request body is not valid JSON', status: 400 },
  KZ_BODY_REQUIRED: { message: 'this request needs a body with a Content-Type', status: 400 },
  KZ_BAD_URL: { message: 'the URL is malformed', status: 400 },
  KZ_BAD_REQUEST: { message: 'the request is malformed', status: 400 },
  KZ_METRICS_OFF: {
    message: 'metrics are off on this port: set KZ_METRICS_TOKEN and scrape with Authorization: Bearer <token>',
    status: 404,
  },
});
