/**
 * "Mail is waiting": after a notice arrives or is read, each TV the resident logged in from gets
 * the unread count on its own mail topic — never the sender, subject or content. Best effort:
 * the post-box is the source of truth and the TV asks it at login.
 */
import type { Queryable } from '@kizuna/core';
import { encodeMessage, topics, type MailWaiting } from '@kizuna/contract';
import type { MqttPublisher } from './ports.ts';
import { devicesOf } from './postboxes.ts';

export async function unreadCount(db: Queryable, postboxId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM gw_notices WHERE postbox_id = $1 AND status = 'unread'`,
    [postboxId],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function notifyMail(
  db: Queryable,
  mqtt: MqttPublisher | undefined,
  logger: { warn(obj: object, msg: string): void },
  postboxId: string,
  now: Date,
): Promise<number> {
  if (!mqtt) return 0;
  const devices = await devicesOf(db, postboxId);
  if (devices.length === 0) return 0;
  const msg: MailWaiting = {
    v: 1,
    kind: 'mail-waiting',
    unread: await unreadCount(db, postboxId),
    at: now.toISOString(),
  };
  let sent = 0;
  for (const d of devices) {
    try {
      await mqtt.publishAsync(topics.tvMail(d.muni, d.device), encodeMessage(msg), { qos: 1 });
      sent += 1;
    } catch (err) {
      logger.warn({ err: (err as Error).message, muni: d.muni, device: d.device }, 'mail-waiting publish failed');
    }
  }
  return sent;
}
