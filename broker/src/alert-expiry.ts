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
  const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
  let at = parsed.get(buf);
  if (at === undefined) parsed.set(buf, (at = readExpires(buf)));
  return at ?? undefined;
}

const KEY = Buffer.from('"expires":"');

function readExpires(buf: Buffer): number | null {
  // Fast path: the console's compact JSON, where only the alert's head has an `expires` key (a
  // quote inside a string value is escaped, so the key cannot be faked by text); read in place.
  const at = buf.indexOf(KEY);
  if (at >= 0) {
    const end = buf.indexOf(0x22, at + KEY.length);
    const t = end > 0 && end - at < 64 ? Date.parse(buf.toString('latin1', at + KEY.length, end)) : NaN;
    if (Number.isFinite(t)) return t;
  }
  return parseExpires(buf.toString('utf8'));
}

function parseExpires(json: string): number | null {
  try {
    const v = JSON.parse(json) as { expires?: unknown } | null;
    const at = typeof v?.expires === 'string' ? Date.parse(v.expires) : NaN;
    return Number.isFinite(at) ? at : null;
  } catch {
    return null; // not JSON: the console only publishes valid alerts; nothing to go by
  }
}
