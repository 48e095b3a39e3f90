/**
 * The console's outgoing QoS 1 messages are not carried over a lost broker connection.
 *
 * mqtt.js keeps a QoS 1 publish that was not acknowledged and, after reconnecting with a present
 * session, sends the kept ones again one at a time, each waiting for its PUBACK, with every new
 * publish queued behind them. One that is never acknowledged holds the client's whole output for
 * good: in the fault suite, on the RabbitMQ cluster, both consoles published nothing more after
 * their connection was closed under them (a fresh client of the same municipality was
 * acknowledged at once). The console does not need that replay: every alert message is in its
 * database and the re-sender sends whatever a TV has not confirmed, and publishAll counts an
 * unacknowledged publish as failed after its timeout. So the kept messages are dropped when the
 * broker accepts a new connection (its CONNACK), before mqtt.js would replay them.
 * The persistent session is kept for what it is for: receipts sent while the console was away.
 */
import { Store, type MqttClient } from 'mqtt';

export function dropOutgoingOnReconnect(client: MqttClient): void {
  client.on('packetreceive', (packet) => {
    if (packet.cmd === 'connack') client.outgoingStore = new Store();
  });
}
