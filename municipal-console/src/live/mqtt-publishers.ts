/**
 * The console's publishing connections (`KZ_CONSOLE_MQTT_PUBLISHERS`): extra broker connections of
 * the municipality's identity that only publish alert messages, beside the one that holds its
 * session and takes receipts (mqtt-connect.ts). On a RabbitMQ node each publish to a TV's own topic
 * waits for the auth service's answer about that topic before the connection's next publish is
 * taken, so one connection fans out at one round trip per TV (in the fault suite at 10,000 TVs the
 * fan-out reached 25 TVs a second); the alert publisher spreads a fan-out over these by TV (alert-publisher.ts, laneOf).
 *
 * Each is a clean session (the broker keeps nothing for it: nothing is subscribed) with client id
 * `<username>~p<k>`, or `<username>~<instance>-p<k>` for a named console process, the instance
 * form every broker Kizuna runs allows a municipality (broker/src/identity.ts; not Mosquitto, whose
 * dynamic security fixes a client id to its username). Like the main connection it keeps trying
 * after a refused CONNECT, and drops the publishes a lost connection left unacknowledged (the
 * re-sender covers them).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '@kizuna/core';
import { consoleMqttOptions } from './mqtt-connect.ts';
import { dropOutgoingOnReconnect } from './mqtt-outgoing.ts';

export function publisherMqttOptions(
  o: { username: string; password?: string | undefined; instance?: string | undefined },
  k: number,
): IClientOptions {
  return {
    ...consoleMqttOptions(o),
    clientId: `${o.username}~${o.instance ? `${o.instance}-` : ''}p${k}`,
    clean: true,
  };
}

/**
 * `count` publishing connections to `url` (or the servers in `extra`), each connected once before
 * this resolves; a first connection's failure rejects (and ends those made). Later errors are
 * logged: the connection reconnects by itself.
 */
export async function connectPublishers(
  url: string,
  o: { username: string; password?: string | undefined; instance?: string | undefined },
  count: number,
  logger: Logger,
  extra: IClientOptions = {},
): Promise<MqttClient[]> {
  const clients = Array.from({ length: count }, (_, k) =>
    mqtt.connect(url, { ...publisherMqttOptions(o, k + 1), ...extra }),
  );
  for (const c of clients) dropOutgoingOnReconnect(c);
  try {
    await Promise.all(
      clients.map(
        (c) =>
          new Promise<void>((resolve, reject) => {
            const failed = (e: Error) => reject(e);
            c.once('error', failed);
            c.once('connect', () => {
              c.off('error', failed);
              c.on('error', (err) =>
                logger.warn({ err, clientId: c.options.clientId }, 'broker connection error (publishing connection)'),
              );
              resolve();
            });
          }),
      ),
    );
  } catch (e) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw e;
  }
  return clients;
}
