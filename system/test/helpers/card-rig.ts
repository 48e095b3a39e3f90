/**
 * The whole card path on real parts: the jpki test authority (cards, OCSP, links), the embedded
 * broker with its credential store, the municipal console with card binding enabled, the insurer
 * gateway (the gateway's own test harness, @kizuna/insurer-gateway/testing, listening), the card-reader bridge offering the cards, and the TV
 * server forwarding /console and /gateway. The TV gets `console=/console&postbox=/gateway`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'puppeteer';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createAuthority,
  createVerifier,
  JpkiClient,
  startCardBridge,
  type Authority,
  type IssuedCard,
  type Person,
} from '@kizuna/jpki';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '@kizuna/broker';
import {
  addZone,
  inProcessAuthorityLinks,
  registerDevice,
  seedResidents,
  startConsole,
  type StartedConsole,
} from '@kizuna/municipal-console';
import { buildTvBundle, startTvApp, type TvAppServer } from '@kizuna/tv-app';
import { dbEngines, launchBrowser, waitVisibleText } from '@kizuna/test-utils';
import { openHarness, type Harness, type Resident } from '@kizuna/insurer-gateway/testing';
import { consoleDeviceBindings } from '@kizuna/insurer-gateway';

export const MUNI = '999996';

let bundle: Promise<string> | null = null;
/** Build once per test file (each runs in its own process) into a private directory; KZ_TV_TEST_MINIFY=0 keeps it readable. */
function builtBundle(): Promise<string> {
  bundle ??= mkdtemp(join(tmpdir(), 'kz-tv-dist-')).then(
    async (dir) => (await buildTvBundle({ outDir: dir, minify: process.env.KZ_TV_TEST_MINIFY !== '0' })).outDir,
  );
  return bundle;
}
export const ZONE = 'z-kawabe';

export interface Person2 {
  id: string;
  person: Person;
  family: string;
  given: string;
  pin: string;
  password: string;
  label: string;
}

/** Residents of the test town; each gets a card. Names as the register and the card both hold them. */
export const PEOPLE: Person2[] = [
  {
    id: 'R1',
    family: '山田',
    given: '太郎',
    person: { name: '山田　太郎', address: '絆市川辺一丁目1番1号', birthDate: '1941-04-12', sex: 1 },
    pin: '1234',
    password: 'TARO2026',
    label: 'R00001 山田 太郎',
  },
  {
    id: 'R2',
    family: '山田',
    given: '花子',
    person: { name: '山田　花子', address: '絆市川辺一丁目1番1号', birthDate: '1944-06-03', sex: 2 },
    pin: '2345',
    password: 'HANAKO26',
    label: 'R00002 山田 花子',
  },
  {
    id: 'R3',
    family: '佐藤',
    given: '清',
    person: { name: '佐藤　清', address: '絆市川辺二丁目3番4号', birthDate: '1938-01-20', sex: 1 },
    pin: '3456',
    password: 'KIYOSHI1',
    label: 'R00003 佐藤 清',
  },
  {
    id: 'R4',
    family: '鈴木',
    given: '一郎',
    person: { name: '鈴木　一郎', address: '絆市川辺三丁目5番6号', birthDate: '1950-09-09', sex: 1 },
    pin: '4567',
    password: 'ICHIRO50',
    label: 'R00004 鈴木 一郎',
  },
];

export interface CardRig {
  authority: Authority;
  cards: Map<string, IssuedCard>;
  broker: EmbeddedBroker;
  console: StartedConsole;
  consoleDb: Db;
  gateway: Harness;
  gatewayUrl: string;
  tv: TvAppServer;
  browser: Browser;
  bridgeUrl: string;
  /** A new TV registered at the console, with broker credentials. */
  newTv(): Promise<{ device: string; creds: IssuedCredentials }>;
  openTv(device: string, creds: IssuedCredentials, extra?: string): Promise<Page>;
  resident(id: string): Resident;
  /** Stop / restart the console's listener (a lost server); same port. */
  close(): Promise<void>;
}

let seq = 0;

/** A card the bridge offers besides PEOPLE's (say one made of two people's cards, to test a swap). */
export interface ExtraCard {
  id: string;
  label: string;
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

export async function startCardRig(
  opts: { extraCards?: (cards: Map<string, IssuedCard>) => ExtraCard[] } = {},
): Promise<CardRig> {
  const logger = createLogger({ name: 'tv-card-test', level: 'warn' });
  const closers: (() => Promise<unknown>)[] = [];
  const authority = await createAuthority();
  const verifier = createVerifier({ trustAnchors: authority.trustAnchors(), status: authority.statusSource() });

  const brokerDb = await openDb({});
  closers.push(() => brokerDb.close());
  const credentials = await createCredentialStore(brokerDb, { logger });
  const broker = await createEmbeddedBroker({ credentials, logger, host: '127.0.0.1', port: 0, wsPort: 0 });
  closers.push(() => broker.close());

  const consoleDb = await openDb({});
  closers.push(() => consoleDb.close());
  const muniCreds = await credentials.issue({ kind: 'municipality', muni: MUNI });
  const muniMqtt: MqttClient = await mqtt.connectAsync(broker.mqttUrl, {
    ...muniCreds,
    clientId: muniCreds.username,
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 500,
  });
  closers.push(() => muniMqtt.endAsync(true));
  const cons = await startConsole({
    db: consoleDb,
    logger,
    mqtt: muniMqtt,
    muni: MUNI,
    port: 0,
    tickS: 0,
    verifier,
    authorityLinks: inProcessAuthorityLinks(authority),
    credentials,
  });
  closers.push(() => cons.close());
  await addZone(consoleDb, {
    id: ZONE,
    name: '川辺地区',
    polygon: [
      [140.0, 36.0],
      [140.1, 36.0],
      [140.1, 36.1],
      [140.0, 36.1],
      [140.0, 36.0],
    ],
  });
  await seedResidents(
    consoleDb,
    PEOPLE.map((p) => ({
      id: p.id,
      familyName: p.family,
      givenName: p.given,
      familyKana: 'ヤマダ',
      givenKana: 'タロウ',
      address: p.person.address,
      birthDate: p.person.birthDate,
      sex: p.person.sex as 1 | 2,
      language: 'ja' as const,
      needsHelp: false,
      zone: ZONE,
    })),
  );

  const cards = new Map<string, IssuedCard>();
  for (const p of PEOPLE)
    cards.set(
      p.id,
      await authority.issueCard(p.person, { authPin: p.pin, signPassword: p.password }, { label: p.label }),
    );
  const bridge = await startCardBridge({
    port: 0,
    logger,
    cards: [
      ...PEOPLE.map((p) => ({
        id: p.id,
        label: p.label,
        transmit: (apdu: Uint8Array) => cards.get(p.id)!.card.transmit(apdu),
      })),
      ...(opts.extraCards?.(cards) ?? []),
    ],
  });
  closers.push(() => bridge.close());

  // The post-box operator: its own broker identity, which also asks the console about TV bindings.
  const postboxCreds = await credentials.issue({ kind: 'postbox' });
  const postboxMqtt: MqttClient = await mqtt.connectAsync(broker.mqttUrl, {
    ...postboxCreds,
    clientId: postboxCreds.username,
    protocolVersion: 4,
  });
  closers.push(() => postboxMqtt.endAsync(true));
  const engine = dbEngines()[0]!;
  const gateway = await openHarness(
    engine,
    { authority, verifier },
    { mqtt: postboxMqtt, devices: consoleDeviceBindings({ consoles: { [MUNI]: cons.url }, ...postboxCreds }) },
  );
  const gatewayUrl = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => gateway.close());

  const tv = await startTvApp({
    port: 0,
    distDir: await builtBundle(),
    logger,
    upstreams: { console: cons.url, gateway: gatewayUrl },
  });
  closers.push(() => tv.close());
  const browser = await launchBrowser({ width: 1920, height: 1080 });
  closers.push(() => browser.close());

  const rig: CardRig = {
    authority,
    cards,
    broker,
    console: cons,
    consoleDb,
    gateway,
    gatewayUrl,
    tv,
    browser,
    bridgeUrl: bridge.url,
    async newTv() {
      const device = `tv-card-${++seq}-${Math.random().toString(36).slice(2, 6)}`;
      const creds = await credentials.issue({ kind: 'tv', muni: MUNI, device });
      await registerDevice(consoleDb, { id: device, zone: ZONE, brokerUsername: creds.username });
      return { device, creds };
    },
    async openTv(device, creds, extra = '') {
      const page = await browser.newPage();
      page.on('pageerror', (e) =>
        console.error(
          '[tv page error]',
          process.env.KZ_TV_TEST_MINIFY === '0' ? (e as Error).stack : (e as Error).message,
        ),
      );
      const hash = new URLSearchParams({
        device,
        muni: MUNI,
        mqtt: broker.wsUrl!,
        user: creds.username,
        pass: creds.password,
        lang: 'ja',
        inspect: '1',
        console: '/console',
        postbox: '/gateway',
        bridge: bridge.url,
        zone: ZONE,
      });
      await page.goto(`${tv.url}/#${hash.toString()}${extra}`);
      await waitVisibleText(page, '', 'Home'); // Home drawn, in whatever language
      return page;
    },
    resident(id) {
      const p = PEOPLE.find((x) => x.id === id)!;
      const c = cards.get(id)!;
      return {
        client: new JpkiClient(c.card),
        card: c.card,
        authSerial: c.authSerial,
        signSerial: c.signSerial,
        password: p.password,
        pin: p.pin,
      };
    },
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
    },
  };
  return rig;
}
