/**
 * The whole system as `npm start` starts it (in memory, every port free) plus a Chromium for its
 * TVs, and the console's HTTP API as staff call it: what the end-to-end suites share.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer';
import { launchBrowser } from '@kizuna/test-utils';
import { loadSystemConfig } from '../../src/config.ts';
import { startSystem, type RunningSystem } from '../../src/system.ts';
import { DEMO_STAFF } from '../../src/demo-staff.ts';

const PORTS = Object.fromEntries(
  ['CONSOLE', 'TV', 'SHELTER', 'BROKER', 'BROKER_WS', 'AUTHORITY', 'GATEWAY', 'BRIDGE'].map((p) => [
    `KZ_${p}_PORT`,
    '0',
  ]),
);

export interface Reply<T> {
  status: number;
  body: T;
}
export type StaffName = (typeof DEMO_STAFF)[number]['username'];

export interface SystemRig {
  system: RunningSystem;
  browser: Browser;
  /** A call to the console's API; a body makes it a POST unless `method` says otherwise. */
  api<T>(path: string, init?: { token?: string; body?: unknown; method?: string }): Promise<Reply<T>>;
  /** A demo staff member's bearer token (password login); throws if the login is refused. */
  login(username: StaffName): Promise<string>;
  /** Issue an alert as staff do: the draft, its send confirmation, the send with what it showed. */
  issue<T>(token: string, spec: object): Promise<Reply<T>>;
  /** Update an active alert as staff do: the draft revision, its confirmation, the send with what it showed. */
  update<T>(token: string, id: string, patch: object): Promise<Reply<T>>;
  /** Approve what waits for approval as the approval page does: with the pending revision and digest it shows. */
  approve<T>(token: string, id: string): Promise<Reply<T>>;
  /** End an active alert as staff do (cancel 取消 or lift 解除): its ending confirmation, then the action with its digest. */
  end<T>(token: string, id: string, how?: 'cancel' | 'lift'): Promise<Reply<T>>;
  close(): Promise<void>;
}

/**
 * `env`: settings as npm start reads them from its environment — the system's own (KZ_SYSTEM_*) and
 * the parts' (KZ_CONSOLE_*…, start-settings.ts). Unset: the system's defaults, process.env for the parts.
 */
export async function startSystemRig(env?: Record<string, string>): Promise<SystemRig> {
  const tvDistDir = await mkdtemp(join(tmpdir(), 'kz-system-tv-'));
  const system = await startSystem({
    config: loadSystemConfig({ KZ_DATA_DIR: 'memory', KZ_LOG_LEVEL: 'warn', ...PORTS, ...env }),
    tvDistDir,
    ...(env ? { env } : {}),
  });
  let browser: Browser;
  try {
    browser = await launchBrowser({ width: 1280, height: 720 });
  } catch (e) {
    await system.close();
    throw e;
  }
  const api = async <T>(
    path: string,
    init: { token?: string; body?: unknown; method?: string } = {},
  ): Promise<Reply<T>> => {
    const res = await fetch(`${system.urls.console}${path}`, {
      method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
      headers: {
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const login = async (username: StaffName): Promise<string> => {
    const staff = DEMO_STAFF.find((s) => s.username === username)!;
    const r = await api<{ token?: string; code?: string }>('/api/session', {
      body: { username, password: staff.password },
    });
    if (r.status !== 200 || !r.body.token)
      throw new Error(`login of ${username} refused: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  const send = async <T>(token: string, id: string): Promise<Reply<T>> => {
    const seen = await api<{ revision: number; digest: string }>(`/api/alerts/${id}/confirmation`, { token });
    if (seen.status !== 200) return seen as unknown as Reply<T>;
    const { revision, digest } = seen.body;
    return api<T>(`/api/alerts/${id}/send`, { token, body: { revision, digest } });
  };
  const issue = async <T>(token: string, spec: object): Promise<Reply<T>> => {
    const draft = await api<{ id: string }>('/api/alerts', { token, body: { ...spec, draft: true } });
    if (draft.status !== 201) return draft as unknown as Reply<T>;
    return send<T>(token, draft.body.id);
  };
  const update = async <T>(token: string, id: string, patch: object): Promise<Reply<T>> => {
    const draft = await api(`/api/alerts/${id}/update`, { token, body: { ...patch, draft: true } });
    if (draft.status !== 200) return draft as unknown as Reply<T>;
    return send<T>(token, id);
  };
  const approve = async <T>(token: string, id: string): Promise<Reply<T>> => {
    const { pending } = (await api<{ pending: { revision: number; digest: string } }>(`/api/alerts/${id}`, { token }))
      .body;
    return api<T>(`/api/alerts/${id}/approve`, { token, body: { revision: pending.revision, digest: pending.digest } });
  };
  const end = async <T>(token: string, id: string, how: 'cancel' | 'lift' = 'cancel'): Promise<Reply<T>> => {
    const seen = await api<{ revision: number; digest: string }>(
      `/api/alerts/${id}/ending?end=${how === 'lift' ? 'lifted' : 'sent-in-error'}`,
      { token },
    );
    if (seen.status !== 200) return api<T>(`/api/alerts/${id}/${how}`, { token, method: 'POST' });
    const { revision, digest } = seen.body;
    return api<T>(`/api/alerts/${id}/${how}`, { token, body: { revision, digest } });
  };
  return {
    system,
    browser,
    api,
    login,
    issue,
    update,
    approve,
    end,
    close: async () => {
      await browser.close();
      await system.close();
    },
  };
}
