/** An aedes edge's copy of the credential store (Mosquitto-format hashes): what its broker's hooks ask. */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { CredentialChange } from './credential-store.ts';
import type { BrokerIdentity } from './identity.ts';
import type { MosquittoHash } from './password-hash.ts';
import type { EdgeCredential } from './aedes-edge-messages.ts';

const pbkdf2Async = promisify(pbkdf2);

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
      const h = c?.hash ?? dummy;
      if (!Number.isInteger(h.iterations) || h.iterations < 1 || h.iterations > 1_000_000) return null;
      const actual = await pbkdf2Async(password, Buffer.from(h.salt, 'base64'), h.iterations, 64, 'sha512');
      const expected = Buffer.from(h.password, 'base64');
      if (!c || expected.length !== actual.length || !timingSafeEqual(actual, expected)) return null;
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
