/**
 * The gateway as one fastify app built from injected dependencies (db, logger, verifier,
 * challenges, status source, MQTT client, clock, webhook fetch), so the system launcher can run
 * it in-process; `startGateway` listens and runs the webhook dispatcher, the certificate status
 * watcher and retention on their intervals.
 */
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  createHttpServer,
  listen,
  loadMigrations,
  migrate,
  type Db,
  type KzFastify,
  type Logger,
  type TlsFiles,
} from '@kizuna/core';
import type { GatewayContext } from './context.ts';
import {
  systemClock,
  type Clock,
  type CmsVerifier,
  type EvidenceVerifier,
  type LoginChallenges,
  type MqttPublisher,
  type StatusSource,
  type WebhookFetch,
} from './ports.ts';
import { loadReceiptSigner } from './receipts.ts';
import { IDEMPOTENCY_DAYS } from './notices.ts';
import { createSessionCache } from './postboxes.ts';
import { createReportBatcher } from './report-store.ts';
import { insurerRoutes } from './routes/insurer.ts';
import { postboxPublicRoutes, postboxRoutes } from './routes/postbox.ts';
import { operatorRoutes } from './routes/operator.ts';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhooks.ts';
import { webhookDestinations, type ResolveAll } from './webhook-destinations.ts';
import { createStatusWatcher, type StatusWatcher } from './status-watch.ts';
import { followRevocationFeed, type FeedFollower, type RevocationFeed } from './watch-feed.ts';
import { runRetention, type RetentionPolicy } from './retention.ts';
import { cardStatusCheck, type CardLinks } from './card-binding.ts';
import type { DeviceBindings } from './device-links.ts';
import type { CertificateVerifier } from './watch-source.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));
export const WEB_DIR = fileURLToPath(new URL('../web', import.meta.url));

export interface GatewayDeps {
  db: Db;
  logger: Logger;
  verifier?: CmsVerifier | undefined;
  evidenceVerifier?: EvidenceVerifier | undefined;
  challenges?: LoginChallenges | undefined;
  status?: StatusSource | undefined;
  mqtt?: MqttPublisher | undefined;
  clock?: Clock | undefined;
  webhookFetch?: WebhookFetch | undefined;
  operatorToken?: string | undefined;
  /** The authority's sign → auth and renewal links; without them no signature is accepted (503). */
  cardLinks?: CardLinks | undefined;
  /** Asks the status of a session's authentication certificate again while it is used (a revoked card ends it). */
  cardStatus?: CertificateVerifier | undefined;
  /** The municipalities' TV bindings (device-links.ts); without them no TV is linked for "mail waiting". */
  devices?: DeviceBindings | undefined;
  /** Login challenges per client (IP) per minute (default 20). */
  loginChallengesPerMinute?: number | undefined;
  /** Allowed skew of signed insurer requests (s). */
  signatureWindowS?: number;
  /** Post-box session lifetime (s). */
  sessionTtlS?: number;
  /** How long a post-box session is remembered in memory (ms; 0 reads the database every call). */
  sessionCacheMs?: number;
  /** Most reports stored by one group-commit write (1: each report alone). */
  reportBatchMax?: number;
  /** Status re-check interval per enrolment (s); the safety net when a feed is followed. */
  watchIntervalS?: number;
  /** The authority's change feed: revocations re-checked within seconds (watch-feed.ts). */
  revocationFeed?: RevocationFeed | undefined;
  /** First webhook retry delay (ms); doubles per attempt. */
  webhookBaseDelayMs?: number;
  webhookMaxDelayMs?: number;
  /** CIDR ranges webhooks may reach besides public HTTPS addresses (KZ_GATEWAY_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate?: readonly string[] | undefined;
  /** How webhook host names become addresses (default: the system resolver, dns.lookup). */
  webhookResolve?: ResolveAll | undefined;
  /** Most insurers whose webhooks are delivered at once (each insurer's in order). */
  webhookConcurrency?: number | undefined;
  /** Per-attempt webhook timeout (ms). */
  webhookTimeoutMs?: number | undefined;
  retention?: RetentionPolicy;
  /** Days an idempotency key (a notice's externalRef) is kept after first use (default 90). */
  idempotencyDays?: number;
  tls?: TlsFiles | undefined;
}

export interface GatewayJobs {
  webhooks: WebhookDispatcher;
  watcher: StatusWatcher | null;
  /** Follows the revocation feed once started (startGateway); null without a feed or a status source. */
  feed: FeedFollower | null;
  retention(): ReturnType<typeof runRetention>;
}

export type GatewayApp = KzFastify & { gateway: GatewayJobs };

/** Re-check every enrolment this often by default: with the tick below, a revocation is news within 5 minutes. */
export const DEFAULT_WATCH_INTERVAL_S = 240;

export const DEFAULT_RETENTION: RetentionPolicy = { noticeDays: 90, reportDays: 3653, eventDays: 30 };

export async function buildGatewayApp(deps: GatewayDeps): Promise<GatewayApp> {
  await migrate(deps.db, await loadMigrations(MIGRATIONS_DIR), { component: 'insurer-gateway' });
  const clock = deps.clock ?? systemClock;
  const receipts = await loadReceiptSigner(deps.db, clock.now());
  const destinations = webhookDestinations(deps.webhookAllowPrivate, deps.webhookResolve);
  const webhooks = createWebhookDispatcher({
    db: deps.db,
    logger: deps.logger,
    clock,
    fetch: deps.webhookFetch,
    destinations,
    baseDelayMs: deps.webhookBaseDelayMs,
    maxDelayMs: deps.webhookMaxDelayMs,
    timeoutMs: deps.webhookTimeoutMs,
    concurrency: deps.webhookConcurrency,
  });
  const ctx: GatewayContext = {
    db: deps.db,
    logger: deps.logger,
    clock,
    verifier: deps.verifier,
    evidenceVerifier: deps.evidenceVerifier,
    challenges: deps.challenges,
    status: deps.status,
    mqtt: deps.mqtt,
    receipts,
    sessions: createSessionCache(deps.db, {
      ttlMs: deps.sessionCacheMs ?? 5000,
      checkCard: deps.cardStatus ? cardStatusCheck(deps.cardStatus) : undefined,
    }),
    reports: createReportBatcher(
      { db: deps.db, status: deps.status, receipts },
      { maxBatch: deps.reportBatchMax ?? 128 },
    ),
    signatureWindowS: deps.signatureWindowS ?? 300,
    sessionTtlS: deps.sessionTtlS ?? 1800,
    operatorToken: deps.operatorToken,
    idempotencyDays: deps.idempotencyDays ?? IDEMPOTENCY_DAYS,
    webhooks,
    webhookDestinations: destinations,
    cardLinks: deps.cardLinks,
    devices: deps.devices,
    loginChallengesPerMinute: deps.loginChallengesPerMinute,
  };
  const app = (await createHttpServer({
    name: 'insurer-gateway',
    logger: deps.logger,
    tls: deps.tls,
    bodyLimit: 4 * 1024 * 1024,
    ready: async () => {
      await deps.db.query('SELECT 1');
      return true;
    },
  })) as GatewayApp;

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kizuna insurer gateway and electronic post-box',
        version: '1',
        description:
          'Insurers: /insurer/v1 (signed API keys or mutual TLS). TVs: /postbox/v1 (card login). Operator: /operator/v1.',
      },
      components: {
        securitySchemes: {
          kzHmac: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'KZ-HMAC-SHA256 keyId=…, ts=…, nonce=…, sig=… (docs/PROTOCOL.md)',
          },
          postboxSession: { type: 'http', scheme: 'bearer' },
          operatorToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(async (s) => postboxPublicRoutes(s, ctx), { prefix: '/postbox/v1' });
  await app.register(async (s) => postboxRoutes(s, ctx), { prefix: '/postbox/v1' });
  await app.register(async (s) => insurerRoutes(s, ctx), { prefix: '/insurer/v1' });
  await app.register(async (s) => operatorRoutes(s, ctx), { prefix: '/operator/v1' });
  await app.register(fastifyStatic, {
    root: WEB_DIR,
    prefix: '/',
    index: ['index.html'],
    decorateReply: false,
    schemaHide: true,
  });

  const watcher = deps.status
    ? createStatusWatcher({
        db: deps.db,
        status: deps.status,
        clock,
        logger: deps.logger,
        intervalS: deps.watchIntervalS ?? DEFAULT_WATCH_INTERVAL_S,
        onRevoked: () => webhooks.kick(),
      })
    : null;
  const feed =
    watcher && deps.revocationFeed
      ? followRevocationFeed({
          feed: deps.revocationFeed,
          logger: deps.logger,
          onSerials: (serials) => watcher.checkSerials(serials),
        })
      : null;
  app.decorate('gateway', {
    webhooks,
    watcher,
    feed,
    retention: () => runRetention(deps.db, deps.retention ?? DEFAULT_RETENTION, clock.now()),
  } satisfies GatewayJobs);
  app.addHook('onClose', async () => {
    await ctx.reports.drain();
    await feed?.stop();
    await webhooks.stop();
    await watcher?.stop();
  });
  return app;
}

export interface StartOptions extends GatewayDeps {
  host?: string;
  port?: number;
  /** How often due webhooks are attempted (ms). */
  webhookTickMs?: number;
  /** How often the status watcher looks for due enrolments (ms; default an eighth of the interval, at most 60 s). */
  watchTickMs?: number;
  /** How often retention runs (ms). */
  retentionTickMs?: number;
}

/** Listens (port 18850 by default) and runs the background jobs; close() stops everything. */
export async function startGateway(
  opts: StartOptions,
): Promise<{ url: string; app: GatewayApp; close(): Promise<void> }> {
  const app = await buildGatewayApp(opts);
  const url = await listen(app, opts.host ?? '127.0.0.1', opts.port ?? 18850);
  app.gateway.webhooks.start(opts.webhookTickMs ?? 2000);
  const intervalS = opts.watchIntervalS ?? DEFAULT_WATCH_INTERVAL_S;
  app.gateway.watcher?.start(opts.watchTickMs ?? Math.max(1000, Math.min(60_000, (intervalS * 1000) / 8)));
  app.gateway.feed?.start();
  const retentionTimer = setInterval(() => {
    app.gateway.retention().catch((err) => opts.logger.error({ err }, 'retention failed'));
  }, opts.retentionTickMs ?? 3_600_000);
  retentionTimer.unref();
  return {
    url,
    app,
    async close() {
      clearInterval(retentionTimer);
      await app.close();
    },
  };
}
