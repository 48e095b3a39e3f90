/**
 * The whole system in one process on embedded defaults: each organisation still has its own
 * database and its own ids (分散管理), only the process is shared. Used by `npm start` and by
 * the end-to-end tests (with KZ_DATA_DIR=memory and port 0 everywhere).
 */
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { coreErrors, listen, openDb, createLogger, type Db, type Logger } from '@kizuna/core';
import { createAuthority, createVerifier, startAuthorityServer, startCardBridge, type Authority } from '@kizuna/jpki';
import { jpkiCardVerifier, startTerminal } from '@kizuna/evacuation-center';
import {
  addApiKey,
  authorityCardLinks,
  authorityLinks,
  challengeLogin,
  consoleDeviceBindings,
  createEvidenceVerifier,
  createInsurer,
  createWatchSource,
  authorityRevocationFeed,
  listApiKeys,
  listInsurers,
  revokeApiKey,
  startGateway,
} from '@kizuna/insurer-gateway';
import { createChallengeService } from '@kizuna/jpki';
import { randomBytes } from 'node:crypto';
import { buildAuthService, createCredentialStore, nodeOrderFor, type CredentialStore } from '@kizuna/broker';
import {
  connectPublishers,
  inProcessAuthorityLinks,
  loadAuditKey,
  startConsole,
  type StartedConsole,
} from '@kizuna/municipal-console';
import { buildTvBundle, startTvApp } from '@kizuna/tv-app';
import type { SystemConfig } from './config.ts';
import { startSettings } from './start-settings.ts';
import { DEMO_INSURER, DEMO_MUNI, DEMO_SHELTERS } from './demo-data.ts';
import { seedDemo, type DemoSeed } from './seed.ts';
import { credentialsFor } from './credentials.ts';
import { startSystemBroker, type SystemBroker } from './system-broker.ts';

export interface TvLink {
  device: string;
  zone: string;
  residents: string[];
  url: string;
}

export interface InsurerAccess {
  insurerId: string;
  keyId: string;
  secret: string;
  operatorToken: string;
}

export interface RunningSystem {
  insurer: InsurerAccess;
  urls: {
    console: string;
    tv: string;
    authority: string;
    /** The first node's MQTT and MQTT-over-WebSocket URLs. */
    mqtt: string;
    mqttWs: string;
    /** Every node's (one for the embedded broker). */
    mqttNodes: string[];
    mqttWsNodes: string[];
    bridge: string;
    shelter: string;
    gateway: string;
  };
  tvs: TvLink[];
  authority: Authority;
  credentials: CredentialStore;
  /** The broker the parts use (KZ_SYSTEM_BROKER): the private cluster's nodes for tests that stop one. */
  broker: SystemBroker;
  consoleDb: Db;
  console: StartedConsole;
  seed: DemoSeed;
  close(): Promise<void>;
}

export interface StartSystemOptions {
  config: SystemConfig;
  logger?: Logger;
  /** Progress lines for a person watching start-up. */
  progress?: (line: string) => void;
  /** Build the TV bundle into this directory (tests use a private one); default tv-app/dist. */
  tvDistDir?: string;
  /** Where the parts' own variables (KZ_GATEWAY_*, KZ_JPKI_*, KZ_BROKER_AUTH_PORT) are read; default process.env. */
  env?: Record<string, string | undefined>;
}

/** mqtt.js's `servers` for a cluster's nodes in the order to try them (mqtt.js moves to the next on each reconnect). */
function failoverServers(list: readonly string[]): { servers?: IClientOptions['servers'] } {
  if (list.length < 2) return {};
  return {
    servers: list.map((u) => {
      const p = new URL(u);
      return { host: p.hostname, port: Number(p.port), protocol: p.protocol.replace(':', '') as 'mqtt' | 'mqtts' };
    }),
  };
}

/** `urls`: one broker, or a cluster's nodes in the order to try them (mqtt.js moves to the next on each reconnect). */
export async function connectMqtt(
  urls: string | readonly string[],
  creds: { username: string; password: string },
): Promise<MqttClient> {
  const list = typeof urls === 'string' ? [urls] : urls;
  const client = mqtt.connect(list[0]!, {
    ...failoverServers(list),
    ...creds,
    clientId: creds.username,
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
  return client;
}

export async function startSystem(opts: StartSystemOptions): Promise<RunningSystem> {
  const cfg = opts.config;
  const say = opts.progress ?? (() => undefined);
  const logger = opts.logger ?? createLogger({ name: 'kizuna', level: cfg.KZ_LOG_LEVEL });
  const memory = cfg.KZ_DATA_DIR === 'memory';
  const dir = (sub: string) => (memory ? undefined : join(cfg.KZ_DATA_DIR, sub));
  const host = cfg.KZ_HOST;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e) => logger.warn({ err: e }, 'close failed'));
  };

  if (!!cfg.KZ_TLS_CERT_FILE !== !!cfg.KZ_TLS_KEY_FILE) {
    throw coreErrors.KZ_CONFIG_INVALID('KZ_TLS_CERT_FILE and KZ_TLS_KEY_FILE go together: set both or neither');
  }
  const tls =
    cfg.KZ_TLS_CERT_FILE && cfg.KZ_TLS_KEY_FILE
      ? { certFile: cfg.KZ_TLS_CERT_FILE, keyFile: cfg.KZ_TLS_KEY_FILE }
      : undefined;
  const parts = startSettings(cfg, opts.env);
  const au = parts.authority;
  const gw = parts.gateway;
  const con = parts.console;
  try {
    say('authority: loading the test certificate authority (J-LIS stand-in)');
    const authority = await createAuthority({
      dataDir: au.dataDir ?? dir('authority'),
      publicUrl: au.publicUrl,
      ocspValidityMs: au.ocspValidityMs,
      crlValidityMs: au.crlValidityMs,
    });
    const authorityServer = await startAuthorityServer({
      authority,
      host: au.host,
      port: au.port,
      logger: logger.child({ part: 'jpki' }, { level: au.logLevel }),
      tls: au.tls,
    });
    closers.push(() => authorityServer.close());

    // Every part that checks a card asks the authority's OCSP in-process (fail closed).
    const verifier = createVerifier({
      trustAnchors: authority.trustAnchors().certificates,
      status: authority.statusSource(),
    });

    say(
      cfg.KZ_SYSTEM_BROKER === 'embedded'
        ? 'broker: credential store and embedded MQTT broker'
        : cfg.KZ_SYSTEM_BROKER === 'rabbitmq-cluster'
          ? `broker: credential store and a ${cfg.KZ_SYSTEM_BROKER_NODES}-node RabbitMQ cluster (about a minute)`
          : 'broker: credential store; the MQTT cluster at KZ_SYSTEM_MQTT_URLS',
    );
    const brokerDb = await openDb({ url: cfg.KZ_BROKER_DATABASE_URL, dataDir: dir('broker-db') });
    closers.push(() => brokerDb.close());
    const credentials = await createCredentialStore(brokerDb, { logger });
    const broker = await startSystemBroker({
      config: cfg,
      credentials,
      logger,
      host,
      tls,
      limits: parts.brokerLimits,
      authPort: parts.brokerAuthPort,
    });
    closers.push(() => broker.close());
    // Each part on its own node first, the others to fail over to.
    const nodesFor = (username: string) => nodeOrderFor(broker.mqttUrls, username);
    if (parts.brokerAuthPort !== undefined && !broker.servesAuth) {
      // RabbitMQ's HTTP auth backend over this credential store, as the broker alone serves it
      const auth = await buildAuthService({ credentials, logger });
      closers.push(() => auth.close());
      await listen(auth, host, parts.brokerAuthPort);
    }

    say('municipality: database and demo data');
    const consoleDb = await openDb({
      url: cfg.KZ_CONSOLE_DATABASE_URL,
      dataDir: con.dataDir ?? dir('municipality-db'),
    });
    closers.push(() => consoleDb.close());
    const muniCreds = await credentialsFor(credentials, { kind: 'municipality', muni: DEMO_MUNI.code });
    const muniNodes = nodesFor(muniCreds.username);
    const muniMqtt = await connectMqtt(muniNodes, muniCreds);
    closers.push(async () => {
      await muniMqtt.endAsync(true);
    });
    const muniPublishers = await connectPublishers(
      muniNodes[0]!,
      muniCreds,
      con.publishers,
      logger.child({ part: 'municipal-console' }),
      { ...failoverServers(muniNodes), reconnectPeriod: 1000, connectTimeout: 10_000 },
    );
    closers.push(async () => {
      await Promise.all(muniPublishers.map((p) => p.endAsync(true)));
    });
    const consoleServer = await startConsole({
      ...con.options,
      db: consoleDb,
      logger: logger.child({ part: 'municipal-console' }, { level: con.logLevel }),
      mqtt: muniMqtt,
      publishers: muniPublishers,
      muni: DEMO_MUNI.code,
      host: con.host,
      port: cfg.KZ_CONSOLE_PORT,
      verifier,
      authorityLinks: inProcessAuthorityLinks(authority),
      credentials,
      ...(con.tls ? { tls: con.tls } : {}),
      // the audit chain's key and exported heads beside the database, never in it (docs/OPERATIONS.md)
      auditKey: await loadAuditKey({ value: con.audit.key, file: con.audit.keyFile ?? dir('municipality-audit.key') }),
      ...(con.audit.headFile || !memory
        ? { auditHeadFile: con.audit.headFile ?? dir('municipality-audit-heads.jsonl')! }
        : {}),
    });
    closers.push(() => consoleServer.close());
    // The embedded broker's counters (TV queues dropped) on the console's /metrics. The array is
    // typed as the metrics' descriptions; its items are the metrics themselves.
    const consoleMetrics = consoleServer.app.metrics;
    const embedded = broker.embedded;
    if (embedded) {
      for (const m of embedded.metrics.getMetricsAsArray())
        consoleMetrics.registerMetric(m as unknown as Parameters<typeof consoleMetrics.registerMetric>[0]);
      // In-process broker, sessions in memory: a shelter event is in the console's store before the terminal's PUBACK.
      const unhookAcks = consoleServer.app.kz.ingest.holdShelterAcks(embedded.aedes);
      closers.push(async () => unhookAcks());
    }
    const seed = await seedDemo({ db: consoleDb, authority, credentials, cardsDir: dir('cards'), progress: say });

    // The card-reader bridge offers every demo card, as if each were held over the reader.
    const bridge = await startCardBridge({
      host: au.host,
      port: au.bridgePort,
      logger,
      cards: seed.cards.map((c) => ({
        id: c.residentId,
        label: c.label,
        transmit: (apdu: Uint8Array) => c.card.transmit(apdu),
      })),
    });
    closers.push(() => bridge.close());

    // One terminal at the door of the first shelter, with its own local store and credentials.
    // It verifies cards against the authority in-process (fail closed: no status answer, no tap).
    const shelter = DEMO_SHELTERS[0]!;
    say(`shelter: terminal at ${shelter.name}`);
    const terminalCreds = await credentialsFor(credentials, {
      kind: 'terminal',
      muni: DEMO_MUNI.code,
      shelter: shelter.id,
      terminal: 'door-1',
    });
    const terminal = await startTerminal({
      dataDir: dir(`shelter-${shelter.id}-door-1`) ?? 'memory',
      logger,
      host,
      port: cfg.KZ_SHELTER_PORT,
      muni: DEMO_MUNI.code,
      shelter: shelter.id,
      terminal: 'door-1',
      capacity: shelter.capacity,
      mqttUrl: nodesFor(terminalCreds.username)[0],
      mqttCredentials: terminalCreds,
      consoleUrl: consoleServer.url,
      verifier: jpkiCardVerifier(verifier),
      cardBridgeUrl: bridge.url,
      tls,
    });
    closers.push(() => terminal.close());

    // The post-box operator is another organisation: its own database, its own broker identity.
    say('post-box: insurer gateway and electronic post-box');
    const gatewayDb = await openDb({ url: cfg.KZ_GATEWAY_DATABASE_URL, dataDir: gw.dataDir ?? dir('gateway-db') });
    closers.push(() => gatewayDb.close());
    const postboxCreds = await credentialsFor(credentials, { kind: 'postbox' });
    const postboxMqtt = await connectMqtt(nodesFor(postboxCreds.username), postboxCreds);
    closers.push(async () => {
      await postboxMqtt.endAsync(true);
    });
    const operatorToken = gw.options.operatorToken ?? randomBytes(24).toString('base64url');
    const gatewayVerifier = createVerifier({
      trustAnchors: authority.trustAnchors().certificates,
      status: authority.statusSource(),
      statusCacheMs: gw.statusCacheMs,
      ocspNonce: gw.ocspNonce,
    });
    const gateway = await startGateway({
      ...gw.options,
      db: gatewayDb,
      logger: logger.child({ part: 'insurer-gateway' }, { level: gw.logLevel }),
      verifier: gatewayVerifier,
      mqtt: postboxMqtt,
      operatorToken,
      host: gw.host,
      port: cfg.KZ_GATEWAY_PORT,
      tls: gw.tls,
      challenges: challengeLogin(createChallengeService({ verifier: gatewayVerifier })),
      status: createWatchSource({ db: gatewayDb, verifier: gatewayVerifier, links: authorityLinks(authority) }),
      ...(gw.revocationFeed ? { revocationFeed: authorityRevocationFeed(authority) } : {}),
      evidenceVerifier: createEvidenceVerifier({ trustAnchors: authority.trustAnchors().pem }),
      cardLinks: authorityCardLinks(authority),
      cardStatus: verifier,
      // "mail waiting" only to TVs the console bound to the resident; the operator asks with its broker identity
      devices: consoleDeviceBindings({ consoles: { [DEMO_MUNI.code]: consoleServer.url }, ...postboxCreds }),
    });
    closers.push(() => gateway.close());
    const insurer = await demoInsurerKey(gatewayDb, operatorToken);

    say('tv: building the TV applet');
    const bundle = await buildTvBundle(opts.tvDistDir ? { outDir: opts.tvDistDir } : {});
    // The TV reaches the console's binding API and the post-box through its own origin.
    const tv = await startTvApp({
      host,
      port: cfg.KZ_TV_PORT,
      logger,
      distDir: bundle.outDir,
      upstreams: { console: consoleServer.url, gateway: gateway.url },
    });
    closers.push(() => tv.close());

    const tvs: TvLink[] = seed.tvs.map((t) => {
      const hash = new URLSearchParams({
        device: t.id,
        muni: DEMO_MUNI.code,
        zone: t.zone,
        // The TV's node first, then the others: it fails over in that order (tv-app/README.md).
        mqtt: nodeOrderFor(broker.wsUrls, t.id).join(','),
        ...(broker.tvCleanSessions ? { clean: '1' } : {}),
        user: t.credentials.username,
        pass: t.credentials.password,
        console: '/console',
        bridge: bridge.url,
        postbox: '/gateway',
        lang: t.language,
        // A PC keyboard has no colour keys: R, G, Y and B stand in for them in the demo.
        keys: '82:Red,71:Green,89:Yellow,66:Blue',
      });
      return { device: t.id, zone: t.zone, residents: t.residents, url: `${tv.url}/#${hash.toString()}` };
    });

    return {
      urls: {
        console: consoleServer.url,
        tv: tv.url,
        authority: authorityServer.url,
        mqtt: broker.mqttUrls[0]!,
        mqttWs: broker.wsUrls[0] ?? '',
        mqttNodes: broker.mqttUrls,
        mqttWsNodes: broker.wsUrls,
        bridge: bridge.url,
        shelter: terminal.url,
        gateway: gateway.url,
      },
      insurer,
      tvs,
      authority,
      credentials,
      broker,
      consoleDb,
      console: consoleServer,
      seed,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The demo insurer's API key: created on first start, replaced on every later start (the gateway
 * keeps no way to show a secret again), like the TVs' broker passwords.
 */
async function demoInsurerKey(db: Db, operatorToken: string): Promise<InsurerAccess> {
  const exists = (await listInsurers(db)).some((i) => i.id === DEMO_INSURER.id);
  if (!exists) {
    const c = await createInsurer(db, { id: DEMO_INSURER.id, name: DEMO_INSURER.name });
    return { insurerId: c.insurerId, keyId: c.keyId, secret: c.secret, operatorToken };
  }
  for (const k of await listApiKeys(db, DEMO_INSURER.id))
    if (!k.revokedAt) await revokeApiKey(db, DEMO_INSURER.id, k.keyId);
  const k = await addApiKey(db, DEMO_INSURER.id);
  return { insurerId: DEMO_INSURER.id, keyId: k.keyId, secret: k.secret, operatorToken };
}
