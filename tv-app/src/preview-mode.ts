/**
 * Preview mode for the municipal console (issue 6): `#device=preview&muni=…&preview=<base64url
 * of the JSON payload>` shows that one message exactly as a TV would, with no broker, no
 * receipts sent and nothing stored (the console embeds this page in an iframe on its origin).
 */
import type { AreaAlert, PersonalAlert } from '@kizuna/contract';
import type { TvController } from './tv-controller.ts';

export type PreviewPayload = PersonalAlert | AreaAlert;

/** The payload in the hash, or null when this is not a preview (or it cannot be read). */
export function previewFromHash(hash: string): PreviewPayload | null {
  const raw = new URLSearchParams(hash.replace(/^#/, '')).get('preview');
  if (!raw) return null;
  try {
    const bin = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    const p = JSON.parse(json) as PreviewPayload;
    return p && (p.kind === 'personal-alert' || p.kind === 'area-alert') ? p : null;
  } catch {
    return null;
  }
}

/** Feed the payload to the controller as if it had arrived over MQTT. */
export function applyPreview(c: TvController, p: PreviewPayload): void {
  // Shown as a connected TV would show it (no "connection lost" line in the preview).
  c['setConn']('online');
  if (p.kind === 'personal-alert') c.receiveAlert(p);
  // An area message is what a TV with nobody bound shows on Home (receiveArea is the MQTT path).
  else c['receiveArea'](p.zone.id, p);
}
