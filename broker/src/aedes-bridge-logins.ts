/**
 * The bridges' logins at the core of an aedes cluster: a password fresh per start, known only to
 * the parent process and the edge that uses it, never put in the credential store. The core
 * checks them itself and asks the store about everyone else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CredentialStore } from './credential-store.ts';
import type { EmbeddedBrokerOptions } from './embedded-broker.ts';
import type { ClusterPlan } from './cluster-plan.ts';
import { usernameOf } from './identity.ts';
import { newPassword } from './password-hash.ts';
import type { BridgeLogin } from './aedes-edge-messages.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface BridgeLogins {
  /** Per edge (index 0 = edge1), one login per municipality. */
  perEdge: BridgeLogin[][];
  /** What the core's hooks ask: these bridges, then the store. */
  coreCredentials: EmbeddedBrokerOptions['credentials'];
}

export function bridgeLogins(plan: ClusterPlan, store: CredentialStore): BridgeLogins {
  const bridges = plan.bridges.map((edge) =>
    edge.map((identity) => ({
      identity,
      login: { muni: identity.muni, username: usernameOf(identity), password: newPassword() },
    })),
  );
  const bridgeSecrets = new Map(
    bridges.flat().map((b) => [b.login.username, { identity: b.identity, digest: sha256(b.login.password) }]),
  );
  return {
    perEdge: bridges.map((links) => links.map((l) => l.login)),
    coreCredentials: {
      async authenticate(username, password) {
        const b = bridgeSecrets.get(username);
        if (!b) return store.authenticate(username, password);
        return typeof password === 'string' && timingSafeEqual(sha256(password), b.digest) ? b.identity : null;
      },
      onChange: (listener) => store.onChange(listener),
    },
  };
}
