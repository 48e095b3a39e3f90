/**
 * An aedes edge: the child process the aedes cluster forks (aedes-cluster.ts) by this file's path.
 * It runs createEmbeddedBroker with its own copy of the credentials, applies the parent's
 * credential changes in order (acking each), opens one bridge per municipality into the core and
 * reports the probes that come through them.
 */
import { pathToFileURL } from 'node:url';
import type { MqttClient } from 'mqtt';
import { createLogger, type Logger } from '@kizuna/core';
import { createEmbeddedBroker } from './embedded-broker.ts';
import { edgeCredentials } from './aedes-edge-credentials.ts';
import { openBridge } from './aedes-edge-bridge.ts';
import type { CoreRoutes } from './aedes-core-routes.ts';
import { EDGE_FLAG, type FromEdge, type ToEdge } from './aedes-edge-messages.ts';

async function runEdge(): Promise<void> {
  const send = (m: FromEdge) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const init = await new Promise<Extract<ToEdge, { t: 'init' }>>((resolve) => {
    const first = (m: ToEdge) => {
      if (m.t === 'init') {
        process.off('message', first);
        resolve(m);
      }
    };
    process.on('message', first);
  });
  const logger: Logger = createLogger({ name: 'aedes-edge', level: init.level });
  const log = logger.child({ component: 'aedes-edge' });
  const credentials = edgeCredentials(init.clients);
  // Changes are applied in the order they arrive; the parent waits for each ack.
  let queue = Promise.resolve();
  process.on('message', (m: ToEdge) => {
    if (m.t === 'set' || m.t === 'revoke') {
      queue = queue
        .then(async () => {
          if (m.t === 'revoke')
            await credentials.apply({ type: 'revoked', username: m.username, identity: m.identity });
          // no password here: the hooks disconnect on a rotation and never read it
          else
            await credentials.apply(
              { type: m.change, username: m.credential.username, identity: m.credential.identity, password: '' },
              m.credential,
            );
          await send({ t: 'ack', id: m.id });
        })
        .catch((e: Error) => {
          log.error({ err: e.message }, 'credential change failed');
          process.exit(1);
        });
    }
  });

  // Each bridge's routes from the core, by municipality: filled as this edge's TVs subscribe.
  const routes = new Map<string, CoreRoutes>();
  const local = await createEmbeddedBroker({
    credentials,
    logger,
    port: init.port ?? 0,
    host: init.host,
    ...(init.ws ? { wsPort: init.wsPort ?? 0 } : {}),
    beforeSubscribe: async (identity, filter) => {
      const r = 'muni' in identity ? routes.get(identity.muni) : undefined;
      if (r?.covers(filter)) await r.route(filter);
    },
  });
  const links: MqttClient[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(links.map((c) => c.endAsync(true).catch(() => undefined)));
    await local.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (m: ToEdge) => {
    if (m.t === 'close') void stop();
  });
  // the parent is gone (ended or crashed): so is this edge
  process.once('disconnect', () => {
    void stop();
  });

  for (const topic of init.probeTopics) {
    local.aedes.subscribe(
      topic,
      (_packet, cb) => {
        void send({ t: 'probe', topic });
        cb();
      },
      () => undefined,
    );
  }
  for (const b of init.bridges) {
    const r = await openBridge({
      local,
      coreUrl: init.coreUrl,
      login: b,
      probeTopics: init.probeTopics,
      log,
      onClient: (link) => links.push(link),
    });
    routes.set(b.muni, r);
  }
  await send({ t: 'listening', mqttUrl: local.mqttUrl, wsUrl: local.wsUrl });
  log.info({ mqttUrl: local.mqttUrl, bridges: init.bridges.length }, 'aedes edge ready');
}

// run only when forked as an edge, never when merely imported
if (
  process.argv[2] === EDGE_FLAG &&
  process.argv[1] &&
  pathToFileURL(process.argv[1]).href === import.meta.url &&
  process.send
) {
  runEdge().catch(async (e: Error) => {
    await new Promise<void>((resolve) =>
      process.send!({ t: 'fatal', error: e.message } satisfies FromEdge, () => resolve()),
    );
    process.exit(1);
  });
}
