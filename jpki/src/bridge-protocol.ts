/**
 * The card-reader bridge protocol: JSON text frames over a WebSocket. Each request carries an
 * id that its one response repeats; binary values travel as base64. Shared by the bridge and its
 * browser client (so: no imports, browser-safe).
 *
 *   → { id, op: 'list' }                                   ← { id, ok, result: { cards: [{ id, label }], inserted } }
 *   → { id, op: 'insert', cardId }                         ← { id, ok, result: { cardId, label } }
 *   → { id, op: 'eject' }                                  ← { id, ok, result: {} }
 *   → { id, op: 'readAuthCertificate' }                    ← { id, ok, result: { certificate } }
 *   → { id, op: 'readSigningCertificate', password }       ← { id, ok, result: { certificate } }
 *   → { id, op: 'authSign', pin, challenge }               ← { id, ok, result: { signature, certificate } }
 *   → { id, op: 'signCms', password, content, detached? }  ← { id, ok, result: { cms } }
 *   → { id, op: 'triesLeft', kind: 'auth' | 'sign' }       ← { id, ok, result: { triesLeft } }
 *   failures: { id, ok: false, error: { code, message, triesLeft? } } with the card's coded error.
 */

export const BRIDGE_OPS = [
  'list',
  'insert',
  'eject',
  'readAuthCertificate',
  'readSigningCertificate',
  'authSign',
  'signCms',
  'triesLeft',
] as const;
export type BridgeOp = (typeof BRIDGE_OPS)[number];

export interface BridgeRequest {
  id: string | number;
  op: BridgeOp;
  cardId?: string;
  pin?: string;
  password?: string;
  /** base64 */
  challenge?: string;
  /** base64 */
  content?: string;
  detached?: boolean;
  kind?: 'auth' | 'sign';
}

export interface BridgeErrorBody {
  code: string;
  message: string;
  triesLeft?: number;
}

export type BridgeResponse =
  | { id: string | number | null; ok: true; result: Record<string, unknown> }
  | { id: string | number | null; ok: false; error: BridgeErrorBody };

export interface BridgeCardInfo {
  id: string;
  label: string;
}
