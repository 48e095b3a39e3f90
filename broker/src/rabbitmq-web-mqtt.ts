/**
 * MQTT over WebSocket on a RabbitMQ node (the `rabbitmq_web_mqtt` plugin, shipped with Debian's
 * 3.10.8): TVs run in browsers and reach the broker only over WebSocket. The plugin serves the
 * same MQTT 3.1.1 sessions, auth backend and policy as the TCP listener, at path `/ws`, and
 * accepts the `mqtt` subprotocol mqtt.js asks for.
 */

/** The plugin's default path; a TV's broker URL is ws://host:port/ws. */
export const WEB_MQTT_PATH = '/ws';

/** rabbitmq.conf lines for a private Web MQTT listener on host:port. */
export function webMqttConfig(host: string, port: number): string {
  return [`web_mqtt.tcp.ip = ${host}`, `web_mqtt.tcp.port = ${port}`, `web_mqtt.ws_path = ${WEB_MQTT_PATH}`].join('\n');
}
