/**
 * The rescue list: people who asked for help, or need help to evacuate and are silent, and have not
 * arrived at any shelter (its need-help figure is the status's `needHelpOpen`: one truth, the same
 * arrivals). Each row says where the person is (地区), how far the alert got to them (sent to their
 * TV, on its screen, answered, with times), the latest answer with every earlier one (a TV lets a
 * resident correct an answer), the supporter and the phone. No coordinates: no screen or CSV shows
 * them, so they are not read (the address is what teams use).
 */
import type { Queryable } from '@kizuna/core';
import type { Answer } from '@kizuna/contract';
import { consoleErrors } from '../errors.ts';
import { ARRIVALS, iso } from './alert-status.ts';

export interface RescueRow {
  residentId: string;
  name: string;
  reading: string;
  address: string;
  phone: string | null;
  supporter: string | null;
  zoneId: string;
  /** The zone's name (地区). */
  zoneName: string;
  answer: Answer | null;
  answeredAt: string | null;
  /** Every answer given, oldest first (the last is `answer`): a corrected answer shows what it replaced. */
  answers: { answer: Answer; at: string }[];
  /** When the alert was last sent to the person's TV. */
  sentAt: string;
  deliveredAt: string | null;
  displayedAt: string | null;
  /** How far the alert got: sent to the TV (not confirmed), received by it, on its screen, answered. */
  delivery: Delivery;
  shelterId: string | null;
}

export type Delivery = 'sent' | 'received' | 'on-screen' | 'answered';
export const DELIVERY_STATES: readonly Delivery[] = ['sent', 'received', 'on-screen', 'answered'];

function deliveryOf(r: { answer: unknown; displayed_at: unknown; delivered_at: unknown }): Delivery {
  if (r.answer) return 'answered';
  if (r.displayed_at) return 'on-screen';
  return r.delivered_at ? 'received' : 'sent';
}

/** The list in figures: what every staff member may see (the people only issuers and admins). */
export interface RescueCounts {
  people: number;
  needHelp: number;
  noAnswer: number;
}

/**
 * For rescue teams: people who have not arrived at a shelter and answered "need help" (whoever
 * they are: anyone can be stuck), first; then, once `afterMs` has passed since the alert went
 * out, those registered as needing help to evacuate who have not answered at all.
 */
export async function rescueList(
  q: Queryable,
  alertId: string,
  now: Date,
  afterMs: number,
): Promise<{ alertId: string; at: string; afterSeconds: number; counts: RescueCounts; people: RescueRow[] }> {
  const a = (await q.query<{ first_sent: Date | null }>('SELECT first_sent FROM alerts WHERE id = $1', [alertId]))
    .rows[0];
  if (!a) throw consoleErrors.KZ_CONSOLE_UNKNOWN_ALERT(alertId);
  const since = a.first_sent ?? now;
  const silentTooLong = now.getTime() - new Date(since).getTime() >= afterMs;
  const { rows } = await q.query<{
    resident_id: string;
    family_name: string;
    given_name: string;
    family_kana: string;
    given_kana: string;
    address: string;
    phone: string | null;
    supporter: string | null;
    zone_id: string;
    zone_name: string | null;
    answer: Answer | null;
    answered_at: Date | null;
    sent_at: Date;
    delivered_at: Date | null;
    displayed_at: Date | null;
    shelter_id: string | null;
  }>(
    `
    WITH arr AS (${ARRIVALS})
    SELECT ar.resident_id, r.family_name, r.given_name, r.family_kana, r.given_kana, r.address, r.phone, r.supporter, ar.zone_id,
      z.name AS zone_name, an.answer, an.answered_at, d.last_sent_at AS sent_at, d.delivered_at, d.displayed_at, ar.shelter_id
    FROM alert_recipients ar JOIN residents r ON r.id = ar.resident_id
    JOIN deliveries d ON d.alert_id = ar.alert_id AND d.device_id = ar.device_id
    LEFT JOIN answers an ON an.alert_id = ar.alert_id AND an.resident_id = ar.resident_id
    LEFT JOIN zones z ON z.id = ar.zone_id
    WHERE ar.alert_id = $1 AND ar.active
      AND NOT EXISTS (SELECT 1 FROM arr WHERE arr.resident_id = ar.resident_id)
      AND (an.answer = 'need-help' OR (ar.needs_help AND an.answer IS NULL AND $3))
    ORDER BY (an.answer = 'need-help') DESC NULLS LAST, an.answered_at, ar.zone_id, r.family_kana, r.given_kana`,
    [alertId, since, silentTooLong],
  );
  const needHelp = rows.filter((r) => r.answer === 'need-help').length;
  const history = new Map<string, { answer: Answer; at: string }[]>();
  if (rows.length) {
    const { rows: h } = await q.query<{ resident_id: string; answer: Answer; answered_at: Date }>(
      `SELECT resident_id, answer, answered_at FROM answer_history
        WHERE alert_id = $1 AND resident_id = ANY($2::text[]) ORDER BY resident_id, answered_at, answer`,
      [alertId, rows.map((r) => r.resident_id)],
    );
    for (const x of h) {
      const list = history.get(x.resident_id) ?? [];
      // the same answer again (a re-sent receipt, a TV answering twice) is not a correction
      if (list.at(-1)?.answer !== x.answer) list.push({ answer: x.answer, at: iso(x.answered_at)! });
      history.set(x.resident_id, list);
    }
  }
  return {
    alertId,
    at: now.toISOString(),
    afterSeconds: Math.round(afterMs / 1000),
    counts: { people: rows.length, needHelp, noAnswer: rows.length - needHelp },
    people: rows.map((r) => ({
      residentId: r.resident_id,
      name: `${r.family_name} ${r.given_name}`,
      reading: `${r.family_kana} ${r.given_kana}`,
      address: r.address,
      phone: r.phone,
      supporter: r.supporter,
      zoneId: r.zone_id,
      zoneName: r.zone_name ?? r.zone_id,
      answer: r.answer,
      answeredAt: iso(r.answered_at),
      answers: history.get(r.resident_id) ?? (r.answer ? [{ answer: r.answer, at: iso(r.answered_at)! }] : []),
      sentAt: iso(r.sent_at)!,
      deliveredAt: iso(r.delivered_at),
      displayedAt: iso(r.displayed_at),
      delivery: deliveryOf(r),
      shelterId: r.shelter_id,
    })),
  };
}
