/** An aedes edge's copy of the credential store (Mosquitto-format hashes): what its broker's hooks ask. */
import { randomBytes } from 'node:crypto';
import type { CredentialChange } from './credential-store.ts';
import type { BrokerIdentity } from './identity.ts';
import { verifyMosquittoHash, type MosquittoHash } from './password-hash.ts';
import type { EdgeCredential } from './aedes-edge-messages.ts';

export function edgeCredentials(initial: EdgeCredential[]) {
  const known = new Map(initial.map((c) => [c.username, c]));
  const listeners = new Set<(c: CredentialChange) => void | Promise<void>>();
  // Hashed against when the username is unknown, so timing does not tell which usernames exist.
  const dummy: MosquittoHash = {
    password: randomBytes(64).toString('base64'),
    salt: randomBytes(12).toString('base64'),
    iterations: 101,
  };
  return {
    known,
    async authenticate(username: string, password: string): Promise<BrokerIdentity | null> {
      if (typeof password !== 'string' || password.length === 0 || password.length > 1024) return null;
      const c = known.get(username);
      const ok = await verifyMosquittoHash(password, c?.hash ?? dummy);
      if (!c || !ok) return null;
      // revoked or rotated while we hashed: refuse
      return known.get(username) === c ? c.identity : null;
    },
    onChange(listener: (c: CredentialChange) => void | Promise<void>) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async apply(change: CredentialChange, credential?: EdgeCredential) {
      if (change.type === 'revoked') known.delete(change.username);
      else known.set(change.username, credential!);
      for (const l of listeners) await l(change);
    },
  };
}
