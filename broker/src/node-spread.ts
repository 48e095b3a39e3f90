/**
 * Which cluster node a client tries first, and then which next: TVs are spread over the nodes by
 * a stable hash of their id (a TV goes back to the same node after a restart, so its session is
 * where it left it), and each gets the other nodes, in ring order, to fail over to.
 */

/** A stable index in [0, n) for a client id (31-hash, as the Mosquitto edges' spread). */
export function nodeIndexFor(clientId: string, n: number): number {
  let h = 0;
  for (let i = 0; i < clientId.length; i++) h = (h * 31 + clientId.charCodeAt(i)) >>> 0;
  return n > 0 ? h % n : 0;
}

/** The node URLs in the order this client tries them: its own node first, then the ring after it. */
export function nodeOrderFor<T>(urls: readonly T[], clientId: string): T[] {
  const first = nodeIndexFor(clientId, urls.length);
  return urls.map((_, i) => urls[(first + i) % urls.length]!);
}
