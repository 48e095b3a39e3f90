/**
 * The terminal service as one fastify app built from injected parts: the local store (PGlite),
 * the MQTT link, the roster source and the card verifier. It serves the kiosk (web/) and the
 * small JSON API the kiosk drives. `startTerminal` listens; `server.ts` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createHttpServer, listen, openDb, type Db, type KzFastify, type Logger, type TlsFiles } from '@kizuna/core';
import type { ReconnectPolicy } from '@kizuna/contract';
import { bridgeClientModule, kioskCsp } from './kiosk-assets.ts';
import { MqttLink } from './mqtt-link.ts';
import { RosterSource } from './roster.ts';
import { migrateTerminalDb, TerminalStore } from './store.ts';
import { ShelterTerminal } from './terminal.ts';
import type { CardVerifier } from './verifier.ts';

export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

export interface TerminalAppOptions {
  db: Db;
  logger: Logger;
  muni: string;
  shelter: string;
  terminal: string;
  /** Broker; omit to run with no broker at all (events stay in the outbox). */
  mqttUrl?: string | undefined;
  mqttCredentials?: { username: string; password: string } | undefined;
  /** Municipal console (roster). */
  consoleUrl?: string | undefined;
  verifier?: CardVerifier | undefined;
  /** Serve the kiosk over HTTPS from these PEM files. */
  tls?: TlsFiles | undefined;
  /** The card-reader bridge the kiosk page connects to (jpki startCardBridge, ws://…); omit for no reader (manual check-in only). */
  cardBridgeUrl?: string | undefined;
  clock?: () => Date;
  capacity?: number | undefined;
  warnRatio?: number;
  rosterRefreshMs?: number;
  /** In-flight window of the outbox sender. */
  sendWindow?: number;
  /** Broker reconnect backoff; omitted fields keep the contract's RECONNECT_DEFAULTS. */
  reconnect?: Partial<ReconnectPolicy> | undefined;
}

export type TerminalApp = KzFastify & { terminal: ShelterTerminal; link: MqttLink | null; roster: RosterSource };

const Manual = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    ageGroup: Type.Optional(Type.Union([Type.Literal('child'), Type.Literal('adult'), Type.Literal('senior')])),
    household: Type.Optional(Type.String({ maxLength: 100 })),
    needsCare: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function buildTerminalApp(o: TerminalAppOptions): Promise<TerminalApp> {
  const csp = kioskCsp(o.cardBridgeUrl);
  const bridgeClient = await bridgeClientModule();
  await migrateTerminalDb(o.db);
  const store = new TerminalStore(o.db, { muni: o.muni, shelter: o.shelter, terminal: o.terminal }, o.clock);
  const roster = new RosterSource({
    store,
    logger: o.logger,
    consoleUrl: o.consoleUrl,
    credentials: o.mqttCredentials,
  });
  await roster.loadCached();
  const refreshRoster = () => {
    if (!o.consoleUrl) return;
    roster
      .refresh()
      .catch((e: Error & { code?: string }) =>
        o.logger.warn({ code: e.code, err: e.message }, 'roster refresh failed; using the cached one'),
      );
  };
  let link: MqttLink | null = null;
  const terminal = new ShelterTerminal({
    store,
    roster,
    logger: o.logger,
    verifier: o.verifier,
    clock: o.clock,
    capacity: o.capacity,
    warnRatio: o.warnRatio,
    onRecorded: () => link?.kick(),
  });
  if (o.mqttUrl && o.mqttCredentials) {
    link = new MqttLink({
      url: o.mqttUrl,
      ...o.mqttCredentials,
      store,
      logger: o.logger,
      window: o.sendWindow,
      reconnect: o.reconnect,
      onConnect: refreshRoster,
    });
  } else {
    refreshRoster();
  }
  const timer = setInterval(refreshRoster, o.rosterRefreshMs ?? 300_000);
  timer.unref();

  const base = await createHttpServer({
    name: 'evacuation-center',
    logger: o.logger,
    ready: () => true,
    bodyLimit: 64 * 1024,
    tls: o.tls,
  });
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('terminal', terminal);
  app.decorate('link', link);
  app.decorate('roster', roster);
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await link?.close();
  });
  // helmet's policy would keep the page from reaching the card-reader bridge on its own port
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-security-policy', csp);
    return payload;
  });
  await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/', index: ['index.html'] });
  app.get('/vendor/bridge-client.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(bridgeClient),
  );

  app.get('/api/status', async () => {
    const r = roster.current;
    const backlog = await store.backlog();
    return {
      muni: o.muni,
      shelter: o.shelter,
      terminal: o.terminal,
      shelterName: r?.roster.shelterName ?? null,
      welfare: r?.roster.welfare ?? false,
      cardReader: { bridgeUrl: o.cardBridgeUrl ?? null },
      occupancy: await terminal.occupancy(),
      link: {
        configured: !!link,
        connected: link?.connected ?? false,
        peers: link?.peers ?? 'pending',
        backlog: backlog.count,
        oldestUnsent: backlog.oldest,
        lastSentAt: link?.lastSentAt ?? null,
      },
      roster: r
        ? {
            version: r.roster.version,
            fetchedAt: r.fetchedAt,
            people: r.size,
            wholeMunicipality: r.wholeMunicipality,
            lastRefresh: roster.lastRefresh,
            lastError: roster.lastError?.code ?? null,
          }
        : { version: null, fetchedAt: null, people: 0, lastError: roster.lastError?.code ?? null },
    };
  });

  app.get('/api/present', async () => ({ people: await terminal.present() }));

  app.post(
    '/api/taps',
    {
      schema: {
        body: Type.Object({
          certificate: Type.String({ minLength: 1, maxLength: 16384, pattern: '^[A-Za-z0-9+/=\\s]+$' }),
        }),
      },
    },
    async (req) => terminal.tap(new Uint8Array(Buffer.from(req.body.certificate, 'base64'))),
  );

  app.post(
    '/api/check-ins',
    {
      schema: {
        body: Type.Object(
          {
            tap: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
            rosterKeys: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), { maxItems: 50 })),
            manual: Type.Optional(Manual),
            override: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await terminal.checkIn(req.body)),
  );

  app.post(
    '/api/check-outs',
    {
      schema: {
        body: Type.Object(
          {
            personKeys: Type.Array(Type.String({ pattern: '^[rcm]:[A-Za-z0-9_-]{1,64}$' }), {
              minItems: 1,
              maxItems: 50,
            }),
            toShelter: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await terminal.checkOut(req.body)),
  );

  app.post(
    '/api/undo',
    {
      schema: {
        body: Type.Object(
          { eventIds: Type.Array(Type.String({ minLength: 8, maxLength: 64 }), { minItems: 1, maxItems: 50 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await terminal.undo(req.body.eventIds)),
  );

  app.post('/api/roster/refresh', async () => ({ outcome: await roster.refresh() }));

  return base as TerminalApp;
}

export interface StartTerminalOptions extends Omit<TerminalAppOptions, 'db'> {
  db?: Db;
  /** PGlite data directory when no db is given; 'memory' for none. */
  dataDir?: string;
  host?: string;
  port?: number;
}

/** Listen (default port 18820) and return the URL and a close() that also closes a db it opened. */
export async function startTerminal(
  o: StartTerminalOptions,
): Promise<{ url: string; app: TerminalApp; close(): Promise<void> }> {
  const db = o.db ?? (await openDb({ dataDir: o.dataDir ?? 'memory' }));
  const app = await buildTerminalApp({ ...o, db });
  const url = await listen(app, o.host ?? '127.0.0.1', o.port ?? 18820).catch(async (e) => {
    await app.close();
    if (!o.db) await db.close();
    throw e;
  });
  return {
    url,
    app,
    async close() {
      await app.close();
      if (!o.db) await db.close();
    },
  };
}
