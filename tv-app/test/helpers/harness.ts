/**
 * What the TV tests stand on: a real aedes broker reached over WebSocket (as the TV reaches the
 * embedded broker), the built bundle served by startTvApp, Chromium through test-utils, and a
 * "console" MQTT client that publishes contract-valid alerts and collects receipts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Browser, Page } from 'puppeteer';
import {
  decodeMessage,
  encodeMessage,
  ReceiptSchema,
  topics,
  type AreaAlert,
  type PersonalAlert,
  type Receipt,
  type Recipient,
} from '@kizuna/contract';
import { clientIdAllowed } from '@kizuna/broker';
import { createLogger } from '@kizuna/core';
import { launchBrowser, waitVisibleText } from '@kizuna/test-utils';
import { buildTvBundle, startTvApp, type TvAppServer } from '../../server/index.ts';

export const MUNI = '999997';

let bundle: Promise<string> | null = null;
/** Build once per test file (each runs in its own process) into a private directory; KZ_TV_TEST_MINIFY=0 keeps it readable. */
export function builtBundle(): Promise<string> {
  bundle ??= mkdtemp(join(tmpdir(), 'kz-tv-dist-')).then(
    async (dir) =>
      (
        await buildTvBundle({
          outDir: dir,
          minify: process.env.KZ_TV_TEST_MINIFY !== '0',
          // Another copy of the applet (e.g. an older revision, to see a new test fail on it).
          root: process.env.KZ_TV_TEST_ROOT || undefined,
        })
      ).outDir,
  );
  return bundle;
}

export interface TestBroker {
  aedes: Aedes;
  /** Device credentials the broker accepts (mutable: tests add devices). */
  passwords: Record<string, string>;
  wsUrl: string;
  /** Drop every WebSocket connection and stop listening (the broker keeps its sessions). */
  goAway(): Promise<void>;
  /** Listen again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * aedes with per-device credentials: the broker's own client-id rule (username = client id, or with
 * a clean session a TV connection's `username~name`: clientIdAllowed), password checked.
 */
export async function startBroker(passwords: Record<string, string>): Promise<TestBroker> {
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const ok =
        !!username &&
        clientIdAllowed(username, client.id, { clean: client.clean }) &&
        passwords[username] === password?.toString();
      done(null, ok);
    },
  });
  let http: Server;
  let wss: WebSocketServer;
  let port = 0;
  const listen = async () => {
    http = createServer();
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws, req) => aedes.handle(createWebSocketStream(ws), req));
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  await listen();
  return {
    aedes,
    passwords,
    get wsUrl() {
      return `ws://127.0.0.1:${port}`;
    },
    goAway: stop,
    comeBack: listen,
    async close() {
      await stop();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

/** The municipality's side: publishes alerts, collects the TV's receipts. */
export class ConsoleClient {
  readonly receipts: Receipt[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(broker: TestBroker, id: string, password: string): Promise<ConsoleClient> {
    // A persistent session, as the real console has: while the broker is away and back, the TV may
    // reconnect before this client does, and its queued receipts must wait for us, not be dropped.
    const client = await mqtt.connectAsync(broker.wsUrl, {
      protocolVersion: 4,
      clientId: id,
      username: id,
      password,
      clean: false,
      reconnectPeriod: 500,
    });
    const c = new ConsoleClient(client);
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/receipt')) c.receipts.push(decodeMessage(ReceiptSchema, payload, 'receipt'));
    });
    await client.subscribeAsync(topics.allReceipts(MUNI), { qos: 1 });
    return c;
  }

  async publishAlert(device: string, a: PersonalAlert): Promise<void> {
    await this.client.publishAsync(topics.tvAlert(MUNI, device), encodeMessage(a), { qos: 1 });
  }

  async publishRaw(topic: string, payload: string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async waitReceipt(match: (r: Receipt) => boolean, timeoutMs = 15_000): Promise<Receipt> {
    const t0 = Date.now();
    for (;;) {
      const r = this.receipts.find(match);
      if (r) return r;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`no matching receipt within ${timeoutMs} ms; got ${JSON.stringify(this.receipts)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

let seq = 0;
export function recipient(over: Partial<Recipient> = {}): Recipient {
  return {
    ref: `ref${++seq}`,
    displayName: '山田 花子さん',
    reading: 'ヤマダ ハナコさん',
    language: 'ja',
    needsHelp: false,
    headline: '川辺地区に避難指示が出ました。すぐに避難してください。',
    instruction: '川の水位が上がっています。明るいうちに、近所の人と声をかけあって避難所へ向かってください。',
    shelter: { id: 'sh-daiichi', name: '絆市立第一小学校', address: '絆市山手一丁目2番3号', distanceM: 1200 },
    ...over,
  };
}

export function personalAlert(over: Partial<PersonalAlert> = {}): PersonalAlert {
  const now = Date.now();
  return {
    v: 1,
    kind: 'personal-alert',
    alertId: `al-${now.toString(36)}-${++seq}`,
    revision: 1,
    msgType: 'Alert',
    status: 'Actual',
    level: 4,
    hazard: 'flood',
    sent: new Date(now).toISOString(),
    expires: new Date(now + 3600_000).toISOString(),
    zone: { id: 'z-kawabe', name: '川辺地区' },
    recipients: [recipient()],
    ...over,
  };
}

export const AREA_INSTRUCTION =
  '洪水の危険があります。危険な場所から避難してください。避難先：福祉センターさくら（絆市山手三丁目8番10号、約1.2km）〔福祉避難所〕。';

/** A contract-valid area alert (the message a TV with nobody bound shows) for `zone`. */
export function areaAlert(zone: string, over: Partial<AreaAlert> = {}): AreaAlert {
  const now = Date.now();
  return {
    v: 1,
    kind: 'area-alert',
    alertId: `area-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    revision: 1,
    msgType: 'Alert',
    status: 'Actual',
    level: 4,
    hazard: 'flood',
    sent: new Date(now).toISOString(),
    expires: new Date(now + 3600_000).toISOString(),
    zone: { id: zone, name: '川辺地区' },
    text: {
      ja: {
        headline: '【警戒レベル4 避難指示】川辺地区の皆さん、すぐに避難してください',
        instruction: AREA_INSTRUCTION,
      },
      en: {
        headline: 'Level 4 Evacuation order — everyone in Kawabe, please evacuate now',
        instruction:
          'There is a risk of flooding. Leave dangerous places now. Go to: Sakura Welfare Centre (3-8-10 Yamate, Kizuna City, about 1.2 km) [welfare shelter].',
      },
    },
    ...over,
  };
}

export interface Tv {
  page: Page;
  url: string;
}

export interface Rig {
  broker: TestBroker;
  server: TvAppServer;
  browser: Browser;
  console: ConsoleClient;
  /** The current device id; `freshDevice()` switches to a new one with clean storage. */
  device: string;
  password: string;
  freshDevice(): string;
  /**
   * Open the TV for the current device (a fresh page; storage persists within the browser).
   * `beforeLoad` runs on the page before the applet's document loads (evaluateOnNewDocument).
   */
  openTv(extra?: string, beforeLoad?: (page: Page) => Promise<void>): Promise<Tv>;
  close(): Promise<void>;
}

export async function startRig(device = `tv-${Math.random().toString(36).slice(2, 8)}`): Promise<Rig> {
  const password = 'tv-secret-1';
  const broker = await startBroker({ [device]: password, 'console-test': 'console-secret' });
  const distDir = await builtBundle();
  const server = await startTvApp({ port: 0, distDir, logger: createLogger({ name: 'tv-app', level: 'warn' }) });
  const browser = await launchBrowser({ width: 1920, height: 1080 });
  const cons = await ConsoleClient.connect(broker, 'console-test', 'console-secret');
  const rig: Rig = {
    broker,
    server,
    browser,
    console: cons,
    device,
    password,
    freshDevice() {
      this.device = `tv-${Math.random().toString(36).slice(2, 8)}`;
      broker.passwords[this.device] = password;
      return this.device;
    },
    async openTv(extra = '', beforeLoad?: (page: Page) => Promise<void>) {
      const device = this.device;
      const page = await browser.newPage();
      await beforeLoad?.(page);
      page.on('pageerror', (e) => console.error('[tv page error]', (e as Error).message));
      const url = `${server.url}/#device=${device}&muni=${MUNI}&mqtt=${encodeURIComponent(broker.wsUrl)}&user=${device}&pass=${password}&lang=ja&inspect=1${extra}`;
      await page.goto(url);
      await waitVisibleText(page, '', 'Home'); // Home drawn, in whatever language
      return { page, url };
    },
    async close() {
      await cons.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
      await broker.close();
    },
  };
  return rig;
}

/**
 * Layout check on the inspector mirror: the visible texts of the takeover's panel end above
 * the answer bar and inside the screen (nothing runs under another box or off screen).
 */
export async function takeoverLayoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const bar = document.querySelector('[ref="Takeover"] > [ref="Bottom"]') as HTMLElement | null;
    const panel = document.querySelector('[ref="Takeover"] > [ref="Panel"]') as HTMLElement | null;
    if (!bar || !panel) return ['takeover not found'];
    const barTop = bar.getBoundingClientRect().top;
    for (const el of panel.querySelectorAll('[texture-text]')) {
      const e = el as HTMLElement;
      if (!e.checkVisibility() || !e.getAttribute('texture-text')) continue;
      const r = e.getBoundingClientRect();
      // The lowest part of a text box is room for descenders: allow a few px of it under the bar.
      if (r.bottom > barTop + 12)
        problems.push(
          `${e.getAttribute('ref')} ends at ${Math.round(r.bottom)} below the answer bar at ${Math.round(barTop)}`,
        );
      if (r.right > window.innerWidth) problems.push(`${e.getAttribute('ref')} runs off screen`);
    }
    return problems;
  });
}
