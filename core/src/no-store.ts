/**
 * Responses nobody should keep: an API answer is for the one who asked and often holds personal
 * data (a register, a rescue list, a post-box). Registered by createHttpServer: a JSON reply, or any
 * reply to a request that carried credentials (Authorization or a cookie), gets
 * `Cache-Control: no-store` unless its route chose a policy itself (static files, say, do).
 */
import type { FastifyInstance } from 'fastify';

export function noStoreByDefault(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.hasHeader('cache-control') || reply.raw.hasHeader('cache-control')) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.includes('json') || req.headers.authorization || req.headers.cookie)
      reply.header('cache-control', 'no-store');
    return payload;
  });
}
