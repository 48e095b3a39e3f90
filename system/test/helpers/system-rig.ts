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
  close(): Promise<void>;
}

export async function startSystemRig(): Promise<SystemRig> {
  const tvDistDir = await mkdtemp(join(tmpdir(), 'kz-system-tv-'));
  const system = await startSystem({
    config: loadSystemConfig({ KZ_DATA_DIR: 'memory', KZ_LOG_LEVEL: 'warn', ...PORTS }),
    tvDistDir,
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
  const issue = async <T>(token: string, spec: object): Promise<Reply<T>> => {
    const draft = await api<{ id: string }>('/api/alerts', { token, body: { ...spec, draft: true } });
    if (draft.status !== 201) return draft as unknown as Reply<T>;
    const seen = await api<{ revision: number; digest: string }>(`/api/alerts/${draft.body.id}/confirmation`, {
      token,
    });
    if (seen.status !== 200) return seen as unknown as Reply<T>;
    const { revision, digest } = seen.body;
    return api<T>(`/api/alerts/${draft.body.id}/send`, { token, body: { revision, digest } });
  };
  return {
    system,
    browser,
    api,
    login,
    issue,
    close: async () => {
      await browser.close();
      await system.close();
    },
  };
}
