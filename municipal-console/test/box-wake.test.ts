/**
 * Wakes for the boxes' launcher hooks (KZ_CONSOLE_WAKE_BOXES): on, each targeted TV gets a wake for
 * the revision just before its personal alert (the hook turns the display on while the alert is on
 * its way); off (the default), no wake is published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@kizuna/contract';
import type { MqttClient } from 'mqtt';
import { consoleWith, issueAlert, MUNI, seedTown, staffToken, startBroker, tvIdentity, until } from './helpers.ts';
import { openDb, type Db } from '@kizuna/core';

const spec = (zone: string) => ({
  level: 4,
  hazard: 'flood',
  status: 'Exercise',
  expires: new Date(Date.now() + 3600_000).toISOString(),
  target: { zones: [zone] },
});

describe.each([
  { wakeBoxes: true, name: 'on' },
  { wakeBoxes: false, name: 'off (the default)' },
])('wakes for the boxes: $name', ({ wakeBoxes }) => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let db: Db;
  let c: Awaited<ReturnType<typeof consoleWith>>;
  let tv: MqttClient;
  const got: string[] = [];
  beforeAll(async () => {
    broker = await startBroker();
    db = await openDb({});
    c = await consoleWith(db, broker, undefined, wakeBoxes ? { wakeBoxes } : {});
    await seedTown(db);
    tv = await broker.connectAs(tvIdentity('tv-s2'));
    tv.on('message', (t) => got.push(t));
    await tv.subscribeAsync(topics.tvOwn(MUNI, 'tv-s2'), { qos: 1 });
  });
  afterAll(async () => {
    await tv?.endAsync(true);
    await c?.close();
    await db?.close();
    await broker?.close();
  });

  it(wakeBoxes ? 'a wake, then the alert' : 'the alert alone', async () => {
    const token = await staffToken(c.app, 'issuer1', ['issuer']);
    const r = await issueAlert(c.app, token, spec('z-yamate'));
    expect(r.statusCode).toBe(200);
    await until(() => got.includes(topics.tvAlert(MUNI, 'tv-s2')), 'the personal alert');
    // anything published after the alert would have come by now on a loopback broker
    await new Promise((res) => setTimeout(res, 300));
    expect(got).toEqual(
      wakeBoxes ? [topics.tvWake(MUNI, 'tv-s2'), topics.tvAlert(MUNI, 'tv-s2')] : [topics.tvAlert(MUNI, 'tv-s2')],
    );
  });
});
