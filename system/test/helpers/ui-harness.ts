/**
 * What the UI tests share: the whole system started as `npm start` starts it (memory data, free
 * ports), the staff UI and the TV bundle built into private directories, Chromium, and simulated
 * TVs that answer over MQTT with their own credentials (real mqtt.js clients, real broker).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'puppeteer';
import { topics, type Answer, type Receipt } from '@kizuna/contract';
import { launchBrowser } from '@kizuna/test-utils';
import { startCardBridge, type BridgeCard, type RunningBridge } from '@kizuna/jpki';
import { buildConsoleWeb } from '@kizuna/municipal-console/web-plugin';
import { loadSystemConfig } from '../../src/config.ts';
import { startSystem, type RunningSystem, type TvLink } from '../../src/system.ts';
import { DEMO_STAFF } from '../../src/demo-staff.ts';

export interface UiHarness {
  system: RunningSystem;
  browser: Browser;
  url: string;
  /** The staff PC's own card-reader bridge (the console's KZ_CONSOLE_CARD_BRIDGE_URL): push cards to put them on the reader. */
  staffReader: { bridge: RunningBridge; cards: BridgeCard[] };
  close(): Promise<void>;
}

export async function startUi(opts: { width?: number; height?: number } = {}): Promise<UiHarness> {
  const webDir = await mkdtemp(join(tmpdir(), 'kz-console-web-'));
  const tvDir = await mkdtemp(join(tmpdir(), 'kz-console-tv-'));
  await buildConsoleWeb({ outDir: webDir });
  process.env.KZ_CONSOLE_WEB_DIST_DIR = webDir;
  process.env.KZ_CONSOLE_TV_DIST_DIR = tvDir;
  // The staff PC's reader, started first so the console's login page is configured with it.
  const staffCards: BridgeCard[] = [];
  const staffBridge = await startCardBridge({ port: 0, cards: () => staffCards });
  process.env.KZ_CONSOLE_CARD_BRIDGE_URL = staffBridge.url;
  const ports = Object.fromEntries(
    ['CONSOLE', 'TV', 'SHELTER', 'BROKER', 'BROKER_WS', 'AUTHORITY', 'GATEWAY', 'BRIDGE'].map((p) => [
      `KZ_${p}_PORT`,
      '0',
    ]),
  );
  const system = await startSystem({
    config: loadSystemConfig({ KZ_DATA_DIR: 'memory', KZ_LOG_LEVEL: 'warn', ...ports }),
    tvDistDir: tvDir,
  });
  const browser = await launchBrowser({ width: opts.width ?? 1440, height: opts.height ?? 900 });
  return {
    system,
    browser,
    url: system.urls.console,
    staffReader: { bridge: staffBridge, cards: staffCards },
    close: async () => {
      await browser.close();
      await system.close();
      await staffBridge.close();
    },
  };
}

/** A fresh browser context (its own cookies), logged in through the login form. */
export async function loginPage(h: UiHarness, username: string, lang: 'ja' | 'en' = 'ja'): Promise<Page> {
  const ctx = await h.browser.createBrowserContext();
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('[page error]', (e as Error).message));
  await page.goto(h.url);
  await page.evaluate((l) => localStorage.setItem('kz-console-lang', l), lang);
  await page.reload();
  const staff = DEMO_STAFF.find((s) => s.username === username)!;
  await passwordTab(page);
  await page.type('input[name=username]', staff.username);
  await page.type('input[name=password]', staff.password);
  await page.click('button[type=submit]');
  await page.waitForSelector(`[data-staff="${username}"]`);
  return page;
}

/** The login screen opens on the card tab when card login is on: switch to the password form. */
export async function passwordTab(page: Page): Promise<void> {
  await page.waitForSelector('[data-method=password], input[name=username]');
  if (await page.$('[data-method=password]')) await page.click('[data-method=password]');
  await page.waitForSelector('input[name=username]');
}

export async function token(h: UiHarness, username: string): Promise<string> {
  const staff = DEMO_STAFF.find((s) => s.username === username)!;
  const r = await fetch(`${h.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: staff.password }),
  });
  return ((await r.json()) as { token: string }).token;
}

/** A staff API call with that staff member's token: GET without a body, POST with one. */
export async function staffApi<T>(
  h: UiHarness,
  path: string,
  who: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const r = await fetch(`${h.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${await token(h, who)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as T };
}

/**
 * Issue an alert as staff do, through the API: store the draft, read its send confirmation, send
 * with what it showed. Answers the send (200 with the alert) or the first refusal.
 */
export async function issueAlertAs<T = { id: string; state: string }>(
  h: UiHarness,
  who: string,
  spec: object,
): Promise<{ status: number; body: T }> {
  const draft = await staffApi<{ id: string }>(h, '/api/alerts', who, { ...spec, draft: true });
  if (draft.status !== 201) return draft as unknown as { status: number; body: T };
  const seen = await staffApi<{ revision: number; digest: string }>(
    h,
    `/api/alerts/${draft.body.id}/confirmation`,
    who,
  );
  if (seen.status !== 200) return seen as unknown as { status: number; body: T };
  const { revision, digest } = seen.body;
  return staffApi<T>(h, `/api/alerts/${draft.body.id}/send`, who, { revision, digest });
}

/** Update an active alert as staff do: store the draft revision, read its confirmation, send what it showed. */
export async function updateAlertAs<T = { id: string; state: string }>(
  h: UiHarness,
  who: string,
  id: string,
  patch: object,
): Promise<{ status: number; body: T }> {
  const draft = await staffApi(h, `/api/alerts/${id}/update`, who, { ...patch, draft: true });
  if (draft.status !== 200) return draft as unknown as { status: number; body: T };
  const seen = await staffApi<{ revision: number; digest: string }>(h, `/api/alerts/${id}/confirmation`, who);
  if (seen.status !== 200) return seen as unknown as { status: number; body: T };
  const { revision, digest } = seen.body;
  return staffApi<T>(h, `/api/alerts/${id}/send`, who, { revision, digest });
}

/** Wait until the page's text contains `text` (within `selector`). */
export async function waitText(page: Page, selector: string, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (s, t) => [...document.querySelectorAll(s)].some((e) => (e.textContent ?? '').includes(t)),
    { timeout, polling: 100 },
    selector,
    text,
  );
}

/** A TV as the console sees it on the wire: its own broker identity, its own receipt topic. */
export interface SimAlert {
  alertId: string;
  revision: number;
  recipients: { ref: string; needsHelp?: boolean }[];
}

export class SimTv {
  readonly alerts: SimAlert[] = [];
  private constructor(
    readonly link: TvLink,
    private readonly client: MqttClient,
    private readonly muni: string,
  ) {
    client.on('message', (_t, m) => this.alerts.push(JSON.parse(m.toString()) as SimAlert));
  }
  /** Connect with the TV's own credentials and subscribe to its own alert topic. */
  static async connect(h: UiHarness, link: TvLink): Promise<SimTv> {
    const p = new URLSearchParams(new URL(link.url).hash.slice(1));
    const client = await mqtt.connectAsync(h.system.urls.mqtt, {
      username: p.get('user')!,
      password: p.get('pass')!,
      clientId: p.get('user')!,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
    });
    const tv = new SimTv(link, client, p.get('muni')!);
    await client.subscribeAsync(topics.tvAlert(tv.muni, link.device), { qos: 1 });
    return tv;
  }
  async waitAlert(alertId: string, timeout = 20_000): Promise<SimAlert> {
    const until = Date.now() + timeout;
    for (;;) {
      const a = this.alerts.filter((x) => x.alertId === alertId).at(-1);
      if (a) return a;
      if (Date.now() > until) throw new Error(`TV ${this.link.device} got no alert ${alertId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async receipt(
    alertId: string,
    revision: number,
    state: Receipt['state'],
    ref?: string,
    answer?: Answer,
  ): Promise<void> {
    const r: Receipt = {
      v: 1,
      kind: 'receipt',
      alertId,
      revision,
      state,
      at: new Date().toISOString(),
      ...(ref ? { ref } : {}),
      ...(answer ? { answer } : {}),
    };
    await this.client.publishAsync(topics.tvReceipt(this.muni, this.link.device), JSON.stringify(r), { qos: 1 });
  }
  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
