/**
 * What a core + edges cluster (Mosquitto or aedes) decides the same way whichever broker runs it:
 * the checked options, the probe topics that prove every bridge carries messages, each edge's
 * bridge identities, and which edge a TV goes to.
 */
import { randomBytes } from 'node:crypto';
import { isSafeId, topics } from '@kizuna/contract';
import { brokerErrors } from './errors.ts';
import type { BrokerIdentity } from './identity.ts';

export interface ClusterPlan {
  /** One alert topic per municipality, on a random device id no TV has. */
  probeTopics: string[];
  /** Per edge (index 0 = edge1), one bridge identity per municipality. */
  bridges: Extract<BrokerIdentity, { kind: 'bridge' }>[][];
}

export function planCluster(o: { edges: number; munis: readonly string[] }): ClusterPlan {
  if (!Number.isInteger(o.edges) || o.edges < 1)
    throw brokerErrors.KZ_BROKER_START_FAILED('edges must be a whole number ≥ 1');
  if (o.munis.length === 0 || !o.munis.every((m) => isSafeId(m)))
    throw brokerErrors.KZ_BROKER_START_FAILED('munis must be safe ids, at least one');
  const probeDevice = `kz-probe-${randomBytes(6).toString('hex')}`;
  return {
    probeTopics: o.munis.map((m) => topics.tvAlert(m, probeDevice)),
    bridges: Array.from({ length: o.edges }, (_, e) =>
      o.munis.map((muni) => ({ kind: 'bridge' as const, muni, bridge: `edge${e + 1}` })),
    ),
  };
}

/** A stable spread of TVs over edges by device id (every edge accepts every TV; this only balances). */
export function edgeForDevice(edgeUrls: readonly string[], device: string): string {
  let h = 0;
  for (let i = 0; i < device.length; i++) h = (h * 31 + device.charCodeAt(i)) >>> 0;
  return edgeUrls[h % edgeUrls.length]!;
}
