/**
 * The launcher's broker credentials, used by start-up (system.ts) and the demo seed (seed.ts).
 */
import type { BrokerIdentity, CredentialStore } from '@kizuna/broker';

/** Issue credentials for an identity, or rotate them if it already has some: the password is only known now. */
export async function credentialsFor(store: CredentialStore, identity: BrokerIdentity) {
  const { usernameOf } = await import('@kizuna/broker');
  const info = await store.info(usernameOf(identity));
  return info?.status === 'active' ? store.rotate(info.username) : store.issue(identity);
}
