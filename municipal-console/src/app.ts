/**
 * The municipal console's server as one function of its dependencies, so the system launcher
 * can run it in-process (embedded defaults) and tests can drive it with app.inject().
 */
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  createHttpServer,
  listen,
  rateLimitRefusal,
  loadMigrations,
  migrate,
  type Db,
  type KzFastify,
  type Logger,
  type TlsFiles,
} from '@kizuna/core';
import { AlertService } from './alerts/alert-service.ts';
import { systemClock, type Clock } from './clock.ts';
import { Ingest } from './live/ingest.ts';
import { LiveHub } from './live/live-hub.ts';
import { LiveFigures } from './live/live-figures.ts';
import type { ConsoleContext } from './context.ts';
import { sessionRoutes } from './routes/session.ts';
import { registerRoutes } from './routes/register.ts';
import { alertRoutes } from './routes/alerts.ts';
import { approvalRuleRoutes } from './routes/approval-rule.ts';
import { capRoutes } from './routes/cap.ts';
import { jmaRoutes } from './routes/jma.ts';
import { DEFAULT_CAP_LIMITS, type CapLimits } from './alerts/cap-limits.ts';
import { createStaff } from './staff/staff.ts';
import { useAuditKey } from './staff/audit.ts';
import { AuditHeadExport, processAuditKey } from './staff/audit-head.ts';
import { BindingService } from './register/binding.ts';
import type { AuthorityLinks } from './authority-links.ts';
import { bindingRoutes } from './routes/binding.ts';
import { tvDisclosureRoutes } from './routes/tv-disclosures.ts';
import { rosterRoutes } from './routes/roster.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { accountRoutes } from './routes/accounts.ts';
import { DEFAULT_THROTTLE, type ThrottleSettings } from './staff/throttle.ts';
import { postboxLinkRoutes } from './routes/postbox-link.ts';
import type { Verifier } from '@kizuna/jpki';
import type { CredentialStore } from '@kizuna/broker';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** Bring the console's schema up to date (idempotent). */
export async function migrateConsole(db: Db) {
  return migrate(db, await loadMigrations(MIGRATIONS_DIR), { component: 'municipal-console' });
}

export interface ConsoleOptions {
  db: Db;
  logger: Logger;
  /** A connected mqtt.js client logged in with the municipality's broker identity. */
  mqtt: MqttClient;
  /** Connected clients of the same identity that only publish alert messages (live/mqtt-publishers.ts). */
  publishers?: readonly MqttClient[] | undefined;
  /** The municipality's code: its topic level (kz/{muni}/…). */
  muni: string;
  clock?: Clock;
  /** Seconds a TV has to confirm delivery before a re-send (default 30). */
  resendAfterS?: number;
  /** Seconds without a heartbeat before another console process takes over a fan-out (default 30). */
  fanoutStaleS?: number;
  /** TVs in a fan-out's first chunk and at most in one chunk (default 250, 4000). */
  fanoutChunk?: { first: number; max: number };
  /** Publish a wake (kz/{muni}/tv/{device}/wake) to each TV's box just before its personal alert, for launcher hooks. Default false. */
  wakeBoxes?: boolean;
  /** Seconds between timer passes (re-send, expiry); 0 disables the timer (tests call tick()). Default 5. */
  tickS?: number;
  rescueAfterS?: number;
  sessionTtlS?: number;
  /** Seconds without a request after which a staff session ends (default 1800). */
  sessionIdleS?: number;
  /** Seconds a login or re-authentication counts as fresh, for approving a real alert (default 300). */
  reauthS?: number;
  /** Login throttling (staff/throttle.ts); unset fields keep their defaults. */
  loginThrottle?: Partial<ThrottleSettings>;
  /** fastify trustProxy: the reverse proxy whose X-Forwarded-For names the client (addresses or CIDRs). */
  trustProxy?: string | boolean;
  liveThrottleMs?: number;
  tls?: TlsFiles;
  /** Create this administrator if there is no staff yet. */
  bootstrapAdmin?: { username: string; password: string };
  /** jpki's fail-closed verifier (createVerifier with the authority's status source): enables card binding and the revocation watch. */
  verifier?: Verifier;
  /** The authority's sign→auth and old→new links (inProcessAuthorityLinks / httpAuthorityLinks): needed for card binding. */
  authorityLinks?: AuthorityLinks;
  /** The broker's credential store: issue/rotate/revoke device credentials, and TVs' and terminals' HTTP Basic login here. */
  credentials?: CredentialStore;
  /** Seconds a binding nonce stays usable (default 300). */
  bindNonceTtlS?: number;
  /** Seconds between two status checks of one bound card (default 3600). */
  revocationCheckS?: number;
  /** Bound cards checked per timer pass (default 200). */
  revocationBatch?: number;
  /** Days of recent check-ins that keep people (and events) on a shelter's roster (default 7). */
  rosterWindowDays?: number;
  /** What one CAP import may hold, and who may update or cancel by CAP (alerts/cap-limits.ts). */
  capLimits?: Partial<CapLimits>;
  /** Folder of JMA disaster XML files to take in (jma/jma-folder.ts); unset: only POST /api/jma. */
  jmaDir?: string;
  /** Seconds between two reads of jmaDir (default 5). */
  jmaDirS?: number;
  /** The audit chain's HMAC key (≥ 32 bytes, kept outside the database: loadAuditKey); default one random key per process. */
  auditKey?: Uint8Array;
  /** File the audit log's head is appended to (JSON lines); the last line is what verify checks against. */
  auditHeadFile?: string;
  /** Seconds between two exports of the audit log's head (default 300; 0: only at stop). */
  auditHeadS?: number;
}

export type ConsoleApp = KzFastify & { kz: ConsoleContext };

export async function buildConsoleApp(o: ConsoleOptions): Promise<ConsoleApp> {
  await migrateConsole(o.db);
  const clock = o.clock ?? systemClock;
  const logger = o.logger;
  await useAuditKey(o.db, o.auditKey ?? processAuditKey(), clock.now());
  const auditHeads = new AuditHeadExport({ db: o.db, logger, file: o.auditHeadFile, now: () => clock.now() });
  await auditHeads.start((o.auditHeadS ?? 300) * 1000);
  if (o.bootstrapAdmin) {
    const { rows } = await o.db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff');
    if (Number(rows[0]!.n) === 0)
      await createStaff(o.db, { ...o.bootstrapAdmin, roles: ['admin'] }, { now: clock.now() });
  }

  // eslint-disable-next-line prefer-const
  let live: LiveHub;
  const alerts = new AlertService({
    db: o.db,
    mqtt: o.mqtt,
    ...(o.publishers ? { publishers: o.publishers } : {}),
    muni: o.muni,
    logger,
    clock,
    resendAfterMs: (o.resendAfterS ?? 30) * 1000,
    fanoutStaleMs: (o.fanoutStaleS ?? 30) * 1000,
    ...(o.fanoutChunk ? { fanoutChunk: o.fanoutChunk } : {}),
    ...(o.wakeBoxes ? { wakeBoxes: true } : {}),
    onChange: (id) => live.touch([id]),
  });
  const figures = new LiveFigures({ db: o.db, clock });
  live = new LiveHub({
    throttleMs: o.liveThrottleMs ?? 500,
    logger,
    status: (id) => figures.status(id),
    summary: (id) => figures.summary(id, (x) => alerts.get(x)),
    activeAlerts: async () =>
      (
        await o.db.query<{ id: string }>("SELECT id FROM alerts WHERE state IN ('active', 'lifted', 'cancelled')")
      ).rows.map((r) => r.id),
    changed: (ids) => figures.invalidate(ids),
    arrivals: (residents) => figures.arrivals(residents),
  });
  const ingest = new Ingest({
    db: o.db,
    mqtt: o.mqtt,
    muni: o.muni,
    logger,
    clock,
    onChange: (ids, residents) => {
      live.touch(ids);
      live.arrived(residents);
    },
  });
  const bindings = new BindingService({
    db: o.db,
    muni: o.muni,
    logger,
    clock,
    verifier: o.verifier,
    links: o.authorityLinks,
    nonceTtlMs: (o.bindNonceTtlS ?? 300) * 1000,
    watchEveryMs: (o.revocationCheckS ?? 3600) * 1000,
    watchBatch: o.revocationBatch ?? 200,
    onChange: () => live.touchActive(),
  });
  const ctx: ConsoleContext = {
    db: o.db,
    muni: o.muni,
    clock,
    logger,
    alerts,
    ingest,
    live,
    bindings,
    credentials: o.credentials,
    verifier: o.verifier,
    auditHeads,
    settings: {
      sessionTtlMs: (o.sessionTtlS ?? 43_200) * 1000,
      rescueAfterMs: (o.rescueAfterS ?? 900) * 1000,
      secureCookie: !!o.tls,
      rosterWindowMs: (o.rosterWindowDays ?? 7) * 86_400_000,
      cap: { ...DEFAULT_CAP_LIMITS, ...o.capLimits },
    },
    accounts: {
      idleMs: (o.sessionIdleS ?? 1800) * 1000,
      reauthMs: (o.reauthS ?? 300) * 1000,
      throttle: { ...DEFAULT_THROTTLE, ...o.loginThrottle },
    },
  };

  const app = (await createHttpServer({
    name: 'municipal-console',
    logger,
    tls: o.tls,
    bodyLimit: 8 * 1024 * 1024,
    ...(o.trustProxy !== undefined ? { trustProxy: o.trustProxy } : {}),
    ready: async () => o.mqtt.connected && (await o.db.query('SELECT 1')).rowCount === 1,
  })) as ConsoleApp;
  app.decorate('kz', ctx);
  await app.register(cookie);
  await app.register(rateLimit, { global: false, errorResponseBuilder: rateLimitRefusal });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kizuna municipal console API',
        version: '1',
        description:
          'Residents, TVs, shelters, alerts, publishing, receipts and live status. Staff log in with POST /api/session.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'kz_console_session' },
          basic: {
            type: 'http',
            scheme: 'basic',
            description: "a TV's or shelter terminal's own broker username and password",
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(async (a) => sessionRoutes(a, ctx));
  await app.register(async (a) => registerRoutes(a, ctx));
  await app.register(async (a) => alertRoutes(a, ctx));
  await app.register(async (a) => approvalRuleRoutes(a, ctx));
  await app.register(async (a) => capRoutes(a, ctx));
  await app.register(async (a) => jmaRoutes(a, ctx, { dir: o.jmaDir, everyS: o.jmaDirS ?? 5 }));
  await app.register(async (a) => bindingRoutes(a, ctx));
  await app.register(async (a) => tvDisclosureRoutes(a, ctx));
  await app.register(async (a) => rosterRoutes(a, ctx));
  await app.register(async (a) => credentialRoutes(a, ctx));
  await app.register(async (a) => accountRoutes(a, ctx));
  await app.register(async (a) => postboxLinkRoutes(a, ctx));
  // Staff web UI (issue 6): static UI at /, TV preview bundle, UI endpoints, CSRF check for cookie sessions.
  await (await import('./web-plugin.ts')).consoleWebPlugin(app, ctx);

  await ingest.start();
  const tickMs = (o.tickS ?? 5) * 1000;
  let ticking = false;
  const timer =
    tickMs > 0
      ? setInterval(() => {
          if (ticking) return;
          ticking = true;
          alerts
            .tick()
            .catch((e) => logger.error({ err: e }, 'alert timer pass failed'))
            .then(() => bindings.watch())
            .catch((e) => logger.error({ err: e }, 'revocation watch pass failed'))
            .finally(() => {
              ticking = false;
            });
        }, tickMs)
      : null;
  timer?.unref();
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    live.close();
    await ingest.stop();
    await auditHeads.stop();
  });
  return app;
}

export interface StartedConsole {
  url: string;
  app: ConsoleApp;
  close(): Promise<void>;
}

/** Listen (default 127.0.0.1:18800) and return the URL and a close function. */
export async function startConsole(o: ConsoleOptions & { host?: string; port?: number }): Promise<StartedConsole> {
  const app = await buildConsoleApp(o);
  // read the targetable register before the first alert needs it (it is kept until it changes)
  await app.kz.alerts.register.rows(o.db);
  const url = await listen(app, o.host ?? '127.0.0.1', o.port ?? 18800);
  return { url, app, close: () => app.close() };
}
