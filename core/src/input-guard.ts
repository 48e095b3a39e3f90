/**
 * Input no Kizuna server accepts, whatever the route: a string holding U+0000 (NUL). PostgreSQL's
 * text types cannot store it, so it would reach the database and fail there as a 500; refused
 * here instead, before validation, with the place it was found.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { defineErrors } from './errors.ts';

export const inputErrors = defineErrors({
  KZ_BAD_INPUT: { message: 'input contains a NUL character (U+0000)', status: 400 },
});

/**
 * Only what JSON, a query string or the router makes: plain objects, null-prototype ones and the
 * router's params (an instance of a class whose prototype has no prototype, find-my-way's
 * NullObject); never a stream or a Buffer a route passes on, whose prototype chains are longer.
 */
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
};

/**
 * JSON-pointer-like path of the first string (value or key) holding U+0000, or null. Iterative: any
 * depth. It walks plain objects and arrays only: a proxied route's body is the request stream itself
 * (@fastify/http-proxy), a cyclic graph that must not be walked.
 */
export function findNul(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, '']];
  const seen = new WeakSet<object>();
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path;
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}/${i}`]);
    } else if (isPlainObject(v)) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        const here = `${path}/${k.replaceAll('\u0000', '\\u0000')}`;
        if (k.includes('\u0000')) return here;
        stack.push([x, here]);
      }
    }
  }
  return null;
}

/**
 * Registered by createHttpServer: query, params and a JSON body (not a raw text body such as CSV
 * or XML, whose parser names the line itself) are checked before validation.
 */
export function refuseNul(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    const parts: [string, unknown][] = [
      ['params', req.params],
      ['querystring', req.query],
      ['body', typeof req.body === 'object' ? req.body : undefined],
    ];
    for (const [part, value] of parts) {
      const at = findNul(value);
      if (at === null) continue;
      const field = `${part}${at}`;
      const e = inputErrors.KZ_BAD_INPUT(field);
      return reply.status(e.statusCode).send({ code: e.code, message: e.message, field });
    }
    return undefined;
  });
}
