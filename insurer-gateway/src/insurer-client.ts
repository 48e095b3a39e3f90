/** A minimal insurer-side client: signs each request with the API key (what an insurer's system does). */
import { signRequest } from './request-signing.ts';

export interface InsurerClient {
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function createInsurerClient(opts: { baseUrl: string; keyId: string; secret: string }): InsurerClient {
  return {
    async call(method, path, body) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const res = await fetch(new URL(path, opts.baseUrl), {
        method,
        headers: {
          authorization: signRequest(opts, method, path, text),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: text }),
      });
      const raw = await res.text();
      return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
    },
  };
}
