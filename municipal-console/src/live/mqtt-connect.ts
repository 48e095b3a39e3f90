/**
 * How the console connects to the broker (server.ts). A fixed client id and a persistent session:
 * receipts sent while the console restarts are kept by the broker, and what it re-sends on
 * connecting is parked until Ingest takes it (mqtt-park.ts). Several processes for one
 * municipality: each its own session, '<username>~<instance>'; each receives every receipt, and
 * Ingest stores each once.
 *
 * It keeps trying after a refused CONNECT too: mqtt.js stops reconnecting at the first refusal
 * unless told otherwise, and a refusal is not always about the credentials — RabbitMQ answers
 * "bad username or password" whenever its HTTP auth backend cannot be reached, so an auth service
 * restarted for a few seconds would otherwise cut the console off the broker until it is restarted
 * itself (seen in the fault suite).
 */
import type { IClientOptions } from 'mqtt';

export function consoleMqttOptions(o: {
  username: string;
  password?: string | undefined;
  instance?: string | undefined;
}): IClientOptions {
  return {
    clientId: o.instance ? `${o.username}~${o.instance}` : o.username,
    username: o.username,
    ...(o.password !== undefined ? { password: o.password } : {}),
    protocolVersion: 4,
    clean: false,
    reconnectPeriod: 2000,
    reconnectOnConnackError: true,
  };
}
