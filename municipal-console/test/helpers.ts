/**
 * Shared set-up of the console's suites: a real broker under the real policy (@kizuna/broker's
 * embedded aedes, or a private Mosquitto) with real credentials for the municipality and every
 * TV, simulated TVs as real mqtt.js clients, a small municipality, and staff sessions. Nothing
 * here fakes the console.
 */
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, openDb, type Db } from '@kizuna/core';
import { externalMqttUrl } from '@kizuna/test-utils';
import {
  createCredentialStore,
  createEmbeddedBroker,
  startMosquitto,
  usernameOf,
  type BrokerIdentity,
  type CredentialStore,
  type IssuedCredentials,
} from '@kizuna/broker';
import {
  decodeMessage,
  AreaAlertSchema,
  PersonalAlertSchema,
  encodeMessage,
  topics,
  type AreaAlert,
  type PersonalAlert,
  type Receipt,
} from '@kizuna/contract';
import {
  addShelter,
  addZone,
  bindResidentToDevice,
  buildConsoleApp,
  createStaff,
  registerDevice,
  seedResidents,
  type ConsoleApp,
  type ResidentInput,
  type Role,
} from '../src/index.ts';
import { systemClock, type Clock } from '../src/clock.ts';

export const MUNI = '999997';

export type BrokerKind = 'aedes' | 'mosquitto';

/** The brokers the main suites run on: embedded aedes always, a private Mosquitto too when KZ_TEST_MQTT_URL is set (CI). */
export function brokerKinds(): BrokerKind[] {
  return externalMqttUrl() ? ['aedes', 'mosquitto'] : ['aedes'];
}

export interface TestBroker {
  kind: BrokerKind;
  url: string;
  /** The broker's own credential store (its own database, as in a deployment). */
  credentials: CredentialStore;
  /** Credentials for an identity, issued once per broker and remembered. */
  login(identity: BrokerIdentity): Promise<IssuedCredentials>;
  /** The clock the embedded broker expires queued alerts by (consoleWith passes the console's). */
  useClock(clock: Clock): void;
  /** A connected client logged in as `identity` (client id = username, as the policy requires). */
  connectAs(identity: BrokerIdentity, opts?: mqtt.IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

export async function startBroker(kind: BrokerKind = 'aedes'): Promise<TestBroker> {
  let brokerClock: Clock = systemClock;
  const credDb = await openDb({});
  const logger = silentLogger();
  const credentials = await createCredentialStore(credDb, { logger });
  let url: string;
  let stop: () => Promise<void>;
  if (kind === 'mosquitto') {
    const m = await startMosquitto({ credentials, logger });
    url = m.url;
    stop = () => m.close();
  } else {
    // Alerts expire by the console's clock (consoleWith sets it): a test's manual clock, not the wall's.
    const b = await createEmbeddedBroker({ credentials, logger, port: 0, now: () => brokerClock.now().getTime() });
    url = b.mqttUrl;
    stop = () => b.close();
  }
  const issued = new Map<string, IssuedCredentials>();
  const login = async (identity: BrokerIdentity) => {
    const username = usernameOf(identity);
    let c = issued.get(username);
    if (!c) {
      c = await credentials.issue(identity);
      issued.set(username, c);
    }
    return c;
  };
  return {
    kind,
    url,
    credentials,
    login,
    useClock(clock) {
      brokerClock = clock;
    },
    async connectAs(identity, opts = {}) {
      const c = await login(identity);
      return connect(url, c.username, { username: c.username, password: c.password, ...opts });
    },
    async close() {
      await stop();
      await credDb.close();
    },
  };
}

export const tvIdentity = (device: string): BrokerIdentity => ({ kind: 'tv', muni: MUNI, device });

export function connect(url: string, clientId: string, opts: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, protocolVersion: 4, reconnectPeriod: 200, connectTimeout: 5000, ...opts });
}

export class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-11-23T10:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

export const silentLogger = () =>
  createLogger({
    name: 'test',
    level: 'warn',
    destination: new Writable({
      write(_c, _e, cb) {
        cb();
      },
    }),
  });

export function logCapture() {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: new Writable({
      write(c, _e, cb) {
        lines.push(String(c));
        cb();
      },
    }),
  });
  return { logger, lines };
}

/** A simulated TV: a real MQTT client on its own topics and the area topics, keeping what it got. */
export class SimTv {
  personal: PersonalAlert[] = [];
  area = new Map<string, AreaAlert | null>();
  constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === topics.tvAlert(MUNI, id))
        this.personal.push(decodeMessage(PersonalAlertSchema, payload, 'personal-alert'));
      else if (topic.startsWith(`kz/${MUNI}/area/`))
        this.area.set(topic, payload.length ? decodeMessage(AreaAlertSchema, payload, 'area-alert') : null);
    });
  }
  static async start(broker: TestBroker, id: string, opts: mqtt.IClientOptions = {}) {
    const c = await broker.connectAs(tvIdentity(id), opts);
    const tv = new SimTv(id, c);
    await c.subscribeAsync([topics.tvAlert(MUNI, id), topics.areaAll(MUNI)], { qos: 1 });
    return tv;
  }
  /** The message the TV would show: the highest revision of each alert. */
  latest(alertId: string): PersonalAlert | undefined {
    return this.personal.filter((p) => p.alertId === alertId).sort((a, b) => b.revision - a.revision)[0];
  }
  async receipt(r: Omit<Receipt, 'v' | 'kind' | 'at'> & { at?: string }) {
    await this.client.publishAsync(
      topics.tvReceipt(MUNI, this.id),
      encodeMessage({ v: 1, kind: 'receipt', at: new Date().toISOString(), ...r }),
      { qos: 1 },
    );
  }
  close() {
    return this.client.endAsync(true);
  }
}

export async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const square = (lon0: number, lat0: number, d = 0.02): [number, number][] => [
  [lon0, lat0],
  [lon0 + d, lat0],
  [lon0 + d, lat0 + d],
  [lon0, lat0 + d],
  [lon0, lat0],
];

const person = (
  p: Partial<ResidentInput> & Pick<ResidentInput, 'id' | 'familyName' | 'givenName' | 'zone'>,
): ResidentInput => ({
  familyKana: 'カナ',
  givenKana: 'カナ',
  address: `絆市${p.id}`,
  birthDate: '1980-01-01',
  sex: 2,
  language: 'ja',
  needsHelp: false,
  ...p,
});

/**
 * A small town: riverside zone (z-kawabe) and hillside zone (z-yamate).
 *  tv-h1 (riverside): household of 山田 太郎 (needs help, elderly) and 山田 花子
 *  tv-s1 (riverside): John Smith (en)
 *  tv-s2 (hillside): 佐藤 健
 *  tv-u1 (riverside): nobody bound (area message only)
 * Shelters: a school safe in floods (hillside), a hall NOT safe in floods (riverside), a welfare centre.
 */
export async function seedTown(db: Db) {
  await addZone(db, { id: 'z-kawabe', name: '川辺地区', nameEn: 'Kawabe', polygon: square(140.0, 36.0) });
  await addZone(db, { id: 'z-yamate', name: '山手地区', nameEn: 'Yamate', polygon: square(140.04, 36.0) });
  await addShelter(db, {
    id: 'sh-school',
    name: '第一小学校',
    address: '絆市山手1-2-3',
    nameLatin: 'Daiichi Elementary School',
    addressLatin: '1-2-3 Yamate, Kizuna City',
    lat: 36.012,
    lon: 140.045,
    capacity: 300,
    hazards: ['flood', 'earthquake'],
    welfare: false,
  });
  await addShelter(db, {
    id: 'sh-hall',
    name: '川辺公民館',
    address: '絆市川辺1-1',
    lat: 36.005,
    lon: 140.005,
    capacity: 100,
    hazards: ['earthquake', 'landslide'],
    welfare: false,
  });
  await addShelter(db, {
    id: 'sh-welfare',
    name: '福祉センターさくら',
    address: '絆市山手3-8-10',
    lat: 36.015,
    lon: 140.05,
    capacity: 20,
    hazards: ['flood', 'earthquake'],
    welfare: true,
  });
  await seedResidents(db, [
    person({
      id: 'R1',
      familyName: '山田',
      givenName: '太郎',
      familyKana: 'ヤマダ',
      givenKana: 'タロウ',
      sex: 1,
      birthDate: '1941-04-12',
      needsHelp: true,
      supporter: '民生委員 佐々木',
      phone: '0299-00-0001',
      household: 'H1',
      zone: 'z-kawabe',
      lat: 36.004,
      lon: 140.004,
    }),
    person({
      id: 'R2',
      familyName: '山田',
      givenName: '花子',
      familyKana: 'ヤマダ',
      givenKana: 'ハナコ',
      birthDate: '1985-09-30',
      household: 'H1',
      zone: 'z-kawabe',
      lat: 36.004,
      lon: 140.004,
    }),
    person({
      id: 'R3',
      familyName: 'スミス',
      givenName: 'ジョン',
      familyKana: 'スミス',
      givenKana: 'ジョン',
      familyNameLatin: 'Smith',
      givenNameLatin: 'John',
      sex: 1,
      language: 'en',
      household: 'H2',
      zone: 'z-kawabe',
      lat: 36.01,
      lon: 140.01,
    }),
    person({
      id: 'R4',
      familyName: '佐藤',
      givenName: '健',
      familyKana: 'サトウ',
      givenKana: 'ケン',
      sex: 1,
      household: 'H3',
      zone: 'z-yamate',
      lat: 36.01,
      lon: 140.05,
    }),
    person({
      id: 'R5',
      familyName: '鈴木',
      givenName: '幸子',
      familyKana: 'スズキ',
      givenKana: 'サチコ',
      household: 'H4',
      zone: 'z-kawabe',
      lat: 36.002,
      lon: 140.002,
    }),
  ]);
  await registerDevice(db, [
    { id: 'tv-h1', zone: 'z-kawabe', household: 'H1' },
    { id: 'tv-s1', zone: 'z-kawabe', household: 'H2' },
    { id: 'tv-s2', zone: 'z-yamate', household: 'H3' },
    { id: 'tv-u1', zone: 'z-kawabe' },
  ]);
  await bindResidentToDevice(db, [
    { residentId: 'R1', deviceId: 'tv-h1', authSerial: 'a1' },
    { residentId: 'R2', deviceId: 'tv-h1', authSerial: 'a2' },
    { residentId: 'R3', deviceId: 'tv-s1', authSerial: 'a3' },
    { residentId: 'R4', deviceId: 'tv-s2', authSerial: 'a4' },
  ]);
}

export async function staffToken(app: ConsoleApp, username: string, roles: Role[]): Promise<string> {
  await createStaff(app.kz.db, { username, password: `${username}-password-1`, roles });
  const r = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password: `${username}-password-1` },
  });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.body}`);
  return r.json().token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function consoleWith(
  db: Db,
  broker: TestBroker,
  clock?: Clock,
  extra: Partial<Parameters<typeof buildConsoleApp>[0]> = {},
) {
  if (clock) broker.useClock(clock);
  const mqttClient = await broker.connectAs({ kind: 'municipality', muni: MUNI });
  const app = await buildConsoleApp({
    db,
    logger: silentLogger(),
    mqtt: mqttClient,
    muni: MUNI,
    clock,
    tickS: 0,
    liveThrottleMs: 50,
    credentials: broker.credentials,
    ...extra,
  });
  return {
    app,
    mqtt: mqttClient,
    async close() {
      await app.close();
      await mqttClient.endAsync(true);
    },
  };
}

/**
 * Issue an alert as staff do: store the draft, read its send confirmation, send with what it showed.
 * Answers the send's response (200 with the alert, or the send's error); a refused draft answers its own.
 */
export async function issueAlert(
  app: ConsoleApp,
  token: string,
  spec: object,
  query = '',
): Promise<Awaited<ReturnType<ConsoleApp['inject']>>> {
  const headers = bearer(token);
  const draft = await app.inject({ method: 'POST', url: '/api/alerts', headers, payload: { ...spec, draft: true } });
  if (draft.statusCode !== 201) return draft;
  const id = draft.json().id as string;
  const seen = await app.inject({ url: `/api/alerts/${id}/confirmation`, headers });
  if (seen.statusCode !== 200) return seen;
  const { revision, digest } = seen.json() as { revision: number; digest: string };
  return app.inject({
    method: 'POST',
    url: `/api/alerts/${id}/send${query}`,
    headers,
    payload: { revision, digest },
  });
}

type Reply = Awaited<ReturnType<ConsoleApp['inject']>>;

/** Send alert `id`'s draft (a new alert's, or an active alert's stored update or cancel) as its confirmation shows it. */
export async function sendDraft(app: ConsoleApp, token: string, id: string, query = ''): Promise<Reply> {
  const headers = bearer(token);
  const seen = await app.inject({ url: `/api/alerts/${id}/confirmation`, headers });
  if (seen.statusCode !== 200) return seen;
  const { revision, digest, warnings } = seen.json() as { revision: number; digest: string; warnings?: string[] };
  return app.inject({
    method: 'POST',
    url: `/api/alerts/${id}/send${query}`,
    headers,
    payload: { revision, digest, ...(warnings?.length ? { acknowledged: warnings } : {}) },
  });
}

/** Update an active alert as staff do: store the draft revision, read its confirmation, send it. */
export async function updateAlert(
  app: ConsoleApp,
  token: string,
  id: string,
  patch: object,
  query = '',
): Promise<Reply> {
  const headers = bearer(token);
  const draft = await app.inject({
    method: 'POST',
    url: `/api/alerts/${id}/update`,
    headers,
    payload: { ...patch, draft: true },
  });
  if (draft.statusCode !== 200) return draft;
  return sendDraft(app, token, id, query);
}

/**
 * End an alert as staff do: for an active alert read GET …/ending and carry its revision and digest
 * (cancel: 取消, sent in error; lift: 解除); a draft or an alert waiting for approval is withdrawn with none.
 */
export async function endAlert(
  app: ConsoleApp,
  token: string,
  id: string,
  how: 'cancel' | 'lift' = 'cancel',
  query = '',
): Promise<Reply> {
  const headers = bearer(token);
  const end = how === 'lift' ? 'lifted' : 'sent-in-error';
  const seen = await app.inject({ url: `/api/alerts/${id}/ending?end=${end}`, headers });
  const body = seen.statusCode === 200 ? (seen.json() as { revision: number; digest: string }) : undefined;
  return app.inject({
    method: 'POST',
    url: `/api/alerts/${id}/${how}${query}`,
    headers,
    ...(body ? { payload: { revision: body.revision, digest: body.digest } } : {}),
  });
}
