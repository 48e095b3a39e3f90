/**
 * The embedded broker as the product runs it (credential store on PGlite, the access policy),
 * with a municipality logged in to publish: for tests of the TV's link and the launcher hook
 * against the real policy rather than the harness's open aedes.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, openDb, type Db } from '@kizuna/core';
import {
  createCredentialStore,
  createEmbeddedBroker,
  type CredentialStore,
  type EmbeddedBroker,
  type IssuedCredentials,
} from '@kizuna/broker';

export interface PolicyBroker {
  db: Db;
  store: CredentialStore;
  broker: EmbeddedBroker;
  muni: IssuedCredentials;
  /** The municipality's own MQTT client. */
  officer: MqttClient;
  close(): Promise<void>;
}

export async function startPolicyBroker(muniCode: string): Promise<PolicyBroker> {
  const db = await openDb({});
  const store = await createCredentialStore(db);
  const broker = await createEmbeddedBroker({
    credentials: store,
    logger: createLogger({ name: 'test', level: 'silent' }),
    port: 0,
    wsPort: 0, // the applet's own transport (its node failover and connection names are WebSocket's)
  });
  const muni = await store.issue({ kind: 'municipality', muni: muniCode });
  const officer = await mqtt.connectAsync(broker.mqttUrl, {
    protocolVersion: 4,
    clientId: muni.username,
    username: muni.username,
    password: muni.password,
  });
  return {
    db,
    store,
    broker,
    muni,
    officer,
    async close() {
      await officer.endAsync();
      await broker.close();
      await db.close();
    },
  };
}
