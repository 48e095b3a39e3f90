/** What every route of the gateway is given (built once in app.ts from the injected dependencies). */
import type { Db, Logger } from '@kizuna/core';
import type { Clock, CmsVerifier, EvidenceVerifier, LoginChallenges, MqttPublisher, StatusSource } from './ports.ts';
import type { ReceiptSigner } from './receipts.ts';
import type { SessionCache } from './postboxes.ts';
import type { ReportBatcher } from './report-store.ts';
import type { WebhookDispatcher } from './webhooks.ts';
import type { WebhookDestinations } from './webhook-destinations.ts';
import type { CardLinks } from './card-binding.ts';
import type { DeviceBindings } from './device-links.ts';

export interface GatewayContext {
  db: Db;
  logger: Logger;
  clock: Clock;
  verifier?: CmsVerifier | undefined;
  evidenceVerifier?: EvidenceVerifier | undefined;
  challenges?: LoginChallenges | undefined;
  status?: StatusSource | undefined;
  mqtt?: MqttPublisher | undefined;
  receipts: ReceiptSigner;
  sessions: SessionCache;
  reports: ReportBatcher;
  signatureWindowS: number;
  sessionTtlS: number;
  operatorToken?: string | undefined;
  /** Days an idempotency key (a notice's externalRef) is kept after first use. */
  idempotencyDays: number;
  webhooks: WebhookDispatcher;
  webhookDestinations: WebhookDestinations;
  /** The authority's links between a card's certificates: signatures must come from the session's card. */
  cardLinks?: CardLinks | undefined;
  /** The municipalities' TV bindings: "mail waiting" only to TVs bound to the resident. */
  devices?: DeviceBindings | undefined;
  /** Login challenges per client per minute (routes/postbox-login.ts). */
  loginChallengesPerMinute?: number | undefined;
}
