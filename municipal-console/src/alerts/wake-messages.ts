/**
 * Wakes for the boxes (contract WakeSchema, kz/{muni}/tv/{device}/wake): where no platform lets the
 * applet bring itself forward, the box's launcher hook turns the TV on and opens the applet at the
 * alert. A wake names the alert, never a person, so one payload serves every TV of a revision.
 */
import { encodeMessage, topics, type Wake } from '@kizuna/contract';
import type { AlertHead } from './personalise.ts';
import type { OutMessage } from './alert-publisher.ts';

/** One wake per TV, to publish just before the TVs' personal alerts (the hook wakes the display while the alert is on its way). */
export function wakeMessages(muni: string, head: AlertHead, devices: readonly string[]): OutMessage[] {
  const wake: Wake = {
    v: 1,
    kind: 'wake',
    alertId: head.alertId,
    revision: head.revision,
    status: head.status,
    level: head.level,
    sent: head.sent,
    expires: head.expires,
  };
  const payload = Buffer.from(encodeMessage(wake));
  return devices.map((d) => ({ topic: topics.tvWake(muni, d), payload, retain: false }));
}
