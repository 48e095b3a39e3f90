/**
 * A private three-node RabbitMQ cluster for one test file (`startRabbitMqCluster` over a credential
 * store in an in-memory PGlite): started before the file's tests — a cold start takes 28–65 s
 * here, so one per file — and closed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { createLogger, openDb, type Db, type Logger } from '@kizuna/core';
import {
  createCredentialStore,
  startRabbitMqCluster,
  type CredentialStore,
  type RunningRabbitMqCluster,
} from '../src/index.ts';

export interface PrivateCluster {
  /** Set once the file's beforeAll has run. */
  cluster: RunningRabbitMqCluster;
  store: CredentialStore;
}

export function usePrivateCluster(logger: Logger = createLogger({ name: 'test', level: 'silent' })): PrivateCluster {
  const rig = {} as PrivateCluster;
  let db: Db | undefined;
  beforeAll(async () => {
    db = await openDb({});
    rig.store = await createCredentialStore(db);
    rig.cluster = await startRabbitMqCluster({ credentials: rig.store, logger, nodes: 3 });
  }, 400_000);
  afterAll(async () => {
    await rig.cluster?.close();
    await db?.close();
  }, 60_000);
  return rig;
}
