/** The aedes cluster's record of one edge process, and asking it to apply a credential change. */
import type { ChildProcess } from 'node:child_process';
import type { BridgeLogin, EdgeChange } from './aedes-edge-messages.ts';

export interface EdgeHandle {
  n: number;
  links: BridgeLogin[];
  proc: ChildProcess | null;
  exited: Promise<void>;
  mqttUrl?: string;
  wsUrl?: string | undefined;
  /** 'down' from an unexpected exit until its replacement has been sent its snapshot. */
  state: 'up' | 'down';
  /** A replacement is being started (its own failures do not start another). */
  restarting: boolean;
  restarts: number;
  /** Credential changes made while it was down: sent to its replacement right after the snapshot. */
  missed: EdgeChange[];
  /** Changes sent to this edge, waiting for its ack. */
  pending: Map<number, { resolve(): void; reject(e: Error): void }>;
}

/** Edge `n` (from 1), not started yet. */
export function newEdgeHandle(n: number, links: BridgeLogin[]): EdgeHandle {
  return {
    n,
    links,
    proc: null,
    exited: Promise.resolve(),
    state: 'down',
    restarting: false,
    restarts: 0,
    missed: [],
    pending: new Map(),
  };
}

/** Sends a change; resolves on the edge's ack, rejects when it is gone or silent for `timeoutMs`. */
export function askEdge(edge: EdgeHandle, msg: EdgeChange & { id: number }, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { pending } = edge;
    const timer = setTimeout(() => {
      pending.delete(msg.id);
      reject(new Error(`edge ${edge.n} did not confirm within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      pending.delete(msg.id);
    };
    pending.set(msg.id, {
      resolve: () => {
        settle();
        resolve();
      },
      reject: (e) => {
        settle();
        reject(e);
      },
    });
    if (!edge.proc?.connected) return pending.get(msg.id)!.reject(new Error(`edge ${edge.n} is gone`));
    edge.proc.send(msg, (err) => {
      if (err) pending.get(msg.id)?.reject(err);
    });
  });
}
