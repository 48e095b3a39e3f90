/** MQTT client helpers for the broker suites: whole CONNACK / SUBACK outcomes, and what arrived. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export type ConnectOutcome =
  { ok: true; client: MqttClient; received: Received[] } | { ok: false; code: number | string };

/** Connect once (no reconnects), MQTT 3.1.1, client id = username unless told otherwise. */
export async function connectAs(
  url: string,
  username: string,
  password: string,
  opts: Partial<IClientOptions> = {},
): Promise<ConnectOutcome> {
  const client = mqtt.connect(url, {
    username,
    password,
    clientId: username,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    clean: true,
    ...opts,
  });
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client, received }));
    client.once('error', (err: Error & { code?: number | string }) => {
      client.end(true);
      resolve({ ok: false, code: err.code ?? err.message });
    });
    client.once('close', () => {
      client.end(true);
      resolve({ ok: false, code: 'closed' });
    });
  });
}

/** Connect and expect success. */
export async function mustConnect(url: string, username: string, password: string, opts: Partial<IClientOptions> = {}) {
  const out = await connectAs(url, username, password, opts);
  if (!out.ok) throw new Error(`${username} could not connect: ${out.code}`);
  return out;
}

/**
 * The SUBACK return codes per filter (0/1 granted, 128 refused), or 'closed' when the broker
 * answers a refused SUBSCRIBE by closing the connection (RabbitMQ).
 */
export async function subscribeCodes(
  client: MqttClient,
  filters: string[],
  qos: 0 | 1 | 2 = 1,
): Promise<number[] | 'closed'> {
  if (!client.connected) return 'closed';
  return new Promise((resolve) => {
    const onClose = () => resolve('closed');
    client.once('close', onClose);
    client.subscribe(filters, { qos }, (err, granted) => {
      client.off('close', onClose);
      const fromErr = (err as (Error & { packet?: { granted?: number[] } }) | null | undefined)?.packet?.granted;
      if (fromErr) return resolve(fromErr);
      if (err) return resolve('closed');
      resolve((granted ?? []).map((g) => g.qos));
    });
  });
}

/** Publish QoS 1 and report whether the broker acknowledged before closing. */
export async function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string,
  opts: { qos?: 0 | 1 | 2; retain?: boolean } = {},
): Promise<'acked' | 'closed'> {
  if (!client.connected) return 'closed';
  return new Promise((resolve) => {
    const onClose = () => resolve('closed');
    client.once('close', onClose);
    client.publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (err) => {
      client.off('close', onClose);
      resolve(err ? 'closed' : 'acked');
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `cond` holds or `ms` pass; returns whether it held. */
export async function eventually(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

export async function endAll(...clients: Array<MqttClient | undefined>) {
  await Promise.all(clients.filter(Boolean).map((c) => c!.endAsync(true).catch(() => undefined)));
}

/** Like eventually, for a condition that has to ask something (a broker's store). */
export async function eventuallyAsync(cond: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return cond();
}
