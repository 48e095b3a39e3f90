/**
 * What one CAP import may hold (KZ_CONSOLE_CAP_* in config.ts; docs/OPERATIONS.md "Console: CAP
 * import limits"). Each is far above what an alert for one municipality needs, and low enough that
 * importing a document at every limit at once never stalls the server (municipal-console/bench/cap-import.ts).
 */
export interface CapLimits {
  /** Bytes of the request body. */
  bytes: number;
  /** <info> blocks (one per language). */
  infos: number;
  /** <area> blocks, over all <info>s. */
  areas: number;
  /** Points of one <polygon>. */
  polygonPoints: number;
  /** Points of all polygons together. */
  points: number;
  /** Characters of one text element (description, instruction, headline, areaDesc, …). */
  textChars: number;
  /** Senders besides an alert's own that may update or cancel it by CAP. */
  trustedSenders: string[];
}

export const DEFAULT_CAP_LIMITS: CapLimits = {
  bytes: 512 * 1024,
  infos: 16,
  areas: 64,
  polygonPoints: 2_000,
  points: 10_000,
  textChars: 8_000,
  trustedSenders: [],
};
