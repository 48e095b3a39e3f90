/**
 * JSON over HTTP for the TV's calls to the console and the post-box. Every failure becomes an
 * ApiError with a code: the server's own `KZ_…` code when it answered, or one of ours when it
 * could not be reached — the screens turn codes into plain words (flows/failures.ts).
 */
export const NET_CODES = {
  KZ_TV_SERVER_UNREACHABLE: 'the server could not be reached (network down or server stopped)',
  KZ_TV_SERVER_TIMEOUT: 'the server did not answer in time',
  KZ_TV_SERVER_ERROR: 'the server answered with an error that carries no code',
  KZ_TV_NOT_CONFIGURED: 'this TV has no address for that server (console / postbox in the configuration)',
} as const;

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  authorization?: string | undefined;
  /** ms (default 20 000: a signed document is verified with a revocation check on the way). */
  timeoutMs?: number;
}

export async function callJson<T>(url: string, o: CallOptions = {}): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), o.timeoutMs ?? 20_000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(o.authorization ? { authorization: o.authorization } : {}),
      },
      body: o.body === undefined ? null : JSON.stringify(o.body),
      signal: ctrl.signal,
      cache: 'no-store',
    });
  } catch (e) {
    const aborted = (e as Error).name === 'AbortError';
    throw new ApiError(
      aborted ? 'KZ_TV_SERVER_TIMEOUT' : 'KZ_TV_SERVER_UNREACHABLE',
      aborted ? NET_CODES.KZ_TV_SERVER_TIMEOUT : NET_CODES.KZ_TV_SERVER_UNREACHABLE,
      0,
    );
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text().catch(() => '');
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    throw new ApiError(
      typeof b.code === 'string' ? b.code : 'KZ_TV_SERVER_ERROR',
      typeof b.message === 'string' ? b.message : `HTTP ${res.status}`,
      res.status,
      b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : undefined,
    );
  }
  return body as T;
}

export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** HTTP Basic with UTF-8 credentials. */
export function basicAuth(user: string, pass: string): string {
  return `Basic ${toBase64(new TextEncoder().encode(`${user}:${pass}`))}`;
}

/** The base URL or a coded error saying this TV was not given one. */
export function requireBase(base: string | undefined, what: string): string {
  if (!base) throw new ApiError('KZ_TV_NOT_CONFIGURED', `${NET_CODES.KZ_TV_NOT_CONFIGURED}: ${what}`, 0);
  return base;
}
