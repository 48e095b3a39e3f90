/**
 * A console's broker session is persistent (`clean: false`): the moment it reconnects, the broker
 * re-sends what was in flight and what queued while it was away — before the console has run its
 * migrations and started `Ingest`. mqtt.js's own handler would acknowledge those messages with no
 * one listening, and the broker would forget them: check-ins and receipts lost on every restart
 * (seen on Mosquitto). `parkIncoming` is installed on the client before it connects; it keeps
 * those messages without a PUBACK and lets the client go on reading (a client that stops reading
 * never sees its SUBACKs). `release` hands them to whatever handles messages by then (Ingest),
 * which acknowledges each after its write, exactly as if it had just arrived.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';

interface PacketWriter {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, cb?: (err?: Error) => void): void;
}

/** Passed to `handleMessage`'s callback: mqtt.js goes on reading but sends no PUBACK (it sends one only on success). */
export const HOLD_PUBACK = new Error('PUBACK held until the message is stored');

/**
 * Acknowledge a QoS 1 message ourselves, on the connection it came in on only: after a reconnect
 * the broker re-sends it, and a PUBACK on the new connection could acknowledge another message
 * that reuses the id.
 */
export function sendPuback(client: MqttClient, stream: unknown, messageId: number): void {
  if (client.connected && client.stream === stream)
    (client as unknown as PacketWriter)._sendPacket({ cmd: 'puback', messageId });
}

export interface ParkedIncoming {
  /** Messages kept so far. */
  readonly count: number;
  /** Hand the kept messages, in order, to the client's current `handleMessage`; stop parking. */
  release(): void;
}

export function parkIncoming(client: MqttClient): ParkedIncoming {
  const parked: { packet: IPublishPacket; stream: unknown }[] = [];
  const parking = (packet: IPublishPacket, callback: (err?: Error) => void) => {
    parked.push({ packet, stream: client.stream });
    callback(packet.qos === 1 ? HOLD_PUBACK : undefined);
  };
  client.handleMessage = parking;
  let released = false;
  return {
    get count() {
      return parked.length;
    },
    release() {
      if (released) return;
      released = true;
      if (client.handleMessage === parking)
        throw new Error('parkIncoming.release: nothing took over handleMessage (start Ingest first)');
      for (const { packet, stream } of parked.splice(0)) {
        if (stream !== client.stream) continue; // after a reconnect the broker re-sends these itself
        client.handleMessage(packet, (err?: Error) => {
          // as mqtt.js does: a handler that returns without error has the message acknowledged
          if (!err && packet.qos === 1 && packet.messageId !== undefined) sendPuback(client, stream, packet.messageId);
        });
      }
    },
  };
}
