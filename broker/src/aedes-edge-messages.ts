/** What the aedes cluster's parent and its edge processes say to each other over IPC. */
import type { BrokerIdentity } from './identity.ts';
import type { MosquittoHash } from './password-hash.ts';

/** The argument that makes aedes-edge-process.ts run as an edge (and not when merely imported). */
export const EDGE_FLAG = '--kz-aedes-edge';

export interface EdgeCredential {
  username: string;
  identity: BrokerIdentity;
  hash: MosquittoHash;
}

/** One bridge's login at the core: fresh per start, never stored. */
export interface BridgeLogin {
  muni: string;
  username: string;
  password: string;
}

/** A credential change as an edge gets it: a hash, never the password. */
export type EdgeChange =
  | { t: 'set'; change: 'issued' | 'rotated'; credential: EdgeCredential }
  | { t: 'revoke'; username: string; identity: BrokerIdentity };

/** Parent → edge. */
export type ToEdge =
  | {
      t: 'init';
      level: string;
      host: string;
      ws: boolean;
      port?: number;
      wsPort?: number;
      coreUrl: string;
      bridges: BridgeLogin[];
      probeTopics: string[];
      clients: EdgeCredential[];
    }
  | (EdgeChange & { id: number })
  | { t: 'close' };

/** Edge → parent. */
export type FromEdge =
  | { t: 'listening'; mqttUrl: string; wsUrl: string | undefined }
  | { t: 'probe'; topic: string }
  | { t: 'ack'; id: number }
  | { t: 'fatal'; error: string };
