/** Waiting for an aedes cluster (or a restarted edge) to be ready, within the ready timeout. */
import type { EmbeddedBroker } from './embedded-broker.ts';
import { brokerErrors } from './errors.ts';

/** `p`, or KZ_BROKER_START_FAILED ("<what> within <timeoutMs> ms") once the time is up. */
export async function within<T>(p: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(brokerErrors.KZ_BROKER_START_FAILED(`${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Publish probes at the core until every edge given has reported them (or one exits). */
export async function probeThrough(
  core: EmbeddedBroker,
  probeTopics: string[],
  crossed: Promise<void>[],
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ok = false;
  let failure: Error | undefined;
  void Promise.all(crossed).then(
    () => {
      ok = true;
    },
    (e: Error) => {
      failure = e;
    },
  );
  while (!ok) {
    if (failure)
      throw brokerErrors.KZ_BROKER_START_FAILED(`${what}: an edge ${failure.message} before the probe crossed`);
    if (Date.now() > deadline)
      throw brokerErrors.KZ_BROKER_START_FAILED(`${what}: a bridge did not carry the probe within ${timeoutMs} ms`);
    for (const topic of probeTopics)
      core.aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from('probe'), qos: 0, retain: false, dup: false },
        () => undefined,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
