/**
 * The MQTT topic scheme, the one place every part takes topic names from.
 *
 *   kz/{muni}/tv/{device}/alert        console → one TV: personal alerts (QoS 1)
 *   kz/{muni}/tv/{device}/receipt      TV → console: delivered / displayed / acknowledged
 *   kz/{muni}/tv/{device}/mail         post-box → TV: "mail is waiting" (no content)
 *   kz/{muni}/tv/{device}/wake         console → the box's launcher hook: bring the TV on for an alert
 *   kz/{muni}/area/{zone}/alert        console → all TVs of a zone: retained area alert
 *   kz/{muni}/shelter/{shelter}/terminal/{terminal}/event   terminal → console: check-ins
 *
 * Every level built from an id is checked with isSafeId, so no id can widen a filter.
 */
import { isSafeId } from './ids.ts';

export const TOPIC_ROOT = 'kz';

function seg(name: string, value: string): string {
  if (!isSafeId(value)) throw new TypeError(`${name} is not a safe id: ${JSON.stringify(value)}`);
  return value;
}

export const topics = {
  tvAlert: (muni: string, device: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/${seg('device', device)}/alert`,
  tvReceipt: (muni: string, device: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/${seg('device', device)}/receipt`,
  tvMail: (muni: string, device: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/${seg('device', device)}/mail`,
  /** Wake the box for an alert (issue 25): read by the box's launcher hook, not by the applet. */
  tvWake: (muni: string, device: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/${seg('device', device)}/wake`,
  areaAlert: (muni: string, zone: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/area/${seg('zone', zone)}/alert`,
  shelterEvent: (muni: string, shelter: string, terminal: string) =>
    `${TOPIC_ROOT}/${seg('muni', muni)}/shelter/${seg('shelter', shelter)}/terminal/${seg('terminal', terminal)}/event`,
  /** Subscription filters used by the servers (never granted to devices). */
  allReceipts: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/+/receipt`,
  allShelterEvents: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/shelter/+/terminal/+/event`,
  /** The events of every terminal at one shelter: what a terminal reads to agree on occupancy. */
  shelterEventsAt: (muni: string, shelter: string) =>
    `${TOPIC_ROOT}/${seg('muni', muni)}/shelter/${seg('shelter', shelter)}/terminal/+/event`,
  /** Publish grants of the senders (broker policy): every TV alert of one municipality, every TV's mail topic. */
  allTvAlerts: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/+/alert`,
  allTvMail: () => `${TOPIC_ROOT}/+/tv/+/mail`,
  /** Every TV's wake topic of one municipality: published by that municipality only. */
  allTvWake: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/+/wake`,
  /** Every TV's mail topic of one municipality (what a bridge into that municipality's edge carries). */
  allTvMailOf: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/+/mail`,
  /** What a TV subscribes to: its own topics and its municipality's area alerts. */
  tvOwn: (muni: string, device: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/tv/${seg('device', device)}/+`,
  areaAll: (muni: string) => `${TOPIC_ROOT}/${seg('muni', muni)}/area/+/alert`,
} as const;

export type ParsedTopic =
  | { kind: 'tv-alert' | 'tv-receipt' | 'tv-mail' | 'tv-wake'; muni: string; device: string }
  | { kind: 'area-alert'; muni: string; zone: string }
  | { kind: 'shelter-event'; muni: string; shelter: string; terminal: string };

/** Parse a concrete topic name (no wildcards); null if it is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const p = topic.split('/');
  if (p[0] !== TOPIC_ROOT || !p.slice(1).every(isSafeId)) return null;
  if (p.length === 5 && p[2] === 'tv') {
    const kinds = { alert: 'tv-alert', receipt: 'tv-receipt', mail: 'tv-mail', wake: 'tv-wake' } as const;
    const kind = Object.hasOwn(kinds, p[4]!) ? kinds[p[4] as keyof typeof kinds] : null;
    return kind ? { kind, muni: p[1]!, device: p[3]! } : null;
  }
  if (p.length === 5 && p[2] === 'area' && p[4] === 'alert') return { kind: 'area-alert', muni: p[1]!, zone: p[3]! };
  if (p.length === 7 && p[2] === 'shelter' && p[4] === 'terminal' && p[6] === 'event') {
    return { kind: 'shelter-event', muni: p[1]!, shelter: p[3]!, terminal: p[5]! };
  }
  return null;
}
