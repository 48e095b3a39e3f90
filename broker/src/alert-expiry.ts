/**
 * When the alert a message carries expires. Personal and area alerts carry `expires` (contract
 * messages.ts); MQTT 3.1.1 has no message expiry, so the embedded broker reads it to drop a
 * queued alert that has expired instead of showing it late (aedes-queue-caps.ts).
 */
import { parseTopic } from '@kizuna/contract';

// Parsed once per published message: every queue and every delivery shares its payload Buffer.
const parsed = new WeakMap<Buffer, number | null>();

/** Milliseconds since the epoch, or undefined: not an alert, or no readable `expires`. */
export function alertExpiresAt(packet: {
  topic?: string | undefined;
  payload?: Buffer | string | undefined;
}): number | undefined {
  const kind = packet.topic ? parseTopic(packet.topic)?.kind : undefined;
  if (kind !== 'tv-alert' && kind !== 'area-alert') return undefined;
  const payload = packet.payload;
  if (!payload || payload.length === 0) return undefined; // an empty area alert clears the retained one
  if (typeof payload === 'string') return readExpires(payload) ?? undefined;
  let at = parsed.get(payload);
  if (at === undefined) parsed.set(payload, (at = readExpires(payload.toString('utf8'))));
  return at ?? undefined;
}

function readExpires(json: string): number | null {
  try {
    const v = JSON.parse(json) as { expires?: unknown } | null;
    const at = typeof v?.expires === 'string' ? Date.parse(v.expires) : NaN;
    return Number.isFinite(at) ? at : null;
  } catch {
    return null; // not JSON: the console only publishes valid alerts; nothing to go by
  }
}
