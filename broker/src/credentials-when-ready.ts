/**
 * The credential store as the embedded broker asks it, before the store is open. A broker
 * restarted under a city's TVs listens while its database opens (PGlite: seconds) and holds the
 * CONNECTs that arrive meanwhile, each within the broker's CONNECT timeout, instead of refusing
 * them: a refused TV backs off (up to 30 s), a held one is answered as soon as the store is open.
 */
import type { CredentialStore } from './credential-store.ts';

/** What the embedded broker and the auth service ask of the store. */
export type BrokerCredentials = Pick<CredentialStore, 'authenticate' | 'identityOf' | 'onChange'>;

export function credentialsWhenReady(store: Promise<BrokerCredentials>): BrokerCredentials {
  let ready: BrokerCredentials | undefined;
  // a store that fails to open fails the service's start (its caller awaits the same promise)
  store.then(
    (s) => (ready = s),
    () => undefined,
  );
  return {
    async authenticate(...args) {
      return (ready ?? (await store)).authenticate(...args);
    },
    async identityOf(username) {
      return (ready ?? (await store)).identityOf(username);
    },
    onChange(listener) {
      let stop: (() => void) | undefined;
      let stopped = false;
      store.then(
        (s) => {
          if (!stopped) stop = s.onChange(listener);
        },
        () => undefined,
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
  };
}
